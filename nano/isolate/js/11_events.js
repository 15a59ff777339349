// Event, CustomEvent, ErrorEvent, EventTarget; the global object as an EventTarget;
// event handler attributes (onabort, ...); "report the exception".
// Spec: https://dom.spec.whatwg.org/#events and
// https://html.spec.whatwg.org/multipage/webappapis.html#event-handler-attributes
// Host operations: none (errors reach the host through nano.reportError).
//
// Internals shared on `nano`:
//   nano.dispatchEvent(target, event)   dispatch as a trusted event; returns !canceled
//   nano.fireEvent(target, type, init, EventClass)   create + trusted dispatch
//   nano.isEventTarget(x), nano.isEvent(x), nano.hasListeners(target, type)
//   nano.initEventTarget(obj)           make an existing object an EventTarget
//   nano.defineEventHandler(proto, name)  install an `on<name>` IDL attribute
//   nano.reportException(error)         fire "error" at the global, then log if not canceled
//   The global object itself is an EventTarget (EventTarget.prototype is on its prototype
//   chain): dispatch global events with nano.dispatchEvent(globalThis, event).
//   nano.timeOrigin, nano.highResNow()  the clock (Date.now(): millisecond resolution)
//   nano.Event, nano.EventTarget, nano.CustomEvent, nano.ErrorEvent

const ObjectDefineProperty = Object.defineProperty;
const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const ObjectSetPrototypeOf = Object.setPrototypeOf;
const ReflectApply = Reflect.apply;
const WeakMapCtor = WeakMap;
const DateNow = Date.now;
const MathMax = Math.max;
const StringCtor = String;
const BooleanCtor = Boolean;
const TypeErrorCtor = TypeError;
const SymbolToStringTag = Symbol.toStringTag;
const ArrayPrototypeSlice = Array.prototype.slice;
const ArrayPrototypeSplice = Array.prototype.splice;
const ArrayPrototypeIndexOf = Array.prototype.indexOf;
const requireArgs = nano.requireArgs;

const SafeWeakMap = nano.safeCollection(WeakMap);

// ---- clock ---------------------------------------------------------------------------
// The isolate's only clock is Date.now() (millisecond resolution); performance.now() and
// Event.timeStamp are derived from it and made monotonic.
let bootOrigin = nano.bootstrap && typeof nano.bootstrap.timeOrigin === "number"
  ? nano.bootstrap.timeOrigin : DateNow();
let lastNow = 0;
nano.timeOrigin = bootOrigin;
// The app's start, for an isolate bootstrapped ahead of time (before user code runs).
nano.resetTimeOrigin = function resetTimeOrigin(origin) {
  bootOrigin = origin;
  lastNow = 0;
  nano.timeOrigin = origin;
};
nano.highResNow = function highResNow() {
  const now = MathMax(lastNow, DateNow() - bootOrigin);
  lastNow = now;
  return now;
};

// ---- helpers -------------------------------------------------------------------------
const toDOMString = nano.toDOMString;
const isObject = nano.isObject;

function dictionary(value, what) {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw new TypeErrorCtor(what + ": the options argument must be an object");
  return value;
}

// ---- Event ---------------------------------------------------------------------------
const NONE = 0, CAPTURING_PHASE = 1, AT_TARGET = 2, BUBBLING_PHASE = 3;
const eventStates = new SafeWeakMap();

function eventState(self, what) {
  const state = eventStates.get(self);
  if (state === undefined) throw new TypeErrorCtor("Event." + what + ": illegal invocation");
  return state;
}

function isTrustedGetter() {
  const state = eventStates.get(this);
  return state !== undefined && state.isTrusted;
}

class Event {
  constructor(type, eventInitDict = undefined) {
    requireArgs(arguments.length, 1, "Failed to construct 'Event'");
    type = toDOMString(type);
    const init = dictionary(eventInitDict, "Failed to construct 'Event'");
    const state = {
      type,
      bubbles: false, cancelable: false, composed: false,
      target: null, currentTarget: null, eventPhase: NONE,
      stopPropagation: false, stopImmediatePropagation: false,
      canceled: false, inPassiveListener: false,
      initialized: true, dispatching: false, isTrusted: false,
      timeStamp: nano.highResNow(), path: null,
    };
    if (init !== undefined) {
      state.bubbles = BooleanCtor(init.bubbles);
      state.cancelable = BooleanCtor(init.cancelable);
      state.composed = BooleanCtor(init.composed);
    }
    eventStates.set(this, state);
    ObjectDefineProperty(this, "isTrusted", {
      get: isTrustedGetter, set: undefined, enumerable: true, configurable: false,
    });
  }

  get type() { return eventState(this, "type").type; }
  get target() { return eventState(this, "target").target; }
  get srcElement() { return eventState(this, "srcElement").target; }
  get currentTarget() { return eventState(this, "currentTarget").currentTarget; }

  composedPath() {
    const state = eventState(this, "composedPath");
    if (state.path === null) return [];
    return [state.currentTarget];
  }

  get eventPhase() { return eventState(this, "eventPhase").eventPhase; }

  stopPropagation() {
    eventState(this, "stopPropagation").stopPropagation = true;
  }

  get cancelBubble() { return eventState(this, "cancelBubble").stopPropagation; }
  set cancelBubble(value) {
    const state = eventState(this, "cancelBubble");
    if (value) state.stopPropagation = true;
  }

  stopImmediatePropagation() {
    const state = eventState(this, "stopImmediatePropagation");
    state.stopPropagation = true;
    state.stopImmediatePropagation = true;
  }

  get bubbles() { return eventState(this, "bubbles").bubbles; }
  get cancelable() { return eventState(this, "cancelable").cancelable; }

  get returnValue() { return !eventState(this, "returnValue").canceled; }
  set returnValue(value) {
    const state = eventState(this, "returnValue");
    if (!value) setCanceled(state);
  }

  preventDefault() {
    setCanceled(eventState(this, "preventDefault"));
  }

  get defaultPrevented() { return eventState(this, "defaultPrevented").canceled; }
  get composed() { return eventState(this, "composed").composed; }
  get timeStamp() { return eventState(this, "timeStamp").timeStamp; }

  initEvent(type, bubbles = false, cancelable = false) {
    const state = eventState(this, "initEvent");
    requireArgs(arguments.length, 1, "Failed to execute 'initEvent' on 'Event'");
    type = toDOMString(type);
    if (state.dispatching) return;
    initialize(state, type, bubbles, cancelable);
  }
}

function setCanceled(state) {
  if (state.cancelable && !state.inPassiveListener) state.canceled = true;
}

function initialize(state, type, bubbles, cancelable) {
  state.initialized = true;
  state.stopPropagation = false;
  state.stopImmediatePropagation = false;
  state.canceled = false;
  state.isTrusted = false;
  state.target = null;
  state.type = type;
  state.bubbles = BooleanCtor(bubbles);
  state.cancelable = BooleanCtor(cancelable);
}

function defineConstants(target) {
  const list = [["NONE", NONE], ["CAPTURING_PHASE", CAPTURING_PHASE],
    ["AT_TARGET", AT_TARGET], ["BUBBLING_PHASE", BUBBLING_PHASE]];
  for (let i = 0; i < list.length; i++) {
    ObjectDefineProperty(target, list[i][0], {
      value: list[i][1], writable: false, enumerable: true, configurable: false,
    });
  }
}
defineConstants(Event);
defineConstants(Event.prototype);

function setToStringTag(ctor, name) {
  ObjectDefineProperty(ctor.prototype, SymbolToStringTag, {
    value: name, writable: false, enumerable: false, configurable: true,
  });
}
setToStringTag(Event, "Event");

// ---- CustomEvent ---------------------------------------------------------------------
const customDetails = new SafeWeakMap();

class CustomEvent extends Event {
  constructor(type, eventInitDict = undefined) {
    requireArgs(arguments.length, 1, "Failed to construct 'CustomEvent'");
    super(type, eventInitDict);
    const init = dictionary(eventInitDict, "Failed to construct 'CustomEvent'");
    const detail = init === undefined || init.detail === undefined ? null : init.detail;
    customDetails.set(this, { detail });
  }

  get detail() {
    const record = customDetails.get(this);
    if (record === undefined) throw new TypeErrorCtor("CustomEvent.detail: illegal invocation");
    return record.detail;
  }

  initCustomEvent(type, bubbles = false, cancelable = false, detail = null) {
    const record = customDetails.get(this);
    if (record === undefined) throw new TypeErrorCtor("CustomEvent.initCustomEvent: illegal invocation");
    requireArgs(arguments.length, 1, "Failed to execute 'initCustomEvent' on 'CustomEvent'");
    type = toDOMString(type);
    const state = eventStates.get(this);
    if (state.dispatching) return;
    initialize(state, type, bubbles, cancelable);
    record.detail = detail;
  }
}
setToStringTag(CustomEvent, "CustomEvent");

// ---- ErrorEvent (HTML) ---------------------------------------------------------------
const errorEventStates = new SafeWeakMap();

function errorEventState(self, what) {
  const state = errorEventStates.get(self);
  if (state === undefined) throw new TypeErrorCtor("ErrorEvent." + what + ": illegal invocation");
  return state;
}

class ErrorEvent extends Event {
  constructor(type, eventInitDict = undefined) {
    requireArgs(arguments.length, 1, "Failed to construct 'ErrorEvent'");
    super(type, eventInitDict);
    const init = dictionary(eventInitDict, "Failed to construct 'ErrorEvent'");
    const state = { colno: 0, error: undefined, filename: "", lineno: 0, message: "" };
    if (init !== undefined) {
      if (init.colno !== undefined) state.colno = init.colno >>> 0;
      state.error = init.error;
      if (init.filename !== undefined) state.filename = toDOMString(init.filename);
      if (init.lineno !== undefined) state.lineno = init.lineno >>> 0;
      if (init.message !== undefined) state.message = toDOMString(init.message);
    }
    errorEventStates.set(this, state);
  }

  get message() { return errorEventState(this, "message").message; }
  get filename() { return errorEventState(this, "filename").filename; }
  get lineno() { return errorEventState(this, "lineno").lineno; }
  get colno() { return errorEventState(this, "colno").colno; }
  get error() { return errorEventState(this, "error").error; }
}
setToStringTag(ErrorEvent, "ErrorEvent");

// ---- EventTarget ---------------------------------------------------------------------
// target -> array of listener records {type, callback, capture, passive, once, removed}
const listenerLists = new SafeWeakMap();

function listenersOf(self, what) {
  if (self === undefined || self === null) self = globalThis;
  const list = listenerLists.get(self);
  if (list === undefined) throw new TypeErrorCtor("EventTarget." + what + ": illegal invocation");
  return list;
}

function flattenCapture(options) {
  if (typeof options === "boolean") return options;
  if (options === undefined || options === null) return false;
  if (!isObject(options)) return BooleanCtor(options);
  return BooleanCtor(options.capture);
}

function convertCallback(callback, what) {
  if (callback === undefined || callback === null) return null;
  if (!isObject(callback)) {
    throw new TypeErrorCtor("EventTarget." + what + ": parameter 2 is not of type 'Object'");
  }
  return callback;
}

function removeListenerRecord(list, record) {
  record.removed = true;
  const index = ReflectApply(ArrayPrototypeIndexOf, list, [record]);
  if (index !== -1) ReflectApply(ArrayPrototypeSplice, list, [index, 1]);
}

class EventTarget {
  constructor() {
    listenerLists.set(this, []);
  }

  addEventListener(type, callback, options = undefined) {
    const self = this === undefined || this === null ? globalThis : this;
    const list = listenersOf(self, "addEventListener");
    requireArgs(arguments.length, 2, "Failed to execute 'addEventListener' on 'EventTarget'");
    type = toDOMString(type);
    callback = convertCallback(callback, "addEventListener");
    let capture = false, once = false, passive = false, signal = null;
    if (isObject(options)) {
      capture = BooleanCtor(options.capture);
      once = BooleanCtor(options.once);
      passive = BooleanCtor(options.passive);
      const rawSignal = options.signal;
      if (rawSignal !== undefined) {
        if (nano.isAbortSignal === undefined || !nano.isAbortSignal(rawSignal)) {
          throw new TypeErrorCtor("EventTarget.addEventListener: 'signal' is not an AbortSignal");
        }
        signal = rawSignal;
      }
    } else {
      capture = flattenCapture(options);
    }
    if (signal !== null && nano.signalAborted(signal)) return;
    if (callback === null) return;
    for (let i = 0; i < list.length; i++) {
      const r = list[i];
      if (r.type === type && r.callback === callback && r.capture === capture) return;
    }
    const record = { type, callback, capture, passive, once, removed: false };
    list[list.length] = record;
    if (type === "abort" && nano.onAbortListenerAdded !== undefined) nano.onAbortListenerAdded(self);
    if (signal !== null) {
      nano.addAbortAlgorithm(signal, () => removeListenerRecord(list, record));
    }
  }

  removeEventListener(type, callback, options = undefined) {
    const list = listenersOf(this, "removeEventListener");
    requireArgs(arguments.length, 2, "Failed to execute 'removeEventListener' on 'EventTarget'");
    type = toDOMString(type);
    callback = convertCallback(callback, "removeEventListener");
    const capture = flattenCapture(options);
    for (let i = 0; i < list.length; i++) {
      const r = list[i];
      if (r.type === type && r.callback === callback && r.capture === capture) {
        removeListenerRecord(list, r);
        return;
      }
    }
  }

  dispatchEvent(event) {
    const self = this === undefined || this === null ? globalThis : this;
    listenersOf(self, "dispatchEvent");
    requireArgs(arguments.length, 1, "Failed to execute 'dispatchEvent' on 'EventTarget'");
    const state = eventStates.get(event);
    if (state === undefined) {
      throw new TypeErrorCtor("EventTarget.dispatchEvent: parameter 1 is not of type 'Event'");
    }
    if (state.dispatching || !state.initialized) {
      throw new nano.DOMException("The event is already being dispatched or not initialized",
        "InvalidStateError");
    }
    state.isTrusted = false;
    return dispatch(self, event, state);
  }
}
setToStringTag(EventTarget, "EventTarget");

function invokeListeners(target, event, state, list, phase) {
  const snapshot = ReflectApply(ArrayPrototypeSlice, list, []);
  const capturePass = phase === CAPTURING_PHASE;
  for (let i = 0; i < snapshot.length; i++) {
    const r = snapshot[i];
    if (r.removed || r.type !== state.type) continue;
    if (capturePass !== r.capture) continue;
    if (r.once) removeListenerRecord(list, r);
    if (r.passive) state.inPassiveListener = true;
    try {
      const callback = r.callback;
      if (typeof callback === "function") {
        ReflectApply(callback, state.currentTarget, [event]);
      } else {
        const handleEvent = callback.handleEvent;
        if (typeof handleEvent !== "function") {
          throw new TypeErrorCtor("The listener's handleEvent property is not callable");
        }
        ReflectApply(handleEvent, callback, [event]);
      }
    } catch (e) {
      reportException(e);
    }
    state.inPassiveListener = false;
    if (state.stopImmediatePropagation) break;
  }
}

// The dispatch algorithm for targets without parents (every target in a worker-like
// global): one path entry, capture listeners then bubble listeners at AT_TARGET.
function dispatch(target, event, state) {
  const list = listenerLists.get(target);
  state.dispatching = true;
  state.target = target;
  state.path = [target];
  state.currentTarget = target;
  state.eventPhase = AT_TARGET;
  try {
    if (!state.stopPropagation) invokeListeners(target, event, state, list, CAPTURING_PHASE);
    if (!state.stopPropagation) invokeListeners(target, event, state, list, BUBBLING_PHASE);
  } finally {
    state.eventPhase = NONE;
    state.currentTarget = null;
    state.path = null;
    state.dispatching = false;
    state.stopPropagation = false;
    state.stopImmediatePropagation = false;
  }
  return !state.canceled;
}

// ---- event handler attributes --------------------------------------------------------
// target -> {name: {value, record}}
const handlerMaps = new SafeWeakMap();

function handlerSlot(target, name) {
  let map = handlerMaps.get(target);
  if (map === undefined) {
    map = { __proto__: null };
    handlerMaps.set(target, map);
  }
  let slot = map[name];
  if (slot === undefined) {
    slot = { value: null, record: null };
    map[name] = slot;
  }
  return slot;
}

function defineEventHandler(proto, name, brand = undefined) {
  const attribute = "on" + name;
  function check(self) {
    if (self === undefined || self === null) self = globalThis;
    if (!listenerLists.has(self) || (brand !== undefined && !brand(self))) {
      throw new TypeErrorCtor(attribute + ": illegal invocation");
    }
    return self;
  }
  const getter = {
    get [attribute]() {
      return handlerSlot(check(this), name).value;
    },
    set [attribute](value) {
      const self = check(this);
      const slot = handlerSlot(self, name);
      const list = listenerLists.get(self);
      if (!isObject(value)) {
        slot.value = null;
        if (slot.record !== null) {
          removeListenerRecord(list, slot.record);
          slot.record = null;
        }
        return;
      }
      slot.value = value;
      if (slot.record === null) {
        const callback = function (event) {
          const handler = slot.value;
          if (typeof handler !== "function") return undefined;
          const special = name === "error" && errorEventStates.has(event) && this === globalThis;
          if (special) {
            const e = errorEventStates.get(event);
            const result = ReflectApply(handler, this, [e.message, e.filename, e.lineno, e.colno, e.error]);
            if (result === true) setCanceled(eventStates.get(event));
            return undefined;
          }
          const result = ReflectApply(handler, this, [event]);
          if (result === false) {
            setCanceled(eventStates.get(event));
          }
          return undefined;
        };
        const record = {
          type: name, callback, capture: false, passive: false, once: false, removed: false,
        };
        list[list.length] = record;
        slot.record = record;
        if (name === "abort" && nano.onAbortListenerAdded !== undefined) nano.onAbortListenerAdded(self);
      }
    },
  };
  const desc = ObjectGetOwnPropertyDescriptor(getter, attribute);
  desc.enumerable = true;
  desc.configurable = true;
  ObjectDefineProperty(proto, attribute, desc);
}

// ---- report the exception ------------------------------------------------------------
let reporting = false;

function reportException(error) {
  if (reporting) {
    nano.reportError(error);
    return;
  }
  reporting = true;
  let notCanceled = true;
  try {
    let message = "Uncaught";
    try {
      message = "Uncaught " + (isObject(error) ? StringCtor(error.message) : StringCtor(error));
    } catch (e) {
      // Keep the generic message.
    }
    const event = new ErrorEvent("error", { cancelable: true, message, error });
    eventStates.get(event).isTrusted = true;
    notCanceled = dispatch(globalThis, event, eventStates.get(event));
  } catch (e) {
    notCanceled = true;
  } finally {
    reporting = false;
  }
  if (notCanceled) nano.reportError(error);
}

// WebIDL attributes and operations are enumerable.
function makeEnumerable(proto) {
  const keys = Reflect.ownKeys(proto);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (typeof key !== "string" || key === "constructor") continue;
    const desc = ObjectGetOwnPropertyDescriptor(proto, key);
    if (desc.enumerable || desc.configurable === false) continue;
    desc.enumerable = true;
    ObjectDefineProperty(proto, key, desc);
  }
}
makeEnumerable(Event.prototype);
makeEnumerable(CustomEvent.prototype);
makeEnumerable(ErrorEvent.prototype);
makeEnumerable(EventTarget.prototype);

// ---- the global object is an EventTarget ----------------------------------------------
listenerLists.set(globalThis, []);
ObjectSetPrototypeOf(globalThis, EventTarget.prototype);

// ---- internals for other files -------------------------------------------------------
nano.Event = Event;
nano.EventTarget = EventTarget;
nano.CustomEvent = CustomEvent;
nano.ErrorEvent = ErrorEvent;
nano.isEvent = function isEvent(value) {
  return eventStates.has(value);
};
nano.isEventTarget = function isEventTarget(value) {
  return listenerLists.has(value);
};
nano.initEventTarget = function initEventTarget(obj) {
  if (!listenerLists.has(obj)) listenerLists.set(obj, []);
  return obj;
};
nano.dispatchEvent = function dispatchTrusted(target, event) {
  const state = eventStates.get(event);
  if (state === undefined || !listenerLists.has(target)) {
    throw new TypeErrorCtor("nano.dispatchEvent: not an EventTarget/Event pair");
  }
  state.isTrusted = true;
  return dispatch(target, event, state);
};
nano.fireEvent = function fireEvent(target, type, init = undefined, EventClass = Event) {
  const event = new EventClass(type, init);
  return nano.dispatchEvent(target, event);
};
nano.hasListeners = function hasListeners(target, type) {
  const list = listenerLists.get(target);
  if (list === undefined) return false;
  for (let i = 0; i < list.length; i++) if (list[i].type === type) return true;
  return false;
};
nano.defineEventHandler = defineEventHandler;
nano.reportException = reportException;

nano.defineGlobal("Event", Event);
nano.defineGlobal("EventTarget", EventTarget);
nano.defineGlobal("CustomEvent", CustomEvent);
nano.defineGlobal("ErrorEvent", ErrorEvent);
defineEventHandler(globalThis, "error");

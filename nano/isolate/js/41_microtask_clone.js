// queueMicrotask, structuredClone and the global reportError.
// Spec: https://html.spec.whatwg.org/multipage/timers-and-user-prompts.html#microtask-queuing
//       https://html.spec.whatwg.org/multipage/structured-data.html (StructuredSerialize /
//       StructuredDeserialize, performed here as one copying pass)
//       https://html.spec.whatwg.org/multipage/webappapis.html#dom-reporterror
// Host operations: none (errors reach the host through nano.reportError).
//
// Internals shared on `nano`:
//   nano.structuredClone(value, transferList)   the clone, transferring the ArrayBuffers
//       and registered transferables (MessagePort) of transferList
//   nano.structuredCloneWithTransfer(value, transferList) -> {value, transferred}: the
//       same, with the objects that received the transferables, in transfer-list order
//       (MessageEvent.ports is made from them)
//   nano.registerCloneable(test, clone)         let another file make its platform
//       objects serializable: test(value) -> boolean, clone(value) -> the copy.
//       Blob and File (nano.Blob / nano.File, if defined) are handled without registering.
//   nano.registerTransferable(test, receive, transfer)   let another file make its
//       platform objects transferable: receive(value) -> the object standing for value
//       in the clone (throws a DataCloneError if value cannot be transferred, e.g. it is
//       detached), called before cloning; transfer(value, received) runs the transfer
//       and transfer-receiving steps once the whole value is cloned.

const ReflectApply = Reflect.apply;
const ReflectOwnKeys = Reflect.ownKeys;
const ObjectDefineProperty = Object.defineProperty;
const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const ObjectPrototype = Object.prototype;
const ObjectPrototypeToString = Object.prototype.toString;
const ObjectPrototypePropertyIsEnumerable = Object.prototype.propertyIsEnumerable;
const ObjectPrototypeHasOwnProperty = Object.prototype.hasOwnProperty;
const ArrayIsArray = Array.isArray;
const MapCtor = Map;
const SetCtor = Set;
const DateCtor = Date;
const RegExpCtor = RegExp;
const ArrayBufferCtor = ArrayBuffer;
const DataViewCtor = DataView;
const PromiseCtor = Promise;
const PromisePrototypeThen = Promise.prototype.then;
const TypeErrorCtor = TypeError;
const StringCtor = String;
const ObjectCtor = Object;
const getterOf = (proto, key) => ObjectGetOwnPropertyDescriptor(proto, key).get;
const MapSize = getterOf(Map.prototype, "size");
const MapEntries = Map.prototype.entries;
const MapSet = Map.prototype.set;
const SetSize = getterOf(Set.prototype, "size");
const SetValues = Set.prototype.values;
const SetAdd = Set.prototype.add;
const IteratorNext = Object.getPrototypeOf(new Map().entries()).next;
const SetIteratorNext = Object.getPrototypeOf(new Set().values()).next;
const DateGetTime = Date.prototype.getTime;
const RegExpSource = getterOf(RegExp.prototype, "source");
const RegExpFlags = getterOf(RegExp.prototype, "flags");
const BooleanValueOf = Boolean.prototype.valueOf;
const NumberValueOf = Number.prototype.valueOf;
const StringValueOf = String.prototype.valueOf;
const BigIntValueOf = BigInt.prototype.valueOf;
const SymbolValueOf = Symbol.prototype.valueOf;
const ArrayBufferByteLength = getterOf(ArrayBuffer.prototype, "byteLength");
const ArrayBufferSlice = ArrayBuffer.prototype.slice;
const ArrayBufferDetached = getterOf(ArrayBuffer.prototype, "detached");
const ArrayBufferResizable = getterOf(ArrayBuffer.prototype, "resizable");
const ArrayBufferMaxByteLength = getterOf(ArrayBuffer.prototype, "maxByteLength");
const ArrayBufferResize = ArrayBuffer.prototype.resize;
const ArrayBufferTransfer = ArrayBuffer.prototype.transfer;
const SharedArrayBufferByteLength = typeof SharedArrayBuffer === "function"
  ? getterOf(SharedArrayBuffer.prototype, "byteLength") : undefined;
const ArrayBufferIsView = ArrayBuffer.isView;
const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype);
const TypedArrayToStringTag = getterOf(TypedArrayPrototype, Symbol.toStringTag);
const TypedArrayBuffer = getterOf(TypedArrayPrototype, "buffer");
const TypedArrayByteOffset = getterOf(TypedArrayPrototype, "byteOffset");
const TypedArrayLength = getterOf(TypedArrayPrototype, "length");
const TypedArrayByteLength = getterOf(TypedArrayPrototype, "byteLength");
const DataViewBuffer = getterOf(DataView.prototype, "buffer");
const DataViewByteOffset = getterOf(DataView.prototype, "byteOffset");
const DataViewByteLength = getterOf(DataView.prototype, "byteLength");
const WeakMapHas = WeakMap.prototype.has;
const WeakSetHas = WeakSet.prototype.has;
const WeakRefDeref = typeof WeakRef === "function" ? WeakRef.prototype.deref : undefined;
const ErrorIsError = typeof Error.isError === "function" ? Error.isError : undefined;
const ErrorCaptureStackTrace = Error.captureStackTrace;
const SymbolToStringTag = Symbol.toStringTag;
const TYPED_ARRAYS = {
  __proto__: null,
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array,
  Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array,
};
if (typeof Float16Array === "function") TYPED_ARRAYS.Float16Array = Float16Array;
const ERROR_CTORS = {
  __proto__: null,
  Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError,
};

const SafeMap = nano.safeCollection(Map);

// ---- queueMicrotask ------------------------------------------------------------------
const resolved = PromiseCtor.resolve();

function queueMicrotask(callback) {
  if (arguments.length < 1) {
    throw new TypeErrorCtor("queueMicrotask: 1 argument required, but only 0 present");
  }
  if (typeof callback !== "function") {
    throw new TypeErrorCtor("queueMicrotask: parameter 1 is not of type 'Function'");
  }
  const requestId = nano.currentRequestId();
  ReflectApply(PromisePrototypeThen, resolved, [() => {
    nano.withRequest(requestId, () => {
      try {
        ReflectApply(callback, undefined, []);
      } catch (e) {
        nano.reportException(e);
      }
    });
  }]);
}

// ---- reportError ---------------------------------------------------------------------
function reportError(e) {
  if (arguments.length < 1) {
    throw new TypeErrorCtor("reportError: 1 argument required, but only 0 present");
  }
  nano.reportException(e);
}

// ---- structuredClone -----------------------------------------------------------------
const cloneables = [];

// Brand checks of platform objects that are not serializable (HTML: only
// [Serializable] interfaces may be cloned); looked up at call time because the
// files defining them load after this one.
const PLATFORM_CHECKS = [
  "isEventTarget", "isEvent", "isURL", "isURLSearchParams", "isURLPattern",
  "isHeaders", "isRequest", "isResponse", "isFormData", "isAbortSignal", "isMessageChannel",
];

function isPlatformObject(value) {
  for (let i = 0; i < PLATFORM_CHECKS.length; i++) {
    const check = nano[PLATFORM_CHECKS[i]];
    if (check !== undefined && check(value)) return true;
  }
  return false;
}

nano.registerCloneable = function registerCloneable(test, clone) {
  cloneables[cloneables.length] = { test, clone };
};

const transferables = [];

nano.registerTransferable = function registerTransferable(test, receive, transfer) {
  transferables[transferables.length] = { test, receive, transfer };
};

function dataCloneError(what) {
  return transferError(what + " could not be cloned.");
}

function transferError(message) {
  return new nano.DOMException(message, "DataCloneError");
}

function hasSlot(fn, value, args = []) {
  if (fn === undefined) return false;
  try {
    ReflectApply(fn, value, args);
    return true;
  } catch (e) {
    return false;
  }
}

function isError(value) {
  if (ErrorIsError !== undefined) return ErrorIsError(value);
  if (value[SymbolToStringTag] !== undefined) return false;
  return ReflectApply(ObjectPrototypeToString, value, []) === "[object Error]";
}

function defineData(target, key, value) {
  ObjectDefineProperty(target, key, {
    value, writable: true, enumerable: true, configurable: true,
  });
}

function copyBuffer(buffer) {
  if (ReflectApply(ArrayBufferDetached, buffer, [])) throw dataCloneError("A detached ArrayBuffer");
  if (ReflectApply(ArrayBufferResizable, buffer, [])) {
    const length = ReflectApply(ArrayBufferByteLength, buffer, []);
    const copy = new ArrayBufferCtor(length,
      { maxByteLength: ReflectApply(ArrayBufferMaxByteLength, buffer, []) });
    new Uint8Array(copy).set(new Uint8Array(buffer, 0, length));
    return copy;
  }
  return ReflectApply(ArrayBufferSlice, buffer, [0]);
}

function Cloner(memory) {
  this.memory = memory;
}

function cloneProperties(cloner, value, output) {
  // EnumerableOwnProperties(value, key) first, then each key if it is still there.
  const all = ReflectOwnKeys(value);
  const keys = [];
  for (let i = 0; i < all.length; i++) {
    const key = all[i];
    if (typeof key === "string" && ReflectApply(ObjectPrototypePropertyIsEnumerable, value, [key])) {
      keys[keys.length] = key;
    }
  }
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (!ReflectApply(ObjectPrototypeHasOwnProperty, value, [key])) continue;
    const input = value[key];
    defineData(output, key, cloneValue(cloner, input));
  }
}

function cloneValue(cloner, value) {
  const type = typeof value;
  if (type === "symbol") throw dataCloneError("A Symbol");
  if (value === null || (type !== "object" && type !== "function")) return value;
  const memory = cloner.memory;
  if (memory.has(value)) return memory.get(value);
  if (type === "function") throw dataCloneError("A function");
  let output;
  if (hasSlot(BooleanValueOf, value)) {
    output = ObjectCtor(ReflectApply(BooleanValueOf, value, []));
  } else if (hasSlot(NumberValueOf, value)) {
    output = ObjectCtor(ReflectApply(NumberValueOf, value, []));
  } else if (hasSlot(BigIntValueOf, value)) {
    output = ObjectCtor(ReflectApply(BigIntValueOf, value, []));
  } else if (hasSlot(StringValueOf, value)) {
    output = ObjectCtor(ReflectApply(StringValueOf, value, []));
  } else if (hasSlot(SymbolValueOf, value)) {
    throw dataCloneError("A Symbol object");
  } else if (hasSlot(DateGetTime, value)) {
    output = new DateCtor(ReflectApply(DateGetTime, value, []));
  } else if (value !== RegExpCtor.prototype && hasSlot(RegExpSource, value)) {
    output = new RegExpCtor(ReflectApply(RegExpSource, value, []), ReflectApply(RegExpFlags, value, []));
  } else if (hasSlot(ArrayBufferByteLength, value)) {
    output = copyBuffer(value);
  } else if (hasSlot(SharedArrayBufferByteLength, value)) {
    throw dataCloneError("A SharedArrayBuffer");
  } else if (ArrayBufferIsView(value)) {
    const name = ReflectApply(TypedArrayToStringTag, value, []);
    if (name !== undefined) {
      const buffer = cloneValue(cloner, ReflectApply(TypedArrayBuffer, value, []));
      const offset = ReflectApply(TypedArrayByteOffset, value, []);
      const Ctor = TYPED_ARRAYS[name];
      output = lengthTracking(value, TypedArrayByteLength)
        ? new Ctor(buffer, offset)
        : new Ctor(buffer, offset, ReflectApply(TypedArrayLength, value, []));
    } else {
      const buffer = cloneValue(cloner, ReflectApply(DataViewBuffer, value, []));
      const offset = ReflectApply(DataViewByteOffset, value, []);
      output = lengthTracking(value, DataViewByteLength)
        ? new DataViewCtor(buffer, offset)
        : new DataViewCtor(buffer, offset, ReflectApply(DataViewByteLength, value, []));
    }
    memory.set(value, output);
    return output;
  } else if (hasSlot(MapSize, value)) {
    output = new MapCtor();
    memory.set(value, output);
    const entries = [];
    const it = ReflectApply(MapEntries, value, []);
    for (let step = ReflectApply(IteratorNext, it, []); !step.done; step = ReflectApply(IteratorNext, it, [])) {
      entries[entries.length] = step.value;
    }
    for (let i = 0; i < entries.length; i++) {
      const k = cloneValue(cloner, entries[i][0]);
      const v = cloneValue(cloner, entries[i][1]);
      ReflectApply(MapSet, output, [k, v]);
    }
    return output;
  } else if (hasSlot(SetSize, value)) {
    output = new SetCtor();
    memory.set(value, output);
    const items = [];
    const it = ReflectApply(SetValues, value, []);
    for (let step = ReflectApply(SetIteratorNext, it, []); !step.done; step = ReflectApply(SetIteratorNext, it, [])) {
      items[items.length] = step.value;
    }
    for (let i = 0; i < items.length; i++) ReflectApply(SetAdd, output, [cloneValue(cloner, items[i])]);
    return output;
  } else if (nano.isDOMException !== undefined && nano.isDOMException(value)) {
    const state = nano.domExceptionState(value);
    output = new nano.DOMException(state.message, state.name);
    copyStack(value, output);
  } else if (isError(value)) {
    let name = value.name;
    if (!(typeof name === "string" && ERROR_CTORS[name] !== undefined)) name = "Error";
    const desc = ObjectGetOwnPropertyDescriptor(value, "message");
    const message = desc !== undefined && "value" in desc ? StringCtor(desc.value) : undefined;
    output = message === undefined ? new ERROR_CTORS[name]() : new ERROR_CTORS[name](message);
    copyStack(value, output);
  } else if (ArrayIsArray(value)) {
    output = [];
    output.length = value.length;
    memory.set(value, output);
    cloneProperties(cloner, value, output);
    return output;
  } else if (hasSlot(WeakMapHas, value, [{}]) || hasSlot(WeakSetHas, value, [{}]) ||
             hasSlot(WeakRefDeref, value)) {
    throw dataCloneError("A weak collection");
  } else {
    const platform = clonePlatform(value);
    if (platform !== undefined) {
      output = platform;
    } else {
      if (isPlatformObject(value)) {
        throw dataCloneError("A platform object");
      }
      output = {};
      memory.set(value, output);
      cloneProperties(cloner, value, output);
      return output;
    }
  }
  memory.set(value, output);
  return output;
}

function lengthTracking(view, byteLengthGetter) {
  const buffer = ArrayBufferIsView(view) && byteLengthGetter === TypedArrayByteLength
    ? ReflectApply(TypedArrayBuffer, view, []) : ReflectApply(DataViewBuffer, view, []);
  if (!ReflectApply(ArrayBufferResizable, buffer, [])) return false;
  // A length-tracking view follows its buffer's length: grow the buffer by one byte and
  // see whether the view followed, then shrink it back (the contents are unchanged).
  const length = ReflectApply(ArrayBufferByteLength, buffer, []);
  if (length >= ReflectApply(ArrayBufferMaxByteLength, buffer, [])) return false;
  const before = ReflectApply(byteLengthGetter, view, []);
  ReflectApply(ArrayBufferResize, buffer, [length + 1]);
  const after = ReflectApply(byteLengthGetter, view, []);
  ReflectApply(ArrayBufferResize, buffer, [length]);
  return after !== before;
}

function copyStack(from, to) {
  const desc = ObjectGetOwnPropertyDescriptor(from, "stack");
  if (desc !== undefined && typeof desc.value === "string") {
    ObjectDefineProperty(to, "stack", {
      value: desc.value, writable: true, enumerable: false, configurable: true,
    });
  }
}

function clonePlatform(value) {
  for (let i = 0; i < cloneables.length; i++) {
    if (cloneables[i].test(value)) return cloneables[i].clone(value);
  }
  const File = nano.File;
  if (typeof File === "function" && value instanceof File) {
    return new File([value], value.name, { type: value.type, lastModified: value.lastModified });
  }
  const Blob = nano.Blob;
  if (typeof Blob === "function" && value instanceof Blob) {
    return value.slice(0, value.size, value.type);
  }
  return undefined;
}

function transferableOf(value) {
  for (let i = 0; i < transferables.length; i++) {
    if (transferables[i].test(value)) return transferables[i];
  }
  return undefined;
}

// StructuredSerializeWithTransfer + StructuredDeserializeWithTransfer in one pass. The
// transfer list is checked and stood in for first, the value is cloned, and only then
// are the transferables detached/moved, so a clone that throws leaves them untouched.
function cloneWithTransfer(value, transferList) {
  const memory = new SafeMap();
  const buffers = [];
  const platform = [];
  const transferred = [];
  for (let i = 0; i < transferList.length; i++) {
    const item = transferList[i];
    const isBuffer = hasSlot(ArrayBufferByteLength, item);
    const kind = isBuffer ? undefined : transferableOf(item);
    if (!isBuffer && kind === undefined) {
      throw transferError("Only ArrayBuffers and MessagePorts can be transferred.");
    }
    if (memory.has(item)) throw transferError("The transfer list names an object twice.");
    let received;
    if (isBuffer) {
      if (ReflectApply(ArrayBufferDetached, item, [])) {
        throw transferError("An ArrayBuffer in the transfer list is already detached.");
      }
      received = copyBuffer(item);
      buffers[buffers.length] = item;
    } else {
      received = kind.receive(item);
      platform[platform.length] = { kind, item, received };
    }
    memory.set(item, received);
    transferred[transferred.length] = received;
  }
  const cloner = new Cloner(memory);
  const result = cloneValue(cloner, value);
  for (let i = 0; i < buffers.length; i++) {
    ReflectApply(ArrayBufferTransfer, buffers[i], []);
  }
  for (let i = 0; i < platform.length; i++) {
    platform[i].kind.transfer(platform[i].item, platform[i].received);
  }
  return { value: result, transferred };
}

function structuredCloneInternal(value, transferList) {
  return cloneWithTransfer(value, transferList).value;
}

function toSequence(value) {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) {
    throw new TypeErrorCtor("structuredClone: 'transfer' is not a sequence");
  }
  const method = value[Symbol.iterator];
  if (typeof method !== "function") throw new TypeErrorCtor("structuredClone: 'transfer' is not iterable");
  const list = [];
  for (const item of { [Symbol.iterator]: () => ReflectApply(method, value, []) }) {
    if (item === null || (typeof item !== "object" && typeof item !== "function")) {
      throw new TypeErrorCtor("structuredClone: 'transfer' entries must be objects");
    }
    list[list.length] = item;
  }
  return list;
}

function structuredClone(value, options = undefined) {
  if (arguments.length < 1) {
    throw new TypeErrorCtor("structuredClone: 1 argument required, but only 0 present");
  }
  let transferList = [];
  if (options !== undefined && options !== null) {
    if (typeof options !== "object" && typeof options !== "function") {
      throw new TypeErrorCtor("structuredClone: options must be an object");
    }
    const transfer = options.transfer;
    if (transfer !== undefined) transferList = toSequence(transfer);
  }
  return structuredCloneInternal(value, transferList);
}

nano.structuredClone = structuredCloneInternal;
nano.structuredCloneWithTransfer = cloneWithTransfer;

nano.defineGlobal("queueMicrotask", queueMicrotask);
nano.defineGlobal("structuredClone", structuredClone);
nano.defineGlobal("reportError", reportError);

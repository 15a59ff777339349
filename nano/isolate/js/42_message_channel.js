// MessageChannel, MessagePort and MessageEvent: channel messaging between the ports of
// one isolate (the only agent an app has).
// Spec: https://html.spec.whatwg.org/multipage/web-messaging.html#message-channels
//       (MessageChannel, MessagePort, the message port post message steps, the port
//       message queues, MessagePort's transfer steps and close event) and
//       https://html.spec.whatwg.org/multipage/comms.html#the-messageevent-interface
// Host operations: none directly; deliveries and close events are tasks queued with
// nano.queueTask (40_timers.js), which arms host timers ("timer_set"/"timer").
//
// Messages are cloned with nano.structuredCloneWithTransfer (41_microtask_clone.js) when
// posted, as StructuredSerializeWithTransfer would serialize them; the clone is the
// message's only copy, so delivering it is the deserialization, which therefore cannot
// fail here: "messageerror" (and onmessageerror) exist but are never fired.
// Every port's message queue feeds one ordering of the isolate ("unshipped port message
// queue"): messages are delivered one per task, oldest first among the enabled queues.
// A port whose channel is lost through garbage collection fires no close event.
//
// Internals shared on `nano`:
//   nano.isMessagePort(x), nano.isMessageChannel(x)   brand checks
//   nano.MessageEvent                                 the class
// MessagePort is registered with nano.registerTransferable (41_microtask_clone.js), so
// structuredClone() and postMessage() transfer ports listed in `transfer`.

const ObjectDefineProperty = Object.defineProperty;
const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const ObjectFreeze = Object.freeze;
const ReflectApply = Reflect.apply;
const ReflectOwnKeys = Reflect.ownKeys;
const TypeErrorCtor = TypeError;
const SymbolIterator = Symbol.iterator;
const SymbolToStringTag = Symbol.toStringTag;
const ArrayPrototypeSplice = Array.prototype.splice;
const Event = nano.Event;
const EventTarget = nano.EventTarget;
const DOMException = nano.DOMException;
const EventInitEvent = Event.prototype.initEvent;
const EventPhase = ObjectGetOwnPropertyDescriptor(Event.prototype, "eventPhase").get;
const requireArgs = nano.requireArgs;
const finishInterface = nano.finishInterface;
const isObject = nano.isObject;
const toDOMString = nano.toDOMString;
const toUSVString = nano.toUSVString;

// ---- WebIDL helpers ------------------------------------------------------------------
// sequence<T>: iterate an object with @@iterator, converting each element.
function toSequence(value, convert, what) {
  if (!isObject(value)) throw new TypeErrorCtor(what + " is not a sequence");
  const method = value[SymbolIterator];
  if (typeof method !== "function") throw new TypeErrorCtor(what + " is not iterable");
  return iterate(value, method, convert, what);
}

function iterate(value, method, convert, what) {
  const iterator = ReflectApply(method, value, []);
  if (!isObject(iterator)) throw new TypeErrorCtor(what + ": the iterator is not an object");
  const next = iterator.next;
  const list = [];
  for (;;) {
    const step = ReflectApply(next, iterator, []);
    if (!isObject(step)) throw new TypeErrorCtor(what + ": the iterator result is not an object");
    if (step.done) return list;
    list[list.length] = convert(step.value, what);
  }
}

function toObject(value, what) {
  if (!isObject(value)) throw new TypeErrorCtor(what + " must contain only objects");
  return value;
}

function toMessagePort(value, what) {
  if (!isMessagePort(value)) throw new TypeErrorCtor(what + " must contain only MessagePorts");
  return value;
}

// ---- port message queues and their delivery --------------------------------------------
// A queue: {port (the port it now belongs to), enabled, messages, head}; a message:
// {seq, data, ports (frozen array), requestId}. `runnable` holds the enabled queues with
// messages; one pump task at a time delivers the oldest of their head messages.
let nextSeq = 1;
const runnable = [];
let pumpTask = null;

function newQueue(port) {
  return { port, enabled: false, messages: [], head: 0 };
}

function markRunnable(queue) {
  if (!queue.enabled || queue.head === queue.messages.length) return;
  for (let i = 0; i < runnable.length; i++) if (runnable[i] === queue) return;
  runnable[runnable.length] = queue;
  if (pumpTask === null) pumpTask = nano.queueTask(pump);
}

function unmarkRunnable(queue) {
  for (let i = 0; i < runnable.length; i++) {
    if (runnable[i] === queue) {
      ReflectApply(ArrayPrototypeSplice, runnable, [i, 1]);
      return;
    }
  }
}

function pump() {
  pumpTask = null;
  let best = -1;
  let bestSeq = 0;
  for (let i = 0; i < runnable.length; i++) {
    const seq = runnable[i].messages[runnable[i].head].seq;
    if (best === -1 || seq < bestSeq) {
      best = i;
      bestSeq = seq;
    }
  }
  if (best === -1) return;
  const queue = runnable[best];
  const message = queue.messages[queue.head];
  queue.messages[queue.head] = undefined;
  queue.head++;
  if (queue.head === queue.messages.length) {
    queue.messages.length = 0;
    queue.head = 0;
    ReflectApply(ArrayPrototypeSplice, runnable, [best, 1]);
  } else if (queue.head >= 1024 && queue.head * 2 >= queue.messages.length) {
    ReflectApply(ArrayPrototypeSplice, queue.messages, [0, queue.head]);
    queue.head = 0;
  }
  if (runnable.length > 0) pumpTask = nano.queueTask(pump);
  const target = queue.port;
  nano.withRequest(message.requestId, () => {
    const event = createMessageEvent("message", message.data, message.ports);
    nano.dispatchEvent(target, event);
  });
}

// ---- MessageEvent ----------------------------------------------------------------------
let isMessageEvent;
let setMessageEvent;

class MessageEvent extends Event {
  #data = null;
  #origin = "";
  #lastEventId = "";
  #source = null;
  #ports = ObjectFreeze([]);

  constructor(type, eventInitDict = undefined) {
    requireArgs(arguments.length, 1, "Failed to construct 'MessageEvent'");
    super(type, eventInitDict);
    if (eventInitDict === undefined || eventInitDict === null) return;
    const what = "Failed to construct 'MessageEvent'";
    if (!isObject(eventInitDict)) {
      throw new TypeErrorCtor(what + ": the options argument must be an object");
    }
    // Dictionary members are read and converted one by one, in lexicographic order.
    const data = eventInitDict.data;
    if (data !== undefined) this.#data = data;
    const lastEventId = eventInitDict.lastEventId;
    if (lastEventId !== undefined) this.#lastEventId = toDOMString(lastEventId);
    const origin = eventInitDict.origin;
    if (origin !== undefined) this.#origin = toUSVString(origin);
    const ports = eventInitDict.ports;
    if (ports !== undefined) {
      this.#ports = ObjectFreeze(toSequence(ports, toMessagePort, what + ": 'ports'"));
    }
    const source = eventInitDict.source;
    if (source !== undefined) this.#source = toSource(source, what);
  }

  get data() {
    if (!isMessageEvent(this)) throw illegal("data");
    return this.#data;
  }

  get origin() {
    if (!isMessageEvent(this)) throw illegal("origin");
    return this.#origin;
  }

  get lastEventId() {
    if (!isMessageEvent(this)) throw illegal("lastEventId");
    return this.#lastEventId;
  }

  get source() {
    if (!isMessageEvent(this)) throw illegal("source");
    return this.#source;
  }

  get ports() {
    if (!isMessageEvent(this)) throw illegal("ports");
    return this.#ports;
  }

  initMessageEvent(type, bubbles = false, cancelable = false, data = null, origin = "",
    lastEventId = "", source = null, ports = []) {
    if (!isMessageEvent(this)) throw illegal("initMessageEvent");
    const what = "Failed to execute 'initMessageEvent' on 'MessageEvent'";
    requireArgs(arguments.length, 1, what);
    type = toDOMString(type);
    bubbles = !!bubbles;
    cancelable = !!cancelable;
    origin = toUSVString(origin);
    lastEventId = toDOMString(lastEventId);
    source = toSource(source, what);
    ports = ObjectFreeze(toSequence(ports, toMessagePort, what + ": 'ports'"));
    if (ReflectApply(EventPhase, this, []) !== 0) return; // being dispatched
    ReflectApply(EventInitEvent, this, [type, bubbles, cancelable]);
    this.#data = data;
    this.#origin = origin;
    this.#lastEventId = lastEventId;
    this.#source = source;
    this.#ports = ports;
  }

  static {
    isMessageEvent = (v) => isObject(v) && #data in v;
    setMessageEvent = (event, data, ports) => {
      event.#data = data;
      event.#ports = ports;
    };
  }
}

// MessageEventSource: a WindowProxy, MessagePort or ServiceWorker; only ports exist here.
function toSource(value, what) {
  if (value === null || value === undefined) return null;
  if (!isMessagePort(value)) throw new TypeErrorCtor(what + ": 'source' is not a MessagePort");
  return value;
}

function illegal(member) {
  return new TypeErrorCtor("MessageEvent." + member + ": illegal invocation");
}

function createMessageEvent(type, data, ports) {
  const event = new MessageEvent(type);
  setMessageEvent(event, data, ports);
  return event;
}

// ---- MessagePort -----------------------------------------------------------------------
const CONSTRUCT = Symbol("MessagePort construct");
let isMessagePort;
let portRemote;
let portQueue;
let portDetached;
let setPort;

class MessagePort extends EventTarget {
  #remote = null;
  #queue;
  #detached = false;

  constructor(key = undefined) {
    if (key !== CONSTRUCT) throw new TypeErrorCtor("Illegal constructor");
    super();
    this.#queue = newQueue(this);
  }

  postMessage(message, transferOrOptions = undefined) {
    if (!isMessagePort(this)) throw new TypeErrorCtor("MessagePort.postMessage: illegal invocation");
    requireArgs(arguments.length, 1, "Failed to execute 'postMessage' on 'MessagePort'");
    postMessageSteps(this, message, transferList(transferOrOptions));
  }

  start() {
    if (!isMessagePort(this)) throw new TypeErrorCtor("MessagePort.start: illegal invocation");
    const queue = this.#queue;
    if (queue.enabled) return;
    queue.enabled = true;
    markRunnable(queue);
  }

  close() {
    if (!isMessagePort(this)) throw new TypeErrorCtor("MessagePort.close: illegal invocation");
    this.#detached = true;
    const other = this.#remote;
    if (other === null) return;
    // Disentangle, then fire "close" at the other port. It is fired from a task (as
    // when the other port lives in another agent), after what is already queued.
    this.#remote = null;
    setPort(other, null, undefined, undefined);
    nano.queueTask(() => nano.fireEvent(other, "close"));
  }

  static {
    isMessagePort = (v) => isObject(v) && #queue in v;
    portRemote = (p) => p.#remote;
    portQueue = (p) => p.#queue;
    portDetached = (p) => p.#detached;
    setPort = (p, remote, queue, detached) => {
      p.#remote = remote;
      if (queue !== undefined) p.#queue = queue;
      if (detached !== undefined) p.#detached = detached;
    };
  }
}

// postMessage(message, sequence<object> transfer) or postMessage(message, optional
// StructuredSerializeOptions options = {}): WebIDL overload resolution on argument 2.
function transferList(value) {
  const what = "Failed to execute 'postMessage' on 'MessagePort'";
  if (value === undefined || value === null) return [];
  if (!isObject(value)) {
    throw new TypeErrorCtor(what + ": the second argument is neither a sequence nor an options object");
  }
  const method = value[SymbolIterator];
  if (method !== undefined && method !== null) {
    if (typeof method !== "function") {
      throw new TypeErrorCtor(what + ": the transfer list is not iterable");
    }
    return iterate(value, method, toObject, what + ": the transfer list");
  }
  const transfer = value.transfer;
  if (transfer === undefined) return [];
  return toSequence(transfer, toObject, what + ": 'transfer'");
}

// The message port post message steps.
function postMessageSteps(source, message, transfer) {
  const target = portRemote(source);
  let doomed = false;
  for (let i = 0; i < transfer.length; i++) {
    if (transfer[i] === source) {
      throw new DOMException("A MessagePort cannot transfer itself.", "DataCloneError");
    }
    if (target !== null && transfer[i] === target) doomed = true;
  }
  const record = nano.structuredCloneWithTransfer(message, transfer);
  if (target === null || doomed) return;
  const ports = [];
  for (let i = 0; i < record.transferred.length; i++) {
    if (isMessagePort(record.transferred[i])) ports[ports.length] = record.transferred[i];
  }
  const queue = portQueue(target);
  queue.messages[queue.messages.length] = {
    seq: nextSeq++, data: record.value, ports: ObjectFreeze(ports),
    requestId: nano.currentRequestId(),
  };
  markRunnable(queue);
}

function createPort() {
  return new MessagePort(CONSTRUCT);
}

// Transfer: `port` is detached and `received` (a new port) takes over its message queue
// (disabled again until started) and its entanglement.
nano.registerTransferable(
  (value) => isMessagePort(value),
  (port) => {
    if (portDetached(port)) {
      throw new DOMException("A closed or already transferred MessagePort cannot be transferred.",
        "DataCloneError");
    }
    return createPort();
  },
  (port, received) => {
    const queue = portQueue(port);
    const remote = portRemote(port);
    unmarkRunnable(queue);
    queue.enabled = false;
    queue.port = received;
    setPort(port, null, newQueue(port), true);
    setPort(received, remote, queue, false);
    if (remote !== null) setPort(remote, received, undefined, undefined);
  });

// ---- MessageChannel --------------------------------------------------------------------
let isMessageChannel;

class MessageChannel {
  #port1;
  #port2;

  constructor() {
    const port1 = createPort();
    const port2 = createPort();
    setPort(port1, port2, undefined, undefined);
    setPort(port2, port1, undefined, undefined);
    this.#port1 = port1;
    this.#port2 = port2;
  }

  get port1() {
    if (!isMessageChannel(this)) throw new TypeErrorCtor("MessageChannel.port1: illegal invocation");
    return this.#port1;
  }

  get port2() {
    if (!isMessageChannel(this)) throw new TypeErrorCtor("MessageChannel.port2: illegal invocation");
    return this.#port2;
  }

  static {
    isMessageChannel = (v) => isObject(v) && #port1 in v;
  }
}

// ---- WebIDL property shapes ------------------------------------------------------------
finishInterface(MessageEvent, "MessageEvent");
finishInterface(MessagePort, "MessagePort");
finishInterface(MessageChannel, "MessageChannel");
nano.defineEventHandler(MessagePort.prototype, "message", isMessagePort);
nano.defineEventHandler(MessagePort.prototype, "messageerror", isMessagePort);
nano.defineEventHandler(MessagePort.prototype, "close", isMessagePort);

// Setting onmessage enables the port message queue, as start() does.
{
  const desc = ObjectGetOwnPropertyDescriptor(MessagePort.prototype, "onmessage");
  const setHandler = desc.set;
  const start = MessagePort.prototype.start;
  desc.set = ObjectGetOwnPropertyDescriptor({
    set onmessage(value) {
      ReflectApply(setHandler, this, [value]);
      ReflectApply(start, this, []);
    },
  }, "onmessage").set;
  ObjectDefineProperty(MessagePort.prototype, "onmessage", desc);
}

nano.MessageEvent = MessageEvent;
nano.isMessagePort = (value) => isMessagePort(value);
nano.isMessageChannel = (value) => isMessageChannel(value);

nano.defineGlobal("MessageEvent", MessageEvent);
nano.defineGlobal("MessagePort", MessagePort);
nano.defineGlobal("MessageChannel", MessageChannel);

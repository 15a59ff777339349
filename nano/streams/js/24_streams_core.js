// The shared machinery of the WHATWG Streams implementation: captured intrinsics, promise
// helpers, WebIDL conversions, ArrayBuffer helpers, the FIFO queue and queue-with-sizes,
// the queuing strategies (ByteLengthQueuingStrategy, CountQueuingStrategy) and the
// interface installer used by every streams file.
// Spec: https://streams.spec.whatwg.org/#qs, #queue-with-sizes, #misc-abstract-ops;
// WebIDL conversions: https://webidl.spec.whatwg.org/#es-type-mapping
// Host operations: none.
//
// Everything shared between the streams files lives on the private `nano.streams` object
// (created here); each later file reads what it needs from it when it loads, so user code
// that patches globals or prototypes afterwards never changes what the streams do.
//
// Internal records (never exposed): a public stream, reader, writer or controller object
// holds its record in a private field; the records point at each other directly and the
// abstract operations of the spec work on records. A record's `pub` is its public object.

const S = (nano.streams = { __proto__: null });

const uncurry = Function.prototype.call.bind(Function.prototype.bind, Function.prototype.call);
const FunctionCall = uncurry(Function.prototype.call);
const ObjectDefineProperty = Object.defineProperty;
const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const ObjectGetOwnPropertyNames = Object.getOwnPropertyNames;
const ObjectGetPrototypeOf = Object.getPrototypeOf;
const PromiseResolve = Promise.resolve.bind(Promise);
const PromiseReject = Promise.reject.bind(Promise);
const PromiseWithResolvers = Promise.withResolvers.bind(Promise);
const PromiseThen = uncurry(Promise.prototype.then);
const TypeErrorCtor = TypeError;
const RangeErrorCtor = RangeError;
const NumberIsNaN = Number.isNaN;
const MathTrunc = Math.trunc;
const ArrayBufferCtor = ArrayBuffer;
const ArrayBufferIsView = ArrayBuffer.isView;
const Uint8ArrayCtor = Uint8Array;
const DataViewCtor = DataView;
const TypedArrayPrototype = ObjectGetPrototypeOf(Uint8Array.prototype);
const getter = (proto, name) => uncurry(ObjectGetOwnPropertyDescriptor(proto, name).get);
const ArrayBufferByteLength = getter(ArrayBuffer.prototype, "byteLength");
const ArrayBufferDetached = getter(ArrayBuffer.prototype, "detached");
const ArrayBufferResizable = getter(ArrayBuffer.prototype, "resizable");
const ArrayBufferTransfer = uncurry(ArrayBuffer.prototype.transfer);
const TypedArrayBuffer = getter(TypedArrayPrototype, "buffer");
const TypedArrayByteOffset = getter(TypedArrayPrototype, "byteOffset");
const TypedArrayByteLength = getter(TypedArrayPrototype, "byteLength");
const TypedArrayLength = getter(TypedArrayPrototype, "length");
const TypedArrayTag = getter(TypedArrayPrototype, Symbol.toStringTag);
const TypedArraySet = uncurry(TypedArrayPrototype.set);
const DataViewBuffer = getter(DataView.prototype, "buffer");
const DataViewByteOffset = getter(DataView.prototype, "byteOffset");
const DataViewByteLength = getter(DataView.prototype, "byteLength");
const SymbolToStringTag = Symbol.toStringTag;

// --- promises ---------------------------------------------------------------------------
// Always the original %Promise% and its original `then`: user patches of
// Promise.prototype.then are never called.

function noop() {}

// A pending promise with its resolving functions; `settled` makes resolve/reject
// idempotent and lets callers ask whether the promise is still pending.
class Deferred {
  constructor() {
    const r = PromiseWithResolvers();
    this.promise = r.promise;
    this.resolveFn = r.resolve;
    this.rejectFn = r.reject;
    this.settled = false;
  }

  resolve(value) {
    if (this.settled) return;
    this.settled = true;
    this.resolveFn(value);
  }

  reject(reason) {
    if (this.settled) return;
    this.settled = true;
    this.rejectFn(reason);
  }
}

// A settled Deferred (for "a promise resolved/rejected with").
function resolvedDeferred(value) {
  const d = new Deferred();
  d.resolve(value);
  return d;
}

function rejectedDeferred(reason) {
  const d = new Deferred();
  d.reject(reason);
  markHandled(d.promise);
  return d;
}

function then(promise, onFulfilled, onRejected) {
  return PromiseThen(promise, onFulfilled, onRejected);
}

// [[PromiseIsHandled]] = true.
function markHandled(promise) {
  PromiseThen(promise, undefined, noop);
}

const RESOLVED = PromiseResolve(undefined);

// "A promise resolved with" a value (WebIDL): always a new promise, so a promise value is
// adopted through its then() (two microtask ticks later), unlike Promise.resolve(p) which
// would return p itself. Stream timing depends on it.
function resolvedWith(value) {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return PromiseResolve(value);
  const r = PromiseWithResolvers();
  r.resolve(value);
  return r.promise;
}

function queueMicrotask(fn) {
  PromiseThen(RESOLVED, fn);
}

// --- WebIDL conversions ---------------------------------------------------------------------

const isObject = nano.isObject;

// A dictionary argument: undefined and null are the empty dictionary; other non-objects
// are a TypeError.
function toDictionary(value, context) {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) {
    throw new TypeErrorCtor(context + ": the argument is not an object (a dictionary was expected)");
  }
  return value;
}

// A callback-function dictionary member (undefined when absent).
function toCallback(value, context) {
  if (value === undefined) return undefined;
  if (typeof value !== "function") throw new TypeErrorCtor(context + " is not a function");
  return value;
}

const toDOMString = nano.toDOMString;

// unrestricted double: ToNumber (throws for Symbols and BigInts).
function toNumber(value) {
  return +value;
}

// [EnforceRange] unsigned long long.
function toEnforcedUnsigned(value, context) {
  let x = +value;
  if (x !== x || x === Infinity || x === -Infinity) {
    throw new TypeErrorCtor(context + " is not a finite number");
  }
  x = MathTrunc(x);
  if (x < 0 || x > 9007199254740991) throw new TypeErrorCtor(context + " is out of range");
  return x === 0 ? 0 : x;
}

function illegalInvocation(interfaceName, member) {
  return new TypeErrorCtor("Illegal invocation: " + interfaceName + "." + member +
    " called on an object that is not a " + interfaceName);
}

// Invokes a WebIDL callback whose return type is Promise<undefined>: exceptions become a
// rejected promise, the result is resolved into a new promise.
function invokePromise0(fn, thisArg) {
  try {
    return resolvedWith(FunctionCall(fn, thisArg));
  } catch (e) {
    return PromiseReject(e);
  }
}

function invokePromise(fn, thisArg, arg) {
  try {
    return resolvedWith(FunctionCall(fn, thisArg, arg));
  } catch (e) {
    return PromiseReject(e);
  }
}

function invokePromise2(fn, thisArg, arg1, arg2) {
  try {
    return resolvedWith(FunctionCall(fn, thisArg, arg1, arg2));
  } catch (e) {
    return PromiseReject(e);
  }
}

// --- ArrayBuffers and views -----------------------------------------------------------------

// Element size and constructor of each typed array, by its [[TypedArrayName]].
const TYPED_ARRAYS = { __proto__: null };
for (const ctor of [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array,
  Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array,
  globalThis.Float16Array]) {
  if (typeof ctor === "function") TYPED_ARRAYS[ctor.name] = ctor;
}

// Facts about an ArrayBufferView: {buffer, byteOffset, byteLength, ctor, elementSize,
// length} (length: elements for typed arrays, bytes for DataViews). A DataView over a
// detached buffer reports 0 for its offset and length.
function viewFacts(view) {
  const tag = TypedArrayTag(view);
  if (tag !== undefined) {
    const ctor = TYPED_ARRAYS[tag];
    return {
      buffer: TypedArrayBuffer(view), byteOffset: TypedArrayByteOffset(view),
      byteLength: TypedArrayByteLength(view), ctor, elementSize: ctor.BYTES_PER_ELEMENT,
      length: TypedArrayLength(view),
    };
  }
  const buffer = DataViewBuffer(view);
  let byteOffset = 0;
  let byteLength = 0;
  if (!isDetached(buffer)) {
    byteOffset = DataViewByteOffset(view);
    byteLength = DataViewByteLength(view);
  }
  return { buffer, byteOffset, byteLength, ctor: DataViewCtor, elementSize: 1, length: byteLength };
}

// IsDetachedBuffer; false for SharedArrayBuffers (they cannot be detached).
function isDetached(buffer) {
  try {
    return ArrayBufferDetached(buffer);
  } catch (e) {
    return false;
  }
}

function bufferByteLength(buffer) {
  try {
    return ArrayBufferByteLength(buffer);
  } catch (e) {
    return -1; // a SharedArrayBuffer: never transferable
  }
}

// TransferArrayBuffer: throws a TypeError for buffers that cannot be detached (shared,
// WebAssembly memory).
function transferBuffer(buffer) {
  try {
    return ArrayBufferTransfer(buffer);
  } catch (e) {
    throw new TypeErrorCtor("The ArrayBuffer cannot be transferred (it is detached, shared or not detachable)");
  }
}

// A WebIDL ArrayBufferView (without [AllowShared] or [AllowResizable]): a typed array or
// DataView over a fixed-length, non-shared buffer (detached buffers included).
function isPlainView(value) {
  if (!ArrayBufferIsView(value)) return false;
  const buffer = TypedArrayTag(value) !== undefined ? TypedArrayBuffer(value) : DataViewBuffer(value);
  try {
    return !ArrayBufferResizable(buffer);
  } catch (e) {
    return false; // a SharedArrayBuffer
  }
}

// CloneArrayBuffer(buffer, offset, length) as a new ArrayBuffer (no species lookups).
function cloneArrayBuffer(buffer, byteOffset, byteLength) {
  const out = new ArrayBufferCtor(byteLength);
  TypedArraySet(new Uint8ArrayCtor(out), new Uint8ArrayCtor(buffer, byteOffset, byteLength));
  return out;
}

// The same bytes as a new Uint8Array.
function cloneBytes(buffer, byteOffset, byteLength) {
  const out = new Uint8ArrayCtor(byteLength);
  TypedArraySet(out, new Uint8ArrayCtor(buffer, byteOffset, byteLength));
  return out;
}

// CloneAsUint8Array(view).
function cloneAsUint8Array(view) {
  const facts = viewFacts(view);
  return cloneBytes(facts.buffer, facts.byteOffset, facts.byteLength);
}

// --- queues ---------------------------------------------------------------------------------

// A FIFO queue (a ring buffer): push/shift/peek in O(1), no Array.prototype methods.
class Queue {
  constructor() {
    this.items = new Array(8);
    this.head = 0;
    this.length = 0;
  }

  push(value) {
    const items = this.items;
    const capacity = items.length;
    if (this.length === capacity) {
      const grown = new Array(capacity * 2);
      for (let i = 0; i < capacity; i++) grown[i] = items[(this.head + i) & (capacity - 1)];
      this.items = grown;
      this.head = 0;
      grown[capacity] = value;
    } else {
      items[(this.head + this.length) & (capacity - 1)] = value;
    }
    this.length++;
  }

  shift() {
    const items = this.items;
    const value = items[this.head];
    items[this.head] = undefined;
    this.head = (this.head + 1) & (items.length - 1);
    this.length--;
    return value;
  }

  peek() {
    return this.items[this.head];
  }

  at(i) {
    return this.items[(this.head + i) & (this.items.length - 1)];
  }

  clear() {
    this.items = new Array(8);
    this.head = 0;
    this.length = 0;
  }

  // Removes and returns every item, in order, as an array.
  drain() {
    const out = [];
    for (let i = 0; i < this.length; i++) out[i] = this.at(i);
    this.clear();
    return out;
  }
}

// Queue-with-sizes (https://streams.spec.whatwg.org/#queue-with-sizes) on a container
// record with `queue` (Queue of values), `sizes` (Queue of sizes) and `queueTotalSize`.
function enqueueValueWithSize(container, value, size) {
  if (typeof size !== "number" || size !== size || size < 0 || size === Infinity) {
    throw new RangeErrorCtor("The chunk size must be a finite, non-negative number");
  }
  container.queue.push(value);
  container.sizes.push(size);
  container.queueTotalSize += size;
}

function dequeueValue(container) {
  const value = container.queue.shift();
  container.queueTotalSize -= container.sizes.shift();
  if (container.queueTotalSize < 0) container.queueTotalSize = 0;
  return value;
}

function resetQueue(container) {
  container.queue.clear();
  container.sizes.clear();
  container.queueTotalSize = 0;
}

// --- queuing strategies ---------------------------------------------------------------------

// ExtractHighWaterMark on a converted strategy ({highWaterMark, size} or undefined).
function extractHighWaterMark(strategy, defaultHWM) {
  if (strategy === undefined || strategy.highWaterMark === undefined) return defaultHWM;
  const hwm = strategy.highWaterMark;
  if (hwm !== hwm || hwm < 0) throw new RangeErrorCtor("The highWaterMark must be a non-negative number");
  return hwm;
}

// ExtractSizeAlgorithm: null stands for "every chunk has size 1".
function extractSizeAlgorithm(strategy) {
  if (strategy === undefined || strategy.size === undefined) return null;
  const size = strategy.size;
  return (chunk) => +FunctionCall(size, undefined, chunk);
}

// The QueuingStrategy dictionary (members in WebIDL order: highWaterMark, size).
function convertStrategy(value, context) {
  const dict = toDictionary(value, context);
  if (dict === undefined) return undefined;
  const hwm = dict.highWaterMark;
  const highWaterMark = hwm === undefined ? undefined : toNumber(hwm);
  const size = toCallback(dict.size, context + ": strategy.size");
  return { highWaterMark, size };
}

// QueuingStrategyInit: {required unrestricted double highWaterMark}.
function strategyInit(init, name) {
  const context = "Failed to construct '" + name + "'";
  const dict = toDictionary(init, context);
  const hwm = dict === undefined ? undefined : dict.highWaterMark;
  if (hwm === undefined) {
    throw new TypeErrorCtor(context + ": the required member highWaterMark is missing");
  }
  return toNumber(hwm);
}

// The size functions are shared by every instance: not constructors, named "size".
const byteLengthSize = { size(chunk) { return chunk.byteLength; } }.size;
const countSize = { size() { return 1; } }.size;

class ByteLengthQueuingStrategy {
  #highWaterMark;

  constructor(init) {
    this.#highWaterMark = strategyInit(init, "ByteLengthQueuingStrategy");
  }

  static #check(self, member) {
    if (!isObject(self) || !(#highWaterMark in self)) {
      throw illegalInvocation("ByteLengthQueuingStrategy", member);
    }
    return self;
  }

  get highWaterMark() {
    return ByteLengthQueuingStrategy.#check(this, "highWaterMark").#highWaterMark;
  }

  get size() {
    ByteLengthQueuingStrategy.#check(this, "size");
    return byteLengthSize;
  }
}

class CountQueuingStrategy {
  #highWaterMark;

  constructor(init) {
    this.#highWaterMark = strategyInit(init, "CountQueuingStrategy");
  }

  static #check(self, member) {
    if (!isObject(self) || !(#highWaterMark in self)) {
      throw illegalInvocation("CountQueuingStrategy", member);
    }
    return self;
  }

  get highWaterMark() {
    return CountQueuingStrategy.#check(this, "highWaterMark").#highWaterMark;
  }

  get size() {
    CountQueuingStrategy.#check(this, "size");
    return countSize;
  }
}

// --- interfaces -----------------------------------------------------------------------------

// Makes a class look like a WebIDL interface: operations and attributes enumerable (the
// constructor and symbols are left alone), a @@toStringTag, static operations enumerable.
function finishInterface(ctor, tag) {
  const proto = ctor.prototype;
  const names = ObjectGetOwnPropertyNames(proto);
  for (let i = 0; i < names.length; i++) {
    if (names[i] === "constructor") continue;
    const desc = ObjectGetOwnPropertyDescriptor(proto, names[i]);
    desc.enumerable = true;
    ObjectDefineProperty(proto, names[i], desc);
  }
  const statics = ObjectGetOwnPropertyNames(ctor);
  for (let i = 0; i < statics.length; i++) {
    const name = statics[i];
    if (name === "length" || name === "name" || name === "prototype") continue;
    const desc = ObjectGetOwnPropertyDescriptor(ctor, name);
    desc.enumerable = true;
    ObjectDefineProperty(ctor, name, desc);
  }
  ObjectDefineProperty(proto, SymbolToStringTag, {
    value: tag, writable: false, enumerable: false, configurable: true,
  });
}

// A constructor that user code may not call (controllers, BYOB requests, ...).
function illegalConstructor(name) {
  return new TypeErrorCtor("Illegal constructor: " + name + " cannot be constructed directly");
}

finishInterface(ByteLengthQueuingStrategy, "ByteLengthQueuingStrategy");
finishInterface(CountQueuingStrategy, "CountQueuingStrategy");

// --- exports --------------------------------------------------------------------------------

S.FunctionCall = FunctionCall;
S.PromiseResolve = PromiseResolve;
S.PromiseReject = PromiseReject;
S.Deferred = Deferred;
S.resolvedDeferred = resolvedDeferred;
S.rejectedDeferred = rejectedDeferred;
S.then = then;
S.markHandled = markHandled;
S.queueMicrotask = queueMicrotask;
S.noop = noop;
S.RESOLVED = RESOLVED;
S.resolvedWith = resolvedWith;
S.isObject = isObject;
S.toDictionary = toDictionary;
S.toCallback = toCallback;
S.toDOMString = toDOMString;
S.toEnforcedUnsigned = toEnforcedUnsigned;
S.illegalInvocation = illegalInvocation;
S.illegalConstructor = illegalConstructor;
S.invokePromise0 = invokePromise0;
S.invokePromise = invokePromise;
S.invokePromise2 = invokePromise2;
S.ArrayBufferCtor = ArrayBufferCtor;
S.Uint8ArrayCtor = Uint8ArrayCtor;
S.TypedArraySet = TypedArraySet;
S.TypedArrayTag = TypedArrayTag;
S.TypedArrayBuffer = TypedArrayBuffer;
S.TypedArrayByteOffset = TypedArrayByteOffset;
S.TypedArrayByteLength = TypedArrayByteLength;
S.viewFacts = viewFacts;
S.isDetached = isDetached;
S.bufferByteLength = bufferByteLength;
S.transferBuffer = transferBuffer;
S.isPlainView = isPlainView;
S.cloneArrayBuffer = cloneArrayBuffer;
S.cloneBytes = cloneBytes;
S.cloneAsUint8Array = cloneAsUint8Array;
S.Queue = Queue;
S.enqueueValueWithSize = enqueueValueWithSize;
S.dequeueValue = dequeueValue;
S.resetQueue = resetQueue;
S.extractHighWaterMark = extractHighWaterMark;
S.extractSizeAlgorithm = extractSizeAlgorithm;
S.convertStrategy = convertStrategy;
S.finishInterface = finishInterface;

nano.defineGlobal("ByteLengthQueuingStrategy", ByteLengthQueuingStrategy);
nano.defineGlobal("CountQueuingStrategy", CountQueuingStrategy);

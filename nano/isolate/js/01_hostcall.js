// Asynchronous host operations: JS asks Python to do something (fetch, crypto,
// compression, ...) and gets a promise of the answer.
// Spec: none (internal).
// Host ops sent: "call" [callId, op, args, requestId], "call_cancel" [callId].
// Host ops received: "ret" [callId, ok, value] where value is the result when ok is 1,
//   else [errorName, message] (errorName: "TypeError", "RangeError", "Error" or a
//   DOMException name such as "OperationError").
//
// What later files get:
//   nano.hostCall(op, args) -> Promise: args is a JSON-serialisable array; binary data
//     travels as base64 text (nano.bytesToBase64 / nano.base64ToBytes).
//   nano.hostCallCancellable(op, args) -> {promise, cancel()}: cancel() tells Python to
//     cancel the operation (for example an aborted fetch); the promise is then left to
//     the caller to reject.
//   nano.hostError(name, message): the JS error a host failure becomes.

const MapCtor = Map;
const MapPrototypeGet = Map.prototype.get;
const MapPrototypeSet = Map.prototype.set;
const MapPrototypeDelete = Map.prototype.delete;
const ReflectApply = Reflect.apply;
const PromiseCtor = Promise;
const StringCtor = String;
const ErrorCtor = Error;
const TypeErrorCtor = TypeError;
const RangeErrorCtor = RangeError;
const Uint8ArrayFromBase64 = Uint8Array.fromBase64;
const Uint8ArrayToBase64 = Uint8Array.prototype.toBase64;
const TypedArraySlice = Object.getPrototypeOf(Uint8Array.prototype).slice;

const pending = new MapCtor(); // callId -> {resolve, reject}
let nextId = 0;

function hostError(name, message) {
  const text = StringCtor(message);
  if (name === "TypeError") return new TypeErrorCtor(text);
  if (name === "RangeError") return new RangeErrorCtor(text);
  if (name === "Error" || typeof nano.DOMException !== "function") return new ErrorCtor(text);
  return new nano.DOMException(text, StringCtor(name));
}

function start(op, args) {
  const id = ++nextId;
  let entry;
  const promise = new PromiseCtor((resolve, reject) => { entry = { resolve, reject }; });
  ReflectApply(MapPrototypeSet, pending, [id, entry]);
  nano.send(["call", id, op, args, nano.currentRequestId()]);
  return { id, promise };
}

nano.hostCall = function hostCall(op, args) {
  return start(op, args).promise;
};

nano.hostCallCancellable = function hostCallCancellable(op, args) {
  const { id, promise } = start(op, args);
  return {
    promise,
    cancel() {
      if (ReflectApply(MapPrototypeDelete, pending, [id])) nano.send(["call_cancel", id]);
    },
  };
};

nano.hostError = hostError;

nano.bytesToBase64 = function bytesToBase64(bytes) {
  return ReflectApply(Uint8ArrayToBase64, bytes, []);
};

// Bytes from Python: base64 text, or [offset, length] in the inbound buffer (copied
// out at once: Python reuses the region once the batch that carried it was handled).
nano.base64ToBytes = function base64ToBytes(data) {
  if (typeof data === "string") return Uint8ArrayFromBase64(data);
  return ReflectApply(TypedArraySlice, nano.inbound, [data[0], data[0] + data[1]]);
};

nano.onMessage("ret", function ret(id, ok, value) {
  const entry = ReflectApply(MapPrototypeGet, pending, [id]);
  if (entry === undefined) return; // cancelled from JS meanwhile
  ReflectApply(MapPrototypeDelete, pending, [id]);
  if (ok) entry.resolve(value);
  else entry.reject(hostError(value[0], value[1]));
});

// The runtime core: the internal `nano` object every later prelude file builds on.
// Spec: none (internal). Host operations: sends whatever later files queue; receives
// every message Python dispatches and routes it by its first element.
//
// The loader (nano/isolate/prelude.py) defines `nano` as {bootstrap} before this file.

const ObjectDefineProperty = Object.defineProperty;
const ArrayPrototypePush = Array.prototype.push;
const JSONStringify = JSON.stringify;
const ReflectApply = Reflect.apply;
const StringCtor = String;
const MapPrototypeGet = Map.prototype.get;
const MapPrototypeSet = Map.prototype.set;
const ArrayPrototypeSlice = Array.prototype.slice;
const JSONParse = JSON.parse;

const Uint8ArrayCtor = Uint8Array;
const TypedArraySet = Object.getPrototypeOf(Uint8Array.prototype).set;
const TypedArrayByteLength = Object.getOwnPropertyDescriptor(
  Object.getPrototypeOf(Uint8Array.prototype), "byteLength").get;

const outbox = [];
const payloads = []; // Uint8Arrays that queued messages refer to by index
const handlers = new Map();
let doorbell = null;
let doorbellRung = false;
let currentRequest = null;

nano.defineGlobal = function defineGlobal(name, value) {
  ObjectDefineProperty(globalThis, name, {
    value, writable: true, configurable: true, enumerable: false,
  });
};

nano.send = function send(message) {
  ReflectApply(ArrayPrototypePush, outbox, [message]);
  if (!doorbellRung && doorbell !== null) {
    doorbellRung = true;
    doorbell();
  }
};

// Binary data for Python: the message carries the returned index instead of the bytes,
// and the bytes leave with the same drain, copied once into the drained frame (no
// base64). The bytes must not change until the next drain.
nano.attachBytes = function attachBytes(bytes) {
  ReflectApply(ArrayPrototypePush, payloads, [bytes]);
  return payloads.length - 1;
};

// The drained frame when bytes are attached: [u32 LE length of the JSON][JSON of
// [messages, [payload lengths]] as UTF-8][payload bytes, in order].
function frame(text) {
  const count = payloads.length;
  const lengths = [];
  let total = 0;
  for (let i = 0; i < count; i++) {
    const n = ReflectApply(TypedArrayByteLength, payloads[i], []);
    lengths[i] = n;
    total += n;
  }
  const head = nano.utf8Encode("[" + text + "," + JSONStringify(lengths) + "]");
  const headLength = ReflectApply(TypedArrayByteLength, head, []);
  const out = new Uint8ArrayCtor(4 + headLength + total);
  out[0] = headLength & 0xff;
  out[1] = (headLength >>> 8) & 0xff;
  out[2] = (headLength >>> 16) & 0xff;
  out[3] = (headLength >>> 24) & 0xff;
  ReflectApply(TypedArraySet, out, [head, 4]);
  let offset = 4 + headLength;
  for (let i = 0; i < count; i++) {
    ReflectApply(TypedArraySet, out, [payloads[i], offset]);
    offset += lengths[i];
  }
  payloads.length = 0;
  return out;
}

nano.onMessage = function onMessage(op, fn) {
  ReflectApply(MapPrototypeSet, handlers, [op, fn]);
};

nano.errorText = function errorText(error) {
  try {
    if (error !== null && (typeof error === "object" || typeof error === "function")) {
      const stack = error.stack;
      if (typeof stack === "string" && stack.length > 0) return stack;
      return StringCtor(error.name || "Error") + ": " + StringCtor(error.message);
    }
    return "Uncaught " + StringCtor(error);
  } catch (e) {
    return "Uncaught <unprintable error>";
  }
};

nano.reportError = function reportError(error) {
  nano.send(["error", nano.errorText(error), currentRequest]);
};

nano.currentRequestId = function currentRequestId() {
  return currentRequest;
};

nano.withRequest = function withRequest(rid, fn) {
  const saved = currentRequest;
  currentRequest = rid;
  try {
    return fn();
  } finally {
    currentRequest = saved;
  }
};

// Entry points used by the bridge (handed to Python by the loader, never global).
nano.internal = {
  // Python calls this with `this` = the JSON text of a batch of messages.
  dispatch() {
    const batch = JSONParse(StringCtor(this));
    for (let i = 0; i < batch.length; i++) {
      const message = batch[i];
      const fn = ReflectApply(MapPrototypeGet, handlers, [message[0]]);
      if (fn === undefined) {
        nano.reportError(new TypeError("nano: unknown host message " + StringCtor(message[0])));
        continue;
      }
      try {
        ReflectApply(fn, undefined, ReflectApply(ArrayPrototypeSlice, message, [1]));
      } catch (e) {
        nano.reportError(e);
      }
    }
  },
  // Python calls this once per doorbell: returns every queued message as JSON text,
  // or as a binary frame (see frame()) when bytes are attached.
  drain() {
    doorbellRung = false;
    if (outbox.length === 0) return "[]";
    const text = JSONStringify(outbox);  // captured: user code cannot replace it
    outbox.length = 0;
    return payloads.length === 0 ? text : frame(text);
  },
  // Python calls this once after bootstrap with `this` = the doorbell function.
  setDoorbell() {
    doorbell = this;
    if (outbox.length > 0 && !doorbellRung) {
      doorbellRung = true;
      doorbell();
    }
  },
};

// The runtime core: the internal `nano` object every later prelude file builds on.
// Spec: none (internal). Host operations: sends whatever later files queue; receives
// every message Python dispatches and routes it by its first element.
//
// The loader (nano/isolate/prelude.py) defines `nano` as {bootstrap} before this file.

const ObjectDefineProperty = Object.defineProperty;
const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const ReflectOwnKeys = Reflect.ownKeys;
const SymbolToStringTag = Symbol.toStringTag;
const TypeErrorCtor = TypeError;
const ArrayPrototypePush = Array.prototype.push;
const ArrayPrototypeSplice = Array.prototype.splice;
const ArrayPrototypeShift = Array.prototype.shift;
const JSONStringify = JSON.stringify;
const ReflectApply = Reflect.apply;
const StringCtor = String;
const StringPrototypeToWellFormed = String.prototype.toWellFormed;
const MapPrototypeGet = Map.prototype.get;
const MapPrototypeSet = Map.prototype.set;
const MapPrototypeDelete = Map.prototype.delete;
const ArrayPrototypeSlice = Array.prototype.slice;
const JSONParse = JSON.parse;

const Uint8ArrayCtor = Uint8Array;
const TypedArraySet = Object.getPrototypeOf(Uint8Array.prototype).set;
const TypedArraySubarray = Object.getPrototypeOf(Uint8Array.prototype).subarray;
const TypedArrayByteLength = Object.getOwnPropertyDescriptor(
  Object.getPrototypeOf(Uint8Array.prototype), "byteLength").get;

const SharedArrayBufferCtor = SharedArrayBuffer;
// Python learns the size from the buffer itself (nano/isolate/bridge.py Inbound), and
// uses it in two halves; bytes that do not fit in a free half go as base64 in the JSON
// batch, which cost 0.2 ms of reactor CPU per 64 KiB request body. 50 concurrent
// 64 KiB uploads make batches of 3.2 MiB: with 1 MiB halves most went as base64
// (2,100 echoes/s), with 4 MiB halves none do (3,200). Its pages cost memory only
// once written, so an isolate that never receives bodies pays nothing for them.
const INBOUND_SIZE = 8 * 1024 * 1024;

// V8's own gc(), exposed as the global "__nanoGC" (--expose-gc-as in
// nano/isolate/engine.py) and emptied here before any app code runs: V8 makes the
// property non-configurable, so it stays, holding undefined. Only the runtime may ask
// for a collection (see nano.collectGarbage).
const v8GC = typeof globalThis["__nanoGC"] === "function" ? globalThis["__nanoGC"] : null;
if (v8GC !== null) globalThis["__nanoGC"] = undefined;

// Ask V8 for a young-generation collection: the ArrayBuffers an app allocates for a
// streamed body live in memory V8 counts only loosely, so without it up to 64 MiB of
// dead chunks could wait for the next collection.
nano.collectGarbage = function collectGarbage() {
  if (v8GC !== null) v8GC({ type: "minor" });
};

// V8's statistics (--expose-statistics), kept the same way: the isolate's live heap
// and, which V8's heap limit does not count, its ArrayBuffer memory.
const v8Statistics = typeof globalThis.getV8Statistics === "function" ? globalThis.getV8Statistics : null;
if (v8Statistics !== null) globalThis.getV8Statistics = undefined;



const outbox = [];
// For each queued message, how many payloads had been attached when it was sent (its
// payloads have lower indexes: a drain takes the messages its frame has payloads for).
const outboxMarks = [];
const handlers = new Map();
nano.inbound = null; // Uint8Array over the inbound SharedArrayBuffer
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
  ReflectApply(ArrayPrototypePush, outboxMarks, [nextPayload]);
  sentMark = nextPayload;
  if (!doorbellRung && doorbell !== null) {
    doorbellRung = true;
    doorbell();
  }
};

// Binary data for Python: the message carries the index attachBytes returns and the
// bytes leave with a drain, in a binary frame (no base64). They are copied at once into
// the frame being filled (a "stage"), so the caller may reuse its buffer as soon as
// attachBytes returns: an app that enqueues the same Uint8Array again and again, each
// time with new contents, sends each content, and the bytes are still copied only once.
//
// A frame: [payload bytes, in order][JSON of [messages, [payload lengths], frame id,
// index of the first payload] as UTF-8][u32 LE length of that JSON]. The head is
// written after the payloads because it is known only at the drain. Frame buffers are
// FRAME_CAP bytes (FRAME_KEEP of payload and HEAD_ROOM for the head) and reused:
// allocating and freeing a fresh megabyte per drain cost more than everything else
// when streaming (each new buffer's pages are faulted in and zeroed by the kernel). A
// frame is lent to Python until it answers "frame_free" with its id. When a payload
// does not fit in the current stage a new stage starts, and each drain takes one stage
// with the messages that refer to it (the doorbell rings again for the rest): so a
// drain carries at most FRAME_KEEP bytes unless one payload alone is bigger (it gets a
// buffer of its own, not pooled). The chunks of many streams read in one task (50
// concurrent 1 MiB responses) once made frames of tens of MiB, and keeping four of
// those in the pool held 200 MiB per isolate, over the default memory_mb.
const FRAME_KEEP = 2 * 1024 * 1024;
const HEAD_ROOM = 64 * 1024;
const FRAME_CAP = FRAME_KEEP + HEAD_ROOM;
const FRAME_POOL = 4;
const framePool = []; // spare buffers (whole Uint8Arrays)
const framesLent = new Map(); // frame id -> buffer lent to Python
let nextFrameId = 0;
const stages = []; // {buffer, used, first, lengths}, oldest first
let nextPayload = 0; // the index the next attached payload gets (0 again once all left)
let sentMark = 0; // nextPayload when the last message was sent
let stagedBytes = 0; // attached bytes waiting for a drain
const afterDrain = []; // functions to call once, after the next frame leaves

// Attached bytes not yet drained. Readers that produce bytes in bulk (response body
// pumps) stop above a few megabytes and wait for nano.whenDrained: the frame buffers
// in flight then stay few enough to be reused from the pool, and an isolate does not
// copy tens of megabytes ahead of what Python takes.
nano.stagedBytes = function staged() {
  return stagedBytes;
};
nano.whenDrained = function whenDrained(fn) {
  ReflectApply(ArrayPrototypePush, afterDrain, [fn]);
};

function frameBuffer(size) {
  for (let i = 0; i < framePool.length; i++) {
    const buffer = framePool[i];
    if (buffer.length >= size) {
      framePool[i] = framePool[framePool.length - 1];
      framePool.length--;
      return buffer;
    }
  }
  return new Uint8ArrayCtor(size <= FRAME_CAP ? FRAME_CAP : size);
}

function releaseBuffer(buffer) {
  if (framePool.length < FRAME_POOL && buffer.length <= FRAME_CAP) {
    ReflectApply(ArrayPrototypePush, framePool, [buffer]);
  }
}

nano.attachBytes = function attachBytes(bytes) {
  const n = ReflectApply(TypedArrayByteLength, bytes, []);
  let stage = stages.length === 0 ? null : stages[stages.length - 1];
  if (stage === null || stage.used + n > stage.buffer.length - HEAD_ROOM) {
    if (stage !== null && sentMark < nextPayload) {
      // A message not sent yet may refer to this stage's payloads and to this one:
      // keep them in one frame (grow the stage) rather than split them.
      const bigger = frameBuffer(stage.used + n + HEAD_ROOM);
      ReflectApply(TypedArraySet, bigger, [ReflectApply(TypedArraySubarray, stage.buffer, [0, stage.used]), 0]);
      releaseBuffer(stage.buffer);
      stage.buffer = bigger;
    } else {
      stage = { buffer: frameBuffer(n + HEAD_ROOM), used: 0, first: nextPayload, lengths: [] };
      ReflectApply(ArrayPrototypePush, stages, [stage]);
    }
  }
  ReflectApply(TypedArraySet, stage.buffer, [bytes, stage.used]);
  stage.used += n;
  stagedBytes += n;
  ReflectApply(ArrayPrototypePush, stage.lengths, [n]);
  return nextPayload++;
};

// UTF-8 of JSON text (JSON.stringify escapes lone surrogates, so every surrogate here
// is part of a pair). The prelude's TextEncoder loads later; this runs only for frame
// heads, which are short.
function utf8(text) {
  const n = text.length;
  let ascii = true;
  for (let i = 0; i < n; i++) {
    if (text.charCodeAt(i) > 0x7f) { ascii = false; break; }
  }
  if (ascii) {
    const out = new Uint8ArrayCtor(n);
    for (let i = 0; i < n; i++) out[i] = text.charCodeAt(i);
    return out;
  }
  const out = new Uint8ArrayCtor(n * 3);
  let j = 0;
  for (let i = 0; i < n; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      out[j++] = c;
    } else if (c < 0x800) {
      out[j++] = 0xc0 | (c >> 6);
      out[j++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c < 0xdc00 && i + 1 < n) {
      c = 0x10000 + ((c - 0xd800) << 10) + (text.charCodeAt(++i) - 0xdc00);
      out[j++] = 0xf0 | (c >> 18);
      out[j++] = 0x80 | ((c >> 12) & 0x3f);
      out[j++] = 0x80 | ((c >> 6) & 0x3f);
      out[j++] = 0x80 | (c & 0x3f);
    } else {
      out[j++] = 0xe0 | (c >> 12);
      out[j++] = 0x80 | ((c >> 6) & 0x3f);
      out[j++] = 0x80 | (c & 0x3f);
    }
  }
  return ReflectApply(TypedArraySubarray, out, [0, j]);
}

// The oldest stage as a frame, with the queued messages that refer to its payloads
// (and those before them): they leave the outbox.
function frame() {
  const stage = ReflectApply(ArrayPrototypeShift, stages, []);
  stagedBytes -= stage.used;
  const end = stage.first + stage.lengths.length;
  let count = 0;
  while (count < outbox.length && outboxMarks[count] <= end) count++;
  let text;
  if (count === outbox.length) {
    text = JSONStringify(outbox);
    outbox.length = 0;
    outboxMarks.length = 0;
  } else {
    text = JSONStringify(ReflectApply(ArrayPrototypeSplice, outbox, [0, count]));
    ReflectApply(ArrayPrototypeSplice, outboxMarks, [0, count]);
  }
  if (stages.length === 0) {
    nextPayload = 0;
    sentMark = 0;
  }
  const id = ++nextFrameId;
  const head = utf8("[" + text + "," + JSONStringify(stage.lengths) + "," + id + "," + stage.first + "]");
  const headLength = ReflectApply(TypedArrayByteLength, head, []);
  const size = stage.used + headLength + 4;
  let buffer = stage.buffer;
  if (size > buffer.length) {
    // A head longer than HEAD_ROOM (many messages in one drain): a bigger buffer.
    const bigger = new Uint8ArrayCtor(size);
    ReflectApply(TypedArraySet, bigger, [ReflectApply(TypedArraySubarray, buffer, [0, stage.used]), 0]);
    releaseBuffer(buffer);
    buffer = bigger;
  }
  ReflectApply(TypedArraySet, buffer, [head, stage.used]);
  const at = stage.used + headLength;
  buffer[at] = headLength & 0xff;
  buffer[at + 1] = (headLength >>> 8) & 0xff;
  buffer[at + 2] = (headLength >>> 16) & 0xff;
  buffer[at + 3] = (headLength >>> 24) & 0xff;
  ReflectApply(MapPrototypeSet, framesLent, [id, buffer]);
  return ReflectApply(TypedArraySubarray, buffer, [0, size]);
}

nano.onMessage = function onMessage(op, fn) {
  ReflectApply(MapPrototypeSet, handlers, [op, fn]);
};

// Python asks now and then (the watchdog); the answer is [live heap bytes, external
// (ArrayBuffer) bytes]. "Live" is what V8 has not yet found to be garbage: when the
// sum is over `limit` (the app's memory_mb in bytes, or null), a full collection runs
// first and the figures are read again, so that dead ArrayBuffers (streamed chunks
// already sent, which V8 frees lazily: 200 MiB of them were seen under load) never
// count against the limit. The collection blocks this isolate only, for a few ms.
function memoryFigures() {
  const s = v8Statistics();
  const live = s.new_space_live_bytes + s.old_space_live_bytes + s.code_space_live_bytes +
    s.lo_space_live_bytes + s.code_lo_space_live_bytes;
  return [live, s.amount_of_external_allocated_memory];
}

nano.onMessage("stats", function stats(limit) {
  if (v8Statistics === null) return;
  let figures = memoryFigures();
  if (typeof limit === "number" && figures[0] + figures[1] > limit && v8GC !== null) {
    v8GC();
    figures = memoryFigures();
  }
  nano.send(["stats", figures[0], figures[1]]);
});

nano.onMessage("frame_free", function frameFree(id) {
  const buffer = ReflectApply(MapPrototypeGet, framesLent, [id]);
  if (buffer === undefined) return;
  ReflectApply(MapPrototypeDelete, framesLent, [id]);
  releaseBuffer(buffer);
});

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

// One line for a thrown value: "Name: message" for an error-like object, else
// "Uncaught <value>" (what the request's abort and failure messages show).
nano.shortError = function shortError(error) {
  try {
    if (error !== null && typeof error === "object" && "message" in error) {
      return StringCtor(error.name || "Error") + ": " + StringCtor(error.message);
    }
    return "Uncaught " + StringCtor(error);
  } catch (e) {
    return "Uncaught exception";
  }
};

// The same for a value that fails an operation (a stream's error, say): "Name:
// message", or the value as text.
nano.describeError = function describeError(error) {
  try {
    if (error !== null && typeof error === "object" && "message" in error) {
      return StringCtor(error.name || "Error") + ": " + StringCtor(error.message);
    }
    return StringCtor(error);
  } catch (e) {
    return "an error that cannot be described";
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

// Collections whose methods user code cannot patch (copies of the built-in methods):
// each file makes its own at load time, before any user code runs
// (`const SafeMap = nano.safeCollection(Map);`).
nano.safeCollection = function safeCollection(Base) {
  const Safe = class extends Base {};
  const keys = ReflectOwnKeys(Base.prototype);
  for (let i = 0; i < keys.length; i++) {
    if (keys[i] === "constructor") continue;
    ObjectDefineProperty(Safe.prototype, keys[i], ObjectGetOwnPropertyDescriptor(Base.prototype, keys[i]));
  }
  return Safe;
};

// A new Uint8Array of the bytes of `chunks` (Uint8Arrays, `total` bytes in all), in order.
nano.concatBytes = function concatBytes(chunks, total) {
  const out = new Uint8ArrayCtor(total);
  let offset = 0;
  for (let i = 0; i < chunks.length; i++) {
    ReflectApply(TypedArraySet, out, [chunks[i], offset]);
    offset += chunks[i].length;
  }
  return out;
};

// ---- WebIDL shapes shared by later files -------------------------------------------------

// Whether a value is an object in WebIDL's sense (a function is one too).
nano.isObject = function isObject(value) {
  return value !== null && (typeof value === "object" || typeof value === "function");
};

// DOMString: ToString, which throws a TypeError for a Symbol.
function toDOMString(value) {
  if (typeof value === "string") return value;
  if (typeof value === "symbol") throw new TypeErrorCtor("Cannot convert a Symbol value to a string");
  return StringCtor(value);
}
nano.toDOMString = toDOMString;

// USVString: the DOMString with each lone surrogate replaced by U+FFFD.
nano.toUSVString = function toUSVString(value) {
  return ReflectApply(StringPrototypeToWellFormed, toDOMString(value), []);
};

// The TypeError of an operation called with fewer arguments than it requires.
nano.requireArgs = function requireArgs(count, needed, what) {
  if (count < needed) {
    throw new TypeErrorCtor(what + ": " + needed + " argument" + (needed === 1 ? "" : "s") +
      " required, but only " + count + " present");
  }
};

// Makes a class's prototype look like a WebIDL interface's: every member but the
// constructor enumerable, and a @@toStringTag.
nano.finishInterface = function finishInterface(ctor, tag) {
  const proto = ctor.prototype;
  const keys = ReflectOwnKeys(proto);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (key === "constructor") continue;
    const desc = ObjectGetOwnPropertyDescriptor(proto, key);
    desc.enumerable = true;
    ObjectDefineProperty(proto, key, desc);
  }
  ObjectDefineProperty(proto, SymbolToStringTag, {
    value: tag, writable: false, enumerable: false, configurable: true,
  });
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
  // Python calls this once per doorbell: returns the queued messages as JSON text, or
  // as a binary frame (see frame()) when bytes are attached; when some are left for
  // another frame, the doorbell rings again.
  drain() {
    doorbellRung = false;
    if (outbox.length === 0) return "[]";
    if (stages.length === 0) {
      const text = JSONStringify(outbox);  // captured: user code cannot replace it
      outbox.length = 0;
      outboxMarks.length = 0;
      return text;
    }
    const out = frame();
    if (outbox.length > 0 && doorbell !== null) {
      doorbellRung = true;
      doorbell();
    }
    if (afterDrain.length > 0) {
      const waiting = ReflectApply(ArrayPrototypeSplice, afterDrain, [0, afterDrain.length]);
      for (let i = 0; i < waiting.length; i++) {
        try {
          waiting[i]();
        } catch (e) {
          nano.reportError(e);
        }
      }
    }
    return out;
  },
  // Python calls this once at bootstrap: the inbound buffer, a SharedArrayBuffer
  // Python writes bytes into and messages refer to by [offset, length] (see
  // nano.base64ToBytes); its pages cost memory only once written.
  inboundBuffer() {
    const buffer = new SharedArrayBufferCtor(INBOUND_SIZE);
    nano.inbound = new Uint8ArrayCtor(buffer);
    return buffer;
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

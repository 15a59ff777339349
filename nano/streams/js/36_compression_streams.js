// CompressionStream and DecompressionStream (formats "gzip", "deflate", "deflate-raw").
// Spec: https://compression.spec.whatwg.org/
// Host operations (asynchronous, nano.hostCall; Python side nano/streams/compression.py):
//   "compression.write" [id, mode, format, base64] -> [base64 output, more]
//   "compression.more" [id] -> [base64 output, more]
//   "compression.finish" [id, mode, format] -> [base64 output, more]
//   "compression.close" [id] -> null (the stream was cancelled or aborted)
// mode is "compress" or "decompress"; id is chosen here, one per stream.
//
// Also offers nano.encodeResponseStream(stream, "gzip" | "br") to 80_fetch_event.js: a
// response body compressed as its Content-Encoding says (Cloudflare Workers encode such
// bodies themselves); "br" is for this use only, not a CompressionFormat.
//
// Input is copied when written (as base64) in slices of at most 256 KiB. The host
// returns at most 1 MiB of output per call; when it has more (a highly compressed
// input), the next piece is asked for only once the readable side wants more, so
// memory stays bounded by what the consumer has not read yet.

const S = nano.streams;
const {
  setUpTransformStream, transformEnqueue, finishInterface, isObject, illegalInvocation,
  toDOMString, then, markHandled, RESOLVED, Uint8ArrayCtor, TypedArraySet, TypedArrayBuffer,
  TypedArrayByteLength,
} = S;
const TypeErrorCtor = TypeError;
const MathMin = Math.min;
const SharedArrayBufferCtor = typeof SharedArrayBuffer === "function" ? SharedArrayBuffer : null;
const FinalizationRegistryCtor = typeof FinalizationRegistry === "function" ? FinalizationRegistry : null;
const hostCall = nano.hostCall;
const bytesToBase64 = nano.bytesToBase64;
const base64ToBytes = nano.base64ToBytes;
const bufferSourceBytes = nano.bufferSourceBytes;

const SLICE = 256 * 1024;
const FORMATS = { __proto__: null, "deflate": true, "deflate-raw": true, "gzip": true };
let nextId = 0;

// A stream's host context: `open` while the host may hold it (from the first write or
// finish until the host reports it finished or failed, or until it is closed from here).
// Streams dropped without being finished or cancelled close it when collected.
const registry = FinalizationRegistryCtor === null ? null : new FinalizationRegistryCtor((handle) => {
  if (handle.open) closeHandle(handle);
});

function closeHandle(handle) {
  handle.open = false;
  markHandled(hostCall("compression.close", [handle.id]));
}

// The CompressionFormat enum.
function convertFormat(format, name) {
  const value = toDOMString(format);
  if (FORMATS[value] !== true) {
    throw new TypeErrorCtor("Failed to construct '" + name + "': '" + value +
      "' is not a valid CompressionFormat (gzip, deflate or deflate-raw)");
  }
  return value;
}

// A private copy of a BufferSource chunk (shared buffers are not BufferSources).
function chunkCopy(chunk, name) {
  const bytes = bufferSourceBytes(chunk);
  if (bytes === undefined || (SharedArrayBufferCtor !== null && TypedArrayBuffer(bytes) instanceof SharedArrayBufferCtor)) {
    throw new TypeErrorCtor(name + ": the chunk is not an ArrayBuffer or ArrayBufferView");
  }
  const copy = new Uint8ArrayCtor(TypedArrayByteLength(bytes));
  TypedArraySet(copy, bytes);
  return copy;
}

function hostFailed(codec) {
  return (e) => {
    codec.handle.open = false; // the host forgets a context that failed
    throw e;
  };
}

// Enqueues one host answer [output, more]; while the host has more output, asks for it
// (op "more", or "finish" again at the end) once the readable side wants more.
function deliver(codec, result, nextOp) {
  if (codec.cancelled) return RESOLVED;
  const output = result[0];
  if (output !== "") transformEnqueue(codec.transform, base64ToBytes(output));
  if (!result[1]) return RESOLVED;
  return then(waitForDemand(codec.transform), () => {
    if (codec.cancelled) return undefined;
    const args = nextOp === "more" ? [codec.handle.id] : [codec.handle.id, codec.mode, codec.format];
    return then(hostCall("compression." + nextOp, args), (r) => deliver(codec, r, nextOp), hostFailed(codec));
  });
}

// Resolves once the transform's readable side asks for more (its backpressure is off).
function waitForDemand(transform) {
  if (!transform.backpressure) return RESOLVED;
  return then(transform.backpressureChange.promise, () => waitForDemand(transform));
}

function writeSlices(codec, bytes, offset) {
  if (offset >= bytes.length || codec.cancelled) return RESOLVED;
  const end = MathMin(bytes.length, offset + SLICE);
  const slice = new Uint8ArrayCtor(TypedArrayBuffer(bytes), offset, end - offset);
  codec.handle.open = true;
  const promise = hostCall("compression.write", [codec.handle.id, codec.mode, codec.format, bytesToBase64(slice)]);
  return then(promise, (result) => then(deliver(codec, result, "more"), () => writeSlices(codec, bytes, end)),
    hostFailed(codec));
}

// "Compress/decompress and enqueue a chunk".
function transformChunk(codec, chunk, name) {
  const bytes = chunkCopy(chunk, name);
  if (bytes.length === 0) return undefined;
  return writeSlices(codec, bytes, 0);
}

// "Compress/decompress flush and enqueue".
function flush(codec) {
  codec.handle.open = true;
  const promise = hostCall("compression.finish", [codec.handle.id, codec.mode, codec.format]);
  return then(promise, (result) => then(deliver(codec, result, "finish"), () => {
    codec.handle.open = false; // the host forgets a finished context itself
  }), hostFailed(codec));
}

function cancel(codec) {
  codec.cancelled = true;
  if (codec.handle.open) closeHandle(codec.handle);
}

function setUp(mode, format, name) {
  const codec = { handle: { id: ++nextId, open: false }, mode, format, cancelled: false, transform: undefined };
  codec.transform = setUpTransformStream((chunk) => transformChunk(codec, chunk, name),
    () => flush(codec), () => cancel(codec));
  // The codec lives as long as either side of the stream can be used.
  if (registry !== null) registry.register(codec, codec.handle);
  return codec;
}

class CompressionStream {
  #c;

  constructor(format) {
    if (arguments.length < 1) {
      throw new TypeErrorCtor("Failed to construct 'CompressionStream': 1 argument required, but only 0 present.");
    }
    this.#c = setUp("compress", convertFormat(format, "CompressionStream"), "CompressionStream");
  }

  static #check(self, member) {
    if (!isObject(self) || !(#c in self)) throw illegalInvocation("CompressionStream", member);
    return self.#c;
  }

  get readable() {
    return CompressionStream.#check(this, "readable").transform.readable.pub;
  }

  get writable() {
    return CompressionStream.#check(this, "writable").transform.writable.pub;
  }
}

class DecompressionStream {
  #c;

  constructor(format) {
    if (arguments.length < 1) {
      throw new TypeErrorCtor("Failed to construct 'DecompressionStream': 1 argument required, but only 0 present.");
    }
    this.#c = setUp("decompress", convertFormat(format, "DecompressionStream"), "DecompressionStream");
  }

  static #check(self, member) {
    if (!isObject(self) || !(#c in self)) throw illegalInvocation("DecompressionStream", member);
    return self.#c;
  }

  get readable() {
    return DecompressionStream.#check(this, "readable").transform.readable.pub;
  }

  get writable() {
    return DecompressionStream.#check(this, "writable").transform.writable.pub;
  }
}

finishInterface(CompressionStream, "CompressionStream");
finishInterface(DecompressionStream, "DecompressionStream");

// The readable side of a compression of `stream` (a ReadableStream, piped into it).
nano.encodeResponseStream = function encodeResponseStream(stream, format) {
  const codec = setUp("compress", format, "Content-Encoding " + format);
  const source = S.readableRecord(stream);
  markHandled(S.readableStreamPipeTo(source, codec.transform.writable, false, false, false, undefined));
  return codec.transform.readable.pub;
};

nano.defineGlobal("CompressionStream", CompressionStream);
nano.defineGlobal("DecompressionStream", DecompressionStream);

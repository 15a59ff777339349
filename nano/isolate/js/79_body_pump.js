// Streamed response bodies: reading a Response's ReadableStream and handing its chunks
// to Python, with credit-based flow control.
// Spec: https://fetch.spec.whatwg.org/#concept-body (the body's stream is read with a
// reader, https://streams.spec.whatwg.org/#readablestreamdefaultreader).
// Host ops sent: "chunk" [rid, payloadIndex] (bytes attached with nano.attachBytes),
//   "end" [rid], "abort" [rid, short, full] (the stream errored, or produced a chunk
//   that is not a Uint8Array).
// Host ops received: "credit" [rid, bytes] (Python may take that many more bytes:
//   it grants them while its transport accepts data, so a slow client stops the reads
//   here, the stream's queue fills, desiredSize falls and the source's pull() stops
//   being called), "stream_cancel" [rid, reason] (the client went away, or the
//   response needs no body: the stream is cancelled with that reason).
//
// What later files get: nano.pumpResponseStream(rid, stream, onDone) takes a reader
// (throws if the stream is locked) and starts reading when the first credit arrives;
// onDone() runs once the stream ended, failed or was cancelled.
// nano.cancelResponseStream(rid, reason) cancels it (a no-op when there is none).

const ReflectApply = Reflect.apply;
const PromisePrototypeThen = Promise.prototype.then;
const MapCtor = Map;
const MapPrototypeGet = Map.prototype.get;
const MapPrototypeSet = Map.prototype.set;
const MapPrototypeDelete = Map.prototype.delete;
const ObjectGetPrototypeOf = Object.getPrototypeOf;
const TypeErrorCtor = TypeError;
const StringCtor = String;
const Uint8ArrayCtor = Uint8Array;
const shortError = nano.shortError;
const TypedArrayByteLength = Object.getOwnPropertyDescriptor(
  Object.getPrototypeOf(Uint8Array.prototype), "byteLength").get;

const pumps = new MapCtor(); // rid -> pump state

// Bytes pumped since the last young-generation collection: chunks an app allocates
// for each pull are garbage once sent, but V8 only counts them loosely (up to 64 MiB of
// them could wait for a collection); one every 8 MiB keeps that in check, and costs
// about half a millisecond with NANO's 1 MiB young generation.
const COLLECT_EVERY = 8 * 1024 * 1024;
let pumped = 0;

// The reader's methods, captured from the first reader made (the streams
// implementation is loaded before this file; user code may patch the prototypes later).
let readerRead = null;
let readerCancel = null;
const ReadableStreamGetReader = typeof globalThis.ReadableStream === "function"
  ? globalThis.ReadableStream.prototype.getReader : null;

function getReader(stream) {
  if (ReadableStreamGetReader === null) throw new TypeErrorCtor("ReadableStream is not available");
  const reader = ReflectApply(ReadableStreamGetReader, stream, []);
  if (readerRead === null) {
    const proto = ObjectGetPrototypeOf(reader);
    readerRead = proto.read;
    readerCancel = proto.cancel;
  }
  return reader;
}

function finish(pump) {
  if (pump.done) return;
  pump.done = true;
  ReflectApply(MapPrototypeDelete, pumps, [pump.rid]);
  pump.onDone();
}

function failed(pump, error) {
  if (pump.done) return;
  nano.send(["abort", pump.rid, shortError(error), nano.errorText(error)]);
  finish(pump);
}

function gotChunk(pump, result) {
  pump.reading = false;
  if (pump.done) return;
  if (result.done) {
    nano.send(["end", pump.rid]);
    finish(pump);
    return;
  }
  const chunk = result.value;
  if (!(chunk instanceof Uint8ArrayCtor)) {
    const error = new TypeErrorCtor("a response body stream must produce Uint8Array chunks, got " +
      (chunk === null ? "null" : typeof chunk));
    ReflectApply(PromisePrototypeThen, ReflectApply(readerCancel, pump.reader, [error]), [undefined, () => {}]);
    failed(pump, error);
    return;
  }
  const length = ReflectApply(TypedArrayByteLength, chunk, []);
  if (length > 0) {
    lastChunkSize = length;
    nano.send(["chunk", pump.rid, nano.attachBytes(chunk)]);
    pump.credit -= length;
    pumped += length;
    if (pumped >= COLLECT_EVERY) {
      pumped = 0;
      nano.collectGarbage();
    }
  }
  read(pump);
}

// Pumps wait for the next drain (see nano.stagedBytes) while the attached bytes not
// yet drained, plus what the reads in flight are expected to bring (at the size of
// the last chunk), reach STAGED_LIMIT: 50 streams read in one task would otherwise
// copy 50 MiB into fresh frame buffers before Python took the first, instead of
// reusing a few. Only while some bytes are staged (so a drain is coming).
const STAGED_LIMIT = 2 * 1024 * 1024;
let waitingForDrain = [];
let readsInFlight = 0;
let lastChunkSize = 64 * 1024;

function resumeAfterDrain() {
  const waiting = waitingForDrain;
  waitingForDrain = [];
  for (let i = 0; i < waiting.length; i++) {
    waiting[i].parked = false;
    read(waiting[i]);
  }
}

function mustWait() {
  const staged = nano.stagedBytes();
  return staged > 0 && staged + readsInFlight * lastChunkSize >= STAGED_LIMIT;
}

function read(pump) {
  if (pump.done || pump.reading || pump.parked || pump.credit <= 0) return;
  if (mustWait()) {
    pump.parked = true;
    if (waitingForDrain.length === 0) nano.whenDrained(resumeAfterDrain);
    waitingForDrain[waitingForDrain.length] = pump;
    return;
  }
  pump.reading = true;
  let promise;
  try {
    promise = ReflectApply(readerRead, pump.reader, []);
  } catch (e) {
    pump.reading = false;
    failed(pump, e);
    return;
  }
  readsInFlight++;
  ReflectApply(PromisePrototypeThen, promise, [
    (result) => { readsInFlight--; gotChunk(pump, result); },
    (error) => { readsInFlight--; pump.reading = false; failed(pump, error); },
  ]);
}

nano.pumpResponseStream = function pumpResponseStream(rid, stream, onDone) {
  const reader = getReader(stream);
  const pump = { rid, reader, credit: 0, reading: false, parked: false, done: false, onDone };
  ReflectApply(MapPrototypeSet, pumps, [rid, pump]);
};

nano.onMessage("credit", function credit(rid, bytes) {
  const pump = ReflectApply(MapPrototypeGet, pumps, [rid]);
  if (pump === undefined) return;
  pump.credit += bytes;
  read(pump);
});

function cancelPump(rid, reason) {
  const pump = ReflectApply(MapPrototypeGet, pumps, [rid]);
  if (pump === undefined) return;
  const error = new nano.DOMException(StringCtor(reason), "AbortError");
  finish(pump);
  let promise;
  try {
    promise = ReflectApply(readerCancel, pump.reader, [error]);
  } catch (e) {
    return;
  }
  ReflectApply(PromisePrototypeThen, promise, [undefined, (e) => nano.withRequest(rid, () => nano.reportError(e))]);
}

nano.cancelResponseStream = cancelPump;
nano.onMessage("stream_cancel", cancelPump);

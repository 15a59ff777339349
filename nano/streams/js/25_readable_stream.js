// ReadableStream, ReadableStreamDefaultReader and the abstract operations every readable
// stream shares (cancel, close, error, readers).
// Spec: https://streams.spec.whatwg.org/#rs-class, #default-reader-class,
// #rs-abstract-ops, #rs-reader-abstract-ops
// Host operations: none.
//
// Records (see 24_streams_core.js): a stream record {state, reader, storedError,
// disturbed, controller, pub}; a reader record {stream, closed (Deferred), requests
// (Queue of read requests, or of read-into requests when byob), byob, pub}. A read
// request is any object with chunkSteps(chunk), closeSteps() and errorSteps(e); a
// read-into request's closeSteps takes a chunk. The controller record answers
// cancelSteps(reason), pullSteps(request) and releaseSteps().
//
// The default controller (25_readable_stream_controller.js), byte streams
// (26_byte_stream_*.js), tee/from/async iteration (27_readable_tee_iterate.js) and
// pipeTo (29_pipe_to.js) add their operations to nano.streams, which the methods below
// look up when they are called.

const S = nano.streams;
const {
  Deferred, Queue, resolvedDeferred, rejectedDeferred, then, markHandled, PromiseResolve,
  PromiseReject, isObject, toDictionary, toCallback, toDOMString, toEnforcedUnsigned,
  illegalInvocation, convertStrategy, extractHighWaterMark, extractSizeAlgorithm,
  finishInterface,
} = S;
const TypeErrorCtor = TypeError;
const RangeErrorCtor = RangeError;
const PromiseWithResolvers = Promise.withResolvers.bind(Promise);
const ObjectDefineProperty = Object.defineProperty;
const SymbolAsyncIterator = Symbol.asyncIterator;

// Passed to a constructor by the runtime itself: build around a prepared record instead of
// converting user arguments. User code can never reach it.
const INTERNAL = S.INTERNAL = { __proto__: null };
let pending;

function returnUndefined() {
  return undefined;
}

// --- records ------------------------------------------------------------------------------

class StreamRecord {
  constructor() {
    this.state = "readable"; // "readable" | "closed" | "errored"
    this.reader = undefined;
    this.storedError = undefined;
    this.disturbed = false;
    this.controller = undefined;
    this.pub = undefined;
  }
}

class ReaderRecord {
  constructor(byob) {
    this.stream = undefined;
    this.closed = undefined;
    this.requests = new Queue();
    this.byob = byob;
    this.pub = undefined;
  }
}

// The read request behind reader.read(): a promise of {value, done}.
class PromiseReadRequest {
  constructor() {
    const r = PromiseWithResolvers();
    this.promise = r.promise;
    this.resolve = r.resolve;
    this.reject = r.reject;
  }

  chunkSteps(chunk) {
    this.resolve({ value: chunk, done: false });
  }

  closeSteps(chunk) {
    this.resolve({ value: chunk, done: true });
  }

  errorSteps(e) {
    this.reject(e);
  }
}

// --- ReadableStream ----------------------------------------------------------------------------

// The UnderlyingSource dictionary (members in WebIDL order).
function convertUnderlyingSource(source) {
  const ctx = "Failed to construct 'ReadableStream': underlyingSource.";
  if (source === undefined) return { autoAllocateChunkSize: undefined, cancel: undefined, pull: undefined, start: undefined, type: undefined };
  const aacs = source.autoAllocateChunkSize;
  const autoAllocateChunkSize = aacs === undefined ? undefined : toEnforcedUnsigned(aacs, ctx + "autoAllocateChunkSize");
  const cancel = toCallback(source.cancel, ctx + "cancel");
  const pull = toCallback(source.pull, ctx + "pull");
  const start = toCallback(source.start, ctx + "start");
  let type = source.type;
  if (type !== undefined) {
    type = toDOMString(type);
    if (type !== "bytes") {
      throw new TypeErrorCtor(ctx + "type: '" + type + "' is not a valid ReadableStreamType (only 'bytes')");
    }
  }
  return { autoAllocateChunkSize, cancel, pull, start, type };
}

class ReadableStream {
  #r;

  constructor(underlyingSource = undefined, strategy = undefined) {
    if (underlyingSource === INTERNAL) {
      this.#r = pending;
      pending.pub = this;
      return;
    }
    if (underlyingSource !== undefined && !isObject(underlyingSource)) {
      throw new TypeErrorCtor("Failed to construct 'ReadableStream': underlyingSource is not an object");
    }
    const strat = convertStrategy(strategy, "Failed to construct 'ReadableStream'");
    const source = convertUnderlyingSource(underlyingSource);
    const stream = new StreamRecord();
    stream.pub = this;
    this.#r = stream;
    if (source.type === "bytes") {
      if (strat !== undefined && strat.size !== undefined) {
        throw new RangeErrorCtor("Failed to construct 'ReadableStream': a byte stream's strategy cannot have a size");
      }
      const hwm = extractHighWaterMark(strat, 0);
      S.setUpByteControllerFromSource(stream, underlyingSource, source, hwm);
    } else {
      const sizeAlgorithm = extractSizeAlgorithm(strat);
      const hwm = extractHighWaterMark(strat, 1);
      S.setUpDefaultControllerFromSource(stream, underlyingSource, source, hwm, sizeAlgorithm);
    }
  }

  static {
    S.readableRecord = (value) => (isObject(value) && #r in value ? value.#r : undefined);
  }

  static from(asyncIterable) {
    return S.readableStreamFromIterable(asyncIterable).pub;
  }

  get locked() {
    return check(this, "locked").reader !== undefined;
  }

  cancel(reason = undefined) {
    const stream = S.readableRecord(this);
    if (stream === undefined) return PromiseReject(illegalInvocation("ReadableStream", "cancel"));
    if (stream.reader !== undefined) {
      return PromiseReject(new TypeErrorCtor("Cannot cancel a ReadableStream that is locked to a reader"));
    }
    return readableStreamCancel(stream, reason);
  }

  getReader(options = undefined) {
    check(this, "getReader");
    const dict = toDictionary(options, "ReadableStream.getReader");
    let mode = dict === undefined ? undefined : dict.mode;
    if (mode !== undefined) {
      mode = toDOMString(mode);
      if (mode !== "byob") {
        throw new TypeErrorCtor("ReadableStream.getReader: '" + mode + "' is not a valid reader mode (only 'byob')");
      }
      return new S.ReadableStreamBYOBReader(this);
    }
    return new ReadableStreamDefaultReader(this);
  }

  pipeThrough(transform, options = undefined) {
    return S.pipeThrough(check(this, "pipeThrough"), transform, options);
  }

  pipeTo(destination, options = undefined) {
    const stream = S.readableRecord(this);
    if (stream === undefined) return PromiseReject(illegalInvocation("ReadableStream", "pipeTo"));
    return S.pipeToMethod(stream, destination, options);
  }

  tee() {
    const branches = S.readableStreamTee(check(this, "tee"), false);
    return [branches[0].pub, branches[1].pub];
  }

  values(options = undefined) {
    const stream = check(this, "values");
    const dict = toDictionary(options, "ReadableStream.values");
    const preventCancel = dict === undefined ? false : !!dict.preventCancel;
    return S.createAsyncIterator(stream, preventCancel);
  }
}

function check(self, member) {
  const stream = S.readableRecord(self);
  if (stream === undefined) throw illegalInvocation("ReadableStream", member);
  return stream;
}

// A new public ReadableStream around a prepared stream record.
function publish(stream) {
  pending = stream;
  try {
    new ReadableStream(INTERNAL);
  } finally {
    pending = undefined;
  }
  return stream;
}

// --- the abstract operations on streams ----------------------------------------------------

function readableStreamCancel(stream, reason) {
  stream.disturbed = true;
  if (stream.state === "closed") return PromiseResolve(undefined);
  if (stream.state === "errored") return PromiseReject(stream.storedError);
  readableStreamClose(stream);
  const reader = stream.reader;
  if (reader !== undefined && reader.byob) {
    const requests = reader.requests;
    reader.requests = new Queue();
    while (requests.length > 0) requests.shift().closeSteps(undefined);
  }
  const sourceCancelPromise = stream.controller.cancelSteps(reason);
  return then(sourceCancelPromise, returnUndefined);
}

function readableStreamClose(stream) {
  stream.state = "closed";
  const reader = stream.reader;
  if (reader === undefined) return;
  reader.closed.resolve(undefined);
  if (!reader.byob && reader.requests.length > 0) {
    const requests = reader.requests;
    reader.requests = new Queue();
    while (requests.length > 0) requests.shift().closeSteps(undefined);
  }
}

function readableStreamError(stream, e) {
  stream.state = "errored";
  stream.storedError = e;
  const reader = stream.reader;
  if (reader === undefined) return;
  reader.closed.reject(e);
  markHandled(reader.closed.promise);
  errorRequests(reader, e);
}

// ReadableStreamDefaultReaderErrorReadRequests / ReadableStreamBYOBReaderErrorReadIntoRequests.
function errorRequests(reader, e) {
  const requests = reader.requests;
  if (requests.length === 0) return;
  reader.requests = new Queue();
  while (requests.length > 0) requests.shift().errorSteps(e);
}

// ReadableStreamFulfillReadRequest / ReadableStreamFulfillReadIntoRequest.
// A default reader's close steps get no chunk.
function fulfillRequest(stream, chunk, done) {
  const reader = stream.reader;
  const request = reader.requests.shift();
  if (done) request.closeSteps(reader.byob ? chunk : undefined);
  else request.chunkSteps(chunk);
}

function hasDefaultReader(stream) {
  return stream.reader !== undefined && !stream.reader.byob;
}

function hasBYOBReader(stream) {
  return stream.reader !== undefined && stream.reader.byob;
}

// --- readers ---------------------------------------------------------------------------------

function readerGenericInitialize(reader, stream) {
  reader.stream = stream;
  stream.reader = reader;
  if (stream.state === "readable") reader.closed = new Deferred();
  else if (stream.state === "closed") reader.closed = resolvedDeferred(undefined);
  else reader.closed = rejectedDeferred(stream.storedError);
}

function readerGenericRelease(reader) {
  const stream = reader.stream;
  const error = new TypeErrorCtor("The reader's lock on the stream was released");
  if (stream.state === "readable") {
    reader.closed.reject(error);
    markHandled(reader.closed.promise);
  } else {
    reader.closed = rejectedDeferred(error);
  }
  stream.controller.releaseSteps();
  stream.reader = undefined;
  reader.stream = undefined;
}

// SetUpReadableStreamDefaultReader / SetUpReadableStreamBYOBReader on a new record.
function acquireReader(stream, byob) {
  if (stream.reader !== undefined) {
    throw new TypeErrorCtor("The ReadableStream is locked to a reader");
  }
  if (byob && !stream.controller.isByte) {
    throw new TypeErrorCtor("A BYOB reader needs a readable byte stream (type: 'bytes')");
  }
  const reader = new ReaderRecord(byob);
  readerGenericInitialize(reader, stream);
  return reader;
}

function defaultReaderRead(reader, request) {
  const stream = reader.stream;
  stream.disturbed = true;
  if (stream.state === "closed") request.closeSteps(undefined);
  else if (stream.state === "errored") request.errorSteps(stream.storedError);
  else stream.controller.pullSteps(request);
}

// ReadableStreamDefaultReaderRelease / ReadableStreamBYOBReaderRelease.
function readerRelease(reader) {
  readerGenericRelease(reader);
  errorRequests(reader, new TypeErrorCtor("The reader's lock on the stream was released"));
}

class ReadableStreamDefaultReader {
  #r;

  constructor(stream) {
    const record = S.readableRecord(stream);
    if (record === undefined) {
      throw new TypeErrorCtor("Failed to construct 'ReadableStreamDefaultReader': parameter 1 is not a ReadableStream");
    }
    const reader = acquireReader(record, false);
    reader.pub = this;
    this.#r = reader;
  }

  static #of(self) {
    return isObject(self) && #r in self ? self.#r : undefined;
  }

  get closed() {
    const reader = ReadableStreamDefaultReader.#of(this);
    if (reader === undefined) return PromiseReject(illegalInvocation("ReadableStreamDefaultReader", "closed"));
    return reader.closed.promise;
  }

  cancel(reason = undefined) {
    const reader = ReadableStreamDefaultReader.#of(this);
    if (reader === undefined) return PromiseReject(illegalInvocation("ReadableStreamDefaultReader", "cancel"));
    if (reader.stream === undefined) return PromiseReject(releasedError("cancel"));
    return readableStreamCancel(reader.stream, reason);
  }

  read() {
    const reader = ReadableStreamDefaultReader.#of(this);
    if (reader === undefined) return PromiseReject(illegalInvocation("ReadableStreamDefaultReader", "read"));
    if (reader.stream === undefined) return PromiseReject(releasedError("read"));
    const request = new PromiseReadRequest();
    defaultReaderRead(reader, request);
    return request.promise;
  }

  releaseLock() {
    const reader = ReadableStreamDefaultReader.#of(this);
    if (reader === undefined) throw illegalInvocation("ReadableStreamDefaultReader", "releaseLock");
    if (reader.stream === undefined) return;
    readerRelease(reader);
  }
}

function releasedError(what) {
  return new TypeErrorCtor("Cannot " + what + ": the reader has been released from its stream");
}

// --- interfaces ---------------------------------------------------------------------------------

finishInterface(ReadableStream, "ReadableStream");
finishInterface(ReadableStreamDefaultReader, "ReadableStreamDefaultReader");
ObjectDefineProperty(ReadableStream.prototype, SymbolAsyncIterator, {
  value: ReadableStream.prototype.values, writable: true, enumerable: false, configurable: true,
});

S.ReadableStream = ReadableStream;
S.ReadableStreamDefaultReader = ReadableStreamDefaultReader;
S.StreamRecord = StreamRecord;
S.PromiseReadRequest = PromiseReadRequest;
S.publish = publish;
S.returnUndefined = returnUndefined;
S.readableStreamCancel = readableStreamCancel;
S.readableStreamClose = readableStreamClose;
S.readableStreamError = readableStreamError;
S.fulfillRequest = fulfillRequest;
S.hasDefaultReader = hasDefaultReader;
S.hasBYOBReader = hasBYOBReader;
S.acquireReader = acquireReader;
S.defaultReaderRead = defaultReaderRead;
S.readerRelease = readerRelease;
S.releasedError = releasedError;

nano.defineGlobal("ReadableStream", ReadableStream);
nano.defineGlobal("ReadableStreamDefaultReader", ReadableStreamDefaultReader);

// WritableStream, WritableStreamDefaultWriter and WritableStreamDefaultController (the
// interfaces), and CreateWritableStream for streams driven by internal algorithms.
// Spec: https://streams.spec.whatwg.org/#ws-class, #default-writer-class,
// #ws-default-controller-class, #create-writable-stream
// Host operations: none.

const S = nano.streams;
const {
  RESOLVED, PromiseReject, FunctionCall, isObject, toCallback, illegalInvocation,
  illegalConstructor, invokePromise0, invokePromise, invokePromise2, convertStrategy,
  extractHighWaterMark, extractSizeAlgorithm, finishInterface, INTERNAL, returnUndefined,
  WritableRecord, WritableController, setUpWritableController, writableStreamAbort,
  writableStreamClose, closeQueuedOrInFlight, acquireWriter, writerWrite, writerRelease,
  writerGetDesiredSize, wcError,
} = S;
const TypeErrorCtor = TypeError;
const RangeErrorCtor = RangeError;

let pending;

function newWritableController(stream) {
  const c = new WritableController(stream);
  pending = c;
  try {
    new WritableStreamDefaultController(INTERNAL);
  } finally {
    pending = undefined;
  }
  return c;
}

// CreateWritableStream: returns the stream record (its `pub` is the stream).
function createWritableStream(startAlgorithm, writeAlgorithm, closeAlgorithm, abortAlgorithm, hwm = 1, sizeAlgorithm = null) {
  const stream = new WritableRecord();
  pending = stream;
  try {
    new WritableStream(INTERNAL);
  } finally {
    pending = undefined;
  }
  const c = newWritableController(stream);
  setUpWritableController(stream, c, startAlgorithm, writeAlgorithm, closeAlgorithm, abortAlgorithm, hwm, sizeAlgorithm);
  return stream;
}

// The UnderlyingSink dictionary (members in WebIDL order).
function convertUnderlyingSink(sink) {
  if (sink === undefined) return { abort: undefined, close: undefined, start: undefined, type: undefined, write: undefined };
  const ctx = "Failed to construct 'WritableStream': underlyingSink.";
  const abort = toCallback(sink.abort, ctx + "abort");
  const close = toCallback(sink.close, ctx + "close");
  const start = toCallback(sink.start, ctx + "start");
  const type = sink.type;
  const write = toCallback(sink.write, ctx + "write");
  return { abort, close, start, type, write };
}

class WritableStream {
  #r;

  constructor(underlyingSink = undefined, strategy = undefined) {
    if (underlyingSink === INTERNAL) {
      this.#r = pending;
      pending.pub = this;
      return;
    }
    if (underlyingSink !== undefined && !isObject(underlyingSink)) {
      throw new TypeErrorCtor("Failed to construct 'WritableStream': underlyingSink is not an object");
    }
    const strat = convertStrategy(strategy, "Failed to construct 'WritableStream'");
    const sink = convertUnderlyingSink(underlyingSink);
    if (sink.type !== undefined) {
      throw new RangeErrorCtor("Failed to construct 'WritableStream': underlyingSink.type must be undefined");
    }
    const stream = new WritableRecord();
    stream.pub = this;
    this.#r = stream;
    const sizeAlgorithm = extractSizeAlgorithm(strat);
    const hwm = extractHighWaterMark(strat, 1);
    const c = newWritableController(stream);
    const { start, write, close, abort } = sink;
    const startAlgorithm = start === undefined ? returnUndefined : () => FunctionCall(start, underlyingSink, c.pub);
    const writeAlgorithm = write === undefined ? () => RESOLVED : (chunk) => invokePromise2(write, underlyingSink, chunk, c.pub);
    const closeAlgorithm = close === undefined ? () => RESOLVED : () => invokePromise0(close, underlyingSink);
    const abortAlgorithm = abort === undefined ? () => RESOLVED : (reason) => invokePromise(abort, underlyingSink, reason);
    setUpWritableController(stream, c, startAlgorithm, writeAlgorithm, closeAlgorithm, abortAlgorithm, hwm, sizeAlgorithm);
  }

  static {
    S.writableRecord = (value) => (isObject(value) && #r in value ? value.#r : undefined);
  }

  get locked() {
    return check(this, "locked").writer !== undefined;
  }

  abort(reason = undefined) {
    const stream = S.writableRecord(this);
    if (stream === undefined) return PromiseReject(illegalInvocation("WritableStream", "abort"));
    if (stream.writer !== undefined) {
      return PromiseReject(new TypeErrorCtor("Cannot abort a WritableStream that is locked to a writer"));
    }
    return writableStreamAbort(stream, reason);
  }

  close() {
    const stream = S.writableRecord(this);
    if (stream === undefined) return PromiseReject(illegalInvocation("WritableStream", "close"));
    if (stream.writer !== undefined) {
      return PromiseReject(new TypeErrorCtor("Cannot close a WritableStream that is locked to a writer"));
    }
    if (closeQueuedOrInFlight(stream)) {
      return PromiseReject(new TypeErrorCtor("Cannot close a WritableStream that is already closing"));
    }
    return writableStreamClose(stream);
  }

  getWriter() {
    check(this, "getWriter");
    return new WritableStreamDefaultWriter(this);
  }
}

function check(self, member) {
  const stream = S.writableRecord(self);
  if (stream === undefined) throw illegalInvocation("WritableStream", member);
  return stream;
}

class WritableStreamDefaultWriter {
  #w;

  constructor(stream) {
    const record = S.writableRecord(stream);
    if (record === undefined) {
      throw new TypeErrorCtor("Failed to construct 'WritableStreamDefaultWriter': parameter 1 is not a WritableStream");
    }
    const writer = acquireWriter(record);
    writer.pub = this;
    this.#w = writer;
  }

  static #of(self) {
    return isObject(self) && #w in self ? self.#w : undefined;
  }

  get closed() {
    const writer = WritableStreamDefaultWriter.#of(this);
    if (writer === undefined) return PromiseReject(illegalInvocation("WritableStreamDefaultWriter", "closed"));
    return writer.closed.promise;
  }

  get desiredSize() {
    const writer = WritableStreamDefaultWriter.#of(this);
    if (writer === undefined) throw illegalInvocation("WritableStreamDefaultWriter", "desiredSize");
    if (writer.stream === undefined) throw releasedWriter("read desiredSize");
    return writerGetDesiredSize(writer);
  }

  get ready() {
    const writer = WritableStreamDefaultWriter.#of(this);
    if (writer === undefined) return PromiseReject(illegalInvocation("WritableStreamDefaultWriter", "ready"));
    return writer.ready.promise;
  }

  abort(reason = undefined) {
    const writer = WritableStreamDefaultWriter.#of(this);
    if (writer === undefined) return PromiseReject(illegalInvocation("WritableStreamDefaultWriter", "abort"));
    if (writer.stream === undefined) return PromiseReject(releasedWriter("abort"));
    return writableStreamAbort(writer.stream, reason);
  }

  close() {
    const writer = WritableStreamDefaultWriter.#of(this);
    if (writer === undefined) return PromiseReject(illegalInvocation("WritableStreamDefaultWriter", "close"));
    const stream = writer.stream;
    if (stream === undefined) return PromiseReject(releasedWriter("close"));
    if (closeQueuedOrInFlight(stream)) {
      return PromiseReject(new TypeErrorCtor("Cannot close a WritableStream that is already closing"));
    }
    return writableStreamClose(stream);
  }

  releaseLock() {
    const writer = WritableStreamDefaultWriter.#of(this);
    if (writer === undefined) throw illegalInvocation("WritableStreamDefaultWriter", "releaseLock");
    if (writer.stream === undefined) return;
    writerRelease(writer);
  }

  write(chunk = undefined) {
    const writer = WritableStreamDefaultWriter.#of(this);
    if (writer === undefined) return PromiseReject(illegalInvocation("WritableStreamDefaultWriter", "write"));
    if (writer.stream === undefined) return PromiseReject(releasedWriter("write"));
    return writerWrite(writer, chunk);
  }
}

function releasedWriter(what) {
  return new TypeErrorCtor("Cannot " + what + ": the writer has been released from its stream");
}

class WritableStreamDefaultController {
  #c;

  constructor(token = undefined) {
    if (token !== INTERNAL) throw illegalConstructor("WritableStreamDefaultController");
    this.#c = pending;
    pending.pub = this;
  }

  static #check(self, member) {
    if (!isObject(self) || !(#c in self)) throw illegalInvocation("WritableStreamDefaultController", member);
    return self.#c;
  }

  get signal() {
    return WritableStreamDefaultController.#check(this, "signal").signal;
  }

  error(e = undefined) {
    const c = WritableStreamDefaultController.#check(this, "error");
    if (c.stream.state !== "writable") return;
    wcError(c, e);
  }
}

finishInterface(WritableStream, "WritableStream");
finishInterface(WritableStreamDefaultWriter, "WritableStreamDefaultWriter");
finishInterface(WritableStreamDefaultController, "WritableStreamDefaultController");

S.WritableStream = WritableStream;
S.createWritableStream = createWritableStream;

nano.defineGlobal("WritableStream", WritableStream);
nano.defineGlobal("WritableStreamDefaultWriter", WritableStreamDefaultWriter);
nano.defineGlobal("WritableStreamDefaultController", WritableStreamDefaultController);

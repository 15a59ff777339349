// The writable stream machinery: WritableStream, writer and controller records and the
// abstract operations on them. The interfaces are in 28_writable_stream_interfaces.js.
// Spec: https://streams.spec.whatwg.org/#ws-internal-slots, #ws-abstract-ops,
// #ws-writer-abstract-ops, #ws-default-controller-abstract-ops
// Host operations: none.
//
// Records: a stream record (WritableRecord below), a writer record {stream, ready, closed
// (Deferreds), pub} and a controller record (WritableController below) whose `signal` is
// the AbortSignal of its abort controller (12_abort.js).

const S = nano.streams;
const {
  Deferred, Queue, resolvedDeferred, rejectedDeferred, then, markHandled, RESOLVED,
  PromiseResolve, PromiseReject, enqueueValueWithSize, dequeueValue, resetQueue,
} = S;
const TypeErrorCtor = TypeError;

const CLOSE_SENTINEL = { __proto__: null };

class WritableRecord {
  constructor() {
    this.state = "writable"; // "writable" | "closed" | "erroring" | "errored"
    this.storedError = undefined;
    this.writer = undefined;
    this.controller = undefined;
    this.inFlightWriteRequest = undefined;
    this.closeRequest = undefined;
    this.inFlightCloseRequest = undefined;
    this.pendingAbortRequest = undefined;
    this.writeRequests = new Queue();
    this.backpressure = false;
    this.pub = undefined;
  }
}

class WriterRecord {
  constructor() {
    this.stream = undefined;
    this.ready = undefined;
    this.closed = undefined;
    this.pub = undefined;
  }
}

class WritableController {
  constructor(stream) {
    this.stream = stream;
    this.queue = new Queue();
    this.sizes = new Queue();
    this.queueTotalSize = 0;
    this.signal = nano.createAbortSignal();
    this.started = false;
    this.sizeAlgorithm = null; // null: every chunk has size 1
    this.hwm = 1;
    this.writeAlgorithm = undefined;
    this.closeAlgorithm = undefined;
    this.abortAlgorithm = undefined;
    this.pub = undefined;
    this.writeFulfilled = () => {
      const s = this.stream;
      finishInFlightWrite(s);
      const state = s.state;
      dequeueValue(this);
      if (!closeQueuedOrInFlight(s) && state === "writable") updateBackpressure(s, wcDesiredSize(this) <= 0);
      wcAdvanceQueueIfNeeded(this);
    };
    this.writeRejected = (reason) => {
      if (this.stream.state === "writable") wcClearAlgorithms(this);
      finishInFlightWriteWithError(this.stream, reason);
    };
  }

  abortSteps(reason) {
    const result = this.abortAlgorithm(reason);
    wcClearAlgorithms(this);
    return result;
  }

  errorSteps() {
    resetQueue(this);
  }
}

// --- streams ------------------------------------------------------------------------------------

function writableStreamAbort(stream, reason) {
  if (stream.state === "closed" || stream.state === "errored") return PromiseResolve(undefined);
  nano.signalAbort(stream.controller.signal, reason);
  const state = stream.state;
  if (state === "closed" || state === "errored") return PromiseResolve(undefined);
  if (stream.pendingAbortRequest !== undefined) return stream.pendingAbortRequest.deferred.promise;
  let wasAlreadyErroring = false;
  if (state === "erroring") {
    wasAlreadyErroring = true;
    reason = undefined;
  }
  const deferred = new Deferred();
  stream.pendingAbortRequest = { deferred, reason, wasAlreadyErroring };
  if (!wasAlreadyErroring) startErroring(stream, reason);
  return deferred.promise;
}

function writableStreamClose(stream) {
  const state = stream.state;
  if (state === "closed" || state === "errored") {
    return PromiseReject(new TypeErrorCtor("Cannot close a WritableStream that is " + state));
  }
  const deferred = new Deferred();
  stream.closeRequest = deferred;
  const writer = stream.writer;
  if (writer !== undefined && stream.backpressure && state === "writable") writer.ready.resolve(undefined);
  wcClose(stream.controller);
  return deferred.promise;
}

function closeQueuedOrInFlight(stream) {
  return stream.closeRequest !== undefined || stream.inFlightCloseRequest !== undefined;
}

function dealWithRejection(stream, error) {
  if (stream.state === "writable") {
    startErroring(stream, error);
    return;
  }
  finishErroring(stream);
}

function finishErroring(stream) {
  stream.state = "errored";
  stream.controller.errorSteps();
  const storedError = stream.storedError;
  const requests = stream.writeRequests;
  stream.writeRequests = new Queue();
  while (requests.length > 0) requests.shift().reject(storedError);
  const abortRequest = stream.pendingAbortRequest;
  if (abortRequest === undefined) {
    rejectCloseAndClosedPromiseIfNeeded(stream);
    return;
  }
  stream.pendingAbortRequest = undefined;
  if (abortRequest.wasAlreadyErroring) {
    abortRequest.deferred.reject(storedError);
    rejectCloseAndClosedPromiseIfNeeded(stream);
    return;
  }
  then(stream.controller.abortSteps(abortRequest.reason), () => {
    abortRequest.deferred.resolve(undefined);
    rejectCloseAndClosedPromiseIfNeeded(stream);
  }, (reason) => {
    abortRequest.deferred.reject(reason);
    rejectCloseAndClosedPromiseIfNeeded(stream);
  });
}

function finishInFlightClose(stream) {
  stream.inFlightCloseRequest.resolve(undefined);
  stream.inFlightCloseRequest = undefined;
  if (stream.state === "erroring") {
    stream.storedError = undefined;
    if (stream.pendingAbortRequest !== undefined) {
      stream.pendingAbortRequest.deferred.resolve(undefined);
      stream.pendingAbortRequest = undefined;
    }
  }
  stream.state = "closed";
  const writer = stream.writer;
  if (writer !== undefined) writer.closed.resolve(undefined);
}

function finishInFlightCloseWithError(stream, error) {
  stream.inFlightCloseRequest.reject(error);
  stream.inFlightCloseRequest = undefined;
  if (stream.pendingAbortRequest !== undefined) {
    stream.pendingAbortRequest.deferred.reject(error);
    stream.pendingAbortRequest = undefined;
  }
  dealWithRejection(stream, error);
}

function finishInFlightWrite(stream) {
  stream.inFlightWriteRequest.resolve(undefined);
  stream.inFlightWriteRequest = undefined;
}

function finishInFlightWriteWithError(stream, error) {
  stream.inFlightWriteRequest.reject(error);
  stream.inFlightWriteRequest = undefined;
  dealWithRejection(stream, error);
}

function hasOperationMarkedInFlight(stream) {
  return stream.inFlightWriteRequest !== undefined || stream.inFlightCloseRequest !== undefined;
}

function rejectCloseAndClosedPromiseIfNeeded(stream) {
  if (stream.closeRequest !== undefined) {
    stream.closeRequest.reject(stream.storedError);
    stream.closeRequest = undefined;
  }
  const writer = stream.writer;
  if (writer !== undefined) {
    writer.closed.reject(stream.storedError);
    markHandled(writer.closed.promise);
  }
}

function startErroring(stream, reason) {
  const controller = stream.controller;
  stream.state = "erroring";
  stream.storedError = reason;
  const writer = stream.writer;
  if (writer !== undefined) writerEnsureReadyPromiseRejected(writer, reason);
  if (!hasOperationMarkedInFlight(stream) && controller.started) finishErroring(stream);
}

function updateBackpressure(stream, backpressure) {
  const writer = stream.writer;
  if (writer !== undefined && backpressure !== stream.backpressure) {
    if (backpressure) writer.ready = new Deferred();
    else writer.ready.resolve(undefined);
  }
  stream.backpressure = backpressure;
}

// --- writers ------------------------------------------------------------------------------------

function acquireWriter(stream) {
  if (stream.writer !== undefined) throw new TypeErrorCtor("The WritableStream is locked to a writer");
  const writer = new WriterRecord();
  writer.stream = stream;
  stream.writer = writer;
  const state = stream.state;
  if (state === "writable") {
    writer.ready = !closeQueuedOrInFlight(stream) && stream.backpressure ? new Deferred() : resolvedDeferred(undefined);
    writer.closed = new Deferred();
  } else if (state === "erroring") {
    writer.ready = rejectedDeferred(stream.storedError);
    writer.closed = new Deferred();
  } else if (state === "closed") {
    writer.ready = resolvedDeferred(undefined);
    writer.closed = resolvedDeferred(undefined);
  } else {
    writer.ready = rejectedDeferred(stream.storedError);
    writer.closed = rejectedDeferred(stream.storedError);
  }
  return writer;
}

function writerCloseWithErrorPropagation(writer) {
  const stream = writer.stream;
  const state = stream.state;
  if (closeQueuedOrInFlight(stream) || state === "closed") return RESOLVED;
  if (state === "errored") return PromiseReject(stream.storedError);
  return writableStreamClose(stream);
}

function writerEnsureClosedPromiseRejected(writer, error) {
  if (!writer.closed.settled) {
    writer.closed.reject(error);
    markHandled(writer.closed.promise);
  } else {
    writer.closed = rejectedDeferred(error);
  }
}

function writerEnsureReadyPromiseRejected(writer, error) {
  if (!writer.ready.settled) {
    writer.ready.reject(error);
    markHandled(writer.ready.promise);
  } else {
    writer.ready = rejectedDeferred(error);
  }
}

function writerGetDesiredSize(writer) {
  const stream = writer.stream;
  const state = stream.state;
  if (state === "errored" || state === "erroring") return null;
  if (state === "closed") return 0;
  return wcDesiredSize(stream.controller);
}

function writerRelease(writer) {
  const stream = writer.stream;
  const releasedError = new TypeErrorCtor("The writer's lock on the stream was released");
  writerEnsureReadyPromiseRejected(writer, releasedError);
  writerEnsureClosedPromiseRejected(writer, releasedError);
  stream.writer = undefined;
  writer.stream = undefined;
}

function writerWrite(writer, chunk) {
  const stream = writer.stream;
  const controller = stream.controller;
  const chunkSize = wcGetChunkSize(controller, chunk);
  if (stream !== writer.stream) {
    return PromiseReject(new TypeErrorCtor("The writer was released while the chunk size was computed"));
  }
  const state = stream.state;
  if (state === "errored") return PromiseReject(stream.storedError);
  if (closeQueuedOrInFlight(stream) || state === "closed") {
    return PromiseReject(new TypeErrorCtor("Cannot write to a WritableStream that is closing or closed"));
  }
  if (state === "erroring") return PromiseReject(stream.storedError);
  const deferred = new Deferred();
  stream.writeRequests.push(deferred);
  wcWrite(controller, chunk, chunkSize);
  return deferred.promise;
}

// --- the controller -------------------------------------------------------------------------------

function wcAdvanceQueueIfNeeded(c) {
  const stream = c.stream;
  if (!c.started || stream.inFlightWriteRequest !== undefined) return;
  if (stream.state === "erroring") {
    finishErroring(stream);
    return;
  }
  if (c.queue.length === 0) return;
  const value = c.queue.peek();
  if (value === CLOSE_SENTINEL) wcProcessClose(c);
  else wcProcessWrite(c, value);
}

function wcClearAlgorithms(c) {
  c.writeAlgorithm = undefined;
  c.closeAlgorithm = undefined;
  c.abortAlgorithm = undefined;
  c.sizeAlgorithm = null;
}

function wcClose(c) {
  enqueueValueWithSize(c, CLOSE_SENTINEL, 0);
  wcAdvanceQueueIfNeeded(c);
}

function wcError(c, error) {
  wcClearAlgorithms(c);
  startErroring(c.stream, error);
}

function wcErrorIfNeeded(c, error) {
  if (c.stream.state === "writable") wcError(c, error);
}

function wcGetChunkSize(c, chunk) {
  if (c.sizeAlgorithm === null) return 1;
  try {
    return c.sizeAlgorithm(chunk);
  } catch (e) {
    wcErrorIfNeeded(c, e);
    return 1;
  }
}

function wcDesiredSize(c) {
  return c.hwm - c.queueTotalSize;
}

function wcProcessClose(c) {
  const stream = c.stream;
  stream.inFlightCloseRequest = stream.closeRequest;
  stream.closeRequest = undefined;
  dequeueValue(c);
  const sinkClosePromise = c.closeAlgorithm();
  wcClearAlgorithms(c);
  then(sinkClosePromise, () => finishInFlightClose(stream),
    (reason) => finishInFlightCloseWithError(stream, reason));
}

function wcProcessWrite(c, chunk) {
  const stream = c.stream;
  stream.inFlightWriteRequest = stream.writeRequests.shift();
  then(c.writeAlgorithm(chunk), c.writeFulfilled, c.writeRejected);
}

function wcWrite(c, chunk, chunkSize) {
  try {
    enqueueValueWithSize(c, chunk, chunkSize);
  } catch (e) {
    wcErrorIfNeeded(c, e);
    return;
  }
  const stream = c.stream;
  if (!closeQueuedOrInFlight(stream) && stream.state === "writable") {
    updateBackpressure(stream, wcDesiredSize(c) <= 0);
  }
  wcAdvanceQueueIfNeeded(c);
}

function setUpWritableController(stream, c, startAlgorithm, writeAlgorithm, closeAlgorithm, abortAlgorithm, hwm, sizeAlgorithm) {
  stream.controller = c;
  c.sizeAlgorithm = sizeAlgorithm;
  c.hwm = hwm;
  c.writeAlgorithm = writeAlgorithm;
  c.closeAlgorithm = closeAlgorithm;
  c.abortAlgorithm = abortAlgorithm;
  updateBackpressure(stream, wcDesiredSize(c) <= 0);
  const startResult = startAlgorithm();
  then(S.resolvedWith(startResult), () => {
    c.started = true;
    wcAdvanceQueueIfNeeded(c);
  }, (r) => {
    c.started = true;
    dealWithRejection(stream, r);
  });
}

S.WritableRecord = WritableRecord;
S.WritableController = WritableController;
S.setUpWritableController = setUpWritableController;
S.writableStreamAbort = writableStreamAbort;
S.writableStreamClose = writableStreamClose;
S.closeQueuedOrInFlight = closeQueuedOrInFlight;
S.acquireWriter = acquireWriter;
S.writerWrite = writerWrite;
S.writerRelease = writerRelease;
S.writerGetDesiredSize = writerGetDesiredSize;
S.writerCloseWithErrorPropagation = writerCloseWithErrorPropagation;
S.wcError = wcError;
S.wcErrorIfNeeded = wcErrorIfNeeded;

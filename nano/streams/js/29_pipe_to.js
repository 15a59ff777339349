// Piping: ReadableStream.prototype.pipeTo and pipeThrough.
// Spec: https://streams.spec.whatwg.org/#rs-pipe-to, #rs-pipe-through,
// #readable-stream-pipe-to
// Host operations: none.
//
// The pipe reads with an internal read request (never the public reader API) whenever the
// destination wants more (its writer's desired size is above 0), writes each chunk at
// once, and propagates errors and closing in the order the spec lists them. Shutting
// down waits for the writes already started, then releases the reader and the writer.

const S = nano.streams;
const {
  Deferred, then, markHandled, RESOLVED, PromiseReject, noop, toDictionary, acquireReader,
  defaultReaderRead, readerRelease, readableStreamCancel, acquireWriter, writerWrite,
  writerRelease, writerGetDesiredSize, writerCloseWithErrorPropagation, writableStreamAbort,
  closeQueuedOrInFlight,
} = S;
const TypeErrorCtor = TypeError;

// "Getting a promise to wait for all" of the given promises.
function waitForAll(promises) {
  let remaining = promises.length;
  if (remaining === 0) return RESOLVED;
  const all = new Deferred();
  for (let i = 0; i < promises.length; i++) {
    then(promises[i], () => {
      if (--remaining === 0) all.resolve(undefined);
    }, (e) => all.reject(e));
  }
  return all.promise;
}

// ReadableStreamPipeTo(source, dest, preventClose, preventAbort, preventCancel, signal):
// source and dest are records; returns a promise.
function readableStreamPipeTo(source, dest, preventClose, preventAbort, preventCancel, signal) {
  const reader = acquireReader(source, false);
  const writer = acquireWriter(dest);
  source.disturbed = true;
  let shuttingDown = false;
  let reading = false;
  let looping = false;
  let currentWrite = RESOLVED;
  const result = new Deferred();
  let abortAlgorithm;

  function finalize(hasError, error) {
    writerRelease(writer);
    readerRelease(reader);
    if (signal !== undefined) nano.removeAbortAlgorithm(signal, abortAlgorithm);
    if (hasError) result.reject(error);
    else result.resolve(undefined);
  }

  // Waits for the last write started (currentWrite always fulfills), and again if another
  // one started meanwhile.
  function waitForWritesToFinish() {
    const last = currentWrite;
    return then(last, () => (last !== currentWrite ? waitForWritesToFinish() : undefined));
  }

  function afterWrites(next) {
    if (dest.state === "writable" && !closeQueuedOrInFlight(dest)) then(waitForWritesToFinish(), next);
    else next();
  }

  function shutdownWithAction(action, hasError, originalError) {
    if (shuttingDown) return;
    shuttingDown = true;
    afterWrites(() => {
      then(action(), () => finalize(hasError, originalError), (newError) => finalize(true, newError));
    });
  }

  function shutdown(hasError, error) {
    if (shuttingDown) return;
    shuttingDown = true;
    afterWrites(() => finalize(hasError, error));
  }

  // A chunk read is written in a microtask (the pipe runs "in parallel": enqueue() on the
  // source never runs the sink's write synchronously); until then no other read starts,
  // so the destination's backpressure is respected exactly.
  let heldChunk;
  let writePending = false;
  function issueWrite() {
    const chunk = heldChunk;
    heldChunk = undefined;
    writePending = false;
    if (writer.stream === undefined) return undefined;
    const write = writerWrite(writer, chunk);
    pipeLoop();
    return then(write, noop, noop);
  }

  const readRequest = {
    chunkSteps(chunk) {
      reading = false;
      heldChunk = chunk;
      writePending = true;
      currentWrite = then(RESOLVED, issueWrite);
    },
    closeSteps() {
      reading = false;
    },
    errorSteps() {
      reading = false;
    },
  };

  // Reads while the destination wants chunks.
  function pipeLoop() {
    if (looping) return;
    looping = true;
    // A closed or errored source is left to the state watchers below.
    while (!shuttingDown && !reading && !writePending && source.state === "readable") {
      const desiredSize = writerGetDesiredSize(writer);
      if (desiredSize === null || desiredSize <= 0) {
        if (dest.state === "writable") then(writer.ready.promise, pipeLoop, noop);
        break;
      }
      reading = true;
      defaultReaderRead(reader, readRequest);
    }
    looping = false;
  }

  if (signal !== undefined) {
    abortAlgorithm = () => {
      const error = nano.signalReason(signal);
      shutdownWithAction(() => {
        const actions = [];
        if (!preventAbort) actions[actions.length] = dest.state === "writable" ? writableStreamAbort(dest, error) : RESOLVED;
        if (!preventCancel) actions[actions.length] = source.state === "readable" ? readableStreamCancel(source, error) : RESOLVED;
        return waitForAll(actions);
      }, true, error);
    };
    if (nano.signalAborted(signal)) {
      abortAlgorithm();
      return result.promise;
    }
    nano.addAbortAlgorithm(signal, abortAlgorithm);
  }

  // Errors must be propagated forward.
  const onSourceError = (storedError) => {
    if (!preventAbort) shutdownWithAction(() => writableStreamAbort(dest, storedError), true, storedError);
    else shutdown(true, storedError);
  };
  // Errors must be propagated backward.
  const onDestError = (storedError) => {
    if (!preventCancel) shutdownWithAction(() => readableStreamCancel(source, storedError), true, storedError);
    else shutdown(true, storedError);
  };
  // Closing must be propagated forward.
  const onSourceClosed = () => {
    if (!preventClose) shutdownWithAction(() => writerCloseWithErrorPropagation(writer), false, undefined);
    else shutdown(false, undefined);
  };

  if (source.state === "errored") onSourceError(source.storedError);
  else then(reader.closed.promise, undefined, onSourceError);
  if (dest.state === "errored") onDestError(dest.storedError);
  else then(writer.closed.promise, undefined, onDestError);
  if (source.state === "closed") onSourceClosed();
  else then(reader.closed.promise, onSourceClosed, noop);
  // Closing must be propagated backward.
  if (closeQueuedOrInFlight(dest) || dest.state === "closed") {
    const destClosed = new TypeErrorCtor("The destination WritableStream is closing or closed");
    if (!preventCancel) shutdownWithAction(() => readableStreamCancel(source, destClosed), true, destClosed);
    else shutdown(true, destClosed);
  }
  pipeLoop();
  return result.promise;
}

// The StreamPipeOptions dictionary (members in WebIDL order).
function convertPipeOptions(options, context) {
  const dict = toDictionary(options, context);
  if (dict === undefined) return { preventAbort: false, preventCancel: false, preventClose: false, signal: undefined };
  const preventAbort = !!dict.preventAbort;
  const preventCancel = !!dict.preventCancel;
  const preventClose = !!dict.preventClose;
  const signal = dict.signal;
  if (signal !== undefined && !nano.isAbortSignal(signal)) {
    throw new TypeErrorCtor(context + ": options.signal is not an AbortSignal");
  }
  return { preventAbort, preventCancel, preventClose, signal };
}

// ReadableStream.prototype.pipeTo after the brand check of `this`.
function pipeToMethod(source, destination, options) {
  const dest = S.writableRecord(destination);
  if (dest === undefined) {
    return PromiseReject(new TypeErrorCtor("ReadableStream.pipeTo: parameter 1 is not a WritableStream"));
  }
  let opts;
  try {
    opts = convertPipeOptions(options, "ReadableStream.pipeTo");
  } catch (e) {
    return PromiseReject(e);
  }
  if (source.reader !== undefined) {
    return PromiseReject(new TypeErrorCtor("ReadableStream.pipeTo: the source stream is locked"));
  }
  if (dest.writer !== undefined) {
    return PromiseReject(new TypeErrorCtor("ReadableStream.pipeTo: the destination stream is locked"));
  }
  return readableStreamPipeTo(source, dest, opts.preventClose, opts.preventAbort, opts.preventCancel, opts.signal);
}

// ReadableStream.prototype.pipeThrough after the brand check of `this`.
function pipeThrough(source, transform, options) {
  const context = "ReadableStream.pipeThrough";
  const pair = toDictionary(transform, context);
  const readableValue = pair === undefined ? undefined : pair.readable;
  if (readableValue === undefined) throw new TypeErrorCtor(context + ": transform.readable is required");
  const readable = S.readableRecord(readableValue);
  if (readable === undefined) throw new TypeErrorCtor(context + ": transform.readable is not a ReadableStream");
  const writableValue = pair.writable;
  if (writableValue === undefined) throw new TypeErrorCtor(context + ": transform.writable is required");
  const writable = S.writableRecord(writableValue);
  if (writable === undefined) throw new TypeErrorCtor(context + ": transform.writable is not a WritableStream");
  const opts = convertPipeOptions(options, context);
  if (source.reader !== undefined) throw new TypeErrorCtor(context + ": the source stream is locked");
  if (writable.writer !== undefined) throw new TypeErrorCtor(context + ": the transform's writable side is locked");
  const promise = readableStreamPipeTo(source, writable, opts.preventClose, opts.preventAbort, opts.preventCancel, opts.signal);
  markHandled(promise);
  return readable.pub;
}

S.readableStreamPipeTo = readableStreamPipeTo;
S.pipeToMethod = pipeToMethod;
S.pipeThrough = pipeThrough;

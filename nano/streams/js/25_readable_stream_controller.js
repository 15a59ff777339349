// ReadableStreamDefaultController and the abstract operations of default controllers;
// CreateReadableStream for streams driven by internal algorithms.
// Spec: https://streams.spec.whatwg.org/#rs-default-controller-class,
// #rs-default-controller-abstract-ops, #create-readable-stream
// Host operations: none.
//
// A default controller record (DefaultController below) keeps the queue-with-sizes of
// its stream (sizes only when the strategy has a size function: otherwise every chunk
// counts 1) and the source's algorithms.

const S = nano.streams;
const {
  Queue, then, RESOLVED, FunctionCall, isObject, illegalInvocation, illegalConstructor,
  invokePromise, enqueueValueWithSize, finishInterface, INTERNAL, StreamRecord, publish,
  returnUndefined, readableStreamClose, readableStreamError, fulfillRequest,
} = S;
const TypeErrorCtor = TypeError;

let pending;

class DefaultController {
  constructor(stream) {
    this.stream = stream;
    this.queue = new Queue();
    this.sizes = null; // a Queue of sizes when the strategy has a size function
    this.queueTotalSize = 0;
    this.started = false;
    this.closeRequested = false;
    this.pullAgain = false;
    this.pulling = false;
    this.sizeAlgorithm = null; // null: every chunk has size 1
    this.hwm = 1;
    this.pullAlgorithm = undefined;
    this.cancelAlgorithm = undefined;
    this.isByte = false;
    this.pub = undefined;
    this.pullFulfilled = () => {
      this.pulling = false;
      if (this.pullAgain) {
        this.pullAgain = false;
        dcCallPullIfNeeded(this);
      }
    };
    this.pullRejected = (e) => dcError(this, e);
  }

  cancelSteps(reason) {
    dcResetQueue(this);
    const result = this.cancelAlgorithm(reason);
    dcClearAlgorithms(this);
    return result;
  }

  pullSteps(request) {
    const stream = this.stream;
    if (this.queue.length > 0) {
      const chunk = dcDequeue(this);
      if (this.closeRequested && this.queue.length === 0) {
        dcClearAlgorithms(this);
        readableStreamClose(stream);
      } else {
        dcCallPullIfNeeded(this);
      }
      request.chunkSteps(chunk);
    } else {
      stream.reader.requests.push(request);
      dcCallPullIfNeeded(this);
    }
  }

  releaseSteps() {}
}

function dcDequeue(c) {
  const value = c.queue.shift();
  c.queueTotalSize -= c.sizes === null ? 1 : c.sizes.shift();
  if (c.queueTotalSize < 0) c.queueTotalSize = 0;
  return value;
}

function dcResetQueue(c) {
  c.queue.clear();
  if (c.sizes !== null) c.sizes.clear();
  c.queueTotalSize = 0;
}

function dcCanCloseOrEnqueue(c) {
  return !c.closeRequested && c.stream.state === "readable";
}

function dcShouldCallPull(c) {
  if (c.closeRequested || !c.started) return false;
  const stream = c.stream;
  if (stream.state !== "readable") return false;
  if (stream.reader !== undefined && stream.reader.requests.length > 0) return true;
  return c.hwm - c.queueTotalSize > 0;
}

function dcCallPullIfNeeded(c) {
  if (!dcShouldCallPull(c)) return;
  if (c.pulling) {
    c.pullAgain = true;
    return;
  }
  c.pulling = true;
  then(c.pullAlgorithm(), c.pullFulfilled, c.pullRejected);
}

function dcClearAlgorithms(c) {
  c.pullAlgorithm = undefined;
  c.cancelAlgorithm = undefined;
  c.sizeAlgorithm = null;
}

function dcClose(c) {
  if (!dcCanCloseOrEnqueue(c)) return;
  c.closeRequested = true;
  if (c.queue.length === 0) {
    dcClearAlgorithms(c);
    readableStreamClose(c.stream);
  }
}

// ReadableStreamDefaultControllerEnqueue: throws (after erroring the stream) when the
// size algorithm throws or returns an invalid size.
function dcEnqueue(c, chunk) {
  if (!dcCanCloseOrEnqueue(c)) return;
  const stream = c.stream;
  const reader = stream.reader;
  if (reader !== undefined && reader.requests.length > 0) {
    fulfillRequest(stream, chunk, false);
  } else if (c.sizes === null) {
    c.queue.push(chunk);
    c.queueTotalSize += 1;
  } else {
    let size;
    try {
      size = c.sizeAlgorithm === null ? 1 : c.sizeAlgorithm(chunk);
    } catch (e) {
      dcError(c, e);
      throw e;
    }
    try {
      enqueueValueWithSize(c, chunk, size);
    } catch (e) {
      dcError(c, e);
      throw e;
    }
  }
  dcCallPullIfNeeded(c);
}

function dcError(c, e) {
  const stream = c.stream;
  if (stream.state !== "readable") return;
  dcResetQueue(c);
  dcClearAlgorithms(c);
  readableStreamError(stream, e);
}

function dcDesiredSize(c) {
  const state = c.stream.state;
  if (state === "errored") return null;
  if (state === "closed") return 0;
  return c.hwm - c.queueTotalSize;
}

function dcHasBackpressure(c) {
  return !dcShouldCallPull(c);
}

// SetUpReadableStreamDefaultController (the public controller object is made here too).
function setUpDefaultController(stream, c, startAlgorithm, pullAlgorithm, cancelAlgorithm, hwm, sizeAlgorithm) {
  c.sizeAlgorithm = sizeAlgorithm;
  c.sizes = sizeAlgorithm === null ? null : new Queue();
  c.hwm = hwm;
  c.pullAlgorithm = pullAlgorithm;
  c.cancelAlgorithm = cancelAlgorithm;
  stream.controller = c;
  const startResult = startAlgorithm();
  then(S.resolvedWith(startResult), () => {
    c.started = true;
    dcCallPullIfNeeded(c);
  }, (r) => dcError(c, r));
}

function newDefaultController(stream) {
  const c = new DefaultController(stream);
  pending = c;
  try {
    new ReadableStreamDefaultController(INTERNAL);
  } finally {
    pending = undefined;
  }
  return c;
}

function setUpDefaultControllerFromSource(stream, source, dict, hwm, sizeAlgorithm) {
  const c = newDefaultController(stream);
  const start = dict.start;
  const pull = dict.pull;
  const cancel = dict.cancel;
  const startAlgorithm = start === undefined ? returnUndefined : () => FunctionCall(start, source, c.pub);
  const pullAlgorithm = pull === undefined ? () => RESOLVED : () => invokePromise(pull, source, c.pub);
  const cancelAlgorithm = cancel === undefined ? () => RESOLVED : (reason) => invokePromise(cancel, source, reason);
  setUpDefaultController(stream, c, startAlgorithm, pullAlgorithm, cancelAlgorithm, hwm, sizeAlgorithm);
}

// CreateReadableStream: a default stream driven by internal algorithms (sizeAlgorithm
// null: every chunk counts 1). Returns the stream record (its `pub` is the stream).
function createReadableStream(startAlgorithm, pullAlgorithm, cancelAlgorithm, hwm = 1, sizeAlgorithm = null) {
  const stream = publish(new StreamRecord());
  const c = newDefaultController(stream);
  setUpDefaultController(stream, c, startAlgorithm, pullAlgorithm, cancelAlgorithm, hwm, sizeAlgorithm);
  return stream;
}

class ReadableStreamDefaultController {
  #c;

  constructor(token = undefined) {
    if (token !== INTERNAL) throw illegalConstructor("ReadableStreamDefaultController");
    this.#c = pending;
    pending.pub = this;
  }

  static #check(self, member) {
    if (!isObject(self) || !(#c in self)) throw illegalInvocation("ReadableStreamDefaultController", member);
    return self.#c;
  }

  get desiredSize() {
    return dcDesiredSize(ReadableStreamDefaultController.#check(this, "desiredSize"));
  }

  close() {
    const c = ReadableStreamDefaultController.#check(this, "close");
    if (!dcCanCloseOrEnqueue(c)) {
      throw new TypeErrorCtor("ReadableStreamDefaultController.close: the stream is closed, closing or errored");
    }
    dcClose(c);
  }

  enqueue(chunk = undefined) {
    const c = ReadableStreamDefaultController.#check(this, "enqueue");
    if (!dcCanCloseOrEnqueue(c)) {
      throw new TypeErrorCtor("ReadableStreamDefaultController.enqueue: the stream is closed, closing or errored");
    }
    dcEnqueue(c, chunk);
  }

  error(e = undefined) {
    dcError(ReadableStreamDefaultController.#check(this, "error"), e);
  }
}

finishInterface(ReadableStreamDefaultController, "ReadableStreamDefaultController");

S.setUpDefaultControllerFromSource = setUpDefaultControllerFromSource;
S.createReadableStream = createReadableStream;
S.dcEnqueue = dcEnqueue;
S.dcClose = dcClose;
S.dcError = dcError;
S.dcDesiredSize = dcDesiredSize;
S.dcCanCloseOrEnqueue = dcCanCloseOrEnqueue;
S.dcHasBackpressure = dcHasBackpressure;

nano.defineGlobal("ReadableStreamDefaultController", ReadableStreamDefaultController);

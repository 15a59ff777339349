// Readable byte streams: ReadableByteStreamController, ReadableStreamBYOBRequest and
// ReadableStreamBYOBReader.
// Spec: https://streams.spec.whatwg.org/#rbs-controller-class, #rs-byob-request-class,
// #byob-reader-class, #rbs-controller-abstract-ops
// Host operations: none.
//
// A byte controller record (ByteController below) keeps a queue of entries {buffer,
// byteOffset, byteLength} (buffers transferred from what the source enqueued) and a queue
// of pull-into descriptors (PullInto below) for BYOB reads and auto-allocated reads.
// Chunks handed to readers are Uint8Arrays (or the view type of a BYOB read) over those
// buffers: enqueueing transfers, it never copies, except when filling a BYOB read.

const S = nano.streams;
const {
  Queue, then, RESOLVED, PromiseResolve, PromiseReject, FunctionCall, isObject,
  toDictionary, toEnforcedUnsigned, illegalInvocation, illegalConstructor, invokePromise,
  finishInterface, viewFacts, isDetached, bufferByteLength, transferBuffer, isPlainView,
  cloneArrayBuffer, Uint8ArrayCtor, TypedArraySet, ArrayBufferCtor, DataViewCtor, INTERNAL,
  readableStreamClose, readableStreamError, readableStreamCancel, fulfillRequest,
  hasDefaultReader, hasBYOBReader, acquireReader, readerRelease, releasedError,
  PromiseReadRequest, StreamRecord, publish, returnUndefined,
} = S;
const TypeErrorCtor = TypeError;
const RangeErrorCtor = RangeError;
const MathMin = Math.min;

let pending;

class QueueEntry {
  constructor(buffer, byteOffset, byteLength) {
    this.buffer = buffer;
    this.byteOffset = byteOffset;
    this.byteLength = byteLength;
  }
}

class PullInto {
  constructor(buffer, bufferByteLength, byteOffset, byteLength, minimumFill, elementSize, viewCtor, readerType) {
    this.buffer = buffer;
    this.bufferByteLength = bufferByteLength;
    this.byteOffset = byteOffset;
    this.byteLength = byteLength;
    this.bytesFilled = 0;
    this.minimumFill = minimumFill;
    this.elementSize = elementSize;
    this.viewCtor = viewCtor;
    this.readerType = readerType; // "default" | "byob" | "none"
  }
}

class ByteController {
  constructor(stream) {
    this.stream = stream;
    this.autoAllocateChunkSize = undefined;
    this.byobRequest = null; // a BYOB request record {controller, view, pub}
    this.cancelAlgorithm = undefined;
    this.closeRequested = false;
    this.pullAgain = false;
    this.pullAlgorithm = undefined;
    this.pulling = false;
    this.pendingPullIntos = new Queue();
    this.queue = new Queue();
    this.queueTotalSize = 0;
    this.started = false;
    this.hwm = 0;
    this.isByte = true;
    this.pub = undefined;
    this.pullFulfilled = () => {
      this.pulling = false;
      if (this.pullAgain) {
        this.pullAgain = false;
        bcCallPullIfNeeded(this);
      }
    };
    this.pullRejected = (e) => bcError(this, e);
  }

  cancelSteps(reason) {
    bcClearPendingPullIntos(this);
    bcResetQueue(this);
    const result = this.cancelAlgorithm(reason);
    bcClearAlgorithms(this);
    return result;
  }

  pullSteps(readRequest) {
    const stream = this.stream;
    if (this.queueTotalSize > 0) {
      bcFillReadRequestFromQueue(this, readRequest);
      return;
    }
    const size = this.autoAllocateChunkSize;
    if (size !== undefined) {
      let buffer;
      try {
        buffer = new ArrayBufferCtor(size);
      } catch (e) {
        readRequest.errorSteps(e);
        return;
      }
      this.pendingPullIntos.push(new PullInto(buffer, size, 0, size, 1, 1, Uint8ArrayCtor, "default"));
    }
    stream.reader.requests.push(readRequest);
    bcCallPullIfNeeded(this);
  }

  releaseSteps() {
    if (this.pendingPullIntos.length > 0) {
      const first = this.pendingPullIntos.peek();
      first.readerType = "none";
      this.pendingPullIntos = new Queue();
      this.pendingPullIntos.push(first);
    }
  }
}

// --- abstract operations ---------------------------------------------------------------------

function bcResetQueue(c) {
  c.queue.clear();
  c.queueTotalSize = 0;
}

function bcCallPullIfNeeded(c) {
  if (!bcShouldCallPull(c)) return;
  if (c.pulling) {
    c.pullAgain = true;
    return;
  }
  c.pulling = true;
  then(c.pullAlgorithm(), c.pullFulfilled, c.pullRejected);
}

function bcShouldCallPull(c) {
  const stream = c.stream;
  if (stream.state !== "readable" || c.closeRequested || !c.started) return false;
  if (stream.reader !== undefined && stream.reader.requests.length > 0) return true;
  return c.hwm - c.queueTotalSize > 0;
}

function bcClearAlgorithms(c) {
  c.pullAlgorithm = undefined;
  c.cancelAlgorithm = undefined;
}

function bcClearPendingPullIntos(c) {
  bcInvalidateBYOBRequest(c);
  c.pendingPullIntos = new Queue();
}

function bcClose(c) {
  const stream = c.stream;
  if (c.closeRequested || stream.state !== "readable") return;
  if (c.queueTotalSize > 0) {
    c.closeRequested = true;
    return;
  }
  if (c.pendingPullIntos.length > 0) {
    const first = c.pendingPullIntos.peek();
    if (first.bytesFilled % first.elementSize !== 0) {
      const e = new TypeErrorCtor("The byte stream was closed in the middle of an element of a BYOB read");
      bcError(c, e);
      throw e;
    }
  }
  bcClearAlgorithms(c);
  readableStreamClose(stream);
}

function bcCommitPullIntoDescriptor(stream, pullInto) {
  const done = stream.state === "closed";
  fulfillRequest(stream, bcConvertPullIntoDescriptor(pullInto), done);
}

function bcConvertPullIntoDescriptor(pullInto) {
  const buffer = transferBuffer(pullInto.buffer);
  return new pullInto.viewCtor(buffer, pullInto.byteOffset, pullInto.bytesFilled / pullInto.elementSize);
}

// ReadableByteStreamControllerEnqueue. `owned` (internal callers only): the chunk's buffer
// belongs to the stream already, so it is not transferred.
function bcEnqueue(c, chunk, owned = false) {
  const stream = c.stream;
  if (c.closeRequested || stream.state !== "readable") return;
  const facts = viewFacts(chunk);
  const byteOffset = facts.byteOffset;
  const byteLength = facts.byteLength;
  if (isDetached(facts.buffer)) throw new TypeErrorCtor("The chunk's ArrayBuffer is detached");
  const buffer = owned ? facts.buffer : transferBuffer(facts.buffer);
  if (c.pendingPullIntos.length > 0) {
    const first = c.pendingPullIntos.peek();
    if (isDetached(first.buffer)) {
      throw new TypeErrorCtor("The BYOB request's buffer was detached");
    }
    bcInvalidateBYOBRequest(c);
    first.buffer = transferBuffer(first.buffer);
    if (first.readerType === "none") bcEnqueueDetachedPullIntoToQueue(c, first);
  }
  if (hasDefaultReader(stream)) {
    bcProcessReadRequestsUsingQueue(c);
    if (stream.reader.requests.length === 0) {
      bcEnqueueChunkToQueue(c, buffer, byteOffset, byteLength);
    } else {
      if (c.pendingPullIntos.length > 0) c.pendingPullIntos.shift();
      fulfillRequest(stream, new Uint8ArrayCtor(buffer, byteOffset, byteLength), false);
    }
  } else if (hasBYOBReader(stream)) {
    bcEnqueueChunkToQueue(c, buffer, byteOffset, byteLength);
    commitAll(stream, bcProcessPullIntoDescriptorsUsingQueue(c));
  } else {
    bcEnqueueChunkToQueue(c, buffer, byteOffset, byteLength);
  }
  bcCallPullIfNeeded(c);
}

function commitAll(stream, filled) {
  for (let i = 0; i < filled.length; i++) bcCommitPullIntoDescriptor(stream, filled[i]);
}

function bcEnqueueChunkToQueue(c, buffer, byteOffset, byteLength) {
  c.queue.push(new QueueEntry(buffer, byteOffset, byteLength));
  c.queueTotalSize += byteLength;
}

function bcEnqueueClonedChunkToQueue(c, buffer, byteOffset, byteLength) {
  let clone;
  try {
    clone = cloneArrayBuffer(buffer, byteOffset, byteLength);
  } catch (e) {
    bcError(c, e);
    throw e;
  }
  bcEnqueueChunkToQueue(c, clone, 0, byteLength);
}

function bcEnqueueDetachedPullIntoToQueue(c, pullInto) {
  if (pullInto.bytesFilled > 0) {
    bcEnqueueClonedChunkToQueue(c, pullInto.buffer, pullInto.byteOffset, pullInto.bytesFilled);
  }
  c.pendingPullIntos.shift();
}

function bcError(c, e) {
  const stream = c.stream;
  if (stream.state !== "readable") return;
  bcClearPendingPullIntos(c);
  bcResetQueue(c);
  bcClearAlgorithms(c);
  readableStreamError(stream, e);
}

function bcFillPullIntoDescriptorFromQueue(c, pullInto) {
  const maxBytesToCopy = MathMin(c.queueTotalSize, pullInto.byteLength - pullInto.bytesFilled);
  const maxBytesFilled = pullInto.bytesFilled + maxBytesToCopy;
  let remaining = maxBytesToCopy;
  let ready = false;
  const maxAlignedBytes = maxBytesFilled - (maxBytesFilled % pullInto.elementSize);
  if (maxAlignedBytes >= pullInto.minimumFill) {
    remaining = maxAlignedBytes - pullInto.bytesFilled;
    ready = true;
  }
  const queue = c.queue;
  while (remaining > 0) {
    const head = queue.peek();
    const bytesToCopy = MathMin(remaining, head.byteLength);
    const destStart = pullInto.byteOffset + pullInto.bytesFilled;
    if (pullInto.buffer === head.buffer) {
      throw new TypeErrorCtor("nano: a BYOB read and a queued chunk share one buffer");
    }
    TypedArraySet(new Uint8ArrayCtor(pullInto.buffer, destStart, bytesToCopy),
      new Uint8ArrayCtor(head.buffer, head.byteOffset, bytesToCopy));
    if (head.byteLength === bytesToCopy) {
      queue.shift();
    } else {
      head.byteOffset += bytesToCopy;
      head.byteLength -= bytesToCopy;
    }
    c.queueTotalSize -= bytesToCopy;
    pullInto.bytesFilled += bytesToCopy;
    remaining -= bytesToCopy;
  }
  return ready;
}

function bcFillReadRequestFromQueue(c, readRequest) {
  const entry = c.queue.shift();
  c.queueTotalSize -= entry.byteLength;
  bcHandleQueueDrain(c);
  readRequest.chunkSteps(new Uint8ArrayCtor(entry.buffer, entry.byteOffset, entry.byteLength));
}

function bcGetBYOBRequest(c) {
  if (c.byobRequest === null && c.pendingPullIntos.length > 0) {
    const first = c.pendingPullIntos.peek();
    const view = new Uint8ArrayCtor(first.buffer, first.byteOffset + first.bytesFilled,
      first.byteLength - first.bytesFilled);
    const request = { controller: c, view, pub: undefined };
    pending = request;
    try {
      new ReadableStreamBYOBRequest(INTERNAL);
    } finally {
      pending = undefined;
    }
    c.byobRequest = request;
  }
  return c.byobRequest;
}

function bcDesiredSize(c) {
  const state = c.stream.state;
  if (state === "errored") return null;
  if (state === "closed") return 0;
  return c.hwm - c.queueTotalSize;
}

function bcHandleQueueDrain(c) {
  if (c.queueTotalSize === 0 && c.closeRequested) {
    bcClearAlgorithms(c);
    readableStreamClose(c.stream);
  } else {
    bcCallPullIfNeeded(c);
  }
}

function bcInvalidateBYOBRequest(c) {
  const request = c.byobRequest;
  if (request === null) return;
  request.controller = undefined;
  request.view = null;
  c.byobRequest = null;
}

function bcProcessPullIntoDescriptorsUsingQueue(c) {
  const filled = [];
  while (c.pendingPullIntos.length > 0 && c.queueTotalSize > 0) {
    const pullInto = c.pendingPullIntos.peek();
    if (bcFillPullIntoDescriptorFromQueue(c, pullInto)) {
      c.pendingPullIntos.shift();
      filled[filled.length] = pullInto;
    }
  }
  return filled;
}

function bcProcessReadRequestsUsingQueue(c) {
  const reader = c.stream.reader;
  while (reader.requests.length > 0) {
    if (c.queueTotalSize === 0) return;
    bcFillReadRequestFromQueue(c, reader.requests.shift());
  }
}

function bcPullInto(c, view, min, readIntoRequest) {
  const stream = c.stream;
  const facts = viewFacts(view);
  const ctor = facts.ctor;
  const elementSize = facts.elementSize;
  let buffer;
  try {
    buffer = transferBuffer(facts.buffer);
  } catch (e) {
    readIntoRequest.errorSteps(e);
    return;
  }
  const pullInto = new PullInto(buffer, bufferByteLength(buffer), facts.byteOffset, facts.byteLength,
    min * elementSize, elementSize, ctor, "byob");
  if (c.pendingPullIntos.length > 0) {
    c.pendingPullIntos.push(pullInto);
    stream.reader.requests.push(readIntoRequest);
    return;
  }
  if (stream.state === "closed") {
    readIntoRequest.closeSteps(new ctor(pullInto.buffer, pullInto.byteOffset, 0));
    return;
  }
  if (c.queueTotalSize > 0) {
    if (bcFillPullIntoDescriptorFromQueue(c, pullInto)) {
      const filledView = bcConvertPullIntoDescriptor(pullInto);
      bcHandleQueueDrain(c);
      readIntoRequest.chunkSteps(filledView);
      return;
    }
    if (c.closeRequested) {
      const e = new TypeErrorCtor("The byte stream is closing and has too few bytes left for this read");
      bcError(c, e);
      readIntoRequest.errorSteps(e);
      return;
    }
  }
  c.pendingPullIntos.push(pullInto);
  stream.reader.requests.push(readIntoRequest);
  bcCallPullIfNeeded(c);
}

function bcRespond(c, bytesWritten) {
  const first = c.pendingPullIntos.peek();
  if (c.stream.state === "closed") {
    if (bytesWritten !== 0) {
      throw new TypeErrorCtor("respond: bytesWritten must be 0 once the stream is closed");
    }
  } else {
    if (bytesWritten === 0) throw new TypeErrorCtor("respond: bytesWritten must be greater than 0");
    if (first.bytesFilled + bytesWritten > first.byteLength) {
      throw new RangeErrorCtor("respond: bytesWritten is larger than the BYOB request's view");
    }
  }
  first.buffer = transferBuffer(first.buffer);
  bcRespondInternal(c, bytesWritten);
}

function bcRespondInClosedState(c, first) {
  if (first.readerType === "none") c.pendingPullIntos.shift();
  const stream = c.stream;
  if (hasBYOBReader(stream)) {
    const filled = [];
    while (filled.length < stream.reader.requests.length) filled[filled.length] = c.pendingPullIntos.shift();
    commitAll(stream, filled);
  }
}

function bcRespondInReadableState(c, bytesWritten, pullInto) {
  pullInto.bytesFilled += bytesWritten;
  if (pullInto.readerType === "none") {
    bcEnqueueDetachedPullIntoToQueue(c, pullInto);
    commitAll(c.stream, bcProcessPullIntoDescriptorsUsingQueue(c));
    return;
  }
  if (pullInto.bytesFilled < pullInto.minimumFill) return;
  c.pendingPullIntos.shift();
  const remainderSize = pullInto.bytesFilled % pullInto.elementSize;
  if (remainderSize > 0) {
    const end = pullInto.byteOffset + pullInto.bytesFilled;
    bcEnqueueClonedChunkToQueue(c, pullInto.buffer, end - remainderSize, remainderSize);
  }
  pullInto.bytesFilled -= remainderSize;
  const filled = bcProcessPullIntoDescriptorsUsingQueue(c);
  bcCommitPullIntoDescriptor(c.stream, pullInto);
  commitAll(c.stream, filled);
}

function bcRespondInternal(c, bytesWritten) {
  const first = c.pendingPullIntos.peek();
  bcInvalidateBYOBRequest(c);
  if (c.stream.state === "closed") bcRespondInClosedState(c, first);
  else bcRespondInReadableState(c, bytesWritten, first);
  bcCallPullIfNeeded(c);
}

function bcRespondWithNewView(c, view) {
  const facts = viewFacts(view);
  const first = c.pendingPullIntos.peek();
  if (c.stream.state === "closed") {
    if (facts.byteLength !== 0) {
      throw new TypeErrorCtor("respondWithNewView: the view must be empty once the stream is closed");
    }
  } else if (facts.byteLength === 0) {
    throw new TypeErrorCtor("respondWithNewView: the view must not be empty");
  }
  if (first.byteOffset + first.bytesFilled !== facts.byteOffset) {
    throw new RangeErrorCtor("respondWithNewView: the view's byteOffset does not match the BYOB request");
  }
  if (first.bufferByteLength !== bufferByteLength(facts.buffer)) {
    throw new RangeErrorCtor("respondWithNewView: the view's buffer length does not match the BYOB request");
  }
  if (first.bytesFilled + facts.byteLength > first.byteLength) {
    throw new RangeErrorCtor("respondWithNewView: the view is larger than the BYOB request");
  }
  first.buffer = transferBuffer(facts.buffer);
  bcRespondInternal(c, facts.byteLength);
}

function setUpByteController(stream, c, startAlgorithm, pullAlgorithm, cancelAlgorithm, hwm, autoAllocateChunkSize) {
  c.hwm = hwm;
  c.pullAlgorithm = pullAlgorithm;
  c.cancelAlgorithm = cancelAlgorithm;
  c.autoAllocateChunkSize = autoAllocateChunkSize;
  stream.controller = c;
  const startResult = startAlgorithm();
  then(S.resolvedWith(startResult), () => {
    c.started = true;
    bcCallPullIfNeeded(c);
  }, (r) => bcError(c, r));
}

function newByteController(stream) {
  const c = new ByteController(stream);
  pending = c;
  try {
    new ReadableByteStreamController(INTERNAL);
  } finally {
    pending = undefined;
  }
  return c;
}

function setUpByteControllerFromSource(stream, source, dict, hwm) {
  const c = newByteController(stream);
  const start = dict.start;
  const pull = dict.pull;
  const cancel = dict.cancel;
  const startAlgorithm = start === undefined ? returnUndefined : () => FunctionCall(start, source, c.pub);
  const pullAlgorithm = pull === undefined ? () => RESOLVED : () => invokePromise(pull, source, c.pub);
  const cancelAlgorithm = cancel === undefined ? () => RESOLVED : (reason) => invokePromise(cancel, source, reason);
  const autoAllocateChunkSize = dict.autoAllocateChunkSize;
  if (autoAllocateChunkSize === 0) {
    throw new TypeErrorCtor("Failed to construct 'ReadableStream': autoAllocateChunkSize must be greater than 0");
  }
  setUpByteController(stream, c, startAlgorithm, pullAlgorithm, cancelAlgorithm, hwm, autoAllocateChunkSize);
}

// CreateReadableByteStream: a byte stream driven by internal algorithms (high water
// mark 0 unless given). Returns the stream record.
function createReadableByteStream(startAlgorithm, pullAlgorithm, cancelAlgorithm, hwm = 0) {
  const stream = publish(new StreamRecord());
  const c = newByteController(stream);
  setUpByteController(stream, c, startAlgorithm, pullAlgorithm, cancelAlgorithm, hwm, undefined);
  return stream;
}

function byobReaderRead(reader, view, min, readIntoRequest) {
  const stream = reader.stream;
  stream.disturbed = true;
  if (stream.state === "errored") readIntoRequest.errorSteps(stream.storedError);
  else bcPullInto(stream.controller, view, min, readIntoRequest);
}

// --- public interfaces ---------------------------------------------------------------------

class ReadableByteStreamController {
  #c;

  constructor(token = undefined) {
    if (token !== INTERNAL) throw illegalConstructor("ReadableByteStreamController");
    this.#c = pending;
    pending.pub = this;
  }

  static #check(self, member) {
    if (!isObject(self) || !(#c in self)) throw illegalInvocation("ReadableByteStreamController", member);
    return self.#c;
  }

  get byobRequest() {
    const request = bcGetBYOBRequest(ReadableByteStreamController.#check(this, "byobRequest"));
    return request === null ? null : request.pub;
  }

  get desiredSize() {
    return bcDesiredSize(ReadableByteStreamController.#check(this, "desiredSize"));
  }

  close() {
    const c = ReadableByteStreamController.#check(this, "close");
    if (c.closeRequested) throw new TypeErrorCtor("ReadableByteStreamController.close: the stream is already closing");
    if (c.stream.state !== "readable") {
      throw new TypeErrorCtor("ReadableByteStreamController.close: the stream is not readable");
    }
    bcClose(c);
  }

  enqueue(chunk) {
    const c = ReadableByteStreamController.#check(this, "enqueue");
    if (!isPlainView(chunk)) {
      throw new TypeErrorCtor("ReadableByteStreamController.enqueue: parameter 1 is not of type 'ArrayBufferView'");
    }
    const facts = viewFacts(chunk);
    if (facts.byteLength === 0) throw new TypeErrorCtor("ReadableByteStreamController.enqueue: the chunk is empty");
    if (bufferByteLength(facts.buffer) === 0) {
      throw new TypeErrorCtor("ReadableByteStreamController.enqueue: the chunk's buffer is empty or detached");
    }
    if (c.closeRequested) throw new TypeErrorCtor("ReadableByteStreamController.enqueue: the stream is closing");
    if (c.stream.state !== "readable") {
      throw new TypeErrorCtor("ReadableByteStreamController.enqueue: the stream is not readable");
    }
    bcEnqueue(c, chunk);
  }

  error(e = undefined) {
    bcError(ReadableByteStreamController.#check(this, "error"), e);
  }
}

class ReadableStreamBYOBRequest {
  #r;

  constructor(token = undefined) {
    if (token !== INTERNAL) throw illegalConstructor("ReadableStreamBYOBRequest");
    this.#r = pending;
    pending.pub = this;
  }

  static #check(self, member) {
    if (!isObject(self) || !(#r in self)) throw illegalInvocation("ReadableStreamBYOBRequest", member);
    return self.#r;
  }

  get view() {
    return ReadableStreamBYOBRequest.#check(this, "view").view;
  }

  respond(bytesWritten) {
    const request = ReadableStreamBYOBRequest.#check(this, "respond");
    const n = toEnforcedUnsigned(bytesWritten, "ReadableStreamBYOBRequest.respond: bytesWritten");
    if (request.controller === undefined) {
      throw new TypeErrorCtor("ReadableStreamBYOBRequest.respond: this request is no longer valid");
    }
    if (isDetached(viewFacts(request.view).buffer)) {
      throw new TypeErrorCtor("ReadableStreamBYOBRequest.respond: the view's buffer is detached");
    }
    bcRespond(request.controller, n);
  }

  respondWithNewView(view) {
    const request = ReadableStreamBYOBRequest.#check(this, "respondWithNewView");
    if (!isPlainView(view)) {
      throw new TypeErrorCtor("ReadableStreamBYOBRequest.respondWithNewView: parameter 1 is not of type 'ArrayBufferView'");
    }
    if (request.controller === undefined) {
      throw new TypeErrorCtor("ReadableStreamBYOBRequest.respondWithNewView: this request is no longer valid");
    }
    if (isDetached(viewFacts(view).buffer)) {
      throw new TypeErrorCtor("ReadableStreamBYOBRequest.respondWithNewView: the view's buffer is detached");
    }
    bcRespondWithNewView(request.controller, view);
  }
}

class ReadableStreamBYOBReader {
  #r;

  constructor(stream) {
    const record = S.readableRecord(stream);
    if (record === undefined) {
      throw new TypeErrorCtor("Failed to construct 'ReadableStreamBYOBReader': parameter 1 is not a ReadableStream");
    }
    const reader = acquireReader(record, true);
    reader.pub = this;
    this.#r = reader;
  }

  static #of(self) {
    return isObject(self) && #r in self ? self.#r : undefined;
  }

  get closed() {
    const reader = ReadableStreamBYOBReader.#of(this);
    if (reader === undefined) return PromiseReject(illegalInvocation("ReadableStreamBYOBReader", "closed"));
    return reader.closed.promise;
  }

  cancel(reason = undefined) {
    const reader = ReadableStreamBYOBReader.#of(this);
    if (reader === undefined) return PromiseReject(illegalInvocation("ReadableStreamBYOBReader", "cancel"));
    if (reader.stream === undefined) return PromiseReject(releasedError("cancel"));
    return readableStreamCancel(reader.stream, reason);
  }

  read(view, options = undefined) {
    const reader = ReadableStreamBYOBReader.#of(this);
    if (reader === undefined) return PromiseReject(illegalInvocation("ReadableStreamBYOBReader", "read"));
    if (!isPlainView(view)) {
      return PromiseReject(new TypeErrorCtor("ReadableStreamBYOBReader.read: parameter 1 is not of type 'ArrayBufferView'"));
    }
    let min = 1;
    try {
      const dict = toDictionary(options, "ReadableStreamBYOBReader.read");
      if (dict !== undefined && dict.min !== undefined) {
        min = toEnforcedUnsigned(dict.min, "ReadableStreamBYOBReader.read: options.min");
      }
    } catch (e) {
      return PromiseReject(e);
    }
    const facts = viewFacts(view);
    if (facts.byteLength === 0) {
      return PromiseReject(new TypeErrorCtor("ReadableStreamBYOBReader.read: the view is empty"));
    }
    if (bufferByteLength(facts.buffer) === 0 || isDetached(facts.buffer)) {
      return PromiseReject(new TypeErrorCtor("ReadableStreamBYOBReader.read: the view's buffer is empty or detached"));
    }
    if (min === 0) return PromiseReject(new TypeErrorCtor("ReadableStreamBYOBReader.read: options.min must be greater than 0"));
    if (min > facts.length) {
      return PromiseReject(new RangeErrorCtor("ReadableStreamBYOBReader.read: options.min is larger than the view"));
    }
    if (reader.stream === undefined) return PromiseReject(releasedError("read"));
    const request = new PromiseReadRequest();
    byobReaderRead(reader, view, min, request);
    return request.promise;
  }

  releaseLock() {
    const reader = ReadableStreamBYOBReader.#of(this);
    if (reader === undefined) throw illegalInvocation("ReadableStreamBYOBReader", "releaseLock");
    if (reader.stream === undefined) return;
    readerRelease(reader);
  }
}

finishInterface(ReadableByteStreamController, "ReadableByteStreamController");
finishInterface(ReadableStreamBYOBRequest, "ReadableStreamBYOBRequest");
finishInterface(ReadableStreamBYOBReader, "ReadableStreamBYOBReader");

S.ReadableStreamBYOBReader = ReadableStreamBYOBReader;
S.setUpByteControllerFromSource = setUpByteControllerFromSource;
S.createReadableByteStream = createReadableByteStream;
S.byobReaderRead = byobReaderRead;
S.bcEnqueue = bcEnqueue;
S.bcClose = bcClose;
S.bcError = bcError;
S.bcRespond = bcRespond;
S.bcRespondWithNewView = bcRespondWithNewView;
S.bcGetBYOBRequest = bcGetBYOBRequest;
S.bcDesiredSize = bcDesiredSize;

nano.defineGlobal("ReadableByteStreamController", ReadableByteStreamController);
nano.defineGlobal("ReadableStreamBYOBRequest", ReadableStreamBYOBRequest);
nano.defineGlobal("ReadableStreamBYOBReader", ReadableStreamBYOBReader);

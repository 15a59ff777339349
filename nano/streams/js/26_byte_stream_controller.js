// Readable byte streams: the byte stream controller's records and abstract operations,
// and CreateReadableByteStream. The interfaces are in 26_byte_stream_interfaces.js.
// Spec: https://streams.spec.whatwg.org/#rbs-controller-class (internal slots and
// methods), #rbs-controller-abstract-ops
// Host operations: none.
//
// A byte controller record (ByteController below) keeps a queue of entries {buffer,
// byteOffset, byteLength} (buffers transferred from what the source enqueued) and a queue
// of pull-into descriptors (PullInto below) for BYOB reads and auto-allocated reads.
// Chunks handed to readers are Uint8Arrays (or the view type of a BYOB read) over those
// buffers: enqueueing transfers, it never copies, except when filling a BYOB read.

const S = nano.streams;
const {
  Queue, then, viewFacts, isDetached, bufferByteLength, transferBuffer, cloneArrayBuffer,
  Uint8ArrayCtor, TypedArraySet, ArrayBufferCtor, readableStreamClose, readableStreamError,
  fulfillRequest, hasDefaultReader, hasBYOBReader, StreamRecord, publish,
} = S;
const TypeErrorCtor = TypeError;
const RangeErrorCtor = RangeError;
const MathMin = Math.min;

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
    S.publishBYOBRequest(request);
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
  S.publishByteController(c);
  return c;
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

S.newByteController = newByteController;
S.setUpByteController = setUpByteController;
S.createReadableByteStream = createReadableByteStream;
S.byobReaderRead = byobReaderRead;
S.bcEnqueue = bcEnqueue;
S.bcClose = bcClose;
S.bcError = bcError;
S.bcRespond = bcRespond;
S.bcRespondWithNewView = bcRespondWithNewView;
S.bcGetBYOBRequest = bcGetBYOBRequest;
S.bcDesiredSize = bcDesiredSize;

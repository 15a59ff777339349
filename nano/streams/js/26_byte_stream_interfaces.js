// Readable byte streams: the interfaces ReadableByteStreamController,
// ReadableStreamBYOBRequest and ReadableStreamBYOBReader, and the set-up of a byte stream
// from an underlying byte source. The abstract operations are in
// 26_byte_stream_controller.js.
// Spec: https://streams.spec.whatwg.org/#rbs-controller-class, #rs-byob-request-class,
// #byob-reader-class, #set-up-readable-byte-stream-controller-from-underlying-source
// Host operations: none.

const S = nano.streams;
const {
  RESOLVED, PromiseReject, FunctionCall, isObject, toDictionary, toEnforcedUnsigned,
  illegalInvocation, illegalConstructor, invokePromise, finishInterface, viewFacts, isDetached,
  bufferByteLength, isPlainView, INTERNAL, readableStreamCancel, acquireReader, readerRelease,
  releasedError, PromiseReadRequest, returnUndefined, newByteController, setUpByteController,
  byobReaderRead, bcEnqueue, bcClose, bcError, bcRespond, bcRespondWithNewView, bcGetBYOBRequest,
  bcDesiredSize,
} = S;
const TypeErrorCtor = TypeError;
const RangeErrorCtor = RangeError;

let pending;

function publish(record, Interface) {
  pending = record;
  try {
    new Interface(INTERNAL);
  } finally {
    pending = undefined;
  }
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
S.publishByteController = (c) => publish(c, ReadableByteStreamController);
S.publishBYOBRequest = (request) => publish(request, ReadableStreamBYOBRequest);

nano.defineGlobal("ReadableByteStreamController", ReadableByteStreamController);
nano.defineGlobal("ReadableStreamBYOBRequest", ReadableStreamBYOBRequest);
nano.defineGlobal("ReadableStreamBYOBReader", ReadableStreamBYOBReader);

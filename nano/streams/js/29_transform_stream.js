// TransformStream and TransformStreamDefaultController, and the "set up" algorithm other
// specifications use (TextEncoderStream, TextDecoderStream, CompressionStream, ...).
// Spec: https://streams.spec.whatwg.org/#ts-class, #ts-default-controller-class,
// #ts-abstract-ops, #transformstream-set-up
// Host operations: none.
//
// A transform record {backpressure, backpressureChange (Deferred), controller, readable,
// writable (stream records), pub}; a controller record {stream, transformAlgorithm,
// flushAlgorithm, cancelAlgorithm, finish (Deferred or undefined), pub}.

const S = nano.streams;
const {
  Deferred, then, RESOLVED, PromiseReject, FunctionCall, isObject, toCallback,
  illegalInvocation, illegalConstructor, invokePromise, invokePromise2, convertStrategy,
  extractHighWaterMark, extractSizeAlgorithm, finishInterface, INTERNAL,
  createReadableStream, createWritableStream, dcEnqueue, dcClose, dcError, dcDesiredSize,
  dcCanCloseOrEnqueue, dcHasBackpressure, wcErrorIfNeeded,
} = S;
const TypeErrorCtor = TypeError;
const RangeErrorCtor = RangeError;
const PromisePrototype = Promise.prototype;
const ObjectGetPrototypeOf = Object.getPrototypeOf;

let pending;

class TransformRecord {
  constructor() {
    this.backpressure = undefined;
    this.backpressureChange = undefined;
    this.controller = undefined;
    this.readable = undefined;
    this.writable = undefined;
    this.pub = undefined;
  }
}

class TransformController {
  constructor(stream) {
    this.stream = stream;
    this.transformAlgorithm = undefined;
    this.flushAlgorithm = undefined;
    this.cancelAlgorithm = undefined;
    this.finish = undefined;
    this.pub = undefined;
    this.transformRejected = (r) => {
      transformStreamError(this.stream, r);
      throw r;
    };
  }
}

// --- abstract operations ---------------------------------------------------------------------

function initializeTransformStream(stream, startPromise, writableHWM, writableSize, readableHWM, readableSize) {
  const startAlgorithm = () => startPromise;
  stream.writable = createWritableStream(startAlgorithm, (chunk) => sinkWrite(stream, chunk),
    () => sinkClose(stream), (reason) => sinkAbort(stream, reason), writableHWM, writableSize);
  stream.readable = createReadableStream(startAlgorithm, () => sourcePull(stream),
    (reason) => sourceCancel(stream, reason), readableHWM, readableSize);
  stream.backpressure = undefined;
  stream.backpressureChange = undefined;
  setBackpressure(stream, true);
  stream.controller = undefined;
}

function transformStreamError(stream, e) {
  dcError(stream.readable.controller, e);
  errorWritableAndUnblockWrite(stream, e);
}

function errorWritableAndUnblockWrite(stream, e) {
  clearAlgorithms(stream.controller);
  wcErrorIfNeeded(stream.writable.controller, e);
  unblockWrite(stream);
}

function setBackpressure(stream, backpressure) {
  if (stream.backpressureChange !== undefined) stream.backpressureChange.resolve(undefined);
  stream.backpressureChange = new Deferred();
  stream.backpressure = backpressure;
}

function unblockWrite(stream) {
  if (stream.backpressure) setBackpressure(stream, false);
}

function clearAlgorithms(c) {
  c.transformAlgorithm = undefined;
  c.flushAlgorithm = undefined;
  c.cancelAlgorithm = undefined;
}

// TransformStreamDefaultControllerEnqueue.
function controllerEnqueue(c, chunk) {
  const stream = c.stream;
  const readableController = stream.readable.controller;
  if (!dcCanCloseOrEnqueue(readableController)) {
    throw new TypeErrorCtor("The readable side of the TransformStream is closed or errored");
  }
  try {
    dcEnqueue(readableController, chunk);
  } catch (e) {
    errorWritableAndUnblockWrite(stream, e);
    throw stream.readable.storedError;
  }
  if (dcHasBackpressure(readableController) !== stream.backpressure) setBackpressure(stream, true);
}

function controllerTerminate(c) {
  const stream = c.stream;
  dcClose(stream.readable.controller);
  errorWritableAndUnblockWrite(stream, new TypeErrorCtor("The TransformStream has been terminated"));
}

function performTransform(c, chunk) {
  return then(c.transformAlgorithm(chunk), undefined, c.transformRejected);
}

function sinkWrite(stream, chunk) {
  const c = stream.controller;
  if (stream.backpressure) {
    return then(stream.backpressureChange.promise, () => {
      const writable = stream.writable;
      if (writable.state === "erroring") throw writable.storedError;
      return performTransform(c, chunk);
    });
  }
  return performTransform(c, chunk);
}

function sinkAbort(stream, reason) {
  const c = stream.controller;
  if (c.finish !== undefined) return c.finish.promise;
  const readable = stream.readable;
  const finish = (c.finish = new Deferred());
  const cancelPromise = c.cancelAlgorithm(reason);
  clearAlgorithms(c);
  then(cancelPromise, () => {
    if (readable.state === "errored") {
      finish.reject(readable.storedError);
    } else {
      dcError(readable.controller, reason);
      finish.resolve(undefined);
    }
  }, (r) => {
    dcError(readable.controller, r);
    finish.reject(r);
  });
  return finish.promise;
}

function sinkClose(stream) {
  const c = stream.controller;
  if (c.finish !== undefined) return c.finish.promise;
  const readable = stream.readable;
  const finish = (c.finish = new Deferred());
  const flushPromise = c.flushAlgorithm();
  clearAlgorithms(c);
  then(flushPromise, () => {
    if (readable.state === "errored") {
      finish.reject(readable.storedError);
    } else {
      dcClose(readable.controller);
      finish.resolve(undefined);
    }
  }, (r) => {
    dcError(readable.controller, r);
    finish.reject(r);
  });
  return finish.promise;
}

function sourceCancel(stream, reason) {
  const c = stream.controller;
  if (c.finish !== undefined) return c.finish.promise;
  const writable = stream.writable;
  const finish = (c.finish = new Deferred());
  const cancelPromise = c.cancelAlgorithm(reason);
  clearAlgorithms(c);
  then(cancelPromise, () => {
    if (writable.state === "errored") {
      finish.reject(writable.storedError);
    } else {
      wcErrorIfNeeded(writable.controller, reason);
      unblockWrite(stream);
      finish.resolve(undefined);
    }
  }, (r) => {
    wcErrorIfNeeded(writable.controller, r);
    unblockWrite(stream);
    finish.reject(r);
  });
  return finish.promise;
}

function sourcePull(stream) {
  setBackpressure(stream, false);
  return stream.backpressureChange.promise;
}

function newTransformController(stream, transformAlgorithm, flushAlgorithm, cancelAlgorithm) {
  const c = new TransformController(stream);
  pending = c;
  try {
    new TransformStreamDefaultController(INTERNAL);
  } finally {
    pending = undefined;
  }
  stream.controller = c;
  c.transformAlgorithm = transformAlgorithm;
  c.flushAlgorithm = flushAlgorithm;
  c.cancelAlgorithm = cancelAlgorithm;
  return c;
}

// The Transformer dictionary (members in WebIDL order).
function convertTransformer(transformer) {
  if (transformer === undefined) {
    return { cancel: undefined, flush: undefined, readableType: undefined, start: undefined, transform: undefined, writableType: undefined };
  }
  const ctx = "Failed to construct 'TransformStream': transformer.";
  const cancel = toCallback(transformer.cancel, ctx + "cancel");
  const flush = toCallback(transformer.flush, ctx + "flush");
  const readableType = transformer.readableType;
  const start = toCallback(transformer.start, ctx + "start");
  const transform = toCallback(transformer.transform, ctx + "transform");
  const writableType = transformer.writableType;
  return { cancel, flush, readableType, start, transform, writableType };
}

// An algorithm result as the spec's "set up" wrappers take it: promises pass through,
// anything else is a promise of undefined, exceptions are rejections.
function wrapAlgorithm(algorithm) {
  if (algorithm === undefined) return () => RESOLVED;
  return (arg) => {
    let result;
    try {
      result = algorithm(arg);
    } catch (e) {
      return PromiseReject(e);
    }
    return isObject(result) && ObjectGetPrototypeOf(result) === PromisePrototype ? result : RESOLVED;
  };
}

// TransformStream "set up" (https://streams.spec.whatwg.org/#transformstream-set-up):
// returns the transform record (no public TransformStream: users such as
// TextEncoderStream expose its readable and writable sides).
function setUpTransformStream(transformAlgorithm, flushAlgorithm, cancelAlgorithm) {
  const stream = new TransformRecord();
  initializeTransformStream(stream, RESOLVED, 1, null, 0, null);
  newTransformController(stream, wrapAlgorithm(transformAlgorithm), wrapAlgorithm(flushAlgorithm),
    wrapAlgorithm(cancelAlgorithm));
  return stream;
}

// --- public interfaces ---------------------------------------------------------------------------

class TransformStream {
  #t;

  constructor(transformer = undefined, writableStrategy = undefined, readableStrategy = undefined) {
    if (transformer !== undefined && !isObject(transformer)) {
      throw new TypeErrorCtor("Failed to construct 'TransformStream': transformer is not an object");
    }
    const writableStrat = convertStrategy(writableStrategy, "Failed to construct 'TransformStream'");
    const readableStrat = convertStrategy(readableStrategy, "Failed to construct 'TransformStream'");
    const dict = convertTransformer(transformer);
    if (dict.readableType !== undefined) {
      throw new RangeErrorCtor("Failed to construct 'TransformStream': transformer.readableType must be undefined");
    }
    if (dict.writableType !== undefined) {
      throw new RangeErrorCtor("Failed to construct 'TransformStream': transformer.writableType must be undefined");
    }
    const readableHWM = extractHighWaterMark(readableStrat, 0);
    const readableSize = extractSizeAlgorithm(readableStrat);
    const writableHWM = extractHighWaterMark(writableStrat, 1);
    const writableSize = extractSizeAlgorithm(writableStrat);
    const stream = new TransformRecord();
    stream.pub = this;
    this.#t = stream;
    const startPromise = new Deferred();
    initializeTransformStream(stream, startPromise.promise, writableHWM, writableSize, readableHWM, readableSize);
    let c;
    const { transform, flush, cancel } = dict;
    const transformAlgorithm = transform === undefined
      ? (chunk) => {
        try {
          controllerEnqueue(c, chunk);
          return RESOLVED;
        } catch (e) {
          return PromiseReject(e);
        }
      }
      : (chunk) => invokePromise2(transform, transformer, chunk, c.pub);
    const flushAlgorithm = flush === undefined ? () => RESOLVED : () => invokePromise(flush, transformer, c.pub);
    const cancelAlgorithm = cancel === undefined ? () => RESOLVED : (reason) => invokePromise(cancel, transformer, reason);
    c = newTransformController(stream, transformAlgorithm, flushAlgorithm, cancelAlgorithm);
    if (dict.start !== undefined) startPromise.resolve(FunctionCall(dict.start, transformer, c.pub));
    else startPromise.resolve(undefined);
  }

  static {
    S.transformRecord = (value) => (isObject(value) && #t in value ? value.#t : undefined);
  }

  get readable() {
    return check(this, "readable").readable.pub;
  }

  get writable() {
    return check(this, "writable").writable.pub;
  }
}

function check(self, member) {
  const stream = S.transformRecord(self);
  if (stream === undefined) throw illegalInvocation("TransformStream", member);
  return stream;
}

class TransformStreamDefaultController {
  #c;

  constructor(token = undefined) {
    if (token !== INTERNAL) throw illegalConstructor("TransformStreamDefaultController");
    this.#c = pending;
    pending.pub = this;
  }

  static #check(self, member) {
    if (!isObject(self) || !(#c in self)) throw illegalInvocation("TransformStreamDefaultController", member);
    return self.#c;
  }

  get desiredSize() {
    const c = TransformStreamDefaultController.#check(this, "desiredSize");
    return dcDesiredSize(c.stream.readable.controller);
  }

  enqueue(chunk = undefined) {
    controllerEnqueue(TransformStreamDefaultController.#check(this, "enqueue"), chunk);
  }

  error(reason = undefined) {
    transformStreamError(TransformStreamDefaultController.#check(this, "error").stream, reason);
  }

  terminate() {
    controllerTerminate(TransformStreamDefaultController.#check(this, "terminate"));
  }
}

finishInterface(TransformStream, "TransformStream");
finishInterface(TransformStreamDefaultController, "TransformStreamDefaultController");

S.TransformStream = TransformStream;
S.setUpTransformStream = setUpTransformStream;
S.transformEnqueue = (stream, chunk) => controllerEnqueue(stream.controller, chunk);

nano.defineGlobal("TransformStream", TransformStream);
nano.defineGlobal("TransformStreamDefaultController", TransformStreamDefaultController);

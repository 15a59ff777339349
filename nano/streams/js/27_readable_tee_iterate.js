// Teeing readable streams (default and byte streams), ReadableStream.from, and the
// ReadableStream async iterator (for await, values({preventCancel})).
// Spec: https://streams.spec.whatwg.org/#readable-stream-tee, #abstract-opdef-readablebytestreamtee,
// #readable-stream-from-iterable, #rs-asynciterator; WebIDL async sequences and the
// asynchronous iterator prototype object (https://webidl.spec.whatwg.org/#js-async-iterable,
// #js-asynchronous-iterator-prototype-object).
// Host operations: none.
//
// Tee: each branch has its own queue; a read on either branch pulls one chunk from the
// source and enqueues it into both branches, so a slow branch accumulates what it has not
// read yet (no data is lost whatever the balance of reads). cloneForBranch2 (used by
// Request/Response.clone) gives branch 2 a structured clone of each chunk.

const S = nano.streams;
const {
  Deferred, then, RESOLVED, PromiseResolve, resolvedWith, PromiseReject, FunctionCall,
  isObject, queueMicrotask, illegalInvocation, cloneAsUint8Array, acquireReader,
  defaultReaderRead, readerRelease, readableStreamCancel, createReadableStream,
  createReadableByteStream, returnUndefined, dcEnqueue, dcClose, dcError, bcEnqueue, bcClose,
  bcError, bcRespond, bcRespondWithNewView, bcGetBYOBRequest, byobReaderRead,
} = S;
const TypeErrorCtor = TypeError;
const ObjectGetPrototypeOf = Object.getPrototypeOf;
const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const ObjectDefineProperty = Object.defineProperty;
const SymbolIterator = Symbol.iterator;
const SymbolAsyncIterator = Symbol.asyncIterator;
const SymbolToStringTag = Symbol.toStringTag;
const EMPTY_LIST = [];

// --- tee ------------------------------------------------------------------------------------

function readableStreamTee(stream, cloneForBranch2) {
  if (stream.controller.isByte) return byteStreamTee(stream);
  return defaultStreamTee(stream, cloneForBranch2);
}

function defaultStreamTee(stream, cloneForBranch2) {
  const reader = acquireReader(stream, false);
  let reading = false;
  let readAgain = false;
  let canceled1 = false;
  let canceled2 = false;
  let reason1;
  let reason2;
  let branch1;
  let branch2;
  let chunkInFlight;
  const cancelPromise = new Deferred();

  // At most one read is in flight (`reading`), so one pending chunk suffices.
  function deliver() {
    const chunk = chunkInFlight;
    chunkInFlight = undefined;
    readAgain = false;
    let chunk2 = chunk;
    if (!canceled2 && cloneForBranch2) {
      try {
        chunk2 = nano.structuredClone(chunk, EMPTY_LIST);
      } catch (e) {
        dcError(branch1.controller, e);
        dcError(branch2.controller, e);
        cancelPromise.resolve(readableStreamCancel(stream, e));
        return;
      }
    }
    if (!canceled1) dcEnqueue(branch1.controller, chunk);
    if (!canceled2) dcEnqueue(branch2.controller, chunk2);
    reading = false;
    if (readAgain) pullAlgorithm();
  }

  const readRequest = {
    chunkSteps(chunk) {
      chunkInFlight = chunk;
      queueMicrotask(deliver);
    },
    closeSteps() {
      reading = false;
      if (!canceled1) dcClose(branch1.controller);
      if (!canceled2) dcClose(branch2.controller);
      if (!canceled1 || !canceled2) cancelPromise.resolve(undefined);
    },
    errorSteps() {
      reading = false;
    },
  };

  function pullAlgorithm() {
    if (reading) {
      readAgain = true;
      return RESOLVED;
    }
    reading = true;
    defaultReaderRead(reader, readRequest);
    return RESOLVED;
  }

  function cancel1Algorithm(reason) {
    canceled1 = true;
    reason1 = reason;
    if (canceled2) cancelPromise.resolve(readableStreamCancel(stream, [reason1, reason2]));
    return cancelPromise.promise;
  }

  function cancel2Algorithm(reason) {
    canceled2 = true;
    reason2 = reason;
    if (canceled1) cancelPromise.resolve(readableStreamCancel(stream, [reason1, reason2]));
    return cancelPromise.promise;
  }

  branch1 = createReadableStream(returnUndefined, pullAlgorithm, cancel1Algorithm);
  branch2 = createReadableStream(returnUndefined, pullAlgorithm, cancel2Algorithm);
  then(reader.closed.promise, undefined, (r) => {
    dcError(branch1.controller, r);
    dcError(branch2.controller, r);
    if (!canceled1 || !canceled2) cancelPromise.resolve(undefined);
  });
  return [branch1, branch2];
}

function byteStreamTee(stream) {
  let reader = acquireReader(stream, false);
  let reading = false;
  let readAgainForBranch1 = false;
  let readAgainForBranch2 = false;
  let canceled1 = false;
  let canceled2 = false;
  let reason1;
  let reason2;
  let branch1;
  let branch2;
  const cancelPromise = new Deferred();

  function forwardReaderError(thisReader) {
    then(thisReader.closed.promise, undefined, (r) => {
      if (thisReader !== reader) return;
      bcError(branch1.controller, r);
      bcError(branch2.controller, r);
      if (!canceled1 || !canceled2) cancelPromise.resolve(undefined);
    });
  }

  function afterRead() {
    reading = false;
    if (readAgainForBranch1) pull1Algorithm();
    else if (readAgainForBranch2) pull2Algorithm();
  }

  function pullWithDefaultReader() {
    if (reader.byob) {
      readerRelease(reader);
      reader = acquireReader(stream, false);
      forwardReaderError(reader);
    }
    defaultReaderRead(reader, {
      chunkSteps(chunk) {
        queueMicrotask(() => {
          readAgainForBranch1 = false;
          readAgainForBranch2 = false;
          let chunk2 = chunk;
          if (!canceled1 && !canceled2) {
            try {
              chunk2 = cloneAsUint8Array(chunk);
            } catch (e) {
              bcError(branch1.controller, e);
              bcError(branch2.controller, e);
              cancelPromise.resolve(readableStreamCancel(stream, e));
              return;
            }
          }
          if (!canceled1) bcEnqueue(branch1.controller, chunk);
          if (!canceled2) bcEnqueue(branch2.controller, chunk2);
          afterRead();
        });
      },
      closeSteps() {
        reading = false;
        if (!canceled1) bcClose(branch1.controller);
        if (!canceled2) bcClose(branch2.controller);
        if (branch1.controller.pendingPullIntos.length > 0) bcRespond(branch1.controller, 0);
        if (branch2.controller.pendingPullIntos.length > 0) bcRespond(branch2.controller, 0);
        if (!canceled1 || !canceled2) cancelPromise.resolve(undefined);
      },
      errorSteps() {
        reading = false;
      },
    });
  }

  function pullWithBYOBReader(view, forBranch2) {
    if (!reader.byob) {
      readerRelease(reader);
      reader = acquireReader(stream, true);
      forwardReaderError(reader);
    }
    const byobBranch = forBranch2 ? branch2 : branch1;
    const otherBranch = forBranch2 ? branch1 : branch2;
    byobReaderRead(reader, view, 1, {
      chunkSteps(chunk) {
        queueMicrotask(() => {
          readAgainForBranch1 = false;
          readAgainForBranch2 = false;
          const byobCanceled = forBranch2 ? canceled2 : canceled1;
          const otherCanceled = forBranch2 ? canceled1 : canceled2;
          if (!otherCanceled) {
            let clonedChunk;
            try {
              clonedChunk = cloneAsUint8Array(chunk);
            } catch (e) {
              bcError(byobBranch.controller, e);
              bcError(otherBranch.controller, e);
              cancelPromise.resolve(readableStreamCancel(stream, e));
              return;
            }
            if (!byobCanceled) bcRespondWithNewView(byobBranch.controller, chunk);
            bcEnqueue(otherBranch.controller, clonedChunk);
          } else if (!byobCanceled) {
            bcRespondWithNewView(byobBranch.controller, chunk);
          }
          afterRead();
        });
      },
      closeSteps(chunk) {
        reading = false;
        const byobCanceled = forBranch2 ? canceled2 : canceled1;
        const otherCanceled = forBranch2 ? canceled1 : canceled2;
        if (!byobCanceled) bcClose(byobBranch.controller);
        if (!otherCanceled) bcClose(otherBranch.controller);
        if (chunk !== undefined) {
          if (!byobCanceled) bcRespondWithNewView(byobBranch.controller, chunk);
          if (!otherCanceled && otherBranch.controller.pendingPullIntos.length > 0) {
            bcRespond(otherBranch.controller, 0);
          }
        }
        if (!byobCanceled || !otherCanceled) cancelPromise.resolve(undefined);
      },
      errorSteps() {
        reading = false;
      },
    });
  }

  function pull1Algorithm() {
    if (reading) {
      readAgainForBranch1 = true;
      return RESOLVED;
    }
    reading = true;
    const byobRequest = bcGetBYOBRequest(branch1.controller);
    if (byobRequest === null) pullWithDefaultReader();
    else pullWithBYOBReader(byobRequest.view, false);
    return RESOLVED;
  }

  function pull2Algorithm() {
    if (reading) {
      readAgainForBranch2 = true;
      return RESOLVED;
    }
    reading = true;
    const byobRequest = bcGetBYOBRequest(branch2.controller);
    if (byobRequest === null) pullWithDefaultReader();
    else pullWithBYOBReader(byobRequest.view, true);
    return RESOLVED;
  }

  function cancel1Algorithm(reason) {
    canceled1 = true;
    reason1 = reason;
    if (canceled2) cancelPromise.resolve(readableStreamCancel(stream, [reason1, reason2]));
    return cancelPromise.promise;
  }

  function cancel2Algorithm(reason) {
    canceled2 = true;
    reason2 = reason;
    if (canceled1) cancelPromise.resolve(readableStreamCancel(stream, [reason1, reason2]));
    return cancelPromise.promise;
  }

  branch1 = createReadableByteStream(returnUndefined, pull1Algorithm, cancel1Algorithm);
  branch2 = createReadableByteStream(returnUndefined, pull2Algorithm, cancel2Algorithm);
  forwardReaderError(reader);
  return [branch1, branch2];
}

// --- async sequences (WebIDL) and ReadableStream.from -------------------------------------------

const END = { __proto__: null }; // "end of iteration"

// Converts to an async sequence and opens it: {iterator, next, sync}. Strings are iterated
// by code point (GetMethod on the primitive), as browsers and the WPT expect.
function openAsyncSequence(value) {
  if (value === null || value === undefined || (!isObject(value) && typeof value !== "string")) {
    throw new TypeErrorCtor("ReadableStream.from: the argument is not an iterable or async iterable");
  }
  let method = value[SymbolAsyncIterator];
  let sync = false;
  if (method === undefined || method === null) {
    method = value[SymbolIterator];
    if (method === undefined || method === null) {
      throw new TypeErrorCtor("ReadableStream.from: the argument is not an iterable or async iterable");
    }
    sync = true;
  }
  if (typeof method !== "function") {
    throw new TypeErrorCtor("ReadableStream.from: the argument's iterator method is not a function");
  }
  const iterator = FunctionCall(method, value);
  if (!isObject(iterator)) throw new TypeErrorCtor("ReadableStream.from: the iterator is not an object");
  return { iterator, next: iterator.next, sync };
}

function notAnObject() {
  return new TypeErrorCtor("The iterator result is not an object");
}

// Closes a sync iterator after a rejected value, keeping the original error.
function closeSyncQuietly(record) {
  try {
    const fn = record.iterator.return;
    if (fn !== undefined && fn !== null) FunctionCall(fn, record.iterator);
  } catch (e) {
    // IteratorClose with a throw completion keeps the original error.
  }
}

// "Get the next value": a promise of the value, or END.
function iteratorNextValue(record) {
  let result;
  try {
    result = FunctionCall(record.next, record.iterator);
    if (!isObject(result)) throw notAnObject();
  } catch (e) {
    return PromiseReject(e);
  }
  if (record.sync) {
    // CreateAsyncFromSyncIterator: the value is awaited.
    let done;
    let wrapper;
    try {
      done = !!result.done;
      wrapper = PromiseResolve(result.value);
    } catch (e) {
      if (done === false) closeSyncQuietly(record);
      return PromiseReject(e);
    }
    return then(wrapper, (v) => (done ? END : v), (e) => {
      if (!done) closeSyncQuietly(record);
      throw e;
    });
  }
  return then(resolvedWith(result), (iterResult) => {
    if (!isObject(iterResult)) throw notAnObject();
    if (iterResult.done) return END;
    return iterResult.value;
  });
}

// "Close an async iterator" with a reason.
function closeAsyncIterator(record, reason) {
  const iterator = record.iterator;
  let result;
  try {
    const returnMethod = iterator.return;
    if (returnMethod === undefined || returnMethod === null) return RESOLVED;
    if (typeof returnMethod !== "function") throw new TypeErrorCtor("The iterator's return is not a function");
    result = FunctionCall(returnMethod, iterator, reason);
    if (record.sync) {
      if (!isObject(result)) throw notAnObject();
      return then(PromiseResolve(result.value), returnUndefined);
    }
  } catch (e) {
    return PromiseReject(e);
  }
  return then(resolvedWith(result), (r) => {
    if (!isObject(r)) throw notAnObject();
    return undefined;
  });
}

function readableStreamFromIterable(asyncIterable) {
  const record = openAsyncSequence(asyncIterable);
  let stream;
  const onValue = (v) => {
    if (v === END) dcClose(stream.controller);
    else dcEnqueue(stream.controller, v);
  };
  const onError = (r) => dcError(stream.controller, r);
  const pullAlgorithm = () => then(iteratorNextValue(record), onValue, onError);
  const cancelAlgorithm = (reason) => closeAsyncIterator(record, reason);
  stream = createReadableStream(returnUndefined, pullAlgorithm, cancelAlgorithm, 0);
  return stream;
}

// --- the ReadableStream async iterator ------------------------------------------------------------

const AsyncIteratorPrototype = ObjectGetPrototypeOf(ObjectGetPrototypeOf(async function* () {}).prototype);

class IteratorRecord {
  constructor(reader, preventCancel) {
    this.reader = reader;
    this.preventCancel = preventCancel;
    this.ongoing = null;
    this.finished = false;
  }
}

// "Get the next iteration result": a promise of the chunk, or END.
function nextIterationResult(it) {
  const reader = it.reader;
  const deferred = new Deferred();
  defaultReaderRead(reader, {
    chunkSteps(chunk) {
      deferred.resolve(chunk);
    },
    closeSteps() {
      readerRelease(reader);
      deferred.resolve(END);
    },
    errorSteps(e) {
      readerRelease(reader);
      deferred.reject(e);
    },
  });
  return deferred.promise;
}

class ReadableStreamAsyncIterator {
  #it;

  constructor(record) {
    this.#it = record;
  }

  static #of(self) {
    return isObject(self) && #it in self ? self.#it : undefined;
  }

  next() {
    const it = ReadableStreamAsyncIterator.#of(this);
    if (it === undefined) return PromiseReject(illegalInvocation("ReadableStream AsyncIterator", "next"));
    const nextSteps = () => {
      if (it.finished) return PromiseResolve({ value: undefined, done: true });
      return then(nextIterationResult(it), (next) => {
        it.ongoing = null;
        if (next === END) {
          it.finished = true;
          return { value: undefined, done: true };
        }
        return { value: next, done: false };
      }, (reason) => {
        it.ongoing = null;
        it.finished = true;
        throw reason;
      });
    };
    it.ongoing = it.ongoing !== null ? then(it.ongoing, nextSteps, nextSteps) : nextSteps();
    return it.ongoing;
  }

  return(value) {
    const it = ReadableStreamAsyncIterator.#of(this);
    if (it === undefined) return PromiseReject(illegalInvocation("ReadableStream AsyncIterator", "return"));
    const returnSteps = () => {
      if (it.finished) return PromiseResolve({ value, done: true });
      it.finished = true;
      const reader = it.reader;
      if (!it.preventCancel) {
        const result = readableStreamCancel(reader.stream, value);
        readerRelease(reader);
        return result;
      }
      readerRelease(reader);
      return RESOLVED;
    };
    it.ongoing = it.ongoing !== null ? then(it.ongoing, returnSteps, returnSteps) : returnSteps();
    return then(it.ongoing, () => ({ value, done: true }));
  }
}

const IteratorProto = ReadableStreamAsyncIterator.prototype;
Object.setPrototypeOf(IteratorProto, AsyncIteratorPrototype);
delete IteratorProto.constructor;
for (const name of ["next", "return"]) {
  const desc = ObjectGetOwnPropertyDescriptor(IteratorProto, name);
  desc.enumerable = true;
  ObjectDefineProperty(IteratorProto, name, desc);
}
ObjectDefineProperty(IteratorProto, SymbolToStringTag, {
  value: "ReadableStream AsyncIterator", writable: false, enumerable: false, configurable: true,
});

function createAsyncIterator(stream, preventCancel) {
  const reader = acquireReader(stream, false);
  return new ReadableStreamAsyncIterator(new IteratorRecord(reader, preventCancel));
}

S.readableStreamTee = readableStreamTee;
S.readableStreamFromIterable = readableStreamFromIterable;
S.createAsyncIterator = createAsyncIterator;

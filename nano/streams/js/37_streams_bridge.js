// Internal entry points of the streams implementation for the rest of the runtime: the
// Body mixin (51_body.js), Blob.stream() (55_blob.js) and the request/response body
// bridges. They work on the records directly, so user patches of the public stream
// methods never affect them.
// Spec: https://fetch.spec.whatwg.org/#concept-body (bodies as streams: "fully read",
// "clone a body" via tee with cloneForBranch2), https://streams.spec.whatwg.org/#other-specs-rs
// ("set up with byte reading support", "pull from bytes", "read all bytes").
// Host operations: none.
//
// What this file puts on `nano`:
//   nano.isReadableStream(v), nano.readableStreamIsDisturbed(s), nano.readableStreamIsLocked(s)
//   nano.readableStreamTee(s) -> [branch1, branch2] (branch 2 gets structured clones)
//   nano.readableStreamFromBytes(u8) -> a byte stream of those bytes (takes them over;
//     one chunk when they fit in 64 KiB, else 64 KiB copies; BYOB reads filled directly)
//   nano.readableStreamReadAll(s, limit) -> Promise<Uint8Array>: every chunk (each must be a
//     Uint8Array, else the promise rejects with a TypeError and the stream is cancelled);
//     limit null, or {bytes, message}: more than that many bytes rejects with a
//     TypeError(message) and cancels the stream
//   nano.readableStreamReader(s) -> an opaque reader (TypeError if locked);
//   nano.readableStreamRead(reader, onChunk(chunk), onClose(), onError(e)): one read, the
//     callbacks run synchronously when a chunk is already queued;
//   nano.readableStreamReaderCancel(reader, reason) -> Promise; nano.readableStreamReaderRelease(reader)
//   nano.createByteSource(pull, cancel, highWaterMark) -> {stream, enqueue(u8), close(),
//     error(e), desiredSize()}: a byte stream fed from outside (enqueue takes the
//     Uint8Array over without copying); pull() runs when the stream wants more and
//     cancel(reason) when the consumer cancels.

const S = nano.streams;
const {
  Deferred, markHandled, RESOLVED, Uint8ArrayCtor, TypedArraySet, TypedArrayTag,
  TypedArrayByteLength, TypedArrayBuffer, TypedArrayByteOffset, acquireReader,
  defaultReaderRead, readerRelease, readableStreamCancel, readableStreamTee,
  createReadableByteStream, bcEnqueue, bcClose, bcError, bcRespond, bcGetBYOBRequest,
  bcDesiredSize, returnUndefined, bufferByteLength, cloneBytes,
} = S;
const TypeErrorCtor = TypeError;
const MathMin = Math.min;

const CHUNK = 64 * 1024;

// A chunk a byte stream may take over: a view of a whole buffer. A view of part of a
// buffer is copied, so that transferring one chunk (as byte streams do) never detaches
// bytes of another.
function ownChunk(buffer, byteOffset, byteLength) {
  if (byteOffset === 0 && byteLength === bufferByteLength(buffer)) return new Uint8ArrayCtor(buffer, 0, byteLength);
  return cloneBytes(buffer, byteOffset, byteLength);
}

function record(stream) {
  const r = S.readableRecord(stream);
  if (r === undefined) throw new TypeErrorCtor("nano: not a ReadableStream");
  return r;
}

nano.isReadableStream = function isReadableStream(value) {
  return S.readableRecord(value) !== undefined;
};

nano.readableStreamIsDisturbed = function readableStreamIsDisturbed(stream) {
  return record(stream).disturbed;
};

nano.readableStreamIsLocked = function readableStreamIsLocked(stream) {
  return record(stream).reader !== undefined;
};

nano.readableStreamTee = function tee(stream) {
  const branches = readableStreamTee(record(stream), true);
  return [branches[0].pub, branches[1].pub];
};

// "Pull from bytes": fills a pending BYOB request, else enqueues the next chunk.
nano.readableStreamFromBytes = function readableStreamFromBytes(bytes) {
  const total = TypedArrayByteLength(bytes);
  const buffer = TypedArrayBuffer(bytes);
  const base = TypedArrayByteOffset(bytes);
  let offset = 0;
  let stream;
  const pull = () => {
    const c = stream.controller;
    if (offset >= total) {
      bcClose(c);
      if (c.pendingPullIntos.length > 0) bcRespond(c, 0);
      return RESOLVED;
    }
    const request = bcGetBYOBRequest(c);
    if (request !== null) {
      const view = request.view;
      const n = MathMin(TypedArrayByteLength(view), total - offset);
      TypedArraySet(view, new Uint8ArrayCtor(buffer, base + offset, n));
      offset += n;
      bcRespond(c, n);
    } else {
      const n = MathMin(CHUNK, total - offset);
      bcEnqueue(c, ownChunk(buffer, base + offset, n), true);
      offset += n;
    }
    if (offset >= total && c.stream.state === "readable") {
      bcClose(c);
      if (c.pendingPullIntos.length > 0) bcRespond(c, 0);
    }
    return RESOLVED;
  };
  stream = createReadableByteStream(returnUndefined, pull, () => RESOLVED);
  return stream.pub;
};

function concat(chunks, total) {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8ArrayCtor(total);
  let offset = 0;
  for (let i = 0; i < chunks.length; i++) {
    TypedArraySet(out, chunks[i], offset);
    offset += TypedArrayByteLength(chunks[i]);
  }
  return out;
}

nano.readableStreamReadAll = function readableStreamReadAll(streamValue, limit = null) {
  const stream = record(streamValue);
  const reader = acquireReader(stream, false);
  const result = new Deferred();
  const chunks = [];
  let total = 0;
  let looping = false;
  let reading = false;
  const request = {
    chunkSteps(chunk) {
      reading = false;
      if (TypedArrayTag(chunk) !== "Uint8Array") {
        const error = new TypeErrorCtor("A body stream chunk is not a Uint8Array");
        result.reject(error);
        markHandled(readableStreamCancel(stream, error));
        return;
      }
      chunks[chunks.length] = chunk;
      total += TypedArrayByteLength(chunk);
      if (limit !== null && total > limit.bytes) {
        const error = new TypeErrorCtor(limit.message);
        chunks.length = 0;
        result.reject(error);
        markHandled(readableStreamCancel(stream, error));
        return;
      }
      if (!looping) loop();
    },
    closeSteps() {
      reading = false;
      result.resolve(concat(chunks, total));
    },
    errorSteps(e) {
      reading = false;
      result.reject(e);
    },
  };
  function loop() {
    looping = true;
    while (!result.settled && !reading) {
      reading = true;
      defaultReaderRead(reader, request);
    }
    looping = false;
  }
  loop();
  return result.promise;
};

nano.readableStreamReader = function readableStreamReader(stream) {
  return acquireReader(record(stream), false);
};

nano.readableStreamRead = function readableStreamRead(reader, onChunk, onClose, onError) {
  if (reader.stream === undefined) {
    onError(new TypeErrorCtor("The reader has been released"));
    return;
  }
  defaultReaderRead(reader, { chunkSteps: onChunk, closeSteps: onClose, errorSteps: onError });
};

nano.readableStreamReaderCancel = function readableStreamReaderCancel(reader, reason) {
  if (reader.stream === undefined) return RESOLVED;
  return readableStreamCancel(reader.stream, reason);
};

nano.readableStreamReaderRelease = function readableStreamReaderRelease(reader) {
  if (reader.stream !== undefined) readerRelease(reader);
};

nano.createByteSource = function createByteSource(pull, cancel, highWaterMark = 0) {
  const wrap = (fn) => (arg) => {
    try {
      fn(arg);
    } catch (e) {
      nano.reportError(e);
    }
    return RESOLVED;
  };
  const stream = createReadableByteStream(returnUndefined, pull === undefined ? () => RESOLVED : wrap(pull),
    cancel === undefined ? () => RESOLVED : wrap(cancel), highWaterMark);
  const c = stream.controller;
  return {
    stream: stream.pub,
    enqueue(bytes) {
      const n = TypedArrayByteLength(bytes);
      if (n > 0) bcEnqueue(c, ownChunk(TypedArrayBuffer(bytes), TypedArrayByteOffset(bytes), n), true);
    },
    close() {
      bcClose(c);
      if (c.pendingPullIntos.length > 0 && stream.state === "closed") bcRespond(c, 0);
    },
    error(e) {
      bcError(c, e);
    },
    desiredSize() {
      return bcDesiredSize(c);
    },
  };
};

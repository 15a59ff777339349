// The bodies of outbound fetch(): the response body as a ReadableStream fed by Python,
// and a ReadableStream request body sent to Python as Python asks for it. Both ways
// flow control is credit: the side that receives grants bytes, the side that sends
// never sends more than it was granted.
// Spec: https://fetch.spec.whatwg.org/#http-network-fetch (the response body is a
// stream "set up with byte reading support"; pulling it lets the user agent read more
// from the network), #concept-request-transmit-body (the request body is read one
// chunk at a time while the network wants more), #abort-fetch (aborting errors the
// response body's stream and cancels the request body's).
// Host ops sent: "call" "fetch_credit" [handle, nbytes] (the stream wants more: Python
//   may send that many more bytes), "call" "fetch_cancel" [handle] (the body is not
//   wanted: the connection is closed), "call" "fetch_body_write" [handle, index] (a
//   copy of the chunk attached with nano.attachBytes: no base64 this way),
//   "call" "fetch_body_close" [handle], "call" "fetch_body_error" [handle, message]
//   (see nano/fetch/ops.py).
// Host ops received: "fetch_chunk" [handle, base64], "fetch_end" [handle],
//   "fetch_error" [handle, errorName, message] (the response body, sent only within
//   the credit granted); "fetch_body_pull" [handle, nbytes] (Python may take that many
//   more request body bytes), "fetch_body_cancel" [handle, message] (the request
//   body is not wanted any more: the connection closed, or the server answered).
//
// What 57_fetch.js gets:
//   nano.FETCH_WINDOW: the credit a response body starts with (the `window` of the
//     fetch call) and its stream's high-water mark.
//   nano.openFetchBody(handle) -> body: registers a response body before its fetch
//     call is sent (chunks may arrive before the call's result); body.stream is its
//     ReadableStream (a byte stream); body.onDone() runs once when it ended, failed or
//     was cancelled.
//   nano.dropFetchBody(body, cancel): the body is not used (no body, a redirect);
//     cancel also closes the connection.
//   nano.abortFetchBody(body, reason): errors the stream with reason, closes the
//     connection (a no-op once the body is over).
//   nano.startFetchUpload(handle, stream, onError) -> upload: takes a reader of the
//     stream (TypeError if it is locked) and sends its chunks as Python pulls them;
//     onError(error) runs when the stream fails or produces a chunk that is not a
//     Uint8Array (the upload is then aborted in Python).
//   nano.cancelFetchUpload(upload, reason): cancels the stream (a no-op once it is over).

const ReflectApply = Reflect.apply;
const PromisePrototypeThen = Promise.prototype.then;
const MapCtor = Map;
const MapPrototypeGet = Map.prototype.get;
const MapPrototypeSet = Map.prototype.set;
const MapPrototypeDelete = Map.prototype.delete;
const StringCtor = String;
const TypeErrorCtor = TypeError;
const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype);
const TypedArrayByteLength = Object.getOwnPropertyDescriptor(TypedArrayPrototype, "byteLength").get;
const TypedArrayTag = Object.getOwnPropertyDescriptor(TypedArrayPrototype, Symbol.toStringTag).get;
const describeError = nano.describeError;

// Bytes a response body may hold in JS before it is read (queued plus in flight).
// Measured while chunks still crossed as base64: 1 MiB (79_body_pump.js's window) cost
// 10-15% less CPU per streamed MiB, but the larger dispatches (over 1 MB of JSON
// text) made twistd's RSS grow with the body (60-72 MiB while proxying 90 MB each
// way, against a flat 10 MiB with 256 KiB; test_fetch_stream_e2e,
// bench/fetch_stream.py). A window's worth of chunks also fits one half (1 MiB) of
// the inbound buffer that carries them now.
const WINDOW = 256 * 1024;
// Credit is granted in steps of at least this much (fewer messages); a reader waiting
// on an empty queue always has more than this in flight or granted.
const MIN_GRANT = 64 * 1024;

function ignore() {}

function call(op, args) {
  ReflectApply(PromisePrototypeThen, nano.hostCall(op, args), [undefined, ignore]);
}

// --- response bodies --------------------------------------------------------------------

const bodies = new MapCtor(); // handle -> body

function finishBody(body) {
  if (body.done) return false;
  body.done = true;
  ReflectApply(MapPrototypeDelete, bodies, [body.handle]);
  const onDone = body.onDone;
  body.onDone = null;
  if (onDone !== null) onDone();
  return true;
}

// The stream wants more: grant what keeps queued + in flight within its high-water mark.
function pullBody(body) {
  if (body.done || body.source === null) return;
  const inFlight = body.granted - body.received;
  const want = body.source.desiredSize() - inFlight;
  if (want >= MIN_GRANT) {
    body.granted += want;
    call("fetch_credit", [body.handle, want]);
  }
}

function cancelBody(body) {
  if (finishBody(body)) call("fetch_cancel", [body.handle]);
}

nano.FETCH_WINDOW = WINDOW;

nano.openFetchBody = function openFetchBody(handle) {
  const body = { handle, source: null, stream: null, received: 0, granted: WINDOW, done: false, onDone: null };
  body.source = nano.createByteSource(() => pullBody(body), () => cancelBody(body), WINDOW);
  body.stream = body.source.stream;
  ReflectApply(MapPrototypeSet, bodies, [handle, body]);
  return body;
};

nano.dropFetchBody = function dropFetchBody(body, cancel) {
  if (finishBody(body) && cancel) call("fetch_cancel", [body.handle]);
};

nano.abortFetchBody = function abortFetchBody(body, reason) {
  if (!finishBody(body)) return;
  body.source.error(reason);
  call("fetch_cancel", [body.handle]);
};

nano.onMessage("fetch_chunk", function fetchChunk(handle, data) {
  const body = ReflectApply(MapPrototypeGet, bodies, [handle]);
  if (body === undefined) return;
  const bytes = nano.base64ToBytes(data);
  body.received += ReflectApply(TypedArrayByteLength, bytes, []);
  body.source.enqueue(bytes);
});

nano.onMessage("fetch_end", function fetchEnd(handle) {
  const body = ReflectApply(MapPrototypeGet, bodies, [handle]);
  if (body === undefined) return;
  finishBody(body);
  body.source.close();
});

nano.onMessage("fetch_error", function fetchError(handle, name, message) {
  const body = ReflectApply(MapPrototypeGet, bodies, [handle]);
  if (body === undefined) return;
  finishBody(body);
  body.source.error(nano.hostError(name, message));
});

// --- request bodies ---------------------------------------------------------------------

const uploads = new MapCtor(); // handle -> upload

function endUpload(upload) {
  if (upload.done) return false;
  upload.done = true;
  ReflectApply(MapPrototypeDelete, uploads, [upload.handle]);
  return true;
}

function uploadFailed(upload, error) {
  if (!endUpload(upload)) return;
  call("fetch_body_error", [upload.handle, describeError(error)]);
  upload.onError(error);
}

function gotUploadChunk(upload, chunk) {
  upload.reading = false;
  if (upload.done) return;
  if (ReflectApply(TypedArrayTag, chunk, []) !== "Uint8Array") {
    const error = new TypeErrorCtor("fetch: a request body stream must produce Uint8Array chunks, got " +
      (chunk === null ? "null" : typeof chunk === "object" ? "an object" : typeof chunk));
    ReflectApply(PromisePrototypeThen, nano.readableStreamReaderCancel(upload.reader, error), [undefined, ignore]);
    uploadFailed(upload, error);
    return;
  }
  const length = ReflectApply(TypedArrayByteLength, chunk, []);
  if (length > 0) {
    // attachBytes copies the bytes at once: the producer may reuse its chunk.
    call("fetch_body_write", [upload.handle, nano.attachBytes(chunk)]);
    upload.credit -= length;
  }
  if (!upload.looping) pumpUpload(upload);
}

function uploadClosed(upload) {
  upload.reading = false;
  if (endUpload(upload)) call("fetch_body_close", [upload.handle]);
}

// Reads while Python's credit lasts; the reader's callbacks run synchronously when a
// chunk is queued, so this loops instead of recursing.
function pumpUpload(upload) {
  upload.looping = true;
  while (!upload.done && !upload.reading && upload.credit > 0) {
    upload.reading = true;
    nano.readableStreamRead(upload.reader, (chunk) => gotUploadChunk(upload, chunk),
      () => uploadClosed(upload), (e) => { upload.reading = false; uploadFailed(upload, e); });
  }
  upload.looping = false;
}

nano.startFetchUpload = function startFetchUpload(handle, stream, onError) {
  const reader = nano.readableStreamReader(stream);
  const upload = { handle, reader, credit: 0, reading: false, looping: false, done: false, onError };
  ReflectApply(MapPrototypeSet, uploads, [handle, upload]);
  return upload;
};

nano.cancelFetchUpload = function cancelFetchUpload(upload, reason) {
  if (!endUpload(upload)) return;
  ReflectApply(PromisePrototypeThen, nano.readableStreamReaderCancel(upload.reader, reason), [undefined, ignore]);
};

nano.onMessage("fetch_body_pull", function fetchBodyPull(handle, nbytes) {
  const upload = ReflectApply(MapPrototypeGet, uploads, [handle]);
  if (upload === undefined) return;
  upload.credit += nbytes;
  if (!upload.looping) pumpUpload(upload);
});

nano.onMessage("fetch_body_cancel", function fetchBodyCancel(handle, message) {
  const upload = ReflectApply(MapPrototypeGet, uploads, [handle]);
  if (upload !== undefined) nano.cancelFetchUpload(upload, new TypeErrorCtor(StringCtor(message)));
});

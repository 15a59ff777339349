// The Body mixin shared by `Request` and `Response`, and body extraction.
// Spec: https://fetch.spec.whatwg.org/#body-mixin, #concept-bodyinit-extract,
// #concept-body-consume-body.
// Host operations: none.
//
// A body is an internal record (never exposed):
//   {kind, source, length, type, disturbed, shared}
//   kind "string": source is the JS string given by the app (encoded to UTF-8 only when
//                  bytes are needed; text() and the bridge use the string as is);
//                  length is null (not computed)
//   kind "bytes":  source is a Uint8Array owned by the body; length its byteLength
//   kind "blob":   source is a Blob (only when a Blob global exists); length its size
//   kind "stream": source is a ReadableStream; length null; readLimit (optional):
//                  null or {bytes, message}: reading the body whole (the Body methods)
//                  rejects with a TypeError(message) past that many bytes (fetched
//                  responses, 57_fetch.js)
//   type:      the Content-Type the extraction produced, or null
//   disturbed: set once the body is read (bodyUsed)
//   shared:    the bytes are shared with a clone, so they are copied when handed out
//
// Streams are plugged in by the streams implementation (nano/streams/js/): `.body`
// returns a stream when `globalThis.ReadableStream` exists at call time (otherwise
// null), created once and then the body's only source. These optional hooks are used
// when present on `nano`, else the public stream API is used:
//   nano.isReadableStream(v), nano.readableStreamIsDisturbed(s), nano.readableStreamIsLocked(s),
//   nano.readableStreamTee(s) -> [branch1, branch2],
//   nano.readableStreamFromBytes(u8), nano.readableStreamReadAll(s, readLimit) -> Promise<Uint8Array>
// Other optional hooks: nano.utf8DecodeStripBOM/utf8DecodeWithoutBOM (20_encoding.js), TextEncoder
// (23_text_encoding.js, captured at load),
// nano.parseUrlencoded(text) and nano.serializeUrlencoded/urlSearchParamsList
// (34_urlsearchparams.js), nano.isBlob(v), nano.blobBytes(blob) -> Uint8Array
// (synchronous), nano.isFormData(v).
//
// Uses nano.extractMimeType/serializeMimeType (50_mime.js).
//
// Internals put on `nano`: extractBody, cloneBody, bodyIsUnusable, bodyStringOrBytes,
// blobBytesOf, installBodyMixin, bodyBytes(record) -> Uint8Array (not a copy: never
// write to it) or a promise of one (streams).

const PromiseCtor = Promise;
const PromiseResolve = Promise.resolve.bind(Promise);
const PromiseReject = Promise.reject.bind(Promise);
const PromisePrototypeThen = Promise.prototype.then;
const ReflectApply = Reflect.apply;
const ObjectDefineProperty = Object.defineProperty;
const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const ObjectGetPrototypeOf = Object.getPrototypeOf;
const StringCtor = String;
const TypeErrorCtor = TypeError;
const Uint8ArrayCtor = Uint8Array;
const ArrayBufferIsView = ArrayBuffer.isView;
const JSONParse = JSON.parse;
const StringFromCharCode = String.fromCharCode;
const StringPrototypeToWellFormed = String.prototype.toWellFormed;
const TypedArrayPrototype = ObjectGetPrototypeOf(Uint8Array.prototype);
const getter = (proto, name) => ObjectGetOwnPropertyDescriptor(proto, name).get;
const ArrayBufferByteLength = getter(ArrayBuffer.prototype, "byteLength");
const ArrayBufferSlice = ArrayBuffer.prototype.slice;
const TypedArrayBuffer = getter(TypedArrayPrototype, "buffer");
const TypedArrayByteOffset = getter(TypedArrayPrototype, "byteOffset");
const TypedArrayByteLength = getter(TypedArrayPrototype, "byteLength");
const DataViewBuffer = getter(DataView.prototype, "buffer");
const DataViewByteOffset = getter(DataView.prototype, "byteOffset");
const DataViewByteLength = getter(DataView.prototype, "byteLength");
const TypedArraySlice = TypedArrayPrototype.slice;
const TypedArrayToStringTag = getter(TypedArrayPrototype, Symbol.toStringTag);

const TEXT_PLAIN = "text/plain;charset=UTF-8";
const FORM_URLENCODED = "application/x-www-form-urlencoded;charset=UTF-8";
const EMPTY = new Uint8ArrayCtor(0);

function then(promise, onFulfilled, onRejected) {
  return ReflectApply(PromisePrototypeThen, promise, [onFulfilled, onRejected]);
}

// --- UTF-8 (23_text_encoding.js's encoder and 20_encoding.js's decoder when present;
// the fallbacks keep this file usable without them) ------------------------------------

const TextEncoderAtLoad = globalThis.TextEncoder;
const textEncoder = typeof TextEncoderAtLoad === "function" ? new TextEncoderAtLoad() : null;
const TextEncoderEncode = textEncoder === null ? null : TextEncoderAtLoad.prototype.encode;

function utf8Encode(s) {
  if (textEncoder !== null) return ReflectApply(TextEncoderEncode, textEncoder, [s]);
  s = ReflectApply(StringPrototypeToWellFormed, s, []);
  const out = new Uint8ArrayCtor(s.length * 3);
  let j = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out[j++] = c;
    } else if (c < 0x800) {
      out[j++] = 0xc0 | (c >> 6);
      out[j++] = 0x80 | (c & 63);
    } else if (c >= 0xd800 && c < 0xdc00) {
      c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
      out[j++] = 0xf0 | (c >> 18);
      out[j++] = 0x80 | ((c >> 12) & 63);
      out[j++] = 0x80 | ((c >> 6) & 63);
      out[j++] = 0x80 | (c & 63);
    } else {
      out[j++] = 0xe0 | (c >> 12);
      out[j++] = 0x80 | ((c >> 6) & 63);
      out[j++] = 0x80 | (c & 63);
    }
  }
  return ReflectApply(TypedArraySlice, out, [0, j]);
}

// UTF-8 decode (https://encoding.spec.whatwg.org/#utf-8-decode): BOM stripped, errors
// replaced by U+FFFD.
function utf8Decode(bytes, keepBOM = false) {
  if (keepBOM) {
    if (typeof nano.utf8DecodeWithoutBOM === "function") return nano.utf8DecodeWithoutBOM(bytes);
  } else if (typeof nano.utf8DecodeStripBOM === "function") {
    return nano.utf8DecodeStripBOM(bytes);
  }
  let i = !keepBOM && bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let out = "";
  let chunk = [];
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i];
    let cp = 0xfffd;
    let need = 0;
    let lower = 0x80;
    let upper = 0xbf;
    if (b < 0x80) { cp = b; i++; }
    else if (b >= 0xc2 && b <= 0xdf) { need = 1; cp = b & 0x1f; }
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2; cp = b & 0xf;
      if (b === 0xe0) lower = 0xa0;
      if (b === 0xed) upper = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3; cp = b & 7;
      if (b === 0xf0) lower = 0x90;
      if (b === 0xf4) upper = 0x8f;
    } else { i++; }
    if (need > 0) {
      i++;
      let ok = true;
      for (let k = 0; k < need; k++) {
        const c = bytes[i];
        if (i >= n || c < lower || c > upper) { ok = false; break; }
        lower = 0x80; upper = 0xbf;
        cp = (cp << 6) | (c & 0x3f);
        i++;
      }
      if (!ok) cp = 0xfffd;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      chunk[chunk.length] = 0xd800 + (cp >> 10);
      chunk[chunk.length] = 0xdc00 + (cp & 0x3ff);
    } else {
      chunk[chunk.length] = cp;
    }
    if (chunk.length > 8000) {
      out += ReflectApply(StringFromCharCode, null, chunk);
      chunk = [];
    }
  }
  return out + ReflectApply(StringFromCharCode, null, chunk);
}

// --- brand checks for the optional body types (looked up at call time) -----------------

function isArrayBuffer(v) {
  try {
    ReflectApply(ArrayBufferByteLength, v, []);
    return true;
  } catch {
    return false;
  }
}

function isReadableStream(v) {
  if (typeof nano.isReadableStream === "function") return nano.isReadableStream(v);
  const RS = globalThis.ReadableStream;
  return typeof RS === "function" && v instanceof RS;
}

function isBlob(v) {
  if (typeof nano.isBlob === "function") return nano.isBlob(v);
  const B = globalThis.Blob;
  return typeof B === "function" && v instanceof B;
}

function isFormData(v) {
  if (typeof nano.isFormData === "function") return nano.isFormData(v);
  const F = globalThis.FormData;
  return typeof F === "function" && v instanceof F;
}

function isURLSearchParams(v) {
  return nano.isURLSearchParams(v);
}

function streamIsDisturbed(s) {
  return typeof nano.readableStreamIsDisturbed === "function" ? nano.readableStreamIsDisturbed(s) : false;
}

function streamIsLocked(s) {
  if (typeof nano.readableStreamIsLocked === "function") return nano.readableStreamIsLocked(s);
  return s.locked === true;
}

// --- extraction (https://fetch.spec.whatwg.org/#concept-bodyinit-extract) ----------------

function record(kind, source, length, type) {
  return { kind, source, length, type, disturbed: false, shared: false };
}

function copyBytes(buffer, offset, length) {
  return ReflectApply(TypedArraySlice, new Uint8ArrayCtor(buffer, offset, length), []);
}

function extractBody(object, keepalive) {
  if (typeof object === "string") return record("string", object, null, TEXT_PLAIN);
  if (object !== null && (typeof object === "object" || typeof object === "function")) {
    if (isReadableStream(object)) {
      if (keepalive) throw new TypeErrorCtor("A keepalive request cannot have a ReadableStream body");
      if (streamIsLocked(object) || streamIsDisturbed(object)) {
        throw new TypeErrorCtor("The ReadableStream body is locked or has been read");
      }
      return record("stream", object, null, null);
    }
    if (isBlob(object)) {
      const type = StringCtor(object.type);
      return record("blob", object, object.size, type === "" ? null : type);
    }
    if (ArrayBufferIsView(object)) {
      let bytes;
      if (ReflectApply(TypedArrayToStringTag, object, []) === undefined) {
        bytes = copyBytes(ReflectApply(DataViewBuffer, object, []),
          ReflectApply(DataViewByteOffset, object, []), ReflectApply(DataViewByteLength, object, []));
      } else {
        bytes = copyBytes(ReflectApply(TypedArrayBuffer, object, []),
          ReflectApply(TypedArrayByteOffset, object, []), ReflectApply(TypedArrayByteLength, object, []));
      }
      return record("bytes", bytes, bytes.length, null);
    }
    if (isArrayBuffer(object)) {
      const bytes = new Uint8ArrayCtor(ReflectApply(ArrayBufferSlice, object, [0]));
      return record("bytes", bytes, bytes.length, null);
    }
    if (isFormData(object)) {
      if (typeof nano.serializeMultipart !== "function") {
        throw new TypeErrorCtor("FormData bodies are not supported yet");
      }
      // nano.serializeMultipart(formData) -> {body: record, type: "multipart/form-data; boundary=..."}
      const result = nano.serializeMultipart(object);
      result.body.type = result.type;
      return result.body;
    }
    if (isURLSearchParams(object)) {
      return record("string", urlSearchParamsString(object), null, FORM_URLENCODED);
    }
  }
  // The USVString branch of the BodyInit union.
  return record("string", StringCtor(object), null, TEXT_PLAIN);
}

function urlSearchParamsString(params) {
  return nano.serializeUrlencoded(nano.urlSearchParamsList(params));
}

// --- state, cloning, reading ----------------------------------------------------------------

function bodyIsUnusable(body) {
  if (body === null) return false;
  if (body.disturbed) return true;
  return body.kind === "stream" && (streamIsLocked(body.source) || streamIsDisturbed(body.source));
}

function bodyIsDisturbed(body) {
  if (body === null) return false;
  if (body.disturbed) return true;
  return body.kind === "stream" && streamIsDisturbed(body.source);
}

// https://fetch.spec.whatwg.org/#concept-body-clone (the caller checks usability).
function cloneBody(body) {
  if (body === null) return null;
  if (body.kind === "stream") {
    const tee = typeof nano.readableStreamTee === "function"
      ? nano.readableStreamTee(body.source) : body.source.tee();
    body.source = tee[0];
    const copy = record("stream", tee[1], body.length, body.type);
    if (body.readLimit !== undefined) copy.readLimit = body.readLimit;
    return copy;
  }
  body.shared = true;
  const copy = record(body.kind, body.source, body.length, body.type);
  copy.shared = true;
  return copy;
}

// A Blob's bytes from 55_blob.js (a read-only view: never written, copied before it
// reaches user code).
function blobBytes(blob) {
  const bytes = nano.blobBytes(blob);
  return bytes instanceof Uint8ArrayCtor ? bytes : new Uint8ArrayCtor(bytes);
}

// The body's bytes without copying when possible; a Uint8Array or a promise of one.
function bodyBytes(body) {
  switch (body.kind) {
    case "string":
      return utf8Encode(body.source);
    case "bytes":
      return body.source;
    case "blob":
      if (typeof nano.blobBytes === "function") return blobBytes(body.source);
      return then(body.source.arrayBuffer(), (ab) => new Uint8ArrayCtor(ab));
    default:
      return readAllStream(body.source, body.readLimit === undefined ? null : body.readLimit);
  }
}

function concat(chunks, total) {
  return chunks.length === 1 ? chunks[0] : nano.concatBytes(chunks, total);
}

function readAllStream(stream, limit) {
  if (typeof nano.readableStreamReadAll === "function") return nano.readableStreamReadAll(stream, limit);
  const reader = stream.getReader();
  const chunks = [];
  let total = 0;
  return new PromiseCtor((resolve, reject) => {
    const step = () => {
      then(reader.read(), (result) => {
        try {
          onChunk(result);
        } catch (e) {
          reject(e);
        }
      }, reject);
    };
    const onChunk = (result) => {
      if (result.done) {
        resolve(concat(chunks, total));
        return;
      }
      const chunk = result.value;
      if (!(chunk instanceof Uint8ArrayCtor)) {
        const error = new TypeErrorCtor("Body stream chunks must be Uint8Array");
        reject(error);
        then(PromiseResolve(reader.cancel(error)), undefined, () => {});
        return;
      }
      chunks[chunks.length] = chunk;
      total += chunk.length;
      if (limit !== null && total > limit.bytes) {
        const error = new TypeErrorCtor(limit.message);
        reject(error);
        then(PromiseResolve(reader.cancel(error)), undefined, () => {});
        return;
      }
      step();
    };
    step();
  });
}

// The body's bytes as a new, unshared Uint8Array (for arrayBuffer()/bytes()).
function ownedBytes(body, bytes) {
  // A stream's single chunk may still be referenced by whoever enqueued it: copy it.
  if (body.kind === "string" || (body.kind === "bytes" && !body.shared)) {
    if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes;
  }
  return ReflectApply(TypedArraySlice, bytes, []);
}

function bodyText(body) {
  // A string body decodes to itself, except that lone surrogates become U+FFFD (the
  // UTF-8 round trip) and a leading BOM is dropped (UTF-8 decode).
  const s = ReflectApply(StringPrototypeToWellFormed, body.source, []);
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

// For the bridge: the string of a string body (well-formed), else the Uint8Array of a
// bytes body, else null (the caller handles streams and blobs).
function bodyStringOrBytes(body) {
  if (body.kind === "string") return ReflectApply(StringPrototypeToWellFormed, body.source, []);
  if (body.kind === "bytes") return body.source;
  if (body.kind === "blob" && typeof nano.blobBytes === "function") return blobBytes(body.source);
  return null;
}

// --- the mixin -----------------------------------------------------------------------------

// https://fetch.spec.whatwg.org/#concept-body-consume-body
// `convert(bytesOrNull, body)` makes the result; bytesOrNull is null for a string body
// whose text is wanted directly.
function consume(self, access, name, convert, wantsText) {
  let body;
  try {
    body = access.body(self);
  } catch (e) {
    return PromiseReject(e);
  }
  if (body === null) {
    try {
      return PromiseResolve(convert(self, access, EMPTY, null));
    } catch (e) {
      return PromiseReject(e);
    }
  }
  if (bodyIsUnusable(body)) {
    return PromiseReject(new TypeErrorCtor(name + ": the body has already been used"));
  }
  body.disturbed = true;
  try {
    if (wantsText && body.kind === "string") return PromiseResolve(convert(self, access, null, body));
    const bytes = bodyBytes(body);
    if (bytes instanceof Uint8ArrayCtor) return PromiseResolve(convert(self, access, bytes, body));
    return then(bytes, (b) => convert(self, access, b, body));
  } catch (e) {
    return PromiseReject(e);
  }
}

function toText(bytes, body) {
  return bytes === null ? bodyText(body) : utf8Decode(bytes);
}

function convertArrayBuffer(self, access, bytes, body) {
  const owned = body === null ? new Uint8ArrayCtor(0) : ownedBytes(body, bytes);
  return owned.buffer;
}

function convertBytes(self, access, bytes, body) {
  return body === null ? new Uint8ArrayCtor(0) : ownedBytes(body, bytes);
}

function convertText(self, access, bytes, body) {
  return body === null ? "" : toText(bytes, body);
}

function convertJSON(self, access, bytes, body) {
  return JSONParse(body === null ? "" : toText(bytes, body));
}

function mimeOf(self, access) {
  return nano.extractMimeType(access.contentType(self));
}

// A Blob of the runtime's Blob interface (55_blob.js's nano.createBlob, which takes the
// bytes over), else of the Blob global.
function convertBlob(self, access, bytes, body) {
  const mime = mimeOf(self, access);
  const type = mime === null ? "" : nano.serializeMimeType(mime);
  const owned = body === null ? new Uint8ArrayCtor(0) : ownedBytes(body, bytes);
  if (typeof nano.createBlob === "function") return nano.createBlob(owned, type);
  const BlobCtor = globalThis.Blob;
  if (typeof BlobCtor !== "function") throw new TypeErrorCtor("blob(): Blob is not available");
  return new BlobCtor([owned], { type });
}

// https://url.spec.whatwg.org/#concept-urlencoded-parser (34_urlsearchparams.js's parser
// takes the UTF-8 decoded text).
// A leading BOM is part of the first name here ("UTF-8 decode without BOM").
function parseUrlencodedBytes(bytes) {
  return nano.parseUrlencoded(utf8Decode(bytes, true));
}

function convertFormData(self, access, bytes, body) {
  const mime = mimeOf(self, access);
  const essence = mime === null ? "" : mime.type + "/" + mime.subtype;
  const FormDataCtor = globalThis.FormData;
  if (essence === "multipart/form-data") {
    if (typeof nano.parseMultipart === "function") {
      return nano.parseMultipart(body === null ? new Uint8ArrayCtor(0) : bytes, mime);
    }
    throw new TypeErrorCtor("formData(): multipart/form-data bodies are not supported yet");
  }
  if (essence === "application/x-www-form-urlencoded") {
    if (typeof FormDataCtor !== "function") throw new TypeErrorCtor("formData(): FormData is not available");
    const entries = parseUrlencodedBytes(body === null ? new Uint8ArrayCtor(0) : bytes);
    const fd = new FormDataCtor();
    for (let i = 0; i < entries.length; i++) fd.append(entries[i][0], entries[i][1]);
    return fd;
  }
  throw new TypeErrorCtor("formData(): the body's Content-Type is neither multipart/form-data " +
    "nor application/x-www-form-urlencoded");
}

// `.body`: null when there is no body; a ReadableStream (created once) when streams exist.
function bodyStream(body) {
  if (body === null) return null;
  if (body.kind === "stream") return body.source;
  const RS = globalThis.ReadableStream;
  if (typeof RS !== "function") return null; // streams are not installed yet
  let stream;
  if (body.kind === "blob" && typeof nano.blobBytes !== "function") {
    stream = body.disturbed ? null : body.source.stream();
  }
  if (stream === undefined || stream === null) {
    const bytes = body.disturbed ? new Uint8ArrayCtor(0) : ownedBytes(body, bodyBytes(body));
    if (typeof nano.readableStreamFromBytes === "function") {
      stream = nano.readableStreamFromBytes(bytes);
    } else {
      stream = new RS({
        type: "bytes",
        start(controller) {
          if (bytes.length > 0) controller.enqueue(bytes);
          controller.close();
        },
      });
    }
  }
  body.kind = "stream";
  body.source = stream;
  body.shared = false;
  return stream;
}

// Installs body/bodyUsed and the six read methods on `proto`. `access` is
// {body(self) -> record|null (throws TypeError on a wrong `this`),
//  contentType(self) -> combined Content-Type value or null}.
function installBodyMixin(proto, access) {
  const methods = {
    arrayBuffer() { return consume(this, access, "arrayBuffer()", convertArrayBuffer, false); },
    blob() {
      if (typeof nano.createBlob !== "function" && typeof globalThis.Blob !== "function") {
        return PromiseReject(new TypeErrorCtor("blob(): Blob is not available"));
      }
      return consume(this, access, "blob()", convertBlob, false);
    },
    bytes() { return consume(this, access, "bytes()", convertBytes, false); },
    formData() { return consume(this, access, "formData()", convertFormData, false); },
    json() { return consume(this, access, "json()", convertJSON, true); },
    text() { return consume(this, access, "text()", convertText, true); },
  };
  const accessors = {
    get body() { return bodyStream(access.body(this)); },
    get bodyUsed() { return bodyIsDisturbed(access.body(this)); },
  };
  for (const name of ["body", "bodyUsed"]) {
    const desc = ObjectGetOwnPropertyDescriptor(accessors, name);
    ObjectDefineProperty(proto, name, { get: desc.get, set: undefined, enumerable: true, configurable: true });
  }
  for (const name of ["arrayBuffer", "blob", "bytes", "formData", "json", "text"]) {
    ObjectDefineProperty(proto, name, {
      value: methods[name], writable: true, enumerable: true, configurable: true,
    });
  }
}

nano.extractBody = extractBody;
nano.bodyBytes = bodyBytes;
nano.blobBytesOf = blobBytes;
nano.cloneBody = cloneBody;
nano.bodyIsUnusable = bodyIsUnusable;
nano.bodyStringOrBytes = bodyStringOrBytes;
nano.installBodyMixin = installBodyMixin;

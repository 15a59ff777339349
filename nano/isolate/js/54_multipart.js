// multipart/form-data: serialising a FormData body and parsing one for formData().
// Spec: https://html.spec.whatwg.org/multipage/form-control-infrastructure.html#multipart-form-data
// (encoding), https://fetch.spec.whatwg.org/#concept-body-package-data and RFC 7578
// (parsing).
// Host operations: none.
//
// Works through the public FormData/Blob/File interfaces looked up at call time, or
// these hooks when their files provide them: nano.formDataEntries(fd) -> [[name,
// value], ...], nano.blobBytes(blob) -> Uint8Array (synchronous), nano.createFile(u8,
// name, type, lastModified) (55_blob.js).
//
// Internals put on `nano` (used by 51_body.js):
//   nano.serializeMultipart(formData) -> {body: body record, type: Content-Type}
//   nano.parseMultipart(bytes, mimeType) -> FormData (TypeError when malformed)

const ReflectApply = Reflect.apply;
const StringCtor = String;
const TypeErrorCtor = TypeError;
const Uint8ArrayCtor = Uint8Array;
const MathRandom = Math.random;
const MathFloor = Math.floor;
const DateNow = Date.now;
const TypedArraySet = Object.getPrototypeOf(Uint8Array.prototype).set;
const TypedArraySubarray = Object.getPrototypeOf(Uint8Array.prototype).subarray;
const TextEncoderAtLoad = globalThis.TextEncoder;
const TextDecoderAtLoad = globalThis.TextDecoder;

function encode(s) {
  if (typeof TextEncoderAtLoad === "function") return new TextEncoderAtLoad().encode(s);
  // Latin-1/ASCII-only fallback is never reached in the full prelude.
  const out = new Uint8ArrayCtor(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

function decode(bytes) {
  if (typeof nano.utf8DecodeStripBOM === "function") return nano.utf8DecodeStripBOM(bytes);
  return new TextDecoderAtLoad().decode(bytes);
}

function isBlob(v) {
  if (typeof nano.isBlob === "function") return nano.isBlob(v);
  const B = globalThis.Blob;
  return typeof B === "function" && v instanceof B;
}

function entriesOf(formData) {
  if (typeof nano.formDataEntries === "function") return nano.formDataEntries(formData);
  const out = [];
  for (const entry of ReflectApply(globalThis.FormData.prototype.entries, formData, [])) {
    out[out.length] = [entry[0], entry[1]];
  }
  return out;
}

// Line breaks in names and string values become CRLF.
function normalizeLineBreaks(s) {
  return s.replace(/\r\n|\r|\n/g, "\r\n");
}

function escapeName(s) {
  return s.replace(/\n/g, "%0A").replace(/\r/g, "%0D").replace(/"/g, "%22");
}

function newBoundary() {
  let digits = "";
  for (let i = 0; i < 24; i++) digits += MathFloor(MathRandom() * 10);
  return "----NanoFormBoundary" + digits;
}

function concat(parts) {
  let total = 0;
  for (let i = 0; i < parts.length; i++) total += parts[i].length;
  const out = new Uint8ArrayCtor(total);
  let offset = 0;
  for (let i = 0; i < parts.length; i++) {
    ReflectApply(TypedArraySet, out, [parts[i], offset]);
    offset += parts[i].length;
  }
  return out;
}

function serializeMultipart(formData) {
  const boundary = newBoundary();
  const entries = entriesOf(formData);
  // Pieces are strings (encoded below) and Blobs (their bytes, read now when the Blob
  // implementation can give them synchronously, else through a Blob of all pieces).
  const pieces = [];
  let text = "";
  for (let i = 0; i < entries.length; i++) {
    const name = escapeName(normalizeLineBreaks(StringCtor(entries[i][0])));
    const value = entries[i][1];
    text += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"";
    if (isBlob(value)) {
      const filename = value.name === undefined ? "blob" : escapeName(StringCtor(value.name));
      const type = StringCtor(value.type);
      text += "; filename=\"" + filename + "\"\r\nContent-Type: " +
        (type === "" ? "application/octet-stream" : type) + "\r\n\r\n";
      pieces[pieces.length] = encode(text);
      text = "";
      pieces[pieces.length] = typeof nano.blobBytes === "function" ? nano.blobBytesOf(value) : value;
      text += "\r\n";
    } else {
      text += "\r\n\r\n" + normalizeLineBreaks(StringCtor(value)) + "\r\n";
    }
  }
  text += "--" + boundary + "--\r\n";
  pieces[pieces.length] = encode(text);
  const type = "multipart/form-data; boundary=" + boundary;
  let allBytes = true;
  for (let i = 0; i < pieces.length; i++) if (!(pieces[i] instanceof Uint8ArrayCtor)) allBytes = false;
  if (allBytes) {
    const bytes = concat(pieces);
    return { body: { kind: "bytes", source: bytes, length: bytes.length, type, disturbed: false, shared: false }, type };
  }
  const blob = new globalThis.Blob(pieces);
  return { body: { kind: "blob", source: blob, length: blob.size, type, disturbed: false, shared: false }, type };
}

// --- parsing -----------------------------------------------------------------------------

function indexOf(bytes, pattern, from) {
  const n = bytes.length - pattern.length;
  const first = pattern[0];
  outer: for (let i = from; i <= n; i++) {
    if (bytes[i] !== first) continue;
    for (let k = 1; k < pattern.length; k++) if (bytes[i + k] !== pattern[k]) continue outer;
    return i;
  }
  return -1;
}

function unescapeName(s) {
  return s.replace(/%0A/g, "\n").replace(/%0D/g, "\r").replace(/%22/g, "\"");
}

function malformed(why) {
  return new TypeErrorCtor("formData(): malformed multipart/form-data body (" + why + ")");
}

// Reads one part's header block: returns {name, filename, contentType, end} where end
// is the index just after the blank line.
function parsePartHeaders(bytes, pos) {
  let name = null;
  let filename = null;
  let contentType = null;
  for (;;) {
    const eol = indexOf(bytes, CRLF, pos);
    if (eol < 0) throw malformed("unterminated part headers");
    if (eol === pos) return { name, filename, contentType, end: pos + 2 };
    const line = decode(ReflectApply(TypedArraySubarray, bytes, [pos, eol]));
    pos = eol + 2;
    const colon = line.indexOf(":");
    if (colon <= 0) throw malformed("bad header line");
    const headerName = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (headerName === "content-disposition") {
      if (!/^form-data\s*(;|$)/i.test(value)) throw malformed("Content-Disposition is not form-data");
      const nameMatch = /;\s*name="([^"]*)"/i.exec(value) ?? /;\s*name=([^;\s]*)/i.exec(value);
      const fileMatch = /;\s*filename="([^"]*)"/i.exec(value) ?? /;\s*filename=([^;\s]*)/i.exec(value);
      if (nameMatch !== null) name = unescapeName(nameMatch[1]);
      if (fileMatch !== null) filename = unescapeName(fileMatch[1]);
    } else if (headerName === "content-type") {
      contentType = value;
    }
  }
}

const CRLF = new Uint8ArrayCtor([13, 10]);

function parseMultipart(bytes, mime) {
  const FormDataCtor = globalThis.FormData;
  if (typeof FormDataCtor !== "function") throw new TypeErrorCtor("formData(): FormData is not available");
  const boundary = mime.params.get("boundary");
  if (boundary === undefined || boundary === "") throw malformed("no boundary parameter");
  const dash = encode("--" + boundary);
  const delimiter = encode("\r\n--" + boundary);
  const fd = new FormDataCtor();
  let pos = indexOf(bytes, dash, 0);
  if (pos < 0) throw malformed("no opening boundary");
  pos += dash.length;
  for (;;) {
    if (bytes[pos] === 45 && bytes[pos + 1] === 45) return fd; // "--": the closing boundary
    // Transport padding, then CRLF.
    while (bytes[pos] === 32 || bytes[pos] === 9) pos++;
    if (bytes[pos] !== 13 || bytes[pos + 1] !== 10) throw malformed("boundary not followed by CRLF");
    const headers = parsePartHeaders(bytes, pos + 2);
    if (headers.name === null) throw malformed("part without a name");
    const end = indexOf(bytes, delimiter, headers.end);
    if (end < 0) throw malformed("part without a closing boundary");
    const content = ReflectApply(TypedArraySubarray, bytes, [headers.end, end]);
    if (headers.filename !== null) {
      const type = headers.contentType === null ? "text/plain" : headers.contentType;
      let file;
      if (typeof nano.createFile === "function") {
        file = nano.createFile(content.slice(), headers.filename, type, DateNow());
      } else {
        const FileCtor = globalThis.File;
        if (typeof FileCtor !== "function") throw new TypeErrorCtor("formData(): File is not available");
        file = new FileCtor([content.slice()], headers.filename, { type });
      }
      fd.append(headers.name, file);
    } else {
      fd.append(headers.name, decode(content));
    }
    pos = end + delimiter.length;
  }
}

nano.serializeMultipart = serializeMultipart;
nano.parseMultipart = parseMultipart;

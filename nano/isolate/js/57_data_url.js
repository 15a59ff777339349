// data: URLs for fetch(): the data: URL processor.
// Spec: https://fetch.spec.whatwg.org/#data-url-processor (and the "data" branch of
// https://fetch.spec.whatwg.org/#concept-scheme-fetch).
// Host operations: none.
//
// Uses nano.urlParse/urlSerialize (31_url_parser.js), nano.base64Decode (22_base64.js,
// forgiving-base64), nano.parseMimeType/serializeMimeType (50_mime.js).
//
// Internals put on `nano`:
//   nano.processDataURL(href) -> {mimeType: string (serialised), body: Uint8Array} or
//     null when the URL is not a valid data: URL (fetch() then rejects with a TypeError).

const StringCtor = String;
const StringPrototypeCharCodeAt = String.prototype.charCodeAt;
const StringPrototypeIndexOf = String.prototype.indexOf;
const StringPrototypeSlice = String.prototype.slice;
const StringPrototypeToLowerCase = String.prototype.toLowerCase;
const ReflectApply = Reflect.apply;
const Uint8ArrayCtor = Uint8Array;
const TypedArraySlice = Object.getPrototypeOf(Uint8Array.prototype).slice;

function charCode(s, i) {
  return ReflectApply(StringPrototypeCharCodeAt, s, [i]);
}

function isAsciiWhitespace(c) {
  return c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d || c === 0x20;
}

function stripAsciiWhitespace(s) {
  let start = 0;
  let end = s.length;
  while (start < end && isAsciiWhitespace(charCode(s, start))) start++;
  while (end > start && isAsciiWhitespace(charCode(s, end - 1))) end--;
  return ReflectApply(StringPrototypeSlice, s, [start, end]);
}

function hexValue(c) {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

// https://url.spec.whatwg.org/#percent-decode over a string whose code units are all
// below 0x80 (a serialised URL is ASCII); anything above is written as its low byte,
// which cannot happen for a serialised URL.
function percentDecode(s) {
  const out = new Uint8ArrayCtor(s.length);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = charCode(s, i);
    if (c === 0x25 && i + 2 < s.length) {
      const hi = hexValue(charCode(s, i + 1));
      const lo = hexValue(charCode(s, i + 2));
      if (hi >= 0 && lo >= 0) {
        out[n++] = (hi << 4) | lo;
        i += 2;
        continue;
      }
    }
    out[n++] = c & 0xff;
  }
  return ReflectApply(TypedArraySlice, out, [0, n]);
}

// https://infra.spec.whatwg.org/#isomorphic-decode
function isomorphicDecode(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    const end = i + 8192 < bytes.length ? i + 8192 : bytes.length;
    let part = "";
    for (let j = i; j < end; j++) part += StringCtor.fromCharCode(bytes[j]);
    s += part;
  }
  return s;
}

// Whether mimeType ends with ";" + zero or more spaces + "base64" (ASCII case-insensitive);
// returns the index of that ";" or -1.
function base64Marker(mimeType) {
  const n = mimeType.length;
  if (n < 7) return -1;
  if (ReflectApply(StringPrototypeToLowerCase, ReflectApply(StringPrototypeSlice, mimeType, [n - 6]), []) !==
    "base64") {
    return -1;
  }
  let i = n - 7;
  while (i >= 0 && charCode(mimeType, i) === 0x20) i--;
  return i >= 0 && charCode(mimeType, i) === 0x3b ? i : -1;
}

nano.processDataURL = function processDataURL(href) {
  const record = nano.urlParse(href, null);
  if (record === null || record.scheme !== "data") return null;
  // The URL serialised without its fragment, "data:" removed.
  const input = ReflectApply(StringPrototypeSlice, nano.urlSerialize(record, true), [5]);
  const comma = ReflectApply(StringPrototypeIndexOf, input, [","]);
  if (comma < 0) return null;
  let mimeType = stripAsciiWhitespace(ReflectApply(StringPrototypeSlice, input, [0, comma]));
  let body = percentDecode(ReflectApply(StringPrototypeSlice, input, [comma + 1]));
  const marker = base64Marker(mimeType);
  if (marker >= 0) {
    body = nano.base64Decode(isomorphicDecode(body));
    if (body === null) return null;
    mimeType = ReflectApply(StringPrototypeSlice, mimeType, [0, marker]);
  }
  if (charCode(mimeType, 0) === 0x3b) mimeType = "text/plain" + mimeType;
  const parsed = nano.parseMimeType(mimeType);
  return {
    mimeType: parsed === null ? "text/plain;charset=US-ASCII" : nano.serializeMimeType(parsed),
    body,
  };
};

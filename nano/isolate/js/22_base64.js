// The HTML base64 utilities atob() and btoa(), on the Infra standard's forgiving-base64.
// Spec: https://html.spec.whatwg.org/multipage/webappapis.html#atob and
// https://infra.spec.whatwg.org/#forgiving-base64
// Host operations: none.
//
// Internals this file puts on `nano`:
//   nano.base64Encode(u8)          string (standard alphabet, padded).
//   nano.base64Decode(string)      forgiving-base64 decode: Uint8Array, or null on failure.
// Errors are `nano.DOMException` "InvalidCharacterError" (looked up at call time; a plain
// Error with that name if 10_domexception.js is absent).

const ErrorCtor = Error;
const TypeErrorCtor = TypeError;
const StringCharCodeAt = Function.prototype.call.bind(String.prototype.charCodeAt);
const Uint8ArrayCtor = Uint8Array;
const isomorphicDecode = nano.isomorphicDecode;
const isomorphicEncode = nano.isomorphicEncode;

function isAsciiWhitespace(c) {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d;
}

const toDOMString = nano.toDOMString;

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE64_CODES = new Uint8ArrayCtor(64);
const BASE64_VALUES = new Uint8ArrayCtor(128).fill(255);
for (let i = 0; i < 64; i++) {
  BASE64_CODES[i] = StringCharCodeAt(BASE64, i);
  BASE64_VALUES[BASE64_CODES[i]] = i;
}

function base64Encode(bytes) {
  const n = bytes.length;
  const out = new Uint8ArrayCtor(((n + 2) / 3 | 0) * 4);
  let o = 0;
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out[o++] = BASE64_CODES[v >> 18];
    out[o++] = BASE64_CODES[(v >> 12) & 63];
    out[o++] = BASE64_CODES[(v >> 6) & 63];
    out[o++] = BASE64_CODES[v & 63];
  }
  if (i < n) {
    const v = (bytes[i] << 16) | (i + 1 < n ? bytes[i + 1] << 8 : 0);
    out[o++] = BASE64_CODES[v >> 18];
    out[o++] = BASE64_CODES[(v >> 12) & 63];
    out[o++] = i + 1 < n ? BASE64_CODES[(v >> 6) & 63] : 0x3d;
    out[o++] = 0x3d;
  }
  return isomorphicDecode(out);
}

// Forgiving-base64 decode: a Uint8Array, or null for failure.
function base64Decode(data) {
  const values = new Uint8ArrayCtor(data.length);
  let n = 0;
  let padding = 0;
  for (let i = 0; i < data.length; i++) {
    const c = StringCharCodeAt(data, i);
    if (isAsciiWhitespace(c)) continue;
    if (c === 0x3d) {
      padding++;
      continue;
    }
    // Anything after "=" (other than more "=" or whitespace) is invalid.
    if (padding !== 0 || c >= 128 || BASE64_VALUES[c] === 255) return null;
    values[n++] = BASE64_VALUES[c];
  }
  if (padding !== 0 && (padding > 2 || (n + padding) % 4 !== 0)) return null;
  if (n % 4 === 1) return null;
  const out = new Uint8ArrayCtor((n * 3) >> 2);
  let o = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const v = (values[i] << 18) | (values[i + 1] << 12) | (values[i + 2] << 6) | values[i + 3];
    out[o++] = v >> 16;
    out[o++] = (v >> 8) & 255;
    out[o++] = v & 255;
  }
  if (n - i === 2) {
    out[o++] = (values[i] << 2) | (values[i + 1] >> 4);
  } else if (n - i === 3) {
    const v = (values[i] << 12) | (values[i + 1] << 6) | values[i + 2];
    out[o++] = v >> 10;
    out[o++] = (v >> 2) & 255;
  }
  return out;
}

function invalidCharacter(message) {
  const DOMExceptionCtor = nano.DOMException;
  if (typeof DOMExceptionCtor === "function") {
    return new DOMExceptionCtor(message, "InvalidCharacterError");
  }
  const error = new ErrorCtor(message);
  error.name = "InvalidCharacterError";
  return error;
}

function requireArgument(count, what) {
  if (count < 1) {
    throw new TypeErrorCtor("Failed to execute '" + what + "': 1 argument required, but only 0 present.");
  }
}

// The wrapper objects give atob/btoa the right name and length and no prototype.
const operations = {
  atob(data) {
    requireArgument(arguments.length, "atob");
    const bytes = base64Decode(toDOMString(data));
    if (bytes === null) {
      throw invalidCharacter("Failed to execute 'atob': The string to be decoded is not correctly encoded.");
    }
    return isomorphicDecode(bytes);
  },
  btoa(data) {
    requireArgument(arguments.length, "btoa");
    const s = toDOMString(data);
    for (let i = 0; i < s.length; i++) {
      if (StringCharCodeAt(s, i) > 0xff) {
        throw invalidCharacter("Failed to execute 'btoa': The string to be encoded contains " +
          "characters outside of the Latin1 range.");
      }
    }
    return base64Encode(isomorphicEncode(s));
  },
};

nano.base64Encode = base64Encode;
nano.base64Decode = base64Decode;

nano.defineGlobal("atob", operations.atob);
nano.defineGlobal("btoa", operations.btoa);

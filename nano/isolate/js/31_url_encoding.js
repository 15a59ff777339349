// Percent-encoding and UTF-8 for the URL Standard: the percent-encode sets, UTF-8
// encode/decode (WHATWG "UTF-8 decode without BOM", replacement on errors), percent-encode
// after encoding, percent-decode.
// Spec: https://url.spec.whatwg.org/#percent-encoded-bytes,
// https://encoding.spec.whatwg.org/#utf-8-decoder
// Host operations: none.
//
// Exposes on `nano`: urlPercentEncode(string, setName, spaceAsPlus) with setName one of
// "c0", "fragment", "query", "specialQuery", "path", "userinfo", "component", "form";
// utf8Encode(string) -> byte array; utf8Decode(bytes) -> string; percentDecodeBytes(string).

const StringFromCharCode = String.fromCharCode;
const StringFromCodePoint = String.fromCodePoint;
const ReflectApply = Reflect.apply;
const FunctionPrototypeCall = Function.prototype.call;
const FunctionPrototypeBind = Function.prototype.bind;
const uncurryThis = (fn) => ReflectApply(FunctionPrototypeBind, FunctionPrototypeCall, [fn]);
const StringCharCodeAt = uncurryThis(String.prototype.charCodeAt);

// ---- percent-encode sets (predicates on a code point number) ----
function inC0Control(c) { return c < 0x20 || c > 0x7e; }
function inFragment(c) {
  return inC0Control(c) || c === 0x20 || c === 0x22 || c === 0x3c || c === 0x3e || c === 0x60;
}
function inQuery(c) {
  return inC0Control(c) || c === 0x20 || c === 0x22 || c === 0x23 || c === 0x3c || c === 0x3e;
}
function inSpecialQuery(c) { return inQuery(c) || c === 0x27; }
function inPath(c) { return inQuery(c) || c === 0x3f || c === 0x60 || c === 0x7b || c === 0x7d; }
function inUserinfo(c) {
  return inPath(c) || c === 0x2f || c === 0x3a || c === 0x3b || c === 0x3d || c === 0x40 ||
    (c >= 0x5b && c <= 0x5e) || c === 0x7c;
}
function inComponent(c) {
  return inUserinfo(c) || (c >= 0x24 && c <= 0x26) || c === 0x2b || c === 0x2c;
}
function inFormUrlencoded(c) {
  return inComponent(c) || c === 0x21 || (c >= 0x27 && c <= 0x29) || c === 0x7e;
}

const SETS = {
  __proto__: null,
  c0: inC0Control, fragment: inFragment, query: inQuery, specialQuery: inSpecialQuery,
  path: inPath, userinfo: inUserinfo, component: inComponent, form: inFormUrlencoded,
};

const HEX = "0123456789ABCDEF";

// UTF-8 encode a string (lone surrogates become U+FFFD) into an array of byte values.
function utf8Encode(s) {
  const out = [];
  for (let i = 0; i < s.length; i++) {
    let c = StringCharCodeAt(s, i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = StringCharCodeAt(s, i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x80) out[out.length] = c;
    else if (c < 0x800) {
      out[out.length] = 0xc0 | (c >> 6);
      out[out.length] = 0x80 | (c & 0x3f);
    } else if (c < 0x10000) {
      out[out.length] = 0xe0 | (c >> 12);
      out[out.length] = 0x80 | ((c >> 6) & 0x3f);
      out[out.length] = 0x80 | (c & 0x3f);
    } else {
      out[out.length] = 0xf0 | (c >> 18);
      out[out.length] = 0x80 | ((c >> 12) & 0x3f);
      out[out.length] = 0x80 | ((c >> 6) & 0x3f);
      out[out.length] = 0x80 | (c & 0x3f);
    }
  }
  return out;
}

// UTF-8 decode (WHATWG "UTF-8 decode without BOM", replacement on errors).
function utf8Decode(bytes) {
  let out = "";
  let needed = 0, seen = 0, cp = 0, lo = 0x80, hi = 0xbf;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (needed === 0) {
      if (b < 0x80) out += StringFromCharCode(b);
      else if (b >= 0xc2 && b <= 0xdf) { needed = 1; cp = b & 0x1f; }
      else if (b >= 0xe0 && b <= 0xef) {
        if (b === 0xe0) lo = 0xa0;
        if (b === 0xed) hi = 0x9f;
        needed = 2; cp = b & 0xf;
      } else if (b >= 0xf0 && b <= 0xf4) {
        if (b === 0xf0) lo = 0x90;
        if (b === 0xf4) hi = 0x8f;
        needed = 3; cp = b & 0x7;
      } else out += "\ufffd";
      continue;
    }
    if (b < lo || b > hi) {
      needed = seen = cp = 0; lo = 0x80; hi = 0xbf;
      out += "\ufffd";
      i--;
      continue;
    }
    lo = 0x80; hi = 0xbf;
    cp = (cp << 6) | (b & 0x3f);
    if (++seen === needed) {
      out += StringFromCodePoint(cp);
      needed = seen = cp = 0;
    }
  }
  if (needed !== 0) out += "\ufffd";
  return out;
}

// Percent-encode every code point of `s` in the named set after UTF-8 encoding it.
// With spaceAsPlus (form-urlencoded serializing), U+0020 becomes "+".
function percentEncode(s, setName, spaceAsPlus) {
  const inSet = SETS[setName];
  let out = "";
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = StringCharCodeAt(s, i);
    if (inSet(c) || (spaceAsPlus && c === 0x20)) { plain = false; break; }
  }
  if (plain) return s;
  const bytes = utf8Encode(s);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (spaceAsPlus && b === 0x20) out += "+";
    else if (inSet(b)) out += "%" + HEX[b >> 4] + HEX[b & 15];
    else out += StringFromCharCode(b);
  }
  return out;
}

function hexValue(c) {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

// Percent-decode a string: UTF-8 encode it, then turn %XX into bytes.
function percentDecodeBytes(s) {
  const bytes = utf8Encode(s);
  const out = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x25 && i + 2 < bytes.length) {
      const h = hexValue(bytes[i + 1]), l = hexValue(bytes[i + 2]);
      if (h >= 0 && l >= 0) {
        out[out.length] = h * 16 + l;
        i += 2;
        continue;
      }
    }
    out[out.length] = b;
  }
  return out;
}

nano.urlPercentEncode = percentEncode;
// Array-based UTF-8 helpers for the URL code; the Uint8Array ones used everywhere
// else are nano.utf8Encode/utf8Decode from the encoding files.
nano.urlUtf8Encode = utf8Encode;
nano.urlUtf8Decode = utf8Decode;
nano.percentDecodeBytes = percentDecodeBytes;

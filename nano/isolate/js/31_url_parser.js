// The URL parser: the basic URL parser state machine, host parsing (domains, IPv4 in its
// decimal/octal/hex forms, IPv6 with compression, opaque hosts), percent-encoding and the
// URL serializer. Domain-to-ASCII lives in 32_idna.js; the URL interface in 30_url.js.
// Spec: https://url.spec.whatwg.org/#concept-basic-url-parser
// Host operations: none.
//
// A URL record is a null-prototype object {scheme, username, password, host, port, path,
// query, fragment}. `host` holds the serialized host (null when absent, "" for the empty
// host); `path` is an array of segments, or a string for an opaque path.
// Exposes on `nano`: urlParse, urlSerialize, urlOrigin, urlPercentEncode, utf8Encode,
// utf8Decode, percentDecodeBytes, urlSpecialScheme, urlStates (state-override names).

const ObjectCreate = Object.create;
const StringFromCharCode = String.fromCharCode;
const StringFromCodePoint = String.fromCodePoint;
const NumberParseInt = Number.parseInt;
const MathFloor = Math.floor;
const MathPow = Math.pow;
const ReflectApply = Reflect.apply;
const FunctionPrototypeCall = Function.prototype.call;
const FunctionPrototypeBind = Function.prototype.bind;
const uncurryThis = (fn) => ReflectApply(FunctionPrototypeBind, FunctionPrototypeCall, [fn]);
const StringCharCodeAt = uncurryThis(String.prototype.charCodeAt);
const StringSlice = uncurryThis(String.prototype.slice);
const StringSplit = uncurryThis(String.prototype.split);
const ArraySlice = uncurryThis(Array.prototype.slice);
const NumberToString = uncurryThis(Number.prototype.toString);
const StringPrototypeToWellFormed = String.prototype.toWellFormed;
const StringPrototypeToLowerCase = String.prototype.toLowerCase;
const RegExpPrototypeExec = RegExp.prototype.exec;

function toWellFormed(s) {
  return ReflectApply(StringPrototypeToWellFormed, s, []);
}
function lower(s) {
  return ReflectApply(StringPrototypeToLowerCase, s, []);
}
function test(re, s) {
  re.lastIndex = 0;
  return ReflectApply(RegExpPrototypeExec, re, [s]) !== null;
}

const SPECIAL = { __proto__: null, ftp: 21, file: null, http: 80, https: 443, ws: 80, wss: 443 };

function isSpecialScheme(scheme) {
  return scheme in SPECIAL;
}

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

// ---- hosts ----
const FORBIDDEN_HOST = /[\u0000\u0009\u000a\u000d #/:<>?@[\\\]^|]/;
const FORBIDDEN_DOMAIN = /[\u0000-\u001f #%/:<>?@[\\\]^|\u007f]/;
const DIGITS = /^[0-9]+$/;
const OCT = /^[0-7]+$/;
const HEXDIGITS = /^[0-9a-fA-F]+$/;

function ipv4Number(part) {
  if (part === "") return null;
  let radix = 10;
  if (part.length >= 2 && part[0] === "0" && (part[1] === "x" || part[1] === "X")) {
    part = StringSlice(part, 2);
    radix = 16;
  } else if (part.length >= 2 && part[0] === "0") {
    part = StringSlice(part, 1);
    radix = 8;
  }
  if (part === "") return 0;
  const re = radix === 10 ? DIGITS : radix === 16 ? HEXDIGITS : OCT;
  if (!test(re, part)) return null;
  return NumberParseInt(part, radix);
}

function endsInANumber(input) {
  const parts = StringSplit(input, ".");
  if (parts[parts.length - 1] === "") {
    if (parts.length === 1) return false;
    parts.length--;
  }
  const last = parts[parts.length - 1];
  if (last !== "" && test(DIGITS, last)) return true;
  return ipv4Number(last) !== null && last.length >= 2 && last[0] === "0" &&
    (last[1] === "x" || last[1] === "X");
}

function parseIPv4(input) {
  const parts = StringSplit(input, ".");
  if (parts[parts.length - 1] === "" && parts.length > 1) parts.length--;
  if (parts.length > 4) return null;
  const numbers = [];
  for (let i = 0; i < parts.length; i++) {
    const n = ipv4Number(parts[i]);
    if (n === null) return null;
    numbers[i] = n;
  }
  for (let i = 0; i < numbers.length - 1; i++) if (numbers[i] > 255) return null;
  let ipv4 = numbers[numbers.length - 1];
  if (ipv4 >= MathPow(256, 5 - numbers.length)) return null;
  for (let i = 0; i < numbers.length - 1; i++) ipv4 += numbers[i] * MathPow(256, 3 - i);
  let out = "";
  for (let i = 0; i < 4; i++) {
    out = (ipv4 % 256) + (i === 0 ? "" : ".") + out;
    ipv4 = MathFloor(ipv4 / 256);
  }
  return out;
}

function isDigit(c) { return c >= 0x30 && c <= 0x39; }

function parseIPv6(s) {
  const address = [0, 0, 0, 0, 0, 0, 0, 0];
  let pieceIndex = 0, compress = null, p = 0;
  const at = (i) => (i < s.length ? StringCharCodeAt(s, i) : -1);
  if (at(p) === 0x3a) {
    if (at(p + 1) !== 0x3a) return null;
    p += 2;
    compress = ++pieceIndex;
  }
  while (at(p) !== -1) {
    if (pieceIndex === 8) return null;
    if (at(p) === 0x3a) {
      if (compress !== null) return null;
      p++;
      compress = ++pieceIndex;
      continue;
    }
    let value = 0, length = 0;
    while (length < 4 && hexValue(at(p)) >= 0) {
      value = value * 16 + hexValue(at(p));
      p++;
      length++;
    }
    if (at(p) === 0x2e) {
      if (length === 0) return null;
      p -= length;
      if (pieceIndex > 6) return null;
      let numbersSeen = 0;
      while (at(p) !== -1) {
        let piece = null;
        if (numbersSeen > 0) {
          if (at(p) === 0x2e && numbersSeen < 4) p++;
          else return null;
        }
        if (!isDigit(at(p))) return null;
        while (isDigit(at(p))) {
          const n = at(p) - 0x30;
          if (piece === null) piece = n;
          else if (piece === 0) return null;
          else piece = piece * 10 + n;
          if (piece > 255) return null;
          p++;
        }
        address[pieceIndex] = address[pieceIndex] * 0x100 + piece;
        numbersSeen++;
        if (numbersSeen === 2 || numbersSeen === 4) pieceIndex++;
      }
      if (numbersSeen !== 4) return null;
      break;
    } else if (at(p) === 0x3a) {
      p++;
      if (at(p) === -1) return null;
    } else if (at(p) !== -1) return null;
    address[pieceIndex++] = value;
  }
  if (compress !== null) {
    let swaps = pieceIndex - compress;
    pieceIndex = 7;
    while (pieceIndex !== 0 && swaps > 0) {
      const t = address[pieceIndex];
      address[pieceIndex] = address[compress + swaps - 1];
      address[compress + swaps - 1] = t;
      pieceIndex--;
      swaps--;
    }
  } else if (pieceIndex !== 8) return null;
  return address;
}

function serializeIPv6(address) {
  let bestStart = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (address[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && address[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  let out = "";
  let ignore0 = false;
  for (let i = 0; i < 8; i++) {
    if (ignore0 && address[i] === 0) continue;
    ignore0 = false;
    if (i === bestStart) {
      out += i === 0 ? "::" : ":";
      ignore0 = true;
      continue;
    }
    out += NumberToString(address[i], 16);
    if (i !== 7) out += ":";
  }
  return out;
}

// The host parser. Returns the serialized host, or null on failure.
function parseHost(input, isOpaque) {
  if (input[0] === "[") {
    if (input[input.length - 1] !== "]") return null;
    const address = parseIPv6(StringSlice(input, 1, -1));
    return address === null ? null : "[" + serializeIPv6(address) + "]";
  }
  if (isOpaque) {
    if (test(FORBIDDEN_HOST, input)) return null;
    return percentEncode(input, "c0", false);
  }
  const domain = utf8Decode(percentDecodeBytes(input));
  const ascii = nano.domainToASCII(domain, false);
  if (ascii === null || ascii === "" || test(FORBIDDEN_DOMAIN, ascii)) return null;
  if (endsInANumber(ascii)) return parseIPv4(ascii);
  return ascii;
}

// ---- the state machine ----
const S = {
  __proto__: null,
  schemeStart: 1, scheme: 2, noScheme: 3, specialRelativeOrAuthority: 4, pathOrAuthority: 5,
  relative: 6, relativeSlash: 7, specialAuthoritySlashes: 8, specialAuthorityIgnoreSlashes: 9,
  authority: 10, host: 11, hostname: 12, port: 13, file: 14, fileSlash: 15, fileHost: 16,
  pathStart: 17, path: 18, opaquePath: 19, query: 20, fragment: 21,
};

function newRecord() {
  const r = ObjectCreate(null);
  r.scheme = "";
  r.username = "";
  r.password = "";
  r.host = null;
  r.port = null;
  r.path = [];
  r.query = null;
  r.fragment = null;
  return r;
}

function isAlpha(c) { return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a); }

function isWindowsDriveLetter(s) {
  return s.length === 2 && isAlpha(StringCharCodeAt(s, 0)) && (s[1] === ":" || s[1] === "|");
}
function isNormalizedWindowsDriveLetter(s) {
  return s.length === 2 && isAlpha(StringCharCodeAt(s, 0)) && s[1] === ":";
}
function startsWithWindowsDriveLetter(cps, p) {
  if (cps.length - p < 2) return false;
  if (!isWindowsDriveLetter(cps[p] + cps[p + 1])) return false;
  if (cps.length - p === 2) return true;
  const t = cps[p + 2];
  return t === "/" || t === "\\" || t === "?" || t === "#";
}

function shortenPath(url) {
  const path = url.path;
  if (url.scheme === "file" && path.length === 1 && isNormalizedWindowsDriveLetter(path[0])) return;
  if (path.length > 0) path.length--;
}

function isSingleDot(s) { return s === "." || lower(s) === "%2e"; }
function isDoubleDot(s) {
  if (s.length !== 2 && s.length !== 4 && s.length !== 6) return false;
  const l = lower(s);
  return l === ".." || l === ".%2e" || l === "%2e." || l === "%2e%2e";
}

function includesCredentials(url) { return url.username !== "" || url.password !== ""; }

// Leading and trailing C0 controls and spaces go.
function trimControlsAndSpace(s) {
  let a = 0, b = s.length;
  while (a < b && StringCharCodeAt(s, a) <= 0x20) a++;
  while (b > a && StringCharCodeAt(s, b - 1) <= 0x20) b--;
  return a === 0 && b === s.length ? s : StringSlice(s, a, b);
}

// The string's code points as an array of strings (ASCII tab and newline removed when
// `dropTabNewline`).
function codePoints(s, dropTabNewline) {
  const out = [];
  for (let i = 0; i < s.length; i++) {
    const c = StringCharCodeAt(s, i);
    if (dropTabNewline && (c === 0x09 || c === 0x0a || c === 0x0d)) continue;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = StringCharCodeAt(s, i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out[out.length] = StringSlice(s, i, i + 2);
        i++;
        continue;
      }
    }
    out[out.length] = s[i];
  }
  return out;
}

function isSchemeCodePoint(c) {
  return isAlpha(c) || isDigit(c) || c === 0x2b || c === 0x2d || c === 0x2e;
}

// The basic URL parser. Returns a URL record, or null on failure. With `url` and
// `override` given, modifies `url` in place and returns null on failure (the record may
// then be partially unchanged, as the spec's setters expect).
function basicParse(input, base, url, override) {
  if (url === undefined || url === null) {
    url = newRecord();
    input = trimControlsAndSpace(input);
  }
  const cps = codePoints(input, true);
  const len = cps.length;
  let state = override || S.schemeStart;
  let buffer = "";
  let atSignSeen = false, insideBrackets = false, passwordTokenSeen = false;
  let special = isSpecialScheme(url.scheme);
  for (let p = 0; ; p++) {
    const c = p < len ? cps[p] : undefined;
    switch (state) {
      case S.schemeStart:
        if (c !== undefined && c.length === 1 && isAlpha(StringCharCodeAt(c, 0))) {
          buffer += lower(c);
          state = S.scheme;
        } else if (!override) {
          state = S.noScheme;
          p--;
        } else return null;
        break;
      case S.scheme:
        if (c !== undefined && c.length === 1 && isSchemeCodePoint(StringCharCodeAt(c, 0))) {
          buffer += lower(c);
        } else if (c === ":") {
          if (override) {
            if (isSpecialScheme(url.scheme) !== isSpecialScheme(buffer)) return url;
            if ((includesCredentials(url) || url.port !== null) && buffer === "file") return url;
            if (url.scheme === "file" && url.host === "") return url;
          }
          url.scheme = buffer;
          special = isSpecialScheme(buffer);
          if (override) {
            if (url.port === SPECIAL[url.scheme]) url.port = null;
            return url;
          }
          buffer = "";
          if (url.scheme === "file") state = S.file;
          else if (special && base && base.scheme === url.scheme) {
            state = S.specialRelativeOrAuthority;
          } else if (special) state = S.specialAuthoritySlashes;
          else if (cps[p + 1] === "/") {
            state = S.pathOrAuthority;
            p++;
          } else {
            url.path = "";
            state = S.opaquePath;
          }
        } else if (!override) {
          buffer = "";
          state = S.noScheme;
          p = -1;
        } else return null;
        break;
      case S.noScheme:
        if (!base || (typeof base.path === "string" && c !== "#")) return null;
        if (typeof base.path === "string" && c === "#") {
          url.scheme = base.scheme;
          special = isSpecialScheme(url.scheme);
          url.path = base.path;
          url.query = base.query;
          url.fragment = "";
          state = S.fragment;
        } else if (base.scheme !== "file") {
          state = S.relative;
          p--;
        } else {
          state = S.file;
          p--;
        }
        break;
      case S.specialRelativeOrAuthority:
        if (c === "/" && cps[p + 1] === "/") {
          state = S.specialAuthorityIgnoreSlashes;
          p++;
        } else {
          state = S.relative;
          p--;
        }
        break;
      case S.pathOrAuthority:
        if (c === "/") state = S.authority;
        else {
          state = S.path;
          p--;
        }
        break;
      case S.relative:
        url.scheme = base.scheme;
        special = isSpecialScheme(url.scheme);
        if (c === "/" || (special && c === "\\")) state = S.relativeSlash;
        else {
          url.username = base.username;
          url.password = base.password;
          url.host = base.host;
          url.port = base.port;
          url.path = ArraySlice(base.path);
          url.query = base.query;
          if (c === "?") {
            url.query = "";
            state = S.query;
          } else if (c === "#") {
            url.fragment = "";
            state = S.fragment;
          } else if (c !== undefined) {
            url.query = null;
            shortenPath(url);
            state = S.path;
            p--;
          }
        }
        break;
      case S.relativeSlash:
        if (special && (c === "/" || c === "\\")) state = S.specialAuthorityIgnoreSlashes;
        else if (c === "/") state = S.authority;
        else {
          url.username = base.username;
          url.password = base.password;
          url.host = base.host;
          url.port = base.port;
          state = S.path;
          p--;
        }
        break;
      case S.specialAuthoritySlashes:
        if (c === "/" && cps[p + 1] === "/") {
          state = S.specialAuthorityIgnoreSlashes;
          p++;
        } else {
          state = S.specialAuthorityIgnoreSlashes;
          p--;
        }
        break;
      case S.specialAuthorityIgnoreSlashes:
        if (c !== "/" && c !== "\\") {
          state = S.authority;
          p--;
        }
        break;
      case S.authority:
        if (c === "@") {
          if (atSignSeen) buffer = "%40" + buffer;
          atSignSeen = true;
          const bcps = codePoints(buffer, false);
          for (let i = 0; i < bcps.length; i++) {
            const b = bcps[i];
            if (b === ":" && !passwordTokenSeen) {
              passwordTokenSeen = true;
              continue;
            }
            const enc = percentEncode(b, "userinfo", false);
            if (passwordTokenSeen) url.password += enc;
            else url.username += enc;
          }
          buffer = "";
        } else if (c === undefined || c === "/" || c === "?" || c === "#" ||
                   (special && c === "\\")) {
          if (atSignSeen && buffer === "") return null;
          p -= codePoints(buffer, false).length + 1;
          buffer = "";
          state = S.host;
        } else buffer += c;
        break;
      case S.host:
      case S.hostname:
        if (override && url.scheme === "file") {
          p--;
          state = S.fileHost;
        } else if (c === ":" && !insideBrackets) {
          if (buffer === "") return null;
          if (override === S.hostname) return null;
          const host = parseHost(buffer, !special);
          if (host === null) return null;
          url.host = host;
          buffer = "";
          state = S.port;
        } else if (c === undefined || c === "/" || c === "?" || c === "#" ||
                   (special && c === "\\")) {
          p--;
          if (special && buffer === "") return null;
          if (override && buffer === "" && (includesCredentials(url) || url.port !== null)) {
            return null;
          }
          const host = parseHost(buffer, !special);
          if (host === null) return null;
          url.host = host;
          buffer = "";
          state = S.pathStart;
          if (override) return url;
        } else {
          if (c === "[") insideBrackets = true;
          if (c === "]") insideBrackets = false;
          buffer += c;
        }
        break;
      case S.port:
        if (c !== undefined && c.length === 1 && isDigit(StringCharCodeAt(c, 0))) buffer += c;
        else if (c === undefined || c === "/" || c === "?" || c === "#" ||
                 (special && c === "\\") || override) {
          if (buffer !== "") {
            const port = NumberParseInt(buffer, 10);
            if (port > 65535) return null;
            url.port = SPECIAL[url.scheme] === port ? null : port;
            buffer = "";
            if (override) return url;
          }
          if (override) return null;
          state = S.pathStart;
          p--;
        } else return null;
        break;
      case S.file:
        url.scheme = "file";
        special = true;
        url.host = "";
        if (c === "/" || c === "\\") state = S.fileSlash;
        else if (base && base.scheme === "file") {
          url.host = base.host;
          url.path = ArraySlice(base.path);
          url.query = base.query;
          if (c === "?") {
            url.query = "";
            state = S.query;
          } else if (c === "#") {
            url.fragment = "";
            state = S.fragment;
          } else if (c !== undefined) {
            url.query = null;
            if (!startsWithWindowsDriveLetter(cps, p)) shortenPath(url);
            else url.path = [];
            state = S.path;
            p--;
          }
        } else {
          state = S.path;
          p--;
        }
        break;
      case S.fileSlash:
        if (c === "/" || c === "\\") state = S.fileHost;
        else {
          if (base && base.scheme === "file") {
            url.host = base.host;
            if (!startsWithWindowsDriveLetter(cps, p) &&
                isNormalizedWindowsDriveLetter(base.path[0] || "")) {
              url.path[url.path.length] = base.path[0];
            }
          }
          state = S.path;
          p--;
        }
        break;
      case S.fileHost:
        if (c === undefined || c === "/" || c === "\\" || c === "?" || c === "#") {
          p--;
          if (!override && isWindowsDriveLetter(buffer)) {
            state = S.path;
          } else if (buffer === "") {
            url.host = "";
            if (override) return url;
            state = S.pathStart;
          } else {
            let host = parseHost(buffer, !special);
            if (host === null) return null;
            if (host === "localhost") host = "";
            url.host = host;
            if (override) return url;
            buffer = "";
            state = S.pathStart;
          }
        } else buffer += c;
        break;
      case S.pathStart:
        if (special) {
          state = S.path;
          if (c !== "/" && c !== "\\") p--;
        } else if (!override && c === "?") {
          url.query = "";
          state = S.query;
        } else if (!override && c === "#") {
          url.fragment = "";
          state = S.fragment;
        } else if (c !== undefined) {
          state = S.path;
          if (c !== "/") p--;
        } else if (override && url.host === null) {
          url.path[url.path.length] = "";
        }
        break;
      case S.path: {
        const slash = c === "/" || (special && c === "\\");
        if (c === undefined || slash || (!override && (c === "?" || c === "#"))) {
          if (isDoubleDot(buffer)) {
            shortenPath(url);
            if (!slash) url.path[url.path.length] = "";
          } else if (isSingleDot(buffer) && !slash) {
            url.path[url.path.length] = "";
          } else if (!isSingleDot(buffer)) {
            if (url.scheme === "file" && url.path.length === 0 && isWindowsDriveLetter(buffer)) {
              buffer = buffer[0] + ":";
            }
            url.path[url.path.length] = buffer;
          }
          buffer = "";
          if (c === "?") {
            url.query = "";
            state = S.query;
          }
          if (c === "#") {
            url.fragment = "";
            state = S.fragment;
          }
        } else buffer += percentEncode(c, "path", false);
        break;
      }
      case S.opaquePath:
        if (c === "?") {
          url.query = "";
          state = S.query;
        } else if (c === "#") {
          url.fragment = "";
          state = S.fragment;
        } else if (c !== undefined) {
          url.path += percentEncode(c, "c0", false);
        }
        break;
      case S.query:
        if ((!override && c === "#") || c === undefined) {
          url.query += percentEncode(buffer, special ? "specialQuery" : "query", false);
          buffer = "";
          if (c === "#") {
            url.fragment = "";
            state = S.fragment;
          }
        } else buffer += c;
        break;
      case S.fragment:
        if (c !== undefined) url.fragment += percentEncode(c, "fragment", false);
        break;
    }
    if (p >= len) break;
  }
  return url;
}

// Parse `input` (any string) against an optional base URL record: null on failure.
function urlParse(input, base) {
  return basicParse(toWellFormed(input), base || null);
}

function serializePath(url) {
  if (typeof url.path === "string") return url.path;
  let out = "";
  for (let i = 0; i < url.path.length; i++) out += "/" + url.path[i];
  return out;
}

function urlSerialize(url, excludeFragment) {
  let out = url.scheme + ":";
  if (url.host !== null) {
    out += "//";
    if (includesCredentials(url)) {
      out += url.username;
      if (url.password !== "") out += ":" + url.password;
      out += "@";
    }
    out += url.host;
    if (url.port !== null) out += ":" + url.port;
  }
  if (url.host === null && typeof url.path !== "string" && url.path.length > 1 &&
      url.path[0] === "") {
    out += "/.";
  }
  out += serializePath(url);
  if (url.query !== null) out += "?" + url.query;
  if (!excludeFragment && url.fragment !== null) out += "#" + url.fragment;
  return out;
}

// The ASCII serialization of the URL's origin.
function urlOrigin(url) {
  switch (url.scheme) {
    case "blob": {
      const inner = urlParse(serializePath(url), null);
      if (inner !== null && (inner.scheme === "http" || inner.scheme === "https")) {
        return urlOrigin(inner);
      }
      return "null";
    }
    case "ftp": case "http": case "https": case "ws": case "wss":
      return url.scheme + "://" + url.host + (url.port === null ? "" : ":" + url.port);
    default:
      return "null";
  }
}

nano.urlParse = urlParse;
nano.urlBasicParse = basicParse;
nano.urlSerialize = urlSerialize;
nano.urlSerializePath = serializePath;
nano.urlOrigin = urlOrigin;
nano.urlStates = S;
nano.urlSpecialScheme = isSpecialScheme;
nano.urlPercentEncode = percentEncode;
nano.utf8Encode = utf8Encode;
nano.utf8Decode = utf8Decode;
nano.percentDecodeBytes = percentDecodeBytes;
nano.toUSVString = toWellFormed;
nano.urlCodePoints = codePoints;

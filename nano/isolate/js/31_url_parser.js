// The URL parser: the basic URL parser state machine (with state overrides for the
// setters), the URL serializer and origins. Hosts are parsed by 31_url_host.js (with
// 32_idna.js for domains), percent-encoding is 31_url_encoding.js, the URL interface is
// 30_url.js; they call each other through `nano` at run time.
// Spec: https://url.spec.whatwg.org/#concept-basic-url-parser
// Host operations: none.
//
// A URL record is a null-prototype object {scheme, username, password, host, port, path,
// query, fragment}. `host` holds the serialized host (null when absent, "" for the empty
// host); `path` is an array of segments, or a string for an opaque path.
// Exposes on `nano`: urlParse(input, baseRecord), urlBasicParse(input, base, url, override),
// urlSerialize(record, excludeFragment), urlSerializePath, urlOrigin, urlSpecialScheme,
// urlStates (state-override names), urlCodePoints(string, dropTabNewline).
// Callers convert the input with nano.toUSVString (00_core.js).

const ObjectCreate = Object.create;
const NumberParseInt = Number.parseInt;
const ReflectApply = Reflect.apply;
const FunctionPrototypeCall = Function.prototype.call;
const FunctionPrototypeBind = Function.prototype.bind;
const uncurryThis = (fn) => ReflectApply(FunctionPrototypeBind, FunctionPrototypeCall, [fn]);
const StringCharCodeAt = uncurryThis(String.prototype.charCodeAt);
const StringSlice = uncurryThis(String.prototype.slice);
const ArraySlice = uncurryThis(Array.prototype.slice);
const StringPrototypeToWellFormed = String.prototype.toWellFormed;
const StringPrototypeToLowerCase = String.prototype.toLowerCase;

function toWellFormed(s) {
  return ReflectApply(StringPrototypeToWellFormed, s, []);
}
function lower(s) {
  return ReflectApply(StringPrototypeToLowerCase, s, []);
}

const SPECIAL = { __proto__: null, ftp: 21, file: null, http: 80, https: 443, ws: 80, wss: 443 };

function isSpecialScheme(scheme) {
  return scheme in SPECIAL;
}

function percentEncode(s, setName, spaceAsPlus) {
  return nano.urlPercentEncode(s, setName, spaceAsPlus);
}

function parseHost(input, isOpaque) {
  return nano.urlParseHost(input, isOpaque);
}

function isDigit(c) { return c >= 0x30 && c <= 0x39; }

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
  if (url.scheme === "file" && path.length === 1 && isNormalizedWindowsDriveLetter(path[0])) {
    return;
  }
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

// A fast path for the URLs servers parse on every request (a router's
// `new URL(request.url)`): an absolute http(s) URL whose characters need no
// percent-encoding, whose host is lowercase-able ASCII letters, digits, hyphens and dots
// (its last label not numeric, no "xn--" label: those go through IPv4 and IDNA
// processing) or a plain dotted-quad IPv4 address, with an optional decimal port
// without leading zeros, and no dot segments, backslashes or credentials. Anything
// else takes the full state machine; both give the same record (the WPT url tests run
// through both).
const SIMPLE_URL = /^(https?):\/\/([A-Za-z0-9.-]+)(?::([1-9][0-9]{0,4}))?(\/[A-Za-z0-9\-._~!$&'()*+,;=:@\/%]*)?(?:\?([A-Za-z0-9\-._~!$&()*+,;=:@\/?%\[\]^`{|}]*))?(?:#([A-Za-z0-9\-._~!$&'()*+,;=:@\/?%\[\]^{|}]*))?$/;
const DOMAIN_LABEL_NUMERIC = /(?:^|\.)(?:[0-9]+|0[xX][0-9a-fA-F]*)\.?$/;
const DOTTED_QUAD = /^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$/;
const RegExpExec = uncurryThis(RegExp.prototype.exec);
const StringSplit = uncurryThis(String.prototype.split);
const StringIndexOf = uncurryThis(String.prototype.indexOf);

function simpleParse(input) {
  const m = RegExpExec(SIMPLE_URL, input);
  if (m === null) return null;
  let host = lower(m[2]);
  if (host === "" || host[0] === "." || host[0] === "-") return null;
  if (RegExpExec(DOTTED_QUAD, host) === null) {
    if (RegExpExec(DOMAIN_LABEL_NUMERIC, host) !== null) return null;
    if (StringIndexOf(host, "xn--") !== -1 || StringIndexOf(host, "..") !== -1) return null;
  }
  const pathText = m[4];
  // Dot segments ("/.", "/..", "%2e" forms) are resolved by the full parser.
  if (pathText !== undefined && (StringIndexOf(pathText, "/.") !== -1 || StringIndexOf(pathText, "%2") !== -1)) {
    return null;
  }
  const r = newRecord();
  r.scheme = m[1];
  r.host = host;
  if (m[3] !== undefined) {
    const port = NumberParseInt(m[3], 10);
    if (port > 65535) return null;
    r.port = port === SPECIAL[r.scheme] ? null : port;
  }
  r.path = pathText === undefined ? [""] : ArraySlice(StringSplit(pathText, "/"), 1);
  if (m[5] !== undefined) r.query = m[5];
  if (m[6] !== undefined) r.fragment = m[6];
  return r;
}

// Parse `input` (any string) against an optional base URL record: null on failure.
function urlParse(input, base) {
  if (!base) {
    const simple = simpleParse(input);
    if (simple !== null) return simple;
  }
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
nano.urlCodePoints = codePoints;

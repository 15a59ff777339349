// URLPattern: the pattern tokenizer and parser, regular expression and pattern string
// generation, the constructor string parser, URLPatternInit processing, canonicalization
// through the URL parser, and matching (test/exec).
// Spec: https://urlpattern.spec.whatwg.org/
// Host operations: none. Uses nano.urlParse, nano.urlBasicParse, nano.urlStates,
// nano.urlSerializePath, nano.urlPercentEncode, nano.urlSpecialScheme, nano.urlCodePoints
// (31_url_parser.js) at run time.
// Exposes on `nano`: URLPattern, isURLPattern(value).

const ObjectCreate = Object.create;
const ObjectDefineProperty = Object.defineProperty;
const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const ObjectGetOwnPropertyNames = Object.getOwnPropertyNames;
const ReflectApply = Reflect.apply;
const FunctionPrototypeCall = Function.prototype.call;
const FunctionPrototypeBind = Function.prototype.bind;
const uncurryThis = (fn) => ReflectApply(FunctionPrototypeBind, FunctionPrototypeCall, [fn]);
const StringSlice = uncurryThis(String.prototype.slice);
const StringCharCodeAt = uncurryThis(String.prototype.charCodeAt);
const StringLastIndexOf = uncurryThis(String.prototype.lastIndexOf);
const StringIncludes = uncurryThis(String.prototype.includes);
const StringToLowerCase = uncurryThis(String.prototype.toLowerCase);
const StringToWellFormed = uncurryThis(String.prototype.toWellFormed);
const ArrayJoin = uncurryThis(Array.prototype.join);
const ArraySlice = uncurryThis(Array.prototype.slice);
const RegExpExec = uncurryThis(RegExp.prototype.exec);
const RegExpCtor = RegExp;
const TypeErrorCtor = TypeError;
const SymbolToStringTag = Symbol.toStringTag;

function usv(v) {
  return StringToWellFormed(`${v}`);
}

const COMPONENTS = ["protocol", "username", "password", "hostname", "port", "pathname",
  "search", "hash"];
const SPECIAL_SCHEMES = ["ftp", "file", "http", "https", "ws", "wss"];
const DEFAULT_PORTS = { __proto__: null, ftp: "21", http: "80", https: "443", ws: "80", wss: "443" };
const FULL_WILDCARD = ".*";

let nameRegExps = null;

function isValidNameCodePoint(cp, first) {
  if (nameRegExps === null) {
    nameRegExps = {
      start: new RegExpCtor("^[\\p{ID_Start}$_]$", "u"),
      part: new RegExpCtor("^[\\p{ID_Continue}$\\u200c\\u200d]$", "u"),
    };
  }
  return RegExpExec(first ? nameRegExps.start : nameRegExps.part, cp) !== null;
}

function isASCIIDigit(ch) {
  return ch !== undefined && ch.length === 1 && ch >= "0" && ch <= "9";
}

// ---- tokenizer ----
function tokenize(input, strict) {
  const cps = nano.urlCodePoints(input, false);
  const tokens = [];
  let index = 0;
  const add = (type, next, valueStart, valueLength) => {
    tokens[tokens.length] = {
      type, index, value: ArrayJoin(ArraySlice(cps, valueStart, valueStart + valueLength), ""),
    };
    index = next;
  };
  const error = (next, valueStart) => {
    if (strict) throw new TypeErrorCtor(`URLPattern: invalid pattern at index ${valueStart}`);
    add("invalid-char", next, valueStart, next - valueStart);
  };
  while (index < cps.length) {
    const c = cps[index];
    let next = index + 1;
    if (c === "*") { add("asterisk", next, index, 1); continue; }
    if (c === "+" || c === "?") { add("other-modifier", next, index, 1); continue; }
    if (c === "\\") {
      if (index === cps.length - 1) { error(next, index); continue; }
      add("escaped-char", next + 1, next, 1);
      continue;
    }
    if (c === "{") { add("open", next, index, 1); continue; }
    if (c === "}") { add("close", next, index, 1); continue; }
    if (c === ":") {
      let pos = next;
      const start = pos;
      while (pos < cps.length && isValidNameCodePoint(cps[pos], pos === start)) pos++;
      if (pos <= start) { error(start, index); continue; }
      add("name", pos, start, pos - start);
      continue;
    }
    if (c === "(") {
      let depth = 1, pos = next, failed = false;
      const start = pos;
      while (pos < cps.length) {
        const r = cps[pos];
        if (r.length !== 1 || StringCharCodeAt(r, 0) > 0x7f) { error(start, index); failed = true; break; }
        if (pos === start && r === "?") { error(start, index); failed = true; break; }
        if (r === "\\") {
          if (pos === cps.length - 1) { error(start, index); failed = true; break; }
          const e = cps[pos + 1];
          if (e.length !== 1 || StringCharCodeAt(e, 0) > 0x7f) {
            error(start, index); failed = true; break;
          }
          pos += 2;
          continue;
        }
        if (r === ")") {
          depth--;
          if (depth === 0) { pos++; break; }
        } else if (r === "(") {
          depth++;
          if (pos === cps.length - 1) { error(start, index); failed = true; break; }
          if (cps[pos + 1] !== "?") { error(start, index); failed = true; break; }
        }
        pos++;
      }
      if (failed) continue;
      if (depth !== 0) { error(start, index); continue; }
      const length = pos - start - 1;
      if (length === 0) { error(start, index); continue; }
      add("regexp", pos, start, length);
      continue;
    }
    add("char", next, index, 1);
  }
  add("end", index, index, 0);
  return tokens;
}

// ---- pattern parser ----
function escapeRegExpString(s) {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (StringIncludes(".+*?^${}()[]|/\\", c)) out += "\\";
    out += c;
  }
  return out;
}

function escapePatternString(s) {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (StringIncludes("+*?:{}()\\", c)) out += "\\";
    out += c;
  }
  return out;
}

function segmentWildcard(options) {
  return "[^" + escapeRegExpString(options.delimiter) + "]+?";
}

function modifierString(m) {
  return m === "optional" ? "?" : m === "zero-or-more" ? "*" : m === "one-or-more" ? "+" : "";
}

function parsePattern(input, options, encode) {
  const tokens = tokenize(input, true);
  const parts = [];
  const wildcard = segmentWildcard(options);
  let pending = "";
  let index = 0;
  let nextNumericName = 0;
  const tryConsume = (type) => {
    const t = tokens[index];
    if (t.type !== type) return null;
    index++;
    return t;
  };
  const tryModifier = () => tryConsume("other-modifier") || tryConsume("asterisk");
  const tryRegexpOrWildcard = (name) => {
    const t = tryConsume("regexp");
    if (name === null && t === null) return tryConsume("asterisk");
    return t;
  };
  const consumeText = () => {
    let out = "";
    for (;;) {
      const t = tryConsume("char") || tryConsume("escaped-char");
      if (t === null) return out;
      out += t.value;
    }
  };
  const flushPending = () => {
    if (pending === "") return;
    const value = encode(pending);
    pending = "";
    parts[parts.length] = { type: "fixed-text", value, modifier: "none", name: "", prefix: "", suffix: "" };
  };
  const addPart = (prefix, nameToken, regexpToken, suffix, modifierToken) => {
    let modifier = "none";
    if (modifierToken !== null) {
      modifier = modifierToken.value === "?" ? "optional" :
        modifierToken.value === "*" ? "zero-or-more" : "one-or-more";
    }
    if (nameToken === null && regexpToken === null && modifier === "none") {
      pending += prefix;
      return;
    }
    flushPending();
    if (nameToken === null && regexpToken === null) {
      if (prefix === "") return;
      parts[parts.length] = {
        type: "fixed-text", value: encode(prefix), modifier, name: "", prefix: "", suffix: "",
      };
      return;
    }
    let value;
    if (regexpToken === null) value = wildcard;
    else if (regexpToken.type === "asterisk") value = FULL_WILDCARD;
    else value = regexpToken.value;
    let type = "regexp";
    if (value === wildcard) { type = "segment-wildcard"; value = ""; }
    else if (value === FULL_WILDCARD) { type = "full-wildcard"; value = ""; }
    let name = "";
    if (nameToken !== null) name = nameToken.value;
    else name = "" + nextNumericName++;
    for (let i = 0; i < parts.length; i++) {
      if (parts[i].name === name) throw new TypeErrorCtor(`URLPattern: duplicate name "${name}"`);
    }
    parts[parts.length] = {
      type, value, modifier, name, prefix: encode(prefix), suffix: encode(suffix),
    };
  };
  while (index < tokens.length) {
    const charToken = tryConsume("char");
    const nameToken = tryConsume("name");
    const regexpToken = tryRegexpOrWildcard(nameToken);
    if (nameToken !== null || regexpToken !== null) {
      let prefix = charToken !== null ? charToken.value : "";
      if (prefix !== "" && prefix !== options.prefix) {
        pending += prefix;
        prefix = "";
      }
      flushPending();
      addPart(prefix, nameToken, regexpToken, "", tryModifier());
      continue;
    }
    const fixed = charToken || tryConsume("escaped-char");
    if (fixed !== null) {
      pending += fixed.value;
      continue;
    }
    if (tryConsume("open") !== null) {
      const prefix = consumeText();
      const name = tryConsume("name");
      const regexp = tryRegexpOrWildcard(name);
      const suffix = consumeText();
      if (tryConsume("close") === null) throw new TypeErrorCtor("URLPattern: expected '}'");
      addPart(prefix, name, regexp, suffix, tryModifier());
      continue;
    }
    flushPending();
    if (tryConsume("end") === null) {
      throw new TypeErrorCtor(`URLPattern: unexpected "${tokens[index].value}" in pattern`);
    }
  }
  return parts;
}

function generateRegExp(parts, options) {
  let out = "^";
  const names = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const mod = modifierString(part.modifier);
    if (part.type === "fixed-text") {
      if (part.modifier === "none") out += escapeRegExpString(part.value);
      else out += "(?:" + escapeRegExpString(part.value) + ")" + mod;
      continue;
    }
    names[names.length] = part.name;
    let value = part.value;
    if (part.type === "segment-wildcard") value = segmentWildcard(options);
    else if (part.type === "full-wildcard") value = FULL_WILDCARD;
    const single = part.modifier === "none" || part.modifier === "optional";
    if (part.prefix === "" && part.suffix === "") {
      out += single ? "(" + value + ")" + mod : "((?:" + value + ")" + mod + ")";
      continue;
    }
    const prefix = escapeRegExpString(part.prefix), suffix = escapeRegExpString(part.suffix);
    if (single) {
      out += "(?:" + prefix + "(" + value + ")" + suffix + ")" + mod;
      continue;
    }
    out += "(?:" + prefix + "((?:" + value + ")(?:" + suffix + prefix + "(?:" + value + "))*)" +
      suffix + ")";
    if (part.modifier === "zero-or-more") out += "?";
  }
  return { source: out + "$", names };
}

function generatePatternString(parts, options) {
  let out = "";
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const prev = i > 0 ? parts[i - 1] : null;
    const next = i < parts.length - 1 ? parts[i + 1] : null;
    const mod = modifierString(part.modifier);
    if (part.type === "fixed-text") {
      if (part.modifier === "none") out += escapePatternString(part.value);
      else out += "{" + escapePatternString(part.value) + "}" + mod;
      continue;
    }
    const customName = !isASCIIDigit(part.name[0]);
    let grouping = part.suffix !== "" || (part.prefix !== "" && part.prefix !== options.prefix);
    if (!grouping && customName && part.type === "segment-wildcard" && part.modifier === "none" &&
        next !== null && next.prefix === "" && next.suffix === "") {
      if (next.type === "fixed-text") {
        const first = nano.urlCodePoints(next.value, false)[0];
        if (first !== undefined && isValidNameCodePoint(first, false)) grouping = true;
      } else if (isASCIIDigit(next.name[0])) {
        grouping = true;
      }
    }
    if (!grouping && part.prefix === "" && prev !== null && prev.type === "fixed-text" &&
        prev.value !== "" && prev.value[prev.value.length - 1] === options.prefix) {
      grouping = true;
    }
    if (grouping) out += "{";
    out += escapePatternString(part.prefix);
    if (customName) out += ":" + part.name;
    if (part.type === "regexp") out += "(" + part.value + ")";
    else if (part.type === "segment-wildcard" && !customName) {
      out += "(" + segmentWildcard(options) + ")";
    } else if (part.type === "full-wildcard") {
      if (!customName && (prev === null || prev.type === "fixed-text" || prev.modifier !== "none" ||
          grouping || part.prefix !== "")) {
        out += "*";
      } else {
        out += "(" + FULL_WILDCARD + ")";
      }
    }
    if (part.type === "segment-wildcard" && customName && part.suffix !== "") {
      const first = nano.urlCodePoints(part.suffix, false)[0];
      if (isValidNameCodePoint(first, false)) out += "\\";
    }
    out += escapePatternString(part.suffix);
    if (grouping) out += "}";
    out += mod;
  }
  return out;
}

function compileComponent(input, encode, options) {
  const parts = parsePattern(input, options, encode);
  const { source, names } = generateRegExp(parts, options);
  let regexp;
  try {
    regexp = new RegExpCtor(source, options.ignoreCase ? "vi" : "v");
  } catch (e) {
    throw new TypeErrorCtor(`URLPattern: invalid regular expression ${source}`);
  }
  let hasRegExpGroups = false;
  for (let i = 0; i < parts.length; i++) if (parts[i].type === "regexp") hasRegExpGroups = true;
  return {
    pattern: generatePatternString(parts, options), regexp, names, hasRegExpGroups,
  };
}

function matchesSpecialScheme(component) {
  for (let i = 0; i < SPECIAL_SCHEMES.length; i++) {
    if (RegExpExec(component.regexp, SPECIAL_SCHEMES[i]) !== null) return true;
  }
  return false;
}

// ---- canonicalization (through the URL parser) ----
// https://urlpattern.spec.whatwg.org/#create-a-dummy-url ("https://dummy.invalid/").
function dummyURL() {
  return { __proto__: null, scheme: "https", username: "", password: "", host: "dummy.invalid",
    port: null, path: [""], query: null, fragment: null };
}

function fail(what, value) {
  throw new TypeErrorCtor(`URLPattern: invalid ${what} "${value}"`);
}

function canonicalizeProtocol(value) {
  if (value === "") return value;
  const rec = nano.urlParse(value + "://dummy.invalid", null);
  if (rec === null) fail("protocol", value);
  return rec.scheme;
}

function canonicalizeUserinfo(value) {
  return value === "" ? value : nano.urlPercentEncode(value, "userinfo", false);
}

// The spec parses with a special dummy URL; web-platform-tests (and engines) also reject
// code points that are forbidden in any host (e.g. "\\") while accepting a lone "%". So the
// value must first parse as an opaque host; the special (IDNA) result wins when there is one.
function canonicalizeHostname(value) {
  if (value === "") return value;
  const opaque = dummyURL();
  opaque.scheme = "dummy";
  if (nano.urlBasicParse(value, null, opaque, nano.urlStates.hostname) === null) {
    fail("hostname", value);
  }
  const rec = dummyURL();
  if (nano.urlBasicParse(value, null, rec, nano.urlStates.hostname) === null) {
    return opaque.host === null ? "" : opaque.host;
  }
  return rec.host === null ? "" : rec.host;
}

function canonicalizeIPv6Hostname(value) {
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (!((c >= "0" && c <= "9") || (c >= "a" && c <= "f") || (c >= "A" && c <= "F") ||
          c === "[" || c === "]" || c === ":")) {
      fail("IPv6 hostname", value);
    }
    out += StringToLowerCase(c);
  }
  return out;
}

function canonicalizePort(value, protocol) {
  if (value === "") return value;
  const rec = dummyURL();
  if (protocol !== undefined) rec.scheme = protocol;
  if (nano.urlBasicParse(value, null, rec, nano.urlStates.port) === null) fail("port", value);
  return rec.port === null ? "" : "" + rec.port;
}

function canonicalizePathname(value) {
  if (value === "") return value;
  const leadingSlash = value[0] === "/";
  const dummy = dummyURL();
  dummy.path = [];
  nano.urlBasicParse(leadingSlash ? value : "/-" + value, null, dummy, nano.urlStates.pathStart);
  const out = nano.urlSerializePath(dummy);
  return leadingSlash ? out : StringSlice(out, 2);
}

function canonicalizeOpaquePathname(value) {
  if (value === "") return value;
  const dummy = dummyURL();
  dummy.path = "";
  nano.urlBasicParse(value, null, dummy, nano.urlStates.opaquePath);
  return dummy.path;
}

function canonicalizeSearch(value) {
  if (value === "") return value;
  const dummy = dummyURL();
  dummy.query = "";
  nano.urlBasicParse(value, null, dummy, nano.urlStates.query);
  return dummy.query;
}

function canonicalizeHash(value) {
  if (value === "") return value;
  const dummy = dummyURL();
  dummy.fragment = "";
  nano.urlBasicParse(value, null, dummy, nano.urlStates.fragment);
  return dummy.fragment;
}

function isIPv6HostnamePattern(s) {
  if (s.length < 2) return false;
  return s[0] === "[" || ((s[0] === "{" || s[0] === "\\") && s[1] === "[");
}

// ---- URLPatternInit processing ----
function has(init, key) {
  return init[key] !== undefined;
}

function processBase(value, type) {
  return type === "pattern" ? escapePatternString(value) : value;
}

function isAbsolutePathname(s, type) {
  if (s === "") return false;
  if (s[0] === "/") return true;
  if (type === "url" || s.length < 2) return false;
  return (s[0] === "\\" || s[0] === "{") && s[1] === "/";
}

function processInit(init, type, defaults) {
  const result = ObjectCreate(null);
  if (defaults !== null) for (let i = 0; i < COMPONENTS.length; i++) result[COMPONENTS[i]] = defaults;
  let base = null;
  if (has(init, "baseURL")) {
    base = nano.urlParse(init.baseURL, null);
    if (base === null) throw new TypeErrorCtor(`URLPattern: invalid baseURL "${init.baseURL}"`);
    const p = has(init, "protocol"), h = has(init, "hostname"), o = has(init, "port");
    const u = has(init, "username"), w = has(init, "password"), n = has(init, "pathname");
    const s = has(init, "search"), f = has(init, "hash");
    if (!p) result.protocol = processBase(base.scheme, type);
    if (type !== "pattern" && !p && !h && !o && !u) {
      result.username = processBase(base.username, type);
    }
    if (type !== "pattern" && !p && !h && !o && !u && !w) {
      result.password = processBase(base.password, type);
    }
    if (!p && !h) result.hostname = processBase(base.host === null ? "" : base.host, type);
    if (!p && !h && !o) result.port = base.port === null ? "" : "" + base.port;
    if (!p && !h && !o && !n) result.pathname = processBase(nano.urlSerializePath(base), type);
    if (!p && !h && !o && !n && !s) {
      result.search = processBase(base.query === null ? "" : base.query, type);
    }
    if (!p && !h && !o && !n && !s && !f) {
      result.hash = processBase(base.fragment === null ? "" : base.fragment, type);
    }
  }
  const pattern = type === "pattern";
  if (has(init, "protocol")) {
    let v = init.protocol;
    if (v !== "" && v[v.length - 1] === ":") v = StringSlice(v, 0, -1);
    result.protocol = pattern ? v : canonicalizeProtocol(v);
  }
  if (has(init, "username")) {
    result.username = pattern ? init.username : canonicalizeUserinfo(init.username);
  }
  if (has(init, "password")) {
    result.password = pattern ? init.password : canonicalizeUserinfo(init.password);
  }
  if (has(init, "hostname")) {
    result.hostname = pattern ? init.hostname : canonicalizeHostname(init.hostname);
  }
  if (has(init, "port")) {
    result.port = pattern ? init.port : canonicalizePort(init.port, result.protocol);
  }
  if (has(init, "pathname")) {
    let v = init.pathname;
    if (base !== null && typeof base.path !== "string" && !isAbsolutePathname(v, type)) {
      const basePath = processBase(nano.urlSerializePath(base), type);
      const slash = StringLastIndexOf(basePath, "/");
      if (slash !== -1) v = StringSlice(basePath, 0, slash + 1) + v;
    }
    if (!pattern) {
      const proto = result.protocol;
      v = proto === undefined || proto === "" || nano.urlSpecialScheme(proto) ?
        canonicalizePathname(v) : canonicalizeOpaquePathname(v);
    }
    result.pathname = v;
  }
  if (has(init, "search")) {
    let v = init.search;
    if (v[0] === "?") v = StringSlice(v, 1);
    result.search = pattern ? v : canonicalizeSearch(v);
  }
  if (has(init, "hash")) {
    let v = init.hash;
    if (v[0] === "#") v = StringSlice(v, 1);
    result.hash = pattern ? v : canonicalizeHash(v);
  }
  return result;
}

// WebIDL dictionary conversion for URLPatternInit (members read in sorted order).
function toInit(value) {
  const init = ObjectCreate(null);
  if (value === undefined || value === null) return init;
  const keys = ["baseURL", "hash", "hostname", "password", "pathname", "port", "protocol",
    "search", "username"];
  for (let i = 0; i < keys.length; i++) {
    const v = value[keys[i]];
    if (v !== undefined) init[keys[i]] = usv(v);
  }
  return init;
}

function isDictionaryLike(v) {
  return v === undefined || v === null || typeof v === "object" || typeof v === "function";
}

// ---- constructor string parser ----
function parseConstructorString(input) {
  const cps = nano.urlCodePoints(input, false);
  const tokens = tokenize(input, false);
  const result = ObjectCreate(null);
  let componentStart = 0, tokenIndex = 0, tokenIncrement = 1, groupDepth = 0;
  let ipv6Depth = 0, protocolSpecial = false, state = "init";
  const safe = (i) => (i < tokens.length ? tokens[i] : tokens[tokens.length - 1]);
  const nonSpecial = (i, value) => {
    const t = safe(i);
    if (t.value !== value) return false;
    return t.type === "char" || t.type === "escaped-char" || t.type === "invalid-char";
  };
  const isSearchPrefix = () => {
    if (nonSpecial(tokenIndex, "?")) return true;
    if (tokens[tokenIndex].value !== "?") return false;
    if (tokenIndex - 1 < 0) return true;
    const prev = safe(tokenIndex - 1);
    return !(prev.type === "name" || prev.type === "regexp" || prev.type === "close" ||
      prev.type === "asterisk");
  };
  const componentString = () => {
    const start = safe(componentStart).index;
    return ArrayJoin(ArraySlice(cps, start, tokens[tokenIndex].index), "");
  };
  const rewind = () => {
    tokenIndex = componentStart;
    tokenIncrement = 0;
  };
  const changeState = (next, skip) => {
    if (state !== "init" && state !== "authority" && state !== "done") {
      result[state] = componentString();
    }
    if (state !== "init" && next !== "done") {
      const early = state === "protocol" || state === "authority" || state === "username" ||
        state === "password";
      if (early && (next === "port" || next === "pathname" || next === "search" ||
          next === "hash") && result.hostname === undefined) {
        result.hostname = "";
      }
      if ((early || state === "hostname" || state === "port") &&
          (next === "search" || next === "hash") && result.pathname === undefined) {
        result.pathname = protocolSpecial ? "/" : "";
      }
      if ((early || state === "hostname" || state === "port" || state === "pathname") &&
          next === "hash" && result.search === undefined) {
        result.search = "";
      }
    }
    state = next;
    tokenIndex += skip;
    componentStart = tokenIndex;
    tokenIncrement = 0;
  };
  while (tokenIndex < tokens.length) {
    tokenIncrement = 1;
    const token = tokens[tokenIndex];
    if (token.type === "end") {
      if (state === "init") {
        rewind();
        if (nonSpecial(tokenIndex, "#")) changeState("hash", 1);
        else if (isSearchPrefix()) changeState("search", 1);
        else changeState("pathname", 0);
        tokenIndex += tokenIncrement;
        continue;
      }
      if (state === "authority") {
        rewind();
        state = "hostname";
        tokenIndex += tokenIncrement;
        continue;
      }
      changeState("done", 0);
      break;
    }
    if (token.type === "open") {
      groupDepth++;
      tokenIndex += tokenIncrement;
      continue;
    }
    if (groupDepth > 0) {
      if (token.type === "close") groupDepth--;
      else {
        tokenIndex += tokenIncrement;
        continue;
      }
    }
    switch (state) {
      case "init":
        if (nonSpecial(tokenIndex, ":")) {
          rewind();
          state = "protocol";
        }
        break;
      case "protocol":
        if (nonSpecial(tokenIndex, ":")) {
          const component = compileComponent(componentString(), canonicalizeProtocol,
            { delimiter: "", prefix: "", ignoreCase: false });
          protocolSpecial = matchesSpecialScheme(component);
          let next = "pathname", skip = 1;
          if (nonSpecial(tokenIndex + 1, "/") && nonSpecial(tokenIndex + 2, "/")) {
            next = "authority";
            skip = 3;
          } else if (protocolSpecial) {
            next = "authority";
          }
          changeState(next, skip);
        }
        break;
      case "authority":
        if (nonSpecial(tokenIndex, "@")) {
          rewind();
          state = "username";
        } else if (nonSpecial(tokenIndex, "/") || isSearchPrefix() || nonSpecial(tokenIndex, "#")) {
          rewind();
          state = "hostname";
        }
        break;
      case "username":
        if (nonSpecial(tokenIndex, ":")) changeState("password", 1);
        else if (nonSpecial(tokenIndex, "@")) changeState("hostname", 1);
        break;
      case "password":
        if (nonSpecial(tokenIndex, "@")) changeState("hostname", 1);
        break;
      case "hostname":
        if (nonSpecial(tokenIndex, "[")) ipv6Depth++;
        else if (nonSpecial(tokenIndex, "]")) ipv6Depth--;
        else if (nonSpecial(tokenIndex, ":") && ipv6Depth === 0) changeState("port", 1);
        else if (nonSpecial(tokenIndex, "/")) changeState("pathname", 0);
        else if (isSearchPrefix()) changeState("search", 1);
        else if (nonSpecial(tokenIndex, "#")) changeState("hash", 1);
        break;
      case "port":
        if (nonSpecial(tokenIndex, "/")) changeState("pathname", 0);
        else if (isSearchPrefix()) changeState("search", 1);
        else if (nonSpecial(tokenIndex, "#")) changeState("hash", 1);
        break;
      case "pathname":
        if (isSearchPrefix()) changeState("search", 1);
        else if (nonSpecial(tokenIndex, "#")) changeState("hash", 1);
        break;
      case "search":
        if (nonSpecial(tokenIndex, "#")) changeState("hash", 1);
        break;
      default:
        break;
    }
    tokenIndex += tokenIncrement;
  }
  if (result.hostname !== undefined && result.port === undefined) result.port = "";
  return result;
}

// ---- the interface ----
const DEFAULT_OPTIONS = { delimiter: "", prefix: "", ignoreCase: false };
const HOSTNAME_OPTIONS = { delimiter: ".", prefix: "", ignoreCase: false };

function createPattern(input, baseURL, ignoreCase) {
  let init;
  if (typeof input === "string") {
    init = parseConstructorString(input);
    if (baseURL === undefined && init.protocol === undefined) {
      throw new TypeErrorCtor(
        "URLPattern: a relative pattern string needs a base URL");
    }
    if (baseURL !== undefined) init.baseURL = baseURL;
  } else {
    if (baseURL !== undefined) {
      throw new TypeErrorCtor("URLPattern: a base URL is only allowed with a pattern string");
    }
    init = input;
  }
  const processed = processInit(init, "pattern", null);
  for (let i = 0; i < COMPONENTS.length; i++) {
    if (processed[COMPONENTS[i]] === undefined) processed[COMPONENTS[i]] = "*";
  }
  if (nano.urlSpecialScheme(processed.protocol) &&
      DEFAULT_PORTS[processed.protocol] === processed.port) {
    processed.port = "";
  }
  const c = ObjectCreate(null);
  c.protocol = compileComponent(processed.protocol, canonicalizeProtocol, DEFAULT_OPTIONS);
  c.username = compileComponent(processed.username, canonicalizeUserinfo, DEFAULT_OPTIONS);
  c.password = compileComponent(processed.password, canonicalizeUserinfo, DEFAULT_OPTIONS);
  c.hostname = isIPv6HostnamePattern(processed.hostname) ?
    compileComponent(processed.hostname, canonicalizeIPv6Hostname, HOSTNAME_OPTIONS) :
    compileComponent(processed.hostname, canonicalizeHostname, HOSTNAME_OPTIONS);
  c.port = compileComponent(processed.port, (v) => canonicalizePort(v, processed.protocol),
    DEFAULT_OPTIONS);
  const compileOptions = { delimiter: "", prefix: "", ignoreCase };
  if (matchesSpecialScheme(c.protocol)) {
    c.pathname = compileComponent(processed.pathname, canonicalizePathname,
      { delimiter: "/", prefix: "/", ignoreCase });
  } else {
    c.pathname = compileComponent(processed.pathname, canonicalizeOpaquePathname, compileOptions);
  }
  c.search = compileComponent(processed.search, canonicalizeSearch, compileOptions);
  c.hash = compileComponent(processed.hash, canonicalizeHash, compileOptions);
  return c;
}

function match(components, input, baseURL) {
  const values = ObjectCreate(null);
  const inputs = [input];
  if (typeof input !== "string") {
    const copy = {};
    for (const key in input) copy[key] = input[key];
    inputs[0] = copy;
  }
  if (typeof input !== "string") {
    if (baseURL !== undefined) {
      throw new TypeErrorCtor("URLPattern: a base URL is only allowed with a URL string");
    }
    let applied;
    try {
      applied = processInit(input, "url", "");
    } catch (e) {
      return null;
    }
    for (let i = 0; i < COMPONENTS.length; i++) values[COMPONENTS[i]] = applied[COMPONENTS[i]];
  } else {
    let base = null;
    if (baseURL !== undefined) {
      base = nano.urlParse(baseURL, null);
      if (base === null) return null;
      inputs[1] = baseURL;
    }
    const url = nano.urlParse(input, base);
    if (url === null) return null;
    values.protocol = url.scheme;
    values.username = url.username;
    values.password = url.password;
    values.hostname = url.host === null ? "" : url.host;
    values.port = url.port === null ? "" : "" + url.port;
    values.pathname = nano.urlSerializePath(url);
    values.search = url.query === null ? "" : url.query;
    values.hash = url.fragment === null ? "" : url.fragment;
  }
  const result = { inputs };
  for (let i = 0; i < COMPONENTS.length; i++) {
    const name = COMPONENTS[i];
    const component = components[name];
    const exec = RegExpExec(component.regexp, values[name]);
    if (exec === null) return null;
    const groups = {};
    for (let j = 1; j < exec.length; j++) groups[component.names[j - 1]] = exec[j];
    result[name] = { input: values[name], groups };
  }
  return result;
}

function inputArgument(input) {
  if (isDictionaryLike(input)) return toInit(input);
  return usv(input);
}

let isURLPattern = null;

class URLPattern {
  #c;

  constructor(input = undefined, baseURL = undefined, options = undefined) {
    let base;
    if (isDictionaryLike(baseURL) && options === undefined) {
      options = baseURL;
      base = undefined;
    } else {
      base = usv(baseURL);
    }
    const ignoreCase = options !== undefined && options !== null && !!options.ignoreCase;
    this.#c = createPattern(inputArgument(input), base, ignoreCase);
  }

  test(input = undefined, baseURL = undefined) {
    const c = this.#c;
    return match(c, inputArgument(input), baseURL === undefined ? undefined : usv(baseURL)) !== null;
  }

  exec(input = undefined, baseURL = undefined) {
    const c = this.#c;
    return match(c, inputArgument(input), baseURL === undefined ? undefined : usv(baseURL));
  }

  get protocol() { return this.#c.protocol.pattern; }
  get username() { return this.#c.username.pattern; }
  get password() { return this.#c.password.pattern; }
  get hostname() { return this.#c.hostname.pattern; }
  get port() { return this.#c.port.pattern; }
  get pathname() { return this.#c.pathname.pattern; }
  get search() { return this.#c.search.pattern; }
  get hash() { return this.#c.hash.pattern; }

  static {
    isURLPattern = (value) => value !== null && typeof value === "object" && #c in value;
  }

  get hasRegExpGroups() {
    const c = this.#c;
    for (let i = 0; i < COMPONENTS.length; i++) if (c[COMPONENTS[i]].hasRegExpGroups) return true;
    return false;
  }
}

const proto = URLPattern.prototype;
const names = ObjectGetOwnPropertyNames(proto);
for (let i = 0; i < names.length; i++) {
  if (names[i] === "constructor") continue;
  const desc = ObjectGetOwnPropertyDescriptor(proto, names[i]);
  desc.enumerable = true;
  ObjectDefineProperty(proto, names[i], desc);
}
ObjectDefineProperty(proto, SymbolToStringTag, {
  value: "URLPattern", writable: false, enumerable: false, configurable: true,
});

nano.URLPattern = URLPattern;
nano.isURLPattern = isURLPattern;
nano.defineGlobal("URLPattern", URLPattern);

// URLPattern: the interface, URLPatternInit processing, canonicalization of component
// values through the URL parser, and matching (test/exec). The pattern language itself
// (tokenizer, parsers, regular expression generation) is 33_urlpattern_parser.js.
// Spec: https://urlpattern.spec.whatwg.org/
// Host operations: none. Uses nano.urlParse, nano.urlBasicParse, nano.urlStates,
// nano.urlSerializePath, nano.urlPercentEncode, nano.urlSpecialScheme (31_url_*.js) and
// nano.urlPattern (33_urlpattern_parser.js) at run time.
//
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
const StringLastIndexOf = uncurryThis(String.prototype.lastIndexOf);
const StringToLowerCase = uncurryThis(String.prototype.toLowerCase);
const StringToWellFormed = uncurryThis(String.prototype.toWellFormed);
const RegExpExec = uncurryThis(RegExp.prototype.exec);
const TypeErrorCtor = TypeError;
const SymbolToStringTag = Symbol.toStringTag;

function usv(v) {
  return StringToWellFormed(`${v}`);
}

const COMPONENTS = ["protocol", "username", "password", "hostname", "port", "pathname",
  "search", "hash"];
const DEFAULT_PORTS = {
  __proto__: null, ftp: "21", http: "80", https: "443", ws: "80", wss: "443",
};








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
  return type === "pattern" ? nano.urlPattern.escapePatternString(value) : value;
}

function isAbsolutePathname(s, type) {
  if (s === "") return false;
  if (s[0] === "/") return true;
  if (type === "url" || s.length < 2) return false;
  return (s[0] === "\\" || s[0] === "{") && s[1] === "/";
}

function processInit(init, type, defaults) {
  const result = ObjectCreate(null);
  if (defaults !== null) {
    for (let i = 0; i < COMPONENTS.length; i++) result[COMPONENTS[i]] = defaults;
  }
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

// ---- the interface ----
function compile(input, encode, options) {
  return nano.urlPattern.compileComponent(input, encode, options);
}
const DEFAULT_OPTIONS = { delimiter: "", prefix: "", ignoreCase: false };
const HOSTNAME_OPTIONS = { delimiter: ".", prefix: "", ignoreCase: false };

function createPattern(input, baseURL, ignoreCase) {
  let init;
  if (typeof input === "string") {
    init = nano.urlPattern.parseConstructorString(input, canonicalizeProtocol);
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
  c.protocol = compile(processed.protocol, canonicalizeProtocol, DEFAULT_OPTIONS);
  c.username = compile(processed.username, canonicalizeUserinfo, DEFAULT_OPTIONS);
  c.password = compile(processed.password, canonicalizeUserinfo, DEFAULT_OPTIONS);
  c.hostname = isIPv6HostnamePattern(processed.hostname) ?
    compile(processed.hostname, canonicalizeIPv6Hostname, HOSTNAME_OPTIONS) :
    compile(processed.hostname, canonicalizeHostname, HOSTNAME_OPTIONS);
  c.port = compile(processed.port, (v) => canonicalizePort(v, processed.protocol),
    DEFAULT_OPTIONS);
  const compileOptions = { delimiter: "", prefix: "", ignoreCase };
  if (nano.urlPattern.matchesSpecialScheme(c.protocol)) {
    c.pathname = compile(processed.pathname, canonicalizePathname,
      { delimiter: "/", prefix: "/", ignoreCase });
  } else {
    c.pathname = compile(processed.pathname, canonicalizeOpaquePathname, compileOptions);
  }
  c.search = compile(processed.search, canonicalizeSearch, compileOptions);
  c.hash = compile(processed.hash, canonicalizeHash, compileOptions);
  return c;
}

// The base a URL string without a base URL is parsed against, as workerd does (its
// URLPattern matches "/books/1" where the spec, and browsers, give null): a
// non-special URL with an empty scheme, an empty host and an empty path. A relative
// reference so keeps only what it names: its path (resolved from "/"), query,
// fragment, and the authority of a "//host" reference; the other components are "".
// An absolute URL string is parsed as usual.
function schemelessBase() {
  const base = ObjectCreate(null);
  base.scheme = "";
  base.username = "";
  base.password = "";
  base.host = "";
  base.port = null;
  base.path = [];
  base.query = null;
  base.fragment = null;
  return base;
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
    let base;
    if (baseURL !== undefined) {
      base = nano.urlParse(baseURL, null);
      if (base === null) return null;
      inputs[1] = baseURL;
    } else {
      base = schemelessBase();
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
    const base = baseURL === undefined ? undefined : usv(baseURL);
    return match(c, inputArgument(input), base) !== null;
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

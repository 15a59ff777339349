// The URL interface: constructor with base, the href/origin/protocol/username/password/
// host/hostname/port/pathname/search/searchParams/hash attributes, toString/toJSON and the
// static canParse/parse. The parser itself is 31_url_*.js (with 32_idna.js for
// domains); URLSearchParams is 34_urlsearchparams.js. These files only call each other
// through `nano` at run time, so their load order does not matter.
// Spec: https://url.spec.whatwg.org/#url-class
// Host operations: none.
//
// Exposes on `nano`: isURL(value), urlHref(url) (the href of a URL object, or null),
// urlStripTrailingSpaces(record) (used by URLSearchParams), URL.

const ObjectDefineProperty = Object.defineProperty;
const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const ObjectGetOwnPropertyNames = Object.getOwnPropertyNames;
const ReflectApply = Reflect.apply;
const FunctionPrototypeCall = Function.prototype.call;
const FunctionPrototypeBind = Function.prototype.bind;
const uncurryThis = (fn) => ReflectApply(FunctionPrototypeBind, FunctionPrototypeCall, [fn]);
const StringCharCodeAt = uncurryThis(String.prototype.charCodeAt);
const StringSlice = uncurryThis(String.prototype.slice);
const TypeErrorCtor = TypeError;
const SymbolToStringTag = Symbol.toStringTag;

const usv = nano.toUSVString;

function stripTrailingSpaces(rec) {
  if (typeof rec.path !== "string" || rec.fragment !== null || rec.query !== null) return;
  let end = rec.path.length;
  while (end > 0 && StringCharCodeAt(rec.path, end - 1) === 0x20) end--;
  rec.path = StringSlice(rec.path, 0, end);
}

function cannotHaveCredentialsOrPort(rec) {
  return rec.host === null || rec.host === "" || rec.scheme === "file";
}


const PARSED = {};
let stateOf = null;

class URL {
  // {rec: URL record, sp: the URLSearchParams object or null until first asked for}
  #s;

  constructor(url, base = undefined) {
    if (url === PARSED) {
      this.#s = { rec: base, sp: null };
      return;
    }
    if (arguments.length < 1) {
      throw new TypeErrorCtor(
        "Failed to construct 'URL': 1 argument required, but only 0 present.");
    }
    const input = usv(url);
    const baseRec = base === undefined ? null : nano.urlParse(usv(base), null);
    if (base !== undefined && baseRec === null) {
      throw new TypeErrorCtor(`Invalid base URL: ${usv(base)}`);
    }
    const rec = nano.urlParse(input, baseRec);
    if (rec === null) throw new TypeErrorCtor(`Invalid URL: ${input}`);
    this.#s = { rec, sp: null };
  }

  static parse(url, base = undefined) {
    if (arguments.length < 1) {
      throw new TypeErrorCtor(
        "Failed to execute 'parse' on 'URL': 1 argument required, but only 0 present.");
    }
    const input = usv(url);
    const baseRec = base === undefined ? null : nano.urlParse(usv(base), null);
    if (base !== undefined && baseRec === null) return null;
    const rec = nano.urlParse(input, baseRec);
    return rec === null ? null : new URL(PARSED, rec);
  }

  static canParse(url, base = undefined) {
    if (arguments.length < 1) {
      throw new TypeErrorCtor(
        "Failed to execute 'canParse' on 'URL': 1 argument required, but only 0 present.");
    }
    const input = usv(url);
    const baseRec = base === undefined ? null : nano.urlParse(usv(base), null);
    if (base !== undefined && baseRec === null) return false;
    return nano.urlParse(input, baseRec) !== null;
  }

  get href() {
    return nano.urlSerialize(this.#s.rec, false);
  }

  set href(value) {
    const s = this.#s;
    const input = usv(value);
    const rec = nano.urlParse(input, null);
    if (rec === null) throw new TypeErrorCtor(`Invalid URL: ${input}`);
    s.rec = rec;
    if (s.sp !== null) nano.resetURLSearchParams(s.sp, rec.query);
  }

  get origin() {
    return nano.urlOrigin(this.#s.rec);
  }

  get protocol() {
    return this.#s.rec.scheme + ":";
  }

  set protocol(value) {
    const rec = this.#s.rec;
    nano.urlBasicParse(usv(value) + ":", null, rec, nano.urlStates.schemeStart);
  }

  get username() {
    return this.#s.rec.username;
  }

  set username(value) {
    const rec = this.#s.rec;
    value = usv(value);
    if (cannotHaveCredentialsOrPort(rec)) return;
    rec.username = nano.urlPercentEncode(value, "userinfo", false);
  }

  get password() {
    return this.#s.rec.password;
  }

  set password(value) {
    const rec = this.#s.rec;
    value = usv(value);
    if (cannotHaveCredentialsOrPort(rec)) return;
    rec.password = nano.urlPercentEncode(value, "userinfo", false);
  }

  get host() {
    const rec = this.#s.rec;
    if (rec.host === null) return "";
    return rec.port === null ? rec.host : rec.host + ":" + rec.port;
  }

  set host(value) {
    const rec = this.#s.rec;
    value = usv(value);
    if (typeof rec.path === "string") return;
    nano.urlBasicParse(value, null, rec, nano.urlStates.host);
  }

  get hostname() {
    const host = this.#s.rec.host;
    return host === null ? "" : host;
  }

  set hostname(value) {
    const rec = this.#s.rec;
    value = usv(value);
    if (typeof rec.path === "string") return;
    nano.urlBasicParse(value, null, rec, nano.urlStates.hostname);
  }

  get port() {
    const port = this.#s.rec.port;
    return port === null ? "" : "" + port;
  }

  set port(value) {
    const rec = this.#s.rec;
    value = usv(value);
    if (cannotHaveCredentialsOrPort(rec)) return;
    if (value === "") rec.port = null;
    else nano.urlBasicParse(value, null, rec, nano.urlStates.port);
  }

  get pathname() {
    return nano.urlSerializePath(this.#s.rec);
  }

  set pathname(value) {
    const rec = this.#s.rec;
    value = usv(value);
    if (typeof rec.path === "string") return;
    rec.path = [];
    nano.urlBasicParse(value, null, rec, nano.urlStates.pathStart);
  }

  get search() {
    const query = this.#s.rec.query;
    return query === null || query === "" ? "" : "?" + query;
  }

  set search(value) {
    const s = this.#s;
    const rec = s.rec;
    value = usv(value);
    if (value === "") {
      rec.query = null;
      if (s.sp !== null) nano.resetURLSearchParams(s.sp, null);
      stripTrailingSpaces(rec);
      return;
    }
    const input = value[0] === "?" ? StringSlice(value, 1) : value;
    rec.query = "";
    nano.urlBasicParse(input, null, rec, nano.urlStates.query);
    if (s.sp !== null) nano.resetURLSearchParams(s.sp, input);
  }

  get searchParams() {
    const s = this.#s;
    if (s.sp === null) s.sp = nano.newURLSearchParamsForURL(s);
    return s.sp;
  }

  get hash() {
    const fragment = this.#s.rec.fragment;
    return fragment === null || fragment === "" ? "" : "#" + fragment;
  }

  set hash(value) {
    const rec = this.#s.rec;
    value = usv(value);
    if (value === "") {
      rec.fragment = null;
      stripTrailingSpaces(rec);
      return;
    }
    const input = value[0] === "#" ? StringSlice(value, 1) : value;
    rec.fragment = "";
    nano.urlBasicParse(input, null, rec, nano.urlStates.fragment);
  }

  toString() {
    return nano.urlSerialize(this.#s.rec, false);
  }

  toJSON() {
    return nano.urlSerialize(this.#s.rec, false);
  }

  static {
    stateOf = (value) => (#s in value ? value.#s : null);
  }
}

// WebIDL: attributes and operations are enumerable; the class has a toStringTag.
for (const target of [URL.prototype, URL]) {
  const names = ObjectGetOwnPropertyNames(target);
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    if (name === "constructor" || name === "prototype" || name === "length" ||
        name === "name") continue;
    const desc = ObjectGetOwnPropertyDescriptor(target, name);
    desc.enumerable = true;
    ObjectDefineProperty(target, name, desc);
  }
}
ObjectDefineProperty(URL.prototype, SymbolToStringTag, {
  value: "URL", writable: false, enumerable: false, configurable: true,
});

nano.urlStripTrailingSpaces = stripTrailingSpaces;
nano.isURL = (value) =>
  value !== null && typeof value === "object" && stateOf(value) !== null;
nano.urlHref = (value) => {
  const s = value !== null && typeof value === "object" ? stateOf(value) : null;
  return s === null ? null : nano.urlSerialize(s.rec, false);
};
nano.URL = URL;

nano.defineGlobal("URL", URL);

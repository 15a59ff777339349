// The `Request` interface, and the bridge's constructor for incoming requests.
// Spec: https://fetch.spec.whatwg.org/#request-class (constructor steps, getters,
// clone), with the Body mixin from 51_body.js.
// Host operations: none.
//
// Server-runtime choices (as in workerd): there is no base URL, so a relative URL is a
// TypeError; the referrer is kept as given (there is no client origin to compare
// with); forbidden header names are not filtered. `signal` is created on first use
// (nano.createDependentAbortSignal from 12_abort.js): a dependent signal of
// init.signal / the input request's signal, which is observably the same as making
// it in the constructor.
// Uses nano.urlParse/urlSerialize (31_url_parser.js) and nano.isAbortSignal.
//
// Internals put on `nano`:
//   nano.Request, nano.isRequest(v)
//   nano.makeIncomingRequest(method, url, headerPairs, bodyBytesOrNull, signal)
//     headerPairs: flat [name1, value1, ...] in arrival order (repeats kept); the
//     request's headers are immutable. bodyBytesOrNull: a Uint8Array (taken over, not
//     copied), null, or (once streams exist) a ReadableStream. signal: an AbortSignal
//     or null (then a never-aborted one is made on first use).
//   nano.incomingRequestCount() -> how many incoming requests makeIncomingRequest made
//     (the subrequest budget of fetch() is credited per incoming request)
//   nano.requestInternals(request) -> {method, url, headers (the header list, flat,
//     not a copy), body (the body record or null), signal, redirect}: what fetch() sends

const ReflectApply = Reflect.apply;
const ObjectDefineProperty = Object.defineProperty;
const ObjectKeys = Object.keys;
const StringCtor = String;
const TypeErrorCtor = TypeError;
const SymbolToStringTag = Symbol.toStringTag;
const StringPrototypeToLowerCase = String.prototype.toLowerCase;
const StringPrototypeToWellFormed = String.prototype.toWellFormed;
const Uint8ArrayCtor = Uint8Array;
const HeadersAppend = nano.Headers.prototype.append;

const METHOD_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// The fetch spec upper-cases DELETE, GET, HEAD, OPTIONS, POST and PUT; Cloudflare
// Workers upper-cases every method it knows (PATCH, the WebDAV ones, ...), so a worker
// that sends {method: "patch"} sends PATCH, as it would there. Other tokens keep their
// case (Workers refuses them; the spec allows them, and so does NANO).
const NORMALIZED_METHODS = new Map([
  "DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT",
  "PATCH", "PURGE", "COPY", "LOCK", "MKCOL", "MOVE", "PROPFIND", "PROPPATCH", "SEARCH", "UNLOCK",
  "ACL", "REPORT", "MKACTIVITY", "CHECKOUT", "MERGE", "M-SEARCH", "NOTIFY", "SUBSCRIBE",
  "UNSUBSCRIBE", "QUERY",
].map((name) => [ReflectApply(StringPrototypeToLowerCase, name, []), name]));
const FORBIDDEN_METHODS = new Set(["connect", "trace", "track"]);

const ENUMS = {
  referrerPolicy: new Set(["", "no-referrer", "no-referrer-when-downgrade", "same-origin", "origin",
    "strict-origin", "origin-when-cross-origin", "strict-origin-when-cross-origin", "unsafe-url"]),
  mode: new Set(["navigate", "same-origin", "no-cors", "cors"]),
  credentials: new Set(["omit", "same-origin", "include"]),
  cache: new Set(["default", "no-store", "reload", "no-cache", "force-cache", "only-if-cached"]),
  redirect: new Set(["follow", "error", "manual"]),
  duplex: new Set(["half"]),
  priority: new Set(["high", "low", "auto"]),
};

// The options no request of a worker usually changes, shared until one is set.
const DEFAULT_OPTIONS = Object.freeze({
  referrer: "client", // "client" | "no-referrer" | a URL string
  referrerPolicy: "",
  mode: "cors",
  credentials: "same-origin",
  cache: "default",
  redirect: "follow",
  integrity: "",
  keepalive: false,
  reloadNavigation: false,
  historyNavigation: false,
  priority: "auto",
  duplex: "half",
});

// A request that reaches the worker from a client: as on Cloudflare Workers its redirect
// mode is "manual", so a worker that proxies it (fetch(request), or a new Request made
// from it) passes the upstream's redirects to the client instead of following them.
const INCOMING_OPTIONS = Object.freeze({ ...DEFAULT_OPTIONS, redirect: "manual" });

// https://url.spec.whatwg.org/ via the URL implementation (31_url_parser.js), with no
// base URL. Returns {href, credentials}.
function parseURL(input, what) {
  const record = nano.urlParse(input, null);
  if (record === null) throw invalidURL(input, what);
  return { href: nano.urlSerialize(record, false), credentials: record.username !== "" || record.password !== "" };
}

function invalidURL(input, what) {
  return new TypeErrorCtor(what + ": invalid URL " + JSONQuote(input) +
    " (relative URLs need a base, and a worker has none)");
}

function JSONQuote(s) {
  return "\"" + (s.length > 80 ? s.slice(0, 80) + "..." : s) + "\"";
}

function isAbortSignal(v) {
  return nano.isAbortSignal(v);
}

// A new signal that follows `source` (or a never-aborted one when source is null).
function followingSignal(source) {
  return nano.createDependentAbortSignal(source === null ? [] : [source]);
}

function convertEnum(init, key, out) {
  const v = init[key];
  if (v === undefined) return;
  const s = StringCtor(v);
  if (!ENUMS[key].has(s)) {
    throw new TypeErrorCtor("Request: " + JSONQuote(s) + " is not a valid value for " + key);
  }
  out[key] = s;
}

// WebIDL conversion of RequestInit (members read in lexicographic order). Returns null
// when init is empty (every member absent).
function convertInit(init) {
  if (init === undefined || init === null) return null;
  if (typeof init !== "object" && typeof init !== "function") {
    throw new TypeErrorCtor("Request: init must be an object");
  }
  const out = { __proto__: null };
  let v = init.body;
  if (v !== undefined) out.body = v;
  convertEnum(init, "cache", out);
  v = init.cf;
  if (v !== undefined) {
    if (v !== null && typeof v !== "object") throw new TypeErrorCtor("Request: init.cf must be an object");
    out.cf = v;
  }
  convertEnum(init, "credentials", out);
  convertEnum(init, "duplex", out);
  v = init.headers;
  if (v !== undefined) {
    if (v === null || (typeof v !== "object" && typeof v !== "function")) {
      throw new TypeErrorCtor("Request: init.headers must be an object");
    }
    out.headers = v;
  }
  v = init.integrity;
  if (v !== undefined) out.integrity = StringCtor(v);
  v = init.keepalive;
  if (v !== undefined) out.keepalive = !!v;
  v = init.method;
  if (v !== undefined) out.method = toByteString(v);
  convertEnum(init, "mode", out);
  convertEnum(init, "priority", out);
  convertEnum(init, "redirect", out);
  v = init.referrer;
  if (v !== undefined) out.referrer = ReflectApply(StringPrototypeToWellFormed, StringCtor(v), []);
  convertEnum(init, "referrerPolicy", out);
  v = init.signal;
  if (v !== undefined) {
    if (v !== null && !isAbortSignal(v)) throw new TypeErrorCtor("Request: init.signal must be an AbortSignal");
    out.signal = v;
  }
  v = init.window;
  if (v !== undefined) out.window = v;
  return ObjectKeys(out).length > 0 ? out : null;
}

function toByteString(v) {
  const s = StringCtor(v);
  if (/[\u0100-\uffff]/.test(s)) throw new TypeErrorCtor("Request: method is not a ByteString");
  return s;
}

// Appends an already valid header list through the guard of `headers`.
function appendList(headers, list) {
  if (nano.headersGuard(headers) === "request-no-cors") {
    for (let i = 0; i < list.length; i += 2) ReflectApply(HeadersAppend, headers, [list[i], list[i + 1]]);
  } else {
    const dst = nano.headersList(headers);
    for (let i = 0; i < list.length; i++) dst[dst.length] = list[i];
  }
}

function normalizeMethod(method) {
  if (!METHOD_TOKEN.test(method)) throw new TypeErrorCtor("Request: invalid method " + JSONQuote(method));
  const lower = ReflectApply(StringPrototypeToLowerCase, method, []);
  if (FORBIDDEN_METHODS.has(lower)) throw new TypeErrorCtor("Request: forbidden method " + method);
  return NORMALIZED_METHODS.get(lower) ?? method;
}

let creatingInternal = false;
let incomingCount = 0;
// Set by the class's static block (they need its private names).
let isRequest;
let check;
let bodyAccess;

class Request {
  #method = "GET";
  #url = "";
  #headers = null; // Headers, made on first use for incoming requests
  #rawHeaders = null; // flat header pairs from the bridge, until #headers is made
  #body = null;
  #signal = null;
  #signalSource = null; // the signal ours follows, until #signal is made
  #options = DEFAULT_OPTIONS;
  #cf = undefined; // Cloudflare's request properties: {} for an incoming request (see cf)

  constructor(input, init = undefined) {
    if (creatingInternal) {
      creatingInternal = false;
      return;
    }
    if (arguments.length < 1) throw new TypeErrorCtor("Request constructor requires 1 argument");
    let inputRequest = null;
    let url;
    if (isRequest(input)) {
      inputRequest = input;
    } else {
      const parsed = parseURL(ReflectApply(StringPrototypeToWellFormed, StringCtor(input), []), "Request");
      if (parsed.credentials) {
        throw new TypeErrorCtor("Request: the URL includes credentials");
      }
      url = parsed.href;
    }
    const opts = convertInit(init);
    const options = { ...(inputRequest === null ? DEFAULT_OPTIONS : inputRequest.#options) };
    if (inputRequest !== null) {
      url = inputRequest.#url;
      this.#method = inputRequest.#method;
      this.#cf = inputRequest.#cf;
    }
    let signalSource = inputRequest === null ? null : inputRequest.#getSignal();
    if (opts !== null) {
      if (opts.window !== undefined && opts.window !== null) {
        throw new TypeErrorCtor("Request: init.window must be null");
      }
      if (options.mode === "navigate") options.mode = "same-origin";
      options.reloadNavigation = false;
      options.historyNavigation = false;
      options.referrer = "client";
      options.referrerPolicy = "";
      if (opts.referrer !== undefined) {
        if (opts.referrer === "") {
          options.referrer = "no-referrer";
        } else {
          const ref = parseURL(opts.referrer, "Request: referrer").href;
          options.referrer = ref === "about:client" ? "client" : ref;
        }
      }
      if (opts.referrerPolicy !== undefined) options.referrerPolicy = opts.referrerPolicy;
      if (opts.mode === "navigate") throw new TypeErrorCtor("Request: mode \"navigate\" is not allowed");
      if (opts.mode !== undefined) options.mode = opts.mode;
      if (opts.credentials !== undefined) options.credentials = opts.credentials;
      if (opts.cache !== undefined) options.cache = opts.cache;
      if (options.cache === "only-if-cached" && options.mode !== "same-origin") {
        throw new TypeErrorCtor("Request: cache \"only-if-cached\" requires mode \"same-origin\"");
      }
      if (opts.redirect !== undefined) options.redirect = opts.redirect;
      if (opts.integrity !== undefined) options.integrity = opts.integrity;
      if (opts.keepalive !== undefined) options.keepalive = opts.keepalive;
      if (opts.method !== undefined) this.#method = normalizeMethod(opts.method);
      if (opts.signal !== undefined) signalSource = opts.signal;
      if (opts.priority !== undefined) options.priority = opts.priority;
      if (opts.duplex !== undefined) options.duplex = opts.duplex;
      if (opts.cf !== undefined) this.#cf = opts.cf === null ? undefined : opts.cf;
    }
    this.#url = url;
    this.#signalSource = signalSource;

    // Headers.
    let finalHeaders;
    if (opts === null) {
      finalHeaders = nano.makeHeaders(inputRequest === null ? [] : inputRequest.#headerList().slice(), "request");
    } else {
      let guard = "request";
      if (options.mode === "no-cors") {
        const m = this.#method;
        if (m !== "GET" && m !== "HEAD" && m !== "POST") {
          throw new TypeErrorCtor("Request: mode \"no-cors\" allows only GET, HEAD and POST");
        }
        guard = "request-no-cors";
      }
      finalHeaders = nano.makeHeaders([], guard);
      if (opts.headers !== undefined) {
        if (nano.isHeaders(opts.headers)) appendList(finalHeaders, nano.headersList(opts.headers).slice());
        else nano.fillHeaders(finalHeaders, opts.headers);
      } else if (inputRequest !== null) {
        appendList(finalHeaders, inputRequest.#headerList().slice());
      }
    }
    this.#headers = finalHeaders;

    // Body.
    const inputBody = inputRequest === null ? null : inputRequest.#body;
    const initBody = opts !== null && opts.body !== undefined ? opts.body : null;
    if ((initBody !== null || inputBody !== null) && (this.#method === "GET" || this.#method === "HEAD")) {
      throw new TypeErrorCtor("Request with GET/HEAD method cannot have a body");
    }
    let body = null;
    if (initBody !== null) {
      body = nano.extractBody(initBody, options.keepalive);
      if (body.type !== null && !nano.headerListContains(nano.headersList(finalHeaders), "content-type")) {
        ReflectApply(HeadersAppend, finalHeaders, ["Content-Type", body.type]);
      }
    }
    const inputOrInitBody = body ?? inputBody;
    if (inputOrInitBody !== null && inputOrInitBody.kind === "stream") {
      if (initBody !== null && (opts.duplex === undefined)) {
        throw new TypeErrorCtor("Request: a ReadableStream body requires duplex: \"half\"");
      }
      if (options.mode !== "same-origin" && options.mode !== "cors") {
        throw new TypeErrorCtor("Request: a ReadableStream body requires mode \"same-origin\" or \"cors\"");
      }
    }
    if (initBody === null && inputBody !== null) {
      if (nano.bodyIsUnusable(inputBody)) {
        throw new TypeErrorCtor("Request: the input request's body has already been used");
      }
      // Take the body over: the input request is disturbed from now on.
      body = { ...inputBody };
      inputBody.disturbed = true;
    }
    this.#body = body;
    this.#options = options;
  }

  get method() { return check(this).#method; }
  get url() { return check(this).#url; }

  get headers() {
    return check(this).#getHeaders();
  }

  #headerList() {
    return nano.headersList(this.#getHeaders());
  }

  #getSignal() {
    if (this.#signal === null) {
      this.#signal = followingSignal(this.#signalSource);
      this.#signalSource = null;
    }
    return this.#signal;
  }

  #getHeaders() {
    const self = this;
    if (self.#headers === null) {
      const raw = self.#rawHeaders;
      const list = [];
      if (raw !== null) {
        for (let i = 0; i < raw.length; i += 2) {
          list[i] = ReflectApply(StringPrototypeToLowerCase, raw[i], []);
          list[i + 1] = raw[i + 1];
        }
      }
      self.#headers = nano.makeHeaders(list, "immutable");
      self.#rawHeaders = null;
    }
    return self.#headers;
  }

  get destination() { check(this); return ""; }

  get referrer() {
    const referrer = check(this).#options.referrer;
    if (referrer === "no-referrer") return "";
    if (referrer === "client") return "about:client";
    return referrer;
  }

  get referrerPolicy() { return check(this).#options.referrerPolicy; }
  get mode() { return check(this).#options.mode; }
  get credentials() { return check(this).#options.credentials; }
  get cache() { return check(this).#options.cache; }
  get redirect() { return check(this).#options.redirect; }
  get integrity() { return check(this).#options.integrity; }
  get keepalive() { return check(this).#options.keepalive; }
  get isReloadNavigation() { return check(this).#options.reloadNavigation; }
  get isHistoryNavigation() { return check(this).#options.historyNavigation; }
  get duplex() { return check(this).#options.duplex; }

  get signal() {
    return check(this).#getSignal();
  }

  // Cloudflare Workers' request.cf: an object on a request that came from a client
  // (empty here: NANO has no edge metadata such as colo or country, so apps reading
  // request.cf.country get undefined rather than a TypeError), undefined on a request
  // the worker made, carried over by new Request(input, init) from input or init.cf.
  get cf() {
    return check(this).#cf;
  }

  clone() {
    const self = check(this);
    if (nano.bodyIsUnusable(self.#body)) throw new TypeErrorCtor("Request.clone: the body has already been used");
    const headers = self.#getHeaders();
    creatingInternal = true;
    const copy = new Request();
    copy.#method = self.#method;
    copy.#url = self.#url;
    copy.#headers = nano.makeHeaders(nano.headersList(headers).slice(), nano.headersGuard(headers));
    copy.#body = nano.cloneBody(self.#body);
    copy.#signalSource = self.#getSignal();
    copy.#options = self.#options;
    copy.#cf = self.#cf;
    return copy;
  }

  static {
    isRequest = (v) => v !== null && typeof v === "object" && #method in v;
    check = (self) => {
      if (!isRequest(self)) throw new TypeErrorCtor("Illegal invocation: not a Request");
      return self;
    };
    nano.makeIncomingRequest = function makeIncomingRequest(method, url, headerPairs, body, signal) {
      incomingCount++;
      creatingInternal = true;
      const request = new Request();
      request.#method = method;
      request.#url = url;
      request.#rawHeaders = headerPairs;
      request.#options = INCOMING_OPTIONS;
      request.#cf = {};
      if (body !== null && body !== undefined) {
        request.#body = body instanceof Uint8ArrayCtor
          ? { kind: "bytes", source: body, length: body.length, type: null, disturbed: false, shared: false }
          : { kind: "stream", source: body, length: null, type: null, disturbed: false, shared: false };
      }
      if (signal !== null && signal !== undefined) request.#signal = signal;
      return request;
    };
    nano.incomingRequestCount = () => incomingCount;
    nano.requestInternals = function requestInternals(request) {
      const self = check(request);
      return {
        method: self.#method,
        url: self.#url,
        headers: self.#headerList(),
        body: self.#body,
        signal: self.#getSignal(),
        redirect: self.#options.redirect,
      };
    };
    bodyAccess = {
      body: (self) => check(self).#body,
      contentType: (self) => nano.headerListGet(self.#headerList(), "content-type"),
    };
  }
}

nano.installBodyMixin(Request.prototype, bodyAccess);

const RequestPrototype = Request.prototype;
for (const name of ["clone"]) ObjectDefineProperty(RequestPrototype, name, { enumerable: true });
for (const name of ["method", "url", "headers", "destination", "referrer", "referrerPolicy", "mode",
  "credentials", "cache", "redirect", "integrity", "keepalive", "isReloadNavigation",
  "isHistoryNavigation", "duplex", "signal", "cf"]) {
  ObjectDefineProperty(RequestPrototype, name, { enumerable: true });
}
ObjectDefineProperty(RequestPrototype, SymbolToStringTag, {
  value: "Request", writable: false, enumerable: false, configurable: true,
});

nano.Request = Request;
nano.isRequest = isRequest;
nano.defineGlobal("Request", Request);

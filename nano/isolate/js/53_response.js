// The `Response` interface, and the bridge's helpers for returned responses.
// Spec: https://fetch.spec.whatwg.org/#response-class (constructor, getters, clone,
// Response.error/redirect/json), with the Body mixin from 51_body.js.
// Host operations: none.
//
// `new Response("text")` is on every request's path, so the common case does no work
// it can skip: the Headers object is made on first use (until then the response only
// remembers the Content-Type its body implies) and a string body stays a string.
//
// Internals put on `nano`:
//   nano.Response, nano.isResponse(v) (brand check)
//   nano.responseParts(response) -> {status, statusText, headers, body} or
//     {status, statusText, headers, stream}: headers is a flat [name, value, ...] list in
//     insertion order with lowercase names (repeated names, Set-Cookie included, stay
//     separate); body is null, the string a string body was made from, or a Uint8Array;
//     a ReadableStream body comes back as `stream` for the bridge to read (the streams
//     implementation feeds it). Marks the body used; throws TypeError if it already was.
//     `encode` is "gzip" or "br" when the body must be compressed on its way out (its
//     Content-Encoding is exactly that and encodeBody is "automatic", as on Workers).
//   nano.makeFetchedResponse(status, statusText, headerList, urlList, body) -> a Response
//     as fetch() resolves with: type "default" (as workerd), headers guarded "immutable"
//     (headerList taken, not copied), url/redirected from urlList, body a body record or
//     null.

const ReflectApply = Reflect.apply;
const ObjectDefineProperty = Object.defineProperty;
const StringCtor = String;
const NumberCtor = Number;
const MathFloor = Math.floor;
const MathAbs = Math.abs;
const NumberIsFinite = Number.isFinite;
const TypeErrorCtor = TypeError;
const RangeErrorCtor = RangeError;
const JSONStringify = JSON.stringify;
const SymbolToStringTag = Symbol.toStringTag;
const StringPrototypeToWellFormed = String.prototype.toWellFormed;
const HeadersAppend = nano.Headers.prototype.append;

const REASON_PHRASE = /^[\t \x21-\x7e\x80-\xff]*$/;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const EMPTY_LIST = [];

function isNullBodyStatus(status) {
  return status === 101 || status === 103 || status === 204 || status === 205 || status === 304;
}

// WebIDL `unsigned short` (no [EnforceRange]).
function toUnsignedShort(v) {
  if (typeof v === "number" && v >= 0 && v <= 0xffff && (v | 0) === v) return v;
  let x = NumberCtor(v);
  if (!NumberIsFinite(x)) return 0;
  x = (x < 0 ? -1 : 1) * MathFloor(MathAbs(x));
  x %= 65536;
  return x < 0 ? x + 65536 : x + 0;
}

// https://url.spec.whatwg.org/ (31_url_parser.js), with no base URL.
function parseURL(input) {
  const record = nano.urlParse(input, null);
  if (record === null) {
    throw new TypeErrorCtor("Response.redirect: invalid URL \"" + input +
      "\" (relative URLs need a base, and a worker has none)");
  }
  return nano.urlSerialize(record, false);
}

let creatingInternal = false;
// Set by the class's static block (they need its private names).
let isResponse;
let check;
let bodyAccess;
let makeHeaders;
let makeInternal;

class Response {
  #type = "default";
  #urlList = EMPTY_LIST;
  #status = 200;
  #statusText = "";
  #headers = null; // Headers, made on first use when the init had none
  #contentType = null; // the body's Content-Type, while #headers is null
  #body = null;
  // Cloudflare Workers' ResponseInit.encodeBody: "automatic" (the runtime compresses the
  // body when Content-Encoding is exactly "gzip" or "br") or "manual" (it already is).
  #encodeBody = "automatic";

  constructor(body = null, init = undefined) {
    if (creatingInternal) {
      creatingInternal = false;
      return;
    }
    let bodyRecord = null;
    if (body !== null && body !== undefined) {
      bodyRecord = nano.extractBody(body, false);
    }
    if (init !== undefined && init !== null) {
      if (typeof init !== "object" && typeof init !== "function") {
        throw new TypeErrorCtor("Response: init must be an object");
      }
      // ResponseInit members, read in lexicographic order. A Response given as init
      // passes its encodeBody on (it is not a property, as on workerd).
      let encodeBody = isResponse(init) ? init.#encodeBody : "automatic";
      const encodeBodyInit = init.encodeBody;
      if (encodeBodyInit !== undefined) {
        encodeBody = StringCtor(encodeBodyInit);
        if (encodeBody !== "automatic" && encodeBody !== "manual") {
          throw new TypeErrorCtor("Response: encodeBody must be \"automatic\" or \"manual\", got " +
            JSONStringify(encodeBody));
        }
      }
      this.#encodeBody = encodeBody;
      const headersInit = init.headers;
      if (headersInit !== undefined && (headersInit === null ||
        (typeof headersInit !== "object" && typeof headersInit !== "function"))) {
        throw new TypeErrorCtor("Response: init.headers must be an object");
      }
      const statusInit = init.status;
      const status = statusInit === undefined ? 200 : toUnsignedShort(statusInit);
      const statusTextInit = init.statusText;
      let statusText = "";
      if (statusTextInit !== undefined) {
        statusText = typeof statusTextInit === "string" ? statusTextInit : StringCtor(statusTextInit);
      }
      // https://fetch.spec.whatwg.org/#initialize-a-response
      if (status < 200 || status > 599) {
        throw new RangeErrorCtor("Response: status must be in the range 200 to 599, got " + status);
      }
      if (statusText !== "" && !REASON_PHRASE.test(statusText)) {
        throw new TypeErrorCtor("Response: invalid statusText");
      }
      this.#status = status;
      this.#statusText = statusText;
      if (headersInit !== undefined) {
        const headers = nano.makeHeaders([], "response");
        nano.fillHeaders(headers, headersInit);
        this.#headers = headers;
      }
    }
    if (bodyRecord !== null) {
      if (isNullBodyStatus(this.#status)) {
        throw new TypeErrorCtor("Response with null body status " + this.#status + " cannot have a body");
      }
      this.#body = bodyRecord;
      const type = bodyRecord.type;
      if (type !== null) {
        const headers = this.#headers;
        if (headers === null) {
          this.#contentType = type;
        } else if (!nano.headerListContains(nano.headersList(headers), "content-type")) {
          ReflectApply(HeadersAppend, headers, ["Content-Type", type]);
        }
      }
    }
  }

  static error() {
    const response = makeInternal(0, [], "immutable");
    response.#type = "error";
    return response;
  }

  static redirect(url, status = 302) {
    if (arguments.length < 1) throw new TypeErrorCtor("Response.redirect requires 1 argument");
    const href = parseURL(ReflectApply(StringPrototypeToWellFormed, StringCtor(url), []));
    status = toUnsignedShort(status);
    if (!REDIRECT_STATUSES.has(status)) {
      throw new RangeErrorCtor("Response.redirect: status must be 301, 302, 303, 307 or 308, got " + status);
    }
    return makeInternal(status, ["location", href], "immutable");
  }

  static json(data, init = undefined) {
    if (arguments.length < 1) throw new TypeErrorCtor("Response.json requires 1 argument");
    const text = JSONStringify(data);
    if (text === undefined) throw new TypeErrorCtor("Response.json: the data cannot be serialized to JSON");
    const response = new Response(null, init);
    if (isNullBodyStatus(response.#status)) {
      throw new TypeErrorCtor("Response with null body status " + response.#status + " cannot have a body");
    }
    response.#body = { kind: "string", source: text, length: null, type: null, disturbed: false, shared: false };
    const headers = response.#headers;
    if (headers === null) response.#contentType = "application/json";
    else if (!nano.headerListContains(nano.headersList(headers), "content-type")) {
      ReflectApply(HeadersAppend, headers, ["Content-Type", "application/json"]);
    }
    return response;
  }

  get type() { return check(this).#type; }

  get url() {
    const list = check(this).#urlList;
    if (list.length === 0) return "";
    const url = list[list.length - 1];
    const hash = url.indexOf("#");
    return hash < 0 ? url : url.slice(0, hash);
  }

  get redirected() { return check(this).#urlList.length > 1; }
  get status() { return check(this).#status; }

  get ok() {
    const status = check(this).#status;
    return status >= 200 && status <= 299;
  }

  get statusText() { return check(this).#statusText; }

  get headers() {
    const self = check(this);
    return self.#headers ?? makeHeaders(self);
  }

  clone() {
    const self = check(this);
    if (nano.bodyIsUnusable(self.#body)) throw new TypeErrorCtor("Response.clone: the body has already been used");
    creatingInternal = true;
    const copy = new Response();
    copy.#type = self.#type;
    copy.#urlList = self.#urlList;
    copy.#status = self.#status;
    copy.#statusText = self.#statusText;
    const headers = self.#headers;
    if (headers === null) {
      copy.#contentType = self.#contentType;
    } else {
      copy.#headers = nano.makeHeaders(nano.headersList(headers).slice(), nano.headersGuard(headers));
    }
    copy.#body = nano.cloneBody(self.#body);
    copy.#encodeBody = self.#encodeBody;
    return copy;
  }

  static {
    isResponse = (v) => v !== null && typeof v === "object" && #status in v;
    check = (self) => {
      if (!isResponse(self)) throw new TypeErrorCtor("Illegal invocation: not a Response");
      return self;
    };
    makeHeaders = (self) => {
      const type = self.#contentType;
      self.#contentType = null;
      return self.#headers = nano.makeHeaders(type === null ? [] : ["content-type", type], "response");
    };
    makeInternal = (status, list, guard) => {
      creatingInternal = true;
      const response = new Response();
      response.#status = status;
      response.#headers = nano.makeHeaders(list, guard);
      return response;
    };
    nano.makeFetchedResponse = function makeFetchedResponse(status, statusText, headerList, urlList, body) {
      creatingInternal = true;
      const response = new Response();
      response.#status = status;
      response.#statusText = statusText;
      response.#headers = nano.makeHeaders(headerList, "immutable");
      response.#urlList = urlList;
      response.#body = body;
      return response;
    };
    bodyAccess = {
      body: (self) => check(self).#body,
      contentType: (self) => {
        const headers = self.#headers;
        return headers === null ? self.#contentType : nano.headerListGet(nano.headersList(headers), "content-type");
      },
    };
    nano.responseParts = function responseParts(response) {
      const self = check(response);
      const headers = self.#headers;
      let list;
      if (headers !== null) list = nano.headersList(headers).slice();
      else list = self.#contentType === null ? [] : ["content-type", self.#contentType];
      const parts = { status: self.#status, statusText: self.#statusText, headers: list, body: null };
      const body = self.#body;
      if (body !== null) {
        if (nano.bodyIsUnusable(body)) throw new TypeErrorCtor("The response body has already been used");
        const value = nano.bodyStringOrBytes(body);
        if (value === null) {
          // A stream body (the streams implementation reads it); a Blob body without
          // synchronous bytes is turned into its stream first.
          parts.stream = body.kind === "stream" ? body.source : response.body;
          delete parts.body;
        } else {
          body.disturbed = true;
          parts.body = value;
        }
        if (self.#encodeBody === "automatic") {
          const encoding = nano.headerListGet(list, "content-encoding");
          if (encoding === "gzip" || encoding === "br") parts.encode = encoding;
        }
      }
      return parts;
    };
  }
}

nano.installBodyMixin(Response.prototype, bodyAccess);

const ResponsePrototype = Response.prototype;
for (const name of ["clone", "type", "url", "redirected", "status", "ok", "statusText", "headers"]) {
  ObjectDefineProperty(ResponsePrototype, name, { enumerable: true });
}
for (const name of ["error", "redirect", "json"]) ObjectDefineProperty(Response, name, { enumerable: true });
ObjectDefineProperty(ResponsePrototype, SymbolToStringTag, {
  value: "Response", writable: false, enumerable: false, configurable: true,
});

nano.Response = Response;
nano.isResponse = isResponse;
nano.defineGlobal("Response", Response);

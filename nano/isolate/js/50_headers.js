// The `Headers` interface and its iterator.
// Spec: https://fetch.spec.whatwg.org/#headers-class (header list, guards, "sort and
// combine", validation of names and values) and WebIDL pair iterators
// (https://webidl.spec.whatwg.org/#idl-iterable).
// Host operations: none.
//
// A header list is a flat array [name1, value1, name2, value2, ...] with lowercase
// names, in insertion order (names are compared case-insensitively, so storing them
// lowercase loses nothing the API can observe). Guards: "none", "request",
// "request-no-cors", "response", "immutable". As in other server runtimes (workerd, Deno,
// Node), forbidden request/response header names are not filtered: a server must be
// able to send `Set-Cookie` and proxy any header.
//
// Internals put on `nano` for the other fetch files:
//   nano.Headers                         the interface object
//   nano.makeHeaders(list, guard)        a Headers over `list` (taken, not copied)
//   nano.headersList(headers)            the live internal list of a Headers
//   nano.headersGuard(headers)           its guard
//   nano.fillHeaders(headers, init)      "fill" with a HeadersInit (validates)
//   nano.headerListGet(list, name)       combined value for a lowercase name, or null
//   nano.headerListContains(list, name)  true if the lowercase name is present
//   nano.isHeaders(value)                brand check
//   nano.headerName(v), headerValue(v)   convert + validate (TypeError) a name (returned
//                                        lowercase) or a value (returned normalised)

const ObjectDefineProperty = Object.defineProperty;
const ObjectGetPrototypeOf = Object.getPrototypeOf;
const ObjectKeys = Object.keys;
const ObjectGetOwnPropertySymbols = Object.getOwnPropertySymbols;
const ObjectPrototypePropertyIsEnumerable = Object.prototype.propertyIsEnumerable;
const ReflectApply = Reflect.apply;
const StringCtor = String;
const TypeErrorCtor = TypeError;
const SymbolIterator = Symbol.iterator;
const SymbolToStringTag = Symbol.toStringTag;
const RegExpPrototypeTest = RegExp.prototype.test;
const StringPrototypeToLowerCase = String.prototype.toLowerCase;
const ArrayPrototypeSort = Array.prototype.sort;
const MapCtor = Map;
const MapPrototypeGet = Map.prototype.get;
const MapPrototypeSet = Map.prototype.set;
const ArrayIsArray = Array.isArray;
const ArrayPrototypeValues = Array.prototype.values;
const ArrayIteratorPrototype = ObjectGetPrototypeOf([][Symbol.iterator]());
const ArrayIteratorNext = ArrayIteratorPrototype.next;
const IteratorPrototype = ObjectGetPrototypeOf(ObjectGetPrototypeOf([][SymbolIterator]()));

// https://fetch.spec.whatwg.org/#header-name (token) and #header-value.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// A value (already normalised) is invalid if it has NUL, CR or LF, or is not a
// ByteString (a code unit above 0xFF).
const BAD_VALUE = /[\0\r\n\u0100-\uffff]/;
// The common case: a valid value with no whitespace to strip at either end.
const PLAIN_VALUE = /^(?:[^\t\n\r \0\u0100-\uffff](?:[^\0\r\n\u0100-\uffff]*[^\t\n\r \0\u0100-\uffff])?)?$/;
const EDGE_WS = /^[\t\n\r ]|[\t\n\r ]$/;
const LEADING_WS = /^[\t\n\r ]+/;
const TRAILING_WS = /[\t\n\r ]+$/;

const NO_CORS_SAFELISTED = new Set(["accept", "accept-language", "content-language", "content-type"]);

function test(re, s) {
  return ReflectApply(RegExpPrototypeTest, re, [s]);
}


function normalizeValue(s) {
  if (!test(EDGE_WS, s)) return s;
  return s.replace(LEADING_WS, "").replace(TRAILING_WS, "");
}

// Names seen before map to their lowercase form (most programs use a few names).
const nameCache = new MapCtor();
const NAME_CACHE_LIMIT = 512;

// ByteString conversion, validation and lowercasing of a header name.
function headerName(v) {
  const name = typeof v === "string" ? v : StringCtor(v);
  let result = ReflectApply(MapPrototypeGet, nameCache, [name]);
  if (result !== undefined) return result;
  // A token is ASCII, so this also checks that the name is a ByteString.
  if (!test(TOKEN, name)) throw new TypeErrorCtor("Invalid header name: " + JSONQuote(name));
  result = ReflectApply(StringPrototypeToLowerCase, name, []);
  if (nameCache.size < NAME_CACHE_LIMIT) ReflectApply(MapPrototypeSet, nameCache, [name, result]);
  return result;
}

// ByteString conversion, normalisation and validation of a header value.
function headerValue(v) {
  const value = typeof v === "string" ? v : StringCtor(v);
  if (test(PLAIN_VALUE, value)) return value;
  const normalized = normalizeValue(value);
  if (test(BAD_VALUE, normalized)) throw new TypeErrorCtor("Invalid header value: " + JSONQuote(normalized));
  return normalized;
}

function JSONQuote(s) {
  return "\"" + (s.length > 64 ? s.slice(0, 64) + "..." : s) + "\"";
}

function listGet(list, name) {
  let result = null;
  for (let i = 0; i < list.length; i += 2) {
    if (list[i] === name) result = result === null ? list[i + 1] : result + ", " + list[i + 1];
  }
  return result;
}

function listContains(list, name) {
  for (let i = 0; i < list.length; i += 2) if (list[i] === name) return true;
  return false;
}

function listDelete(list, name) {
  let j = 0;
  for (let i = 0; i < list.length; i += 2) {
    if (list[i] !== name) {
      list[j] = list[i];
      list[j + 1] = list[i + 1];
      j += 2;
    }
  }
  list.length = j;
}

// https://fetch.spec.whatwg.org/#cors-safelisted-request-header (the parts that
// matter for the no-CORS guard).
function isNoCorsSafelisted(name, value) {
  if (!NO_CORS_SAFELISTED.has(name)) return false;
  if (value.length > 128) return false;
  if (name === "accept") return !/[\0-\x08\x0a-\x1f"():<>?@[\\\]{}\x7f]/.test(value);
  if (name === "accept-language" || name === "content-language") {
    return /^[0-9A-Za-z *,\-.;=]*$/.test(value);
  }
  // content-type: the essence must be one of the three form-ish types.
  if (/[\0-\x08\x0a-\x1f"():<>?@[\\\]{}\x7f]/.test(value)) return false;
  const mime = nano.parseMimeType(value); // 50_mime.js
  if (mime === null) return false;
  const essence = mime.type + "/" + mime.subtype;
  return essence === "application/x-www-form-urlencoded" || essence === "multipart/form-data" ||
    essence === "text/plain";
}

// "sort and combine": [[name, value], ...] sorted by name, values combined with ", "
// except set-cookie, whose values stay separate.
function sortAndCombine(list) {
  const names = [];
  const seen = new Set();
  for (let i = 0; i < list.length; i += 2) {
    if (!seen.has(list[i])) {
      seen.add(list[i]);
      names[names.length] = list[i];
    }
  }
  ReflectApply(ArrayPrototypeSort, names, []);
  const out = [];
  for (let k = 0; k < names.length; k++) {
    const name = names[k];
    if (name === "set-cookie") {
      for (let i = 0; i < list.length; i += 2) {
        if (list[i] === name) out[out.length] = [name, list[i + 1]];
      }
    } else {
      out[out.length] = [name, listGet(list, name)];
    }
  }
  return out;
}

// Set by the class's static block (they need its private names).
let sorted;
let appendChecked;
let isOriginalIterable;
let copyList;

// Set while the runtime builds a Headers itself (see makeHeaders).
let internalList = null;
let internalGuard = "none";

class Headers {
  #list;
  #guard;
  #sorted = null; // cached sortAndCombine result, dropped on every change

  constructor(init = undefined) {
    if (internalList !== null) {
      this.#list = internalList;
      this.#guard = internalGuard;
      internalList = null;
      return;
    }
    this.#list = [];
    this.#guard = "none";
    if (init !== undefined) fill(this, init);
  }

  append(name, value) {
    if (!(#list in this)) throw new TypeErrorCtor("Illegal invocation");
    if (arguments.length < 2) throw new TypeErrorCtor("Headers.append requires 2 arguments");
    appendChecked(this, name, value);
  }

  delete(name) {
    if (!(#list in this)) throw new TypeErrorCtor("Illegal invocation");
    if (arguments.length < 1) throw new TypeErrorCtor("Headers.delete requires 1 argument");
    name = headerName(name);
    if (this.#guard === "immutable") throw new TypeErrorCtor("Headers are immutable");
    if (this.#guard === "request-no-cors" && !NO_CORS_SAFELISTED.has(name) && name !== "range") return;
    if (!listContains(this.#list, name)) return;
    listDelete(this.#list, name);
    this.#sorted = null;
    if (this.#guard === "request-no-cors") removePrivilegedNoCors(this.#list);
  }

  get(name) {
    if (!(#list in this)) throw new TypeErrorCtor("Illegal invocation");
    if (arguments.length < 1) throw new TypeErrorCtor("Headers.get requires 1 argument");
    return listGet(this.#list, headerName(name));
  }

  getSetCookie() {
    if (!(#list in this)) throw new TypeErrorCtor("Illegal invocation");
    const list = this.#list;
    const out = [];
    for (let i = 0; i < list.length; i += 2) {
      if (list[i] === "set-cookie") out[out.length] = list[i + 1];
    }
    return out;
  }

  has(name) {
    if (!(#list in this)) throw new TypeErrorCtor("Illegal invocation");
    if (arguments.length < 1) throw new TypeErrorCtor("Headers.has requires 1 argument");
    return listContains(this.#list, headerName(name));
  }

  set(name, value) {
    if (!(#list in this)) throw new TypeErrorCtor("Illegal invocation");
    if (arguments.length < 2) throw new TypeErrorCtor("Headers.set requires 2 arguments");
    name = headerName(name);
    value = headerValue(value);
    if (this.#guard === "immutable") throw new TypeErrorCtor("Headers are immutable");
    if (this.#guard === "request-no-cors" && !isNoCorsSafelisted(name, value)) return;
    const list = this.#list;
    let found = false;
    let j = 0;
    for (let i = 0; i < list.length; i += 2) {
      if (list[i] === name) {
        if (found) continue;
        found = true;
        list[i + 1] = value;
      }
      list[j] = list[i];
      list[j + 1] = list[i + 1];
      j += 2;
    }
    list.length = j;
    if (!found) {
      list[j] = name;
      list[j + 1] = value;
    }
    this.#sorted = null;
    if (this.#guard === "request-no-cors") removePrivilegedNoCors(list);
  }

  forEach(callback, thisArg = undefined) {
    if (!(#list in this)) throw new TypeErrorCtor("Illegal invocation");
    if (arguments.length < 1) throw new TypeErrorCtor("Headers.forEach requires 1 argument");
    if (typeof callback !== "function") throw new TypeErrorCtor("Headers.forEach: callback is not a function");
    let pairs = sorted(this);
    for (let i = 0; i < pairs.length; i++) {
      const pair = pairs[i];
      ReflectApply(callback, thisArg, [pair[1], pair[0], this]);
      pairs = sorted(this);
    }
  }

  entries() {
    if (!(#list in this)) throw new TypeErrorCtor("Illegal invocation");
    return makeIterator(this, "key+value");
  }

  keys() {
    if (!(#list in this)) throw new TypeErrorCtor("Illegal invocation");
    return makeIterator(this, "key");
  }

  values() {
    if (!(#list in this)) throw new TypeErrorCtor("Illegal invocation");
    return makeIterator(this, "value");
  }

  static {
    const isHeaders = (h) => h !== null && typeof h === "object" && #list in h;
    nano.isHeaders = isHeaders;
    nano.headersList = (h) => h.#list;
    nano.headersGuard = (h) => h.#guard;
    sorted = (h) => h.#sorted ??= sortAndCombine(h.#list);
    appendChecked = (h, name, value) => {
      name = headerName(name);
      value = headerValue(value);
      if (h.#guard === "immutable") throw new TypeErrorCtor("Headers are immutable");
      const list = h.#list;
      if (h.#guard === "request-no-cors") {
        const existing = listGet(list, name);
        const probe = existing === null ? value : existing + ", " + value;
        if (!isNoCorsSafelisted(name, probe)) return;
      }
      list[list.length] = name;
      list[list.length] = value;
      h.#sorted = null;
      if (h.#guard === "request-no-cors") removePrivilegedNoCors(list);
    };
    isOriginalIterable = (h) => h[SymbolIterator] === Headers.prototype.entries;
    copyList = (h) => h.#list.slice();
  }
}

// An array whose iteration is the built-in one (so indexing it is equivalent).
function isPlainArray(value, iteratorMethod) {
  return ArrayIsArray(value) && iteratorMethod === ArrayPrototypeValues &&
    ArrayIteratorPrototype.next === ArrayIteratorNext;
}

function removePrivilegedNoCors(list) {
  listDelete(list, "range");
}

// https://fetch.spec.whatwg.org/#concept-headers-fill, with the WebIDL conversion of
// (sequence<sequence<ByteString>> or record<ByteString, ByteString>) done on the fly.
function fill(headers, init) {
  if (init === null || (typeof init !== "object" && typeof init !== "function")) {
    throw new TypeErrorCtor("Headers init must be an object (a record or a sequence of pairs)");
  }
  if (nano.isHeaders(init) && isOriginalIterable(init)) {
    const src = copyList(init);
    for (let i = 0; i < src.length; i += 2) appendChecked(headers, src[i], src[i + 1]);
    return;
  }
  const method = init[SymbolIterator];
  if (method !== undefined && method !== null) {
    if (typeof method !== "function") throw new TypeErrorCtor("Headers init: @@iterator is not callable");
    // Convert the whole sequence first (WebIDL), then append. Names and values are
    // only stringified here: validation (which covers the ByteString check) follows.
    if (isPlainArray(init, method)) {
      const flat = [];
      for (let i = 0; i < init.length; i++) {
        const item = init[i];
        if (!isPlainArray(item, item == null ? undefined : item[SymbolIterator])) {
          flat.length = 0;
          break; // not only plain arrays of pairs: convert through the iterators
        }
        if (item.length !== 2) {
          throw new TypeErrorCtor("Headers init: each header must have exactly 2 items, got " + item.length);
        }
        flat[flat.length] = StringCtor(item[0]);
        flat[flat.length] = StringCtor(item[1]);
      }
      if (flat.length === 2 * init.length) {
        for (let i = 0; i < flat.length; i += 2) appendChecked(headers, flat[i], flat[i + 1]);
        return;
      }
    }
    const pairs = [];
    for (const item of { [SymbolIterator]: () => ReflectApply(method, init, []) }) {
      if (item === null || (typeof item !== "object" && typeof item !== "function")) {
        throw new TypeErrorCtor("Headers init: each header must be a sequence [name, value]");
      }
      const inner = [];
      for (const part of item) inner[inner.length] = StringCtor(part);
      if (inner.length !== 2) {
        throw new TypeErrorCtor("Headers init: each header must have exactly 2 items, got " + inner.length);
      }
      pairs[pairs.length] = inner;
    }
    for (let i = 0; i < pairs.length; i++) appendChecked(headers, pairs[i][0], pairs[i][1]);
    return;
  }
  // Object.keys gives the enumerable own string keys in [[OwnPropertyKeys]] order;
  // enumerable symbol keys cannot be header names.
  const keys = ObjectKeys(init);
  const symbols = ObjectGetOwnPropertySymbols(init);
  for (let i = 0; i < symbols.length; i++) {
    if (ReflectApply(ObjectPrototypePropertyIsEnumerable, init, [symbols[i]])) {
      throw new TypeErrorCtor("Headers init: symbol keys are not header names");
    }
  }
  const flat = [];
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    flat[flat.length] = key;
    flat[flat.length] = StringCtor(init[key]);
  }
  for (let i = 0; i < flat.length; i += 2) appendChecked(headers, flat[i], flat[i + 1]);
}

// --- the iterator (https://webidl.spec.whatwg.org/#es-default-iterator-object) -------

class HeadersIterator {
  #target;
  #kind;
  #index = 0;

  constructor(target, kind) {
    this.#target = target;
    this.#kind = kind;
  }

  next() {
    if (!(this !== null && typeof this === "object" && #target in this)) {
      throw new TypeErrorCtor("Illegal invocation: not a Headers Iterator");
    }
    const pairs = sorted(this.#target);
    const index = this.#index;
    if (index >= pairs.length) return { value: undefined, done: true };
    this.#index = index + 1;
    const pair = pairs[index];
    const kind = this.#kind;
    if (kind === "key") return { value: pair[0], done: false };
    if (kind === "value") return { value: pair[1], done: false };
    return { value: [pair[0], pair[1]], done: false };
  }
}

const HeadersIteratorPrototype = HeadersIterator.prototype;
Object.setPrototypeOf(HeadersIteratorPrototype, IteratorPrototype);
delete HeadersIteratorPrototype.constructor;
ObjectDefineProperty(HeadersIteratorPrototype, "next", { enumerable: true });
ObjectDefineProperty(HeadersIteratorPrototype, SymbolToStringTag, {
  value: "Headers Iterator", writable: false, enumerable: false, configurable: true,
});

function makeIterator(target, kind) {
  return new HeadersIterator(target, kind);
}

// --- the interface object ------------------------------------------------------------

const HeadersPrototype = Headers.prototype;
for (const name of ["append", "delete", "get", "getSetCookie", "has", "set", "forEach",
  "entries", "keys", "values"]) {
  ObjectDefineProperty(HeadersPrototype, name, { enumerable: true });
}
ObjectDefineProperty(HeadersPrototype, SymbolIterator, {
  value: HeadersPrototype.entries, writable: true, enumerable: false, configurable: true,
});
ObjectDefineProperty(HeadersPrototype, SymbolToStringTag, {
  value: "Headers", writable: false, enumerable: false, configurable: true,
});

nano.Headers = Headers;

nano.makeHeaders = function makeHeaders(list, guard) {
  internalList = list;
  internalGuard = guard;
  return new Headers();
};

nano.fillHeaders = fill;
nano.headerListGet = listGet;
nano.headerListContains = listContains;
nano.headerName = headerName;
nano.headerValue = headerValue;

nano.defineGlobal("Headers", Headers);

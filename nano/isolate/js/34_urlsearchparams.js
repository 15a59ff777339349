// URLSearchParams and the application/x-www-form-urlencoded parser and serializer.
// Spec: https://url.spec.whatwg.org/#interface-urlsearchparams,
// https://url.spec.whatwg.org/#concept-urlencoded
// Host operations: none.
//
// Exposes on `nano`:
//   parseUrlencoded(string) -> [[name, value], ...]
//   parseUrlencodedBytes(Uint8Array) -> [[name, value], ...] (for bodies: exact on bytes)
//   serializeUrlencoded([[name, value], ...]) -> string
//   isURLSearchParams(value) -> boolean
//   urlSearchParamsList(params) -> a copy of the [[name, value], ...] list (null when
//     `params` is not a URLSearchParams)
//   newURLSearchParamsForURL(state) / resetURLSearchParams(params, query): used by 30_url.js
//     (`state` is the URL object's internal {rec, sp} record).

const ObjectCreate = Object.create;
const ObjectDefineProperty = Object.defineProperty;
const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const ObjectGetOwnPropertyNames = Object.getOwnPropertyNames;
const ObjectGetPrototypeOf = Object.getPrototypeOf;
const ReflectApply = Reflect.apply;
const FunctionPrototypeCall = Function.prototype.call;
const FunctionPrototypeBind = Function.prototype.bind;
const uncurryThis = (fn) => ReflectApply(FunctionPrototypeBind, FunctionPrototypeCall, [fn]);
const StringSlice = uncurryThis(String.prototype.slice);
const StringSplit = uncurryThis(String.prototype.split);
const StringIndexOf = uncurryThis(String.prototype.indexOf);
const ReflectOwnKeys = Reflect.ownKeys;
const ArrayPrototypeSort = Array.prototype.sort;
const ArrayIteratorPrototype = ObjectGetPrototypeOf([][Symbol.iterator]());
const IteratorPrototype = ObjectGetPrototypeOf(ArrayIteratorPrototype);
const SymbolIterator = Symbol.iterator;
const SymbolToStringTag = Symbol.toStringTag;
const WeakMapCtor = WeakMap;
const WeakMapPrototypeGet = WeakMap.prototype.get;
const WeakMapPrototypeSet = WeakMap.prototype.set;
const TypeErrorCtor = TypeError;
const StringPrototypeReplaceAll = String.prototype.replaceAll;

const usv = nano.toUSVString;

function requireArgs(count, needed, method) {
  if (count < needed) {
    throw new TypeErrorCtor(
      `Failed to execute '${method}' on 'URLSearchParams': ${needed} argument` +
      `${needed > 1 ? "s" : ""} required, but only ${count} present.`);
  }
}

function decodeComponent(s) {
  if (StringIndexOf(s, "+") >= 0) s = ReflectApply(StringPrototypeReplaceAll, s, ["+", " "]);
  if (StringIndexOf(s, "%") < 0) return s;
  return nano.urlUtf8Decode(nano.percentDecodeBytes(s));
}

// https://url.spec.whatwg.org/#concept-urlencoded-parser (input as a string).
function parseUrlencoded(input) {
  input = usv(input);
  const out = [];
  if (input === "") return out;
  const sequences = StringSplit(input, "&");
  for (let i = 0; i < sequences.length; i++) {
    const seq = sequences[i];
    if (seq === "") continue;
    const eq = StringIndexOf(seq, "=");
    const name = eq < 0 ? seq : StringSlice(seq, 0, eq);
    const value = eq < 0 ? "" : StringSlice(seq, eq + 1);
    out[out.length] = [decodeComponent(name), decodeComponent(value)];
  }
  return out;
}

// The same parser over bytes (a Uint8Array or array of byte values), exactly as the spec
// runs it for request and response bodies: split on "&" and "=", "+" becomes a space,
// percent-decode, then UTF-8 decode without BOM each name and value.
function parseUrlencodedBytes(bytes) {
  const out = [];
  const length = bytes.length;
  let start = 0;
  while (start <= length) {
    let end = start;
    while (end < length && bytes[end] !== 0x26) end++;
    if (end > start) {
      let name = [], value = [], target = name;
      for (let i = start; i < end; i++) {
        let b = bytes[i];
        if (b === 0x3d && target === name) {
          target = value;
          continue;
        }
        if (b === 0x2b) b = 0x20;
        else if (b === 0x25 && i + 2 < end) {
          const h = hexDigit(bytes[i + 1]), l = hexDigit(bytes[i + 2]);
          if (h >= 0 && l >= 0) {
            b = h * 16 + l;
            i += 2;
          }
        }
        target[target.length] = b;
      }
      out[out.length] = [nano.urlUtf8Decode(name), nano.urlUtf8Decode(value)];
    }
    start = end + 1;
  }
  return out;
}

function hexDigit(c) {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

// https://url.spec.whatwg.org/#concept-urlencoded-serializer (UTF-8).
function serializeUrlencoded(list) {
  let out = "";
  for (let i = 0; i < list.length; i++) {
    if (i > 0) out += "&";
    out += nano.urlPercentEncode(usv(list[i][0]), "form", true) + "=" +
      nano.urlPercentEncode(usv(list[i][1]), "form", true);
  }
  return out;
}

const FOR_URL = {};

function byName(a, b) {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}
const iterators = new WeakMapCtor();
let listOf = null;

class URLSearchParams {
  #list = [];
  #url = null;

  constructor(init = "") {
    if (init === FOR_URL) return;
    if (init !== null && (typeof init === "object" || typeof init === "function")) {
      const method = init[SymbolIterator];
      if (method !== undefined && method !== null) {
        if (typeof method !== "function") {
          throw new TypeErrorCtor("URLSearchParams: init[Symbol.iterator] is not a function");
        }
        const iterator = ReflectApply(method, init, []);
        if (iterator === null ||
            (typeof iterator !== "object" && typeof iterator !== "function")) {
          throw new TypeErrorCtor("URLSearchParams: init's iterator is not an object");
        }
        const nextMethod = iterator.next;
        for (;;) {
          const step = ReflectApply(nextMethod, iterator, []);
          if (step === null || (typeof step !== "object" && typeof step !== "function")) {
            throw new TypeErrorCtor("URLSearchParams: iterator result is not an object");
          }
          if (step.done) break;
          const pair = step.value;
          if (pair === null || (typeof pair !== "object" && typeof pair !== "function")) {
            throw new TypeErrorCtor("URLSearchParams: each pair must be a sequence");
          }
          const items = [];
          for (const item of pair) items[items.length] = usv(item);
          if (items.length !== 2) {
            throw new TypeErrorCtor(
              "URLSearchParams: each pair must have exactly two elements, got " + items.length);
          }
          this.#list[this.#list.length] = items;
        }
      } else {
        const keys = ReflectOwnKeys(init);
        for (let i = 0; i < keys.length; i++) {
          const key = keys[i];
          const desc = ObjectGetOwnPropertyDescriptor(init, key);
          if (desc === undefined || !desc.enumerable) continue;
          const name = usv(key);
          const value = usv(init[key]);
          let found = false;
          for (let j = 0; j < this.#list.length; j++) {
            if (this.#list[j][0] === name) {
              this.#list[j][1] = value;
              found = true;
              break;
            }
          }
          if (!found) this.#list[this.#list.length] = [name, value];
        }
      }
    } else {
      let s = usv(init);
      if (s[0] === "?") s = StringSlice(s, 1);
      this.#list = parseUrlencoded(s);
    }
  }

  #update() {
    const state = this.#url;
    if (state === null) return;
    let query = serializeUrlencoded(this.#list);
    if (query === "") query = null;
    state.rec.query = query;
    if (query === null) nano.urlStripTrailingSpaces(state.rec);
  }

  get size() {
    return this.#list.length;
  }

  append(name, value) {
    requireArgs(arguments.length, 2, "append");
    this.#list[this.#list.length] = [usv(name), usv(value)];
    this.#update();
  }

  delete(name, value = undefined) {
    requireArgs(arguments.length, 1, "delete");
    name = usv(name);
    const hasValue = value !== undefined;
    if (hasValue) value = usv(value);
    const list = this.#list;
    let j = 0;
    for (let i = 0; i < list.length; i++) {
      const pair = list[i];
      if (pair[0] === name && (!hasValue || pair[1] === value)) continue;
      list[j++] = pair;
    }
    list.length = j;
    this.#update();
  }

  get(name) {
    requireArgs(arguments.length, 1, "get");
    name = usv(name);
    const list = this.#list;
    for (let i = 0; i < list.length; i++) if (list[i][0] === name) return list[i][1];
    return null;
  }

  getAll(name) {
    requireArgs(arguments.length, 1, "getAll");
    name = usv(name);
    const list = this.#list;
    const out = [];
    for (let i = 0; i < list.length; i++) if (list[i][0] === name) out[out.length] = list[i][1];
    return out;
  }

  has(name, value = undefined) {
    requireArgs(arguments.length, 1, "has");
    name = usv(name);
    const hasValue = value !== undefined;
    if (hasValue) value = usv(value);
    const list = this.#list;
    for (let i = 0; i < list.length; i++) {
      if (list[i][0] === name && (!hasValue || list[i][1] === value)) return true;
    }
    return false;
  }

  set(name, value) {
    requireArgs(arguments.length, 2, "set");
    name = usv(name);
    value = usv(value);
    const list = this.#list;
    let j = 0, found = false;
    for (let i = 0; i < list.length; i++) {
      const pair = list[i];
      if (pair[0] === name) {
        if (found) continue;
        found = true;
        pair[1] = value;
      }
      list[j++] = pair;
    }
    list.length = j;
    if (!found) list[list.length] = [name, value];
    this.#update();
  }

  sort() {
    // Array.prototype.sort is stable; `<` compares UTF-16 code units.
    ReflectApply(ArrayPrototypeSort, this.#list, [byName]);
    this.#update();
  }

  forEach(callback, thisArg = undefined) {
    requireArgs(arguments.length, 1, "forEach");
    if (typeof callback !== "function") {
      throw new TypeErrorCtor("URLSearchParams.forEach: callback is not a function");
    }
    const list = this.#list;
    for (let i = 0; i < list.length; i++) {
      const pair = list[i];
      ReflectApply(callback, thisArg, [pair[1], pair[0], this]);
    }
  }

  entries() { return makeIterator(this, this.#list, "entries"); }
  keys() { return makeIterator(this, this.#list, "keys"); }
  values() { return makeIterator(this, this.#list, "values"); }

  toString() {
    return serializeUrlencoded(this.#list);
  }

  static {
    listOf = (params) => (#list in params ? params.#list : null);
    nano.newURLSearchParamsForURL = (state) => {
      const params = new URLSearchParams(FOR_URL);
      params.#url = state;
      params.#list = state.rec.query === null ? [] : parseUrlencoded(state.rec.query);
      return params;
    };
    nano.resetURLSearchParams = (params, query) => {
      params.#list = query === null ? [] : parseUrlencoded(query);
    };
  }
}

const IteratorProto = ObjectCreate(IteratorPrototype);

function makeIterator(params, list, kind) {
  const it = ObjectCreate(IteratorProto);
  ReflectApply(WeakMapPrototypeSet, iterators, [it, { params, kind, index: 0 }]);
  return it;
}

ObjectDefineProperty(IteratorProto, "next", {
  value: function next() {
    const state = ReflectApply(WeakMapPrototypeGet, iterators, [this]);
    if (state === undefined) {
      throw new TypeErrorCtor("next called on an object that is not a URLSearchParams Iterator");
    }
    const list = listOf(state.params);
    if (state.index >= list.length) return { value: undefined, done: true };
    const pair = list[state.index++];
    const value = state.kind === "keys" ? pair[0] : state.kind === "values" ? pair[1] :
      [pair[0], pair[1]];
    return { value, done: false };
  },
  writable: true, enumerable: true, configurable: true,
});
ObjectDefineProperty(IteratorProto, SymbolToStringTag, {
  value: "URLSearchParams Iterator", writable: false, enumerable: false, configurable: true,
});

const proto = URLSearchParams.prototype;
const names = ObjectGetOwnPropertyNames(proto);
for (let i = 0; i < names.length; i++) {
  if (names[i] === "constructor") continue;
  const desc = ObjectGetOwnPropertyDescriptor(proto, names[i]);
  desc.enumerable = true;
  ObjectDefineProperty(proto, names[i], desc);
}
ObjectDefineProperty(proto, SymbolIterator, {
  value: proto.entries, writable: true, enumerable: false, configurable: true,
});
ObjectDefineProperty(proto, SymbolToStringTag, {
  value: "URLSearchParams", writable: false, enumerable: false, configurable: true,
});

nano.parseUrlencoded = parseUrlencoded;
nano.parseUrlencodedBytes = parseUrlencodedBytes;
nano.serializeUrlencoded = serializeUrlencoded;
nano.isURLSearchParams = (value) =>
  value !== null && typeof value === "object" && listOf(value) !== null;
nano.urlSearchParamsList = (params) => {
  if (!nano.isURLSearchParams(params)) return null;
  const list = listOf(params);
  const out = [];
  for (let i = 0; i < list.length; i++) out[i] = [list[i][0], list[i][1]];
  return out;
};
nano.URLSearchParams = URLSearchParams;

nano.defineGlobal("URLSearchParams", URLSearchParams);

// FormData: an ordered list of (name, value) entries whose values are strings or Files.
// Spec: https://xhr.spec.whatwg.org/#interface-formdata ("create an entry"), with WebIDL
// overload resolution for append()/set() and the pair-iterator protocol
// (https://webidl.spec.whatwg.org/#idl-iterable).
// Host operations: none.
//
// The constructor takes no form element (there is no DOM): any argument other than
// undefined (and a null/undefined submitter) is a TypeError, as converting it to
// HTMLFormElement would be.
//
// Uses from 55_blob.js: nano.isBlob, nano.isFile, nano.blobBytes, nano.blobType,
// nano.createFile. From 34_urlsearchparams.js: nano.parseUrlencoded. From the encoding
// files: nano.utf8DecodeWithoutBOM.
//
// Internals this file puts on `nano`:
//   nano.FormData                   the class.
//   nano.isFormData(v)              brand check.
//   nano.formDataEntries(fd)        a copy of the entry list: [[name, value], ...] where
//                                   value is a string or a File.
//   nano.createFormData(entries)    a new FormData from [[name, value], ...]; values are
//                                   strings or Blobs (a Blob that is not a File becomes
//                                   a File named "blob", as append() does). For parsers.
//   nano.formDataFromUrlencoded(x)  a new FormData from application/x-www-form-urlencoded
//                                   content: a string, or bytes (UTF-8 decoded without
//                                   BOM first).
// (The multipart/form-data serializer and parser, nano.serializeMultipart and
// nano.parseMultipart, are in 54_multipart.js and read entries via nano.formDataEntries.)

const ObjectDefineProperty = Object.defineProperty;
const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const ObjectGetPrototypeOf = Object.getPrototypeOf;
const ObjectCreate = Object.create;
const ReflectApply = Reflect.apply;
const ReflectOwnKeys = Reflect.ownKeys;
const TypeErrorCtor = TypeError;
const DateNow = Date.now;
const SymbolIterator = Symbol.iterator;
const SymbolToStringTag = Symbol.toStringTag;
const WeakMapCtor = WeakMap;
const WeakMapPrototypeGet = WeakMap.prototype.get;
const WeakMapPrototypeSet = WeakMap.prototype.set;
const IteratorPrototype = ObjectGetPrototypeOf(ObjectGetPrototypeOf([][SymbolIterator]()));

const isBlob = nano.isBlob;
const isFile = nano.isFile;
const blobBytes = nano.blobBytes;
const blobType = nano.blobType;
const createFile = nano.createFile;
const usvString = nano.toUSVString;
const isObject = nano.isObject;
const requireArgs = nano.requireArgs;

function illegalThis(member) {
  return new TypeErrorCtor(`Illegal invocation: FormData.prototype.${member} called on an ` +
    "object that is not a FormData");
}

function needArgs(member, count, given) {
  requireArgs(given, count, `Failed to execute '${member}' on 'FormData'`);
}

// https://xhr.spec.whatwg.org/#create-an-entry (name already converted). `filename` is
// undefined when not given.
function createEntry(name, value, filename) {
  if (isBlob(value)) {
    if (!isFile(value)) {
      value = createFile(blobBytes(value), filename === undefined ? "blob" : filename,
        blobType(value), DateNow());
    } else if (filename !== undefined) {
      value = createFile(blobBytes(value), filename, blobType(value), value.lastModified);
    }
    return [name, value];
  }
  return [name, value];
}

// WebIDL overload resolution for append(name, value) / append(name, blobValue, filename)
// (and the same for set()): name first, then the distinguishing argument.
function convertEntryArgs(member, args) {
  const n = args.length;
  needArgs(member, 2, n);
  const name = usvString(args[0]);
  const value = args[1];
  if (n >= 3) {
    if (!isBlob(value)) {
      throw new TypeErrorCtor(`Failed to execute '${member}' on 'FormData': parameter 2 is not ` +
        "of type 'Blob'");
    }
    const filename = args[2] === undefined ? undefined : usvString(args[2]);
    return createEntry(name, value, filename);
  }
  if (isBlob(value)) return createEntry(name, value, undefined);
  return [name, usvString(value)];
}

let entriesOf;
let hasEntries;

class FormData {
  #entries = [];

  constructor() {
    const form = arguments[0];
    const submitter = arguments[1];
    if (form !== undefined) {
      throw new TypeErrorCtor("Failed to construct 'FormData': parameter 1 is not of type " +
        "'HTMLFormElement' (there are no form elements in this runtime)");
    }
    if (submitter !== undefined && submitter !== null) {
      throw new TypeErrorCtor("Failed to construct 'FormData': parameter 2 is not of type " +
        "'HTMLElement'");
    }
  }

  append(name, value) {
    if (!isFormDataImpl(this)) throw illegalThis("append");
    const entry = convertEntryArgs("append", arguments);
    const list = this.#entries;
    list[list.length] = entry;
  }

  delete(name) {
    if (!isFormDataImpl(this)) throw illegalThis("delete");
    needArgs("delete", 1, arguments.length);
    const key = usvString(name);
    const list = this.#entries;
    let j = 0;
    for (let i = 0; i < list.length; i++) {
      if (list[i][0] !== key) list[j++] = list[i];
    }
    list.length = j;
  }

  get(name) {
    if (!isFormDataImpl(this)) throw illegalThis("get");
    needArgs("get", 1, arguments.length);
    const key = usvString(name);
    const list = this.#entries;
    for (let i = 0; i < list.length; i++) {
      if (list[i][0] === key) return list[i][1];
    }
    return null;
  }

  getAll(name) {
    if (!isFormDataImpl(this)) throw illegalThis("getAll");
    needArgs("getAll", 1, arguments.length);
    const key = usvString(name);
    const list = this.#entries;
    const out = [];
    for (let i = 0; i < list.length; i++) {
      if (list[i][0] === key) out[out.length] = list[i][1];
    }
    return out;
  }

  has(name) {
    if (!isFormDataImpl(this)) throw illegalThis("has");
    needArgs("has", 1, arguments.length);
    const key = usvString(name);
    const list = this.#entries;
    for (let i = 0; i < list.length; i++) {
      if (list[i][0] === key) return true;
    }
    return false;
  }

  set(name, value) {
    if (!isFormDataImpl(this)) throw illegalThis("set");
    const entry = convertEntryArgs("set", arguments);
    const key = entry[0];
    const list = this.#entries;
    let found = false;
    let j = 0;
    for (let i = 0; i < list.length; i++) {
      if (list[i][0] === key) {
        if (found) continue;
        found = true;
        list[j++] = entry;
      } else {
        list[j++] = list[i];
      }
    }
    list.length = j;
    if (!found) list[list.length] = entry;
  }

  entries() {
    if (!isFormDataImpl(this)) throw illegalThis("entries");
    return makeIterator(this, "entries");
  }

  keys() {
    if (!isFormDataImpl(this)) throw illegalThis("keys");
    return makeIterator(this, "keys");
  }

  values() {
    if (!isFormDataImpl(this)) throw illegalThis("values");
    return makeIterator(this, "values");
  }

  // https://webidl.spec.whatwg.org/#es-forEach (the list is re-read at every step).
  forEach(callback) {
    if (!isFormDataImpl(this)) throw illegalThis("forEach");
    needArgs("forEach", 1, arguments.length);
    if (typeof callback !== "function") {
      throw new TypeErrorCtor("Failed to execute 'forEach' on 'FormData': parameter 1 is not " +
        "a function");
    }
    const thisArg = arguments[1];
    for (let i = 0; i < this.#entries.length; i++) {
      const pair = this.#entries[i];
      ReflectApply(callback, thisArg, [pair[1], pair[0], this]);
    }
  }

  static {
    entriesOf = (fd) => fd.#entries;
    hasEntries = (v) => #entries in v;
  }
}

function isFormDataImpl(v) {
  return isObject(v) && hasEntries(v);
}

// --- the pair iterator (https://webidl.spec.whatwg.org/#es-default-iterator-object) ------

const iteratorState = new WeakMapCtor();
const FormDataIteratorPrototype = ObjectCreate(IteratorPrototype);

function makeIterator(fd, kind) {
  const iterator = ObjectCreate(FormDataIteratorPrototype);
  ReflectApply(WeakMapPrototypeSet, iteratorState, [iterator, { target: fd, kind, index: 0 }]);
  return iterator;
}

ObjectDefineProperty(FormDataIteratorPrototype, "next", {
  value: function next() {
    const state = isObject(this) ? ReflectApply(WeakMapPrototypeGet, iteratorState, [this]) : undefined;
    if (state === undefined) {
      throw new TypeErrorCtor("next() called on an object that is not a FormData Iterator");
    }
    const list = entriesOf(state.target);
    if (state.index >= list.length) return { value: undefined, done: true };
    const pair = list[state.index++];
    const value = state.kind === "keys" ? pair[0] : state.kind === "values" ? pair[1] :
      [pair[0], pair[1]];
    return { value, done: false };
  },
  writable: true, enumerable: true, configurable: true,
});
ObjectDefineProperty(FormDataIteratorPrototype, SymbolToStringTag, {
  value: "FormData Iterator", writable: false, enumerable: false, configurable: true,
});

// --- WebIDL property shapes -------------------------------------------------------------

{
  const proto = FormData.prototype;
  const keys = ReflectOwnKeys(proto);
  for (let i = 0; i < keys.length; i++) {
    if (keys[i] === "constructor") continue;
    const desc = ObjectGetOwnPropertyDescriptor(proto, keys[i]);
    desc.enumerable = true;
    ObjectDefineProperty(proto, keys[i], desc);
  }
  ObjectDefineProperty(proto, SymbolIterator, {
    value: proto.entries, writable: true, enumerable: false, configurable: true,
  });
  ObjectDefineProperty(proto, SymbolToStringTag, {
    value: "FormData", writable: false, enumerable: false, configurable: true,
  });
}

// --- internals ----------------------------------------------------------------------------

function createFormData(entries) {
  const fd = new FormData();
  const list = entriesOf(fd);
  for (let i = 0; i < entries.length; i++) {
    const value = entries[i][1];
    list[i] = isBlob(value) ? createEntry(usvString(entries[i][0]), value, undefined)
      : [usvString(entries[i][0]), usvString(value)];
  }
  return fd;
}

nano.FormData = FormData;
nano.isFormData = isFormDataImpl;
nano.formDataEntries = function formDataEntries(fd) {
  const list = entriesOf(fd);
  const out = [];
  for (let i = 0; i < list.length; i++) out[i] = [list[i][0], list[i][1]];
  return out;
};
nano.createFormData = createFormData;
nano.formDataFromUrlencoded = function formDataFromUrlencoded(input) {
  const text = typeof input === "string" ? input : nano.utf8DecodeWithoutBOM(input);
  return createFormData(nano.parseUrlencoded(text));
};

nano.defineGlobal("FormData", FormData);

// Blob and File: immutable byte sequences with a MIME type (and, for File, a name and a
// modification time).
// Spec: https://w3c.github.io/FileAPI/#blob-section and #file-section, with WebIDL's
// sequence<>, union, [Clamp] long long and dictionary conversions
// (https://webidl.spec.whatwg.org/).
// Host operations: none.
//
// Storage: a Blob holds a Uint8Array view in a private field. The constructor copies
// every part into one new buffer; slice() makes a view over the same buffer, so nothing
// is ever written after construction.
//
// Internals this file puts on `nano`:
//   nano.Blob, nano.File          the classes (41_microtask_clone.js clones with them).
//   nano.isBlob(v), nano.isFile(v) brand checks (true for File in isBlob too).
//   nano.blobBytes(blob)          Uint8Array of the blob's bytes, synchronously. It is a view
//                                 of the blob's storage: callers must NOT write to it
//                                 (copy it before handing it to user code).
//   nano.blobType(blob)           the blob's type string.
//   nano.createBlob(u8, type)     a new Blob that takes ownership of `u8` (not copied, so
//                                 the caller must not keep writing to it); `type` is used
//                                 as given after the spec's type check.
//   nano.createFile(u8, name, type, lastModified)   the same for a File.
// Blob and File are registered with nano.registerCloneable (41_microtask_clone.js).
// `stream()` uses nano.readableStreamFromBytes(u8) when the streams implementation
// provides it, else `new ReadableStream({type: "bytes", ...})`; without a
// `globalThis.ReadableStream` it throws a TypeError.

const ObjectDefineProperty = Object.defineProperty;
const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const ObjectGetPrototypeOf = Object.getPrototypeOf;
const ReflectApply = Reflect.apply;
const PromiseResolve = Promise.resolve.bind(Promise);
const PromiseReject = Promise.reject.bind(Promise);
const TypeErrorCtor = TypeError;
const Uint8ArrayCtor = Uint8Array;
const ArrayBufferIsView = ArrayBuffer.isView;
const NumberCtor = Number;
const NumberIsNaN = Number.isNaN;
const NumberIsFinite = Number.isFinite;
const MathTrunc = Math.trunc;
const MathFloor = Math.floor;
const MathMax = Math.max;
const MathMin = Math.min;
const MathAbs = Math.abs;
const BigIntCtor = BigInt;
const BigIntAsIntN = BigInt.asIntN;
const DateNow = Date.now;
const SymbolIterator = Symbol.iterator;
const SymbolToStringTag = Symbol.toStringTag;
const StringPrototypeToLowerCase = String.prototype.toLowerCase;
const StringPrototypeReplace = String.prototype.replace;
const RegExpPrototypeTest = RegExp.prototype.test;
const TypedArrayPrototype = ObjectGetPrototypeOf(Uint8Array.prototype);
const getter = (proto, name) => ObjectGetOwnPropertyDescriptor(proto, name).get;
const ArrayBufferByteLength = getter(ArrayBuffer.prototype, "byteLength");
const ArrayBufferResizable = getter(ArrayBuffer.prototype, "resizable");
const ArrayBufferDetached = getter(ArrayBuffer.prototype, "detached");
const SharedArrayBufferByteLength = typeof SharedArrayBuffer === "function"
  ? getter(SharedArrayBuffer.prototype, "byteLength") : undefined;
const TypedArrayBuffer = getter(TypedArrayPrototype, "buffer");
const TypedArrayByteOffset = getter(TypedArrayPrototype, "byteOffset");
const TypedArrayByteLength = getter(TypedArrayPrototype, "byteLength");
const TypedArrayToStringTag = getter(TypedArrayPrototype, SymbolToStringTag);
const TypedArraySlice = TypedArrayPrototype.slice;
const TypedArraySubarray = TypedArrayPrototype.subarray;
const DataViewBuffer = getter(DataView.prototype, "buffer");
const DataViewByteOffset = getter(DataView.prototype, "byteOffset");
const DataViewByteLength = getter(DataView.prototype, "byteLength");

const utf8Encode = nano.utf8Encode;
const utf8DecodeStripBOM = nano.utf8DecodeStripBOM;

const INVALID_TYPE = /[^\x20-\x7E]/;
const LINE_BREAKS = /\r\n|\r|\n/g;
const NATIVE_EOL = "\n";
const EMPTY_BYTES = new Uint8ArrayCtor(0);

// --- WebIDL conversions -----------------------------------------------------------------

const isObject = nano.isObject;
const domString = nano.toDOMString;
const usvString = nano.toUSVString;

// [Clamp] long long
function clampLongLong(v) {
  let x = NumberCtor(v);
  if (NumberIsNaN(x)) return 0;
  x = MathMin(MathMax(x, -9223372036854775808), 9223372036854775807);
  // Round to the nearest integer, ties to even.
  const f = MathFloor(x);
  const diff = x - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f === 0 ? 0 : f;
  return f % 2 === 0 ? f : f + 1;
}

// long long (no extended attributes)
function longLong(v) {
  const x = NumberCtor(v);
  if (!NumberIsFinite(x)) return 0;
  const t = MathTrunc(x);
  if (MathAbs(t) <= 9007199254740991) return t === 0 ? 0 : t;
  return NumberCtor(BigIntAsIntN(64, BigIntCtor(t)));
}

function isArrayBuffer(v) {
  try {
    ReflectApply(ArrayBufferByteLength, v, []);
    return true;
  } catch {
    return false;
  }
}

function isSharedArrayBuffer(v) {
  if (SharedArrayBufferByteLength === undefined) return false;
  try {
    ReflectApply(SharedArrayBufferByteLength, v, []);
    return true;
  } catch {
    return false;
  }
}

// Whether a buffer may back a BufferSource (not shared, not resizable).
function checkPlainBuffer(buffer) {
  if (isSharedArrayBuffer(buffer)) {
    throw new TypeErrorCtor("Failed to convert a blob part: a SharedArrayBuffer is not allowed");
  }
  if (ReflectApply(ArrayBufferResizable, buffer, [])) {
    throw new TypeErrorCtor("Failed to convert a blob part: a resizable ArrayBuffer is not allowed");
  }
}

// "get a copy of the bytes held by the buffer source" for an ArrayBufferView.
function copyViewBytes(view) {
  let buffer, offset, length;
  if (ReflectApply(TypedArrayToStringTag, view, []) === undefined) {
    buffer = ReflectApply(DataViewBuffer, view, []);
    checkPlainBuffer(buffer);
    offset = ReflectApply(DataViewByteOffset, view, []);
    length = ReflectApply(DataViewByteLength, view, []);
  } else {
    buffer = ReflectApply(TypedArrayBuffer, view, []);
    checkPlainBuffer(buffer);
    offset = ReflectApply(TypedArrayByteOffset, view, []);
    length = ReflectApply(TypedArrayByteLength, view, []);
  }
  if (length === 0 || ReflectApply(ArrayBufferDetached, buffer, [])) return EMPTY_BYTES;
  return ReflectApply(TypedArraySlice, new Uint8ArrayCtor(buffer, offset, length), []);
}

// https://w3c.github.io/FileAPI/#convert-line-endings-to-native
function convertLineEndings(s) {
  return ReflectApply(StringPrototypeReplace, s, [LINE_BREAKS, NATIVE_EOL]);
}

// The spec's type normalisation (constructor step 3 and slice's contentType).
function normalizeType(t) {
  if (ReflectApply(RegExpPrototypeTest, INVALID_TYPE, [t])) return "";
  return ReflectApply(StringPrototypeToLowerCase, t, []);
}

// sequence<BlobPart>: https://webidl.spec.whatwg.org/#es-sequence (each element is
// converted as soon as it is read, so getters and conversions interleave).
function convertParts(value, argName) {
  if (!isObject(value)) {
    throw new TypeErrorCtor(`Failed to convert ${argName}: expected a sequence, got ${describe(value)}`);
  }
  const method = value[SymbolIterator];
  if (method === undefined || method === null) {
    throw new TypeErrorCtor(`Failed to convert ${argName}: the object is not iterable`);
  }
  if (typeof method !== "function") {
    throw new TypeErrorCtor(`Failed to convert ${argName}: its @@iterator is not callable`);
  }
  const iterator = ReflectApply(method, value, []);
  if (!isObject(iterator)) {
    throw new TypeErrorCtor(`Failed to convert ${argName}: @@iterator did not return an object`);
  }
  const next = iterator.next;
  const items = [];
  for (;;) {
    const result = ReflectApply(next, iterator, []);
    if (!isObject(result)) throw new TypeErrorCtor("Iterator result is not an object");
    if (result.done) break;
    items[items.length] = convertPart(result.value);
  }
  return items;
}

// The BlobPart union conversion ((BufferSource or Blob or USVString)): a Blob gives its
// (immutable) storage, a buffer source a copy of its bytes, anything else a USVString;
// strings are encoded later, once the `endings` option is known.
function convertPart(v) {
  if (isObject(v)) {
    if (isBlobImpl(v)) return bytesOf(v);
    if (isArrayBuffer(v)) {
      checkPlainBuffer(v);
      if (ReflectApply(ArrayBufferDetached, v, [])) return EMPTY_BYTES;
      return ReflectApply(TypedArraySlice, new Uint8ArrayCtor(v), []);
    }
    if (isSharedArrayBuffer(v)) checkPlainBuffer(v);
    if (ArrayBufferIsView(v)) return copyViewBytes(v);
  }
  return usvString(v);
}

function describe(v) {
  if (v === null) return "null";
  if (typeof v === "string") return "a string";
  return typeof v;
}

// BlobPropertyBag (and FilePropertyBag when `withLastModified`): members are read in
// lexicographic order, inherited dictionary first: endings, type, lastModified.
function convertOptions(options, withLastModified) {
  const result = { endings: "transparent", type: "", lastModified: undefined };
  if (options === undefined || options === null) return result;
  if (!isObject(options)) {
    throw new TypeErrorCtor("Failed to convert the options argument: expected an object, got " +
      describe(options));
  }
  const endings = options.endings;
  if (endings !== undefined) {
    const e = domString(endings);
    if (e !== "transparent" && e !== "native") {
      throw new TypeErrorCtor(`Failed to read the 'endings' property: "${e}" is not a valid ` +
        "EndingType (expected \"transparent\" or \"native\")");
    }
    result.endings = e;
  }
  const type = options.type;
  if (type !== undefined) result.type = domString(type);
  if (withLastModified) {
    const lastModified = options.lastModified;
    if (lastModified !== undefined) result.lastModified = longLong(lastModified);
  }
  return result;
}

// https://w3c.github.io/FileAPI/#process-blob-parts: joins the converted parts into one
// new buffer.
function processParts(parts, endings) {
  const native = endings === "native";
  const chunks = [];
  let total = 0;
  for (let i = 0; i < parts.length; i++) {
    let part = parts[i];
    if (typeof part === "string") part = utf8Encode(native ? convertLineEndings(part) : part);
    chunks[i] = part;
    total += part.length;
  }
  if (chunks.length === 1) {
    // Strings and buffers were already copied into fresh memory; a Blob's view is shared
    // storage that nobody writes, so it can be kept as is.
    return chunks[0];
  }
  return nano.concatBytes(chunks, total);
}

// --- the classes ----------------------------------------------------------------------

// Set by the internal constructors (createBlob/createFile/slice) around `new`, so that
// the constructor takes prepared state instead of converting its arguments.
let pendingState = null;

let isBlobImpl;
let bytesOf;
let typeOf;
let isFileImpl;
let nameOf;
let lastModifiedOf;

class Blob {
  #bytes;
  #type;

  constructor() {
    if (pendingState !== null) {
      const state = pendingState;
      pendingState = null;
      this.#bytes = state.bytes;
      this.#type = state.type;
      return;
    }
    const blobParts = arguments[0];
    const options = arguments[1];
    const parts = blobParts === undefined ? [] : convertParts(blobParts, "the blobParts argument");
    const opts = convertOptions(options, false);
    this.#bytes = processParts(parts, opts.endings);
    this.#type = normalizeType(opts.type);
  }

  get size() {
    if (!isBlobImpl(this)) throw illegalThis("size");
    return this.#bytes.length;
  }

  get type() {
    if (!isBlobImpl(this)) throw illegalThis("type");
    return this.#type;
  }

  // https://w3c.github.io/FileAPI/#dfn-slice
  slice() {
    if (!isBlobImpl(this)) throw illegalThis("slice");
    const start = arguments[0];
    const end = arguments[1];
    const contentType = arguments[2];
    const size = this.#bytes.length;
    let relativeStart = 0;
    if (start !== undefined) {
      const s = clampLongLong(start);
      relativeStart = s < 0 ? MathMax(size + s, 0) : MathMin(s, size);
    }
    let relativeEnd = size;
    if (end !== undefined) {
      const e = clampLongLong(end);
      relativeEnd = e < 0 ? MathMax(size + e, 0) : MathMin(e, size);
    }
    let type = "";
    if (contentType !== undefined) type = normalizeType(domString(contentType));
    const span = MathMax(relativeEnd - relativeStart, 0);
    const bytes = ReflectApply(TypedArraySubarray, this.#bytes, [relativeStart, relativeStart + span]);
    return makeBlob(bytes, type);
  }

  stream() {
    if (!isBlobImpl(this)) throw illegalThis("stream");
    const RS = globalThis.ReadableStream;
    if (typeof RS !== "function") {
      throw new TypeErrorCtor("Blob.stream(): streams are not available yet in this runtime");
    }
    const bytes = ReflectApply(TypedArraySlice, this.#bytes, []);
    if (typeof nano.readableStreamFromBytes === "function") return nano.readableStreamFromBytes(bytes);
    return new RS({
      type: "bytes",
      start(controller) {
        if (bytes.length > 0) controller.enqueue(bytes);
        controller.close();
      },
    });
  }

  text() {
    if (!isBlobImpl(this)) return PromiseReject(illegalThis("text"));
    return PromiseResolve(utf8DecodeStripBOM(this.#bytes));
  }

  arrayBuffer() {
    if (!isBlobImpl(this)) return PromiseReject(illegalThis("arrayBuffer"));
    return PromiseResolve(ReflectApply(TypedArraySlice, this.#bytes, []).buffer);
  }

  bytes() {
    if (!isBlobImpl(this)) return PromiseReject(illegalThis("bytes"));
    return PromiseResolve(ReflectApply(TypedArraySlice, this.#bytes, []));
  }

  static {
    isBlobImpl = (v) => isObject(v) && #bytes in v;
    bytesOf = (b) => b.#bytes;
    typeOf = (b) => b.#type;
  }
}

function illegalThis(member) {
  return new TypeErrorCtor(`Illegal invocation: Blob.prototype.${member} called on an object ` +
    "that is not a Blob");
}

function makeBlob(bytes, type) {
  pendingState = { bytes, type };
  try {
    return new Blob();
  } finally {
    pendingState = null;
  }
}

class File extends Blob {
  #name;
  #lastModified;

  constructor(fileBits, fileName) {
    if (pendingState !== null && pendingState.file) {
      const state = pendingState;
      super();
      this.#name = state.name;
      this.#lastModified = state.lastModified;
      return;
    }
    if (arguments.length < 2) {
      throw new TypeErrorCtor(`Failed to construct 'File': 2 arguments required, but only ` +
        `${arguments.length} present`);
    }
    const parts = convertParts(fileBits, "the fileBits argument");
    const name = usvString(fileName);
    const opts = convertOptions(arguments[2], true);
    const bytes = processParts(parts, opts.endings);
    const lastModified = opts.lastModified === undefined ? DateNow() : opts.lastModified;
    pendingState = { bytes, type: normalizeType(opts.type) };
    try {
      super();
    } finally {
      pendingState = null;
    }
    this.#name = name;
    this.#lastModified = lastModified;
  }

  get name() {
    if (!isFileImpl(this)) throw fileIllegalThis("name");
    return this.#name;
  }

  get lastModified() {
    if (!isFileImpl(this)) throw fileIllegalThis("lastModified");
    return this.#lastModified;
  }

  get webkitRelativePath() {
    if (!isFileImpl(this)) throw fileIllegalThis("webkitRelativePath");
    return "";
  }

  static {
    isFileImpl = (v) => isObject(v) && #name in v;
    nameOf = (f) => f.#name;
    lastModifiedOf = (f) => f.#lastModified;
  }
}

function fileIllegalThis(member) {
  return new TypeErrorCtor(`Illegal invocation: File.prototype.${member} called on an object ` +
    "that is not a File");
}

function makeFile(bytes, name, type, lastModified) {
  pendingState = { bytes, type, file: true, name, lastModified };
  try {
    return new File();
  } finally {
    pendingState = null;
  }
}

// --- WebIDL property shapes -------------------------------------------------------------

nano.finishInterface(Blob, "Blob");
nano.finishInterface(File, "File");

nano.Blob = Blob;
nano.File = File;
nano.isBlob = isBlobImpl;
nano.isFile = isFileImpl;
nano.blobBytes = function blobBytes(blob) {
  return bytesOf(blob);
};
nano.blobType = function blobType(blob) {
  return typeOf(blob);
};
nano.createBlob = function createBlob(bytes, type) {
  return makeBlob(bytes === undefined || bytes === null ? EMPTY_BYTES : bytes,
    type === undefined ? "" : normalizeType(domString(type)));
};
nano.createFile = function createFile(bytes, name, type, lastModified) {
  return makeFile(bytes === undefined || bytes === null ? EMPTY_BYTES : bytes, usvString(name),
    type === undefined ? "" : normalizeType(domString(type)),
    lastModified === undefined ? DateNow() : longLong(lastModified));
};

// structuredClone (41_microtask_clone.js): the copy shares the immutable storage and does
// not go through the (user-replaceable) public methods.
if (typeof nano.registerCloneable === "function") {
  nano.registerCloneable(isFileImpl,
    (f) => makeFile(bytesOf(f), nameOf(f), typeOf(f), lastModifiedOf(f)));
  nano.registerCloneable(isBlobImpl, (b) => makeBlob(bytesOf(b), typeOf(b)));
}

nano.defineGlobal("Blob", Blob);
nano.defineGlobal("File", File);

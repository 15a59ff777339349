// FileReader (asynchronous Blob reads with events) and the ProgressEvent its events use.
// Spec: https://w3c.github.io/FileAPI/#APIASynch (the read operation, abort(), package
//       data, the events) and https://xhr.spec.whatwg.org/#interface-progressevent
//       (ProgressEvent; "fire a progress event" sets loaded, total and lengthComputable).
// Host operations: none directly; every event is fired from a task queued with
// nano.queueTask (40_timers.js), which arms host timers ("timer_set"/"timer").
//
// A Blob's bytes are in memory (55_blob.js), so the read operation's "in parallel" part
// reads the whole blob as one chunk at once and queues its tasks right away: loadstart,
// then progress (when the blob is not empty: the one chunk was read), then the task that
// packages the data and fires load (or error) and loadend. abort() cancels the tasks
// not yet run. readAsDataURL() names an untyped blob "application/octet-stream", as
// browsers and the web-platform-tests do (the spec leaves Data URL generation open).
//
// Internals shared on `nano`: nano.ProgressEvent, nano.isFileReader(x).

const ObjectDefineProperty = Object.defineProperty;
const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const ObjectGetPrototypeOf = Object.getPrototypeOf;
const ReflectApply = Reflect.apply;
const ReflectOwnKeys = Reflect.ownKeys;
const StringCtor = String;
const NumberCtor = Number;
const NumberIsFinite = Number.isFinite;
const TypeErrorCtor = TypeError;
const SymbolToStringTag = Symbol.toStringTag;
const Uint8ArrayCtor = Uint8Array;
const MapPrototypeGet = Map.prototype.get;
const TypedArrayPrototype = ObjectGetPrototypeOf(Uint8Array.prototype);
const TypedArrayBuffer = ObjectGetOwnPropertyDescriptor(TypedArrayPrototype, "buffer").get;
const TypedArraySubarray = TypedArrayPrototype.subarray;
const Event = nano.Event;
const EventTarget = nano.EventTarget;
const DOMException = nano.DOMException;
const requireArgs = nano.requireArgs;
const finishInterface = nano.finishInterface;
const isObject = nano.isObject;
const toDOMString = nano.toDOMString;

// ---- WebIDL helpers ------------------------------------------------------------------
function toDouble(value, what) {
  if (typeof value === "bigint") throw new TypeErrorCtor(what + ": cannot convert a BigInt to a number");
  const x = NumberCtor(value);
  if (!NumberIsFinite(x)) throw new TypeErrorCtor(what + " is not a finite number");
  return x;
}

// ---- ProgressEvent ---------------------------------------------------------------------
let isProgressEvent;

class ProgressEvent extends Event {
  #lengthComputable = false;
  #loaded = 0;
  #total = 0;

  constructor(type, eventInitDict = undefined) {
    requireArgs(arguments.length, 1, "Failed to construct 'ProgressEvent'");
    super(type, eventInitDict);
    if (eventInitDict === undefined || eventInitDict === null) return;
    const what = "Failed to construct 'ProgressEvent'";
    // Dictionary members are read and converted one by one, in lexicographic order.
    const lengthComputable = eventInitDict.lengthComputable;
    if (lengthComputable !== undefined) this.#lengthComputable = !!lengthComputable;
    const loaded = eventInitDict.loaded;
    if (loaded !== undefined) this.#loaded = toDouble(loaded, what + ": 'loaded'");
    const total = eventInitDict.total;
    if (total !== undefined) this.#total = toDouble(total, what + ": 'total'");
  }

  get lengthComputable() {
    if (!isProgressEvent(this)) throw illegal("ProgressEvent", "lengthComputable");
    return this.#lengthComputable;
  }

  get loaded() {
    if (!isProgressEvent(this)) throw illegal("ProgressEvent", "loaded");
    return this.#loaded;
  }

  get total() {
    if (!isProgressEvent(this)) throw illegal("ProgressEvent", "total");
    return this.#total;
  }

  static {
    isProgressEvent = (v) => isObject(v) && #loaded in v;
  }
}

function illegal(name, member) {
  return new TypeErrorCtor(name + "." + member + ": illegal invocation");
}

// ---- package data ----------------------------------------------------------------------
const DATA_URL = 1, TEXT = 2, ARRAY_BUFFER = 3, BINARY_STRING = 4;

function packageData(bytes, type, mimeType, encodingName) {
  switch (type) {
    case DATA_URL:
      return "data:" + (mimeType === "" ? "application/octet-stream" : mimeType) + ";base64," +
        nano.base64Encode(bytes);
    case TEXT:
      return decodeText(bytes, mimeType, encodingName);
    case ARRAY_BUFFER:
      return ReflectApply(TypedArrayBuffer, new Uint8ArrayCtor(bytes), []);
    default:
      return nano.isomorphicDecode(bytes);
  }
}

// The encoding is the readAsText() label's, else the blob type's charset, else UTF-8;
// then the Encoding Standard's "decode": a byte order mark overrides it and is skipped.
function decodeText(bytes, mimeType, encodingName) {
  let encoding = null;
  if (encodingName !== undefined) encoding = nano.getEncoding(encodingName);
  if (encoding === null && mimeType !== "") {
    const parsed = nano.parseMimeType(mimeType);
    if (parsed !== null) {
      const charset = ReflectApply(MapPrototypeGet, parsed.params, ["charset"]);
      if (charset !== undefined) encoding = nano.getEncoding(charset);
    }
  }
  if (encoding === null) encoding = "utf-8";
  let start = 0;
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    encoding = "utf-8";
    start = 3;
  } else if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    encoding = "utf-16be";
    start = 2;
  } else if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    encoding = "utf-16le";
    start = 2;
  }
  const rest = ReflectApply(TypedArraySubarray, bytes, [start]);
  return new nano.Decoder(encoding, false, true).decode(rest, false);
}

// FileReader.error is a DOMException: a failure to package the data (a result too large
// to allocate) is reported as a NotReadableError carrying the engine's message.
function readError(e) {
  if (nano.isDOMException(e)) return e;
  let message = "The blob could not be read";
  try {
    if (isObject(e)) message += ": " + StringCtor(e.message);
  } catch (ignored) {
    // Keep the generic message.
  }
  return new DOMException(message, "NotReadableError");
}

// ---- FileReader ------------------------------------------------------------------------
const EMPTY = 0, LOADING = 1, DONE = 2;
let isFileReader;

function blobArgument(self, args, method) {
  if (!isFileReader(self)) throw illegal("FileReader", method);
  const what = "Failed to execute '" + method + "' on 'FileReader'";
  requireArgs(args.length, 1, what);
  const blob = args[0];
  if (!nano.isBlob(blob)) throw new TypeErrorCtor(what + ": parameter 1 is not of type 'Blob'");
  return blob;
}

class FileReader extends EventTarget {
  #state = EMPTY;
  #result = null;
  #error = null;
  #read = null; // the read in progress: {tasks, loaded, total}

  constructor() {
    super();
  }

  readAsArrayBuffer(blob) {
    this.#readOperation(blobArgument(this, arguments, "readAsArrayBuffer"), ARRAY_BUFFER, undefined);
  }

  readAsBinaryString(blob) {
    this.#readOperation(blobArgument(this, arguments, "readAsBinaryString"), BINARY_STRING, undefined);
  }

  readAsText(blob, encoding = undefined) {
    blob = blobArgument(this, arguments, "readAsText");
    if (encoding !== undefined) encoding = toDOMString(encoding);
    this.#readOperation(blob, TEXT, encoding);
  }

  readAsDataURL(blob) {
    this.#readOperation(blobArgument(this, arguments, "readAsDataURL"), DATA_URL, undefined);
  }

  abort() {
    if (!isFileReader(this)) throw illegal("FileReader", "abort");
    if (this.#state !== LOADING) {
      this.#result = null;
      return;
    }
    this.#state = DONE;
    this.#result = null;
    const read = this.#read;
    this.#read = null;
    for (let i = 0; i < read.tasks.length; i++) nano.cancelTask(read.tasks[i]);
    this.#fire("abort", read.loaded, read.total);
    if (this.#state !== LOADING) this.#fire("loadend", read.loaded, read.total);
  }

  get readyState() {
    if (!isFileReader(this)) throw illegal("FileReader", "readyState");
    return this.#state;
  }

  get result() {
    if (!isFileReader(this)) throw illegal("FileReader", "result");
    return this.#result;
  }

  get error() {
    if (!isFileReader(this)) throw illegal("FileReader", "error");
    return this.#error;
  }

  #readOperation(blob, type, encodingName) {
    if (this.#state === LOADING) {
      throw new DOMException("The FileReader is already reading a blob.", "InvalidStateError");
    }
    this.#state = LOADING;
    this.#result = null;
    this.#error = null;
    const bytes = nano.blobBytes(blob);
    const mimeType = nano.blobType(blob);
    const total = bytes.length;
    const read = { tasks: [], loaded: 0, total };
    this.#read = read;
    const queue = (fn) => {
      read.tasks[read.tasks.length] = nano.queueTask(fn);
    };
    queue(() => this.#fire("loadstart", 0, total));
    if (total > 0) {
      queue(() => {
        read.loaded = total;
        this.#fire("progress", total, total);
      });
    }
    queue(() => {
      if (this.#read === read) this.#read = null;
      this.#state = DONE;
      let result;
      let failed = false;
      try {
        result = packageData(bytes, type, mimeType, encodingName);
      } catch (e) {
        failed = true;
        this.#error = readError(e);
      }
      if (failed) {
        this.#fire("error", total, total);
      } else {
        this.#result = result;
        this.#fire("load", total, total);
      }
      if (this.#state !== LOADING) this.#fire("loadend", total, total);
    });
  }

  // "Fire a progress event": does not bubble, is not cancelable.
  #fire(type, loaded, total) {
    const event = new ProgressEvent(type, {
      __proto__: null, loaded, total, lengthComputable: total !== 0,
    });
    nano.dispatchEvent(this, event);
  }

  static {
    isFileReader = (v) => isObject(v) && #state in v;
  }
}

// ---- WebIDL property shapes ------------------------------------------------------------
finishInterface(ProgressEvent, "ProgressEvent");
finishInterface(FileReader, "FileReader");
const CONSTANTS = [["EMPTY", EMPTY], ["LOADING", LOADING], ["DONE", DONE]];
for (let i = 0; i < CONSTANTS.length; i++) {
  const desc = { value: CONSTANTS[i][1], writable: false, enumerable: true, configurable: false };
  ObjectDefineProperty(FileReader, CONSTANTS[i][0], desc);
  ObjectDefineProperty(FileReader.prototype, CONSTANTS[i][0], desc);
}
const HANDLERS = ["loadstart", "progress", "load", "abort", "error", "loadend"];
for (let i = 0; i < HANDLERS.length; i++) {
  nano.defineEventHandler(FileReader.prototype, HANDLERS[i], isFileReader);
}

nano.ProgressEvent = ProgressEvent;
nano.isFileReader = (value) => isFileReader(value);

nano.defineGlobal("ProgressEvent", ProgressEvent);
nano.defineGlobal("FileReader", FileReader);

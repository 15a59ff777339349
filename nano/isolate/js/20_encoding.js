// The Encoding Standard's API (TextEncoder, TextDecoder) and its decoders for every
// encoding of the standard, plus the HTML base64 utilities atob() and btoa().
// Spec: https://encoding.spec.whatwg.org/ (API, UTF-8, UTF-16BE/LE, single-byte,
// x-user-defined, replacement; the multi-byte CJK decoders are in 21_encoding_legacy.js)
// and https://html.spec.whatwg.org/multipage/webappapis.html#atob with
// https://infra.spec.whatwg.org/#forgiving-base64.
// Host operations: none. Legacy index tables come from the loader as
// `nano.encodingTables` (built by nano/isolate/encodings.py) and are unpacked on first use.
//
// Internals this file puts on `nano` for other prelude files:
//   nano.getEncoding(label)        "get an encoding": the lowercased encoding name for a
//                                  label ("utf-8", "shift_jis", ...) or null.
//   nano.createDecoder(label, {fatal, ignoreBOM})
//                                  a decoder object {encoding, fatal, ignoreBOM,
//                                  decode(bytes, stream)} with TextDecoder.decode()'s
//                                  semantics (bytes: Uint8Array or null; stream: boolean;
//                                  BOM handling included); throws RangeError for unknown
//                                  and "replacement" labels. For TextDecoderStream.
//   nano.utf8Encode(string)        Uint8Array (lone surrogates become U+FFFD).
//   nano.utf8EncodeInto(string, u8) {read, written} as TextEncoder.encodeInto().
//   nano.utf8Decode(u8)            string; U+FFFD for errors; a leading BOM is KEPT (the
//   nano.utf8DecodeWithoutBOM(u8)  spec's "UTF-8 decode without BOM"; both names).
//   nano.utf8DecodeStripBOM(u8)    the spec's "UTF-8 decode": a leading BOM is dropped
//                                  (what Body.text()/json() need).
//   nano.utf8DecodeOrFail(u8)      "UTF-8 decode without BOM or fail": string or null.
//   nano.isomorphicDecode(u8)      string with one code unit per byte.
//   nano.isomorphicEncode(string)  Uint8Array of the low byte of each code unit.
//   nano.base64Encode(u8)          string (standard alphabet, padded).
//   nano.base64Decode(string)      forgiving-base64 decode: Uint8Array, or null on failure.
//   nano.bufferSourceBytes(value)  a Uint8Array over the memory of an ArrayBuffer,
//                                  SharedArrayBuffer or ArrayBufferView, else undefined.
// The multi-byte decoders of 21_encoding_legacy.js use nano.encodingIndex(name) and
// register themselves in nano.legacyDecoders.

const ObjectDefineProperty = Object.defineProperty;
const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const ObjectGetPrototypeOf = Object.getPrototypeOf;
const ReflectApply = Reflect.apply;
const FunctionPrototypeCall = Function.prototype.call;
const uncurry = (fn) => FunctionPrototypeCall.bind(fn);
const StringCtor = String;
const StringFromCharCode = String.fromCharCode;
const StringCharCodeAt = uncurry(String.prototype.charCodeAt);
const StringSlice = uncurry(String.prototype.slice);
const StringSplit = uncurry(String.prototype.split);
const StringToLowerCase = uncurry(String.prototype.toLowerCase);
const MapCtor = Map;
const MapGet = uncurry(Map.prototype.get);
const MapSet = uncurry(Map.prototype.set);
const ErrorCtor = Error;
const TypeErrorCtor = TypeError;
const RangeErrorCtor = RangeError;
const Uint8ArrayCtor = Uint8Array;
const Uint16ArrayCtor = Uint16Array;
const Int32ArrayCtor = Int32Array;
const ArrayBufferIsView = ArrayBuffer.isView;
const TypedArrayPrototype = ObjectGetPrototypeOf(Uint8Array.prototype);
const TypedArraySubarray = uncurry(TypedArrayPrototype.subarray);
const getter = (proto, name) => uncurry(ObjectGetOwnPropertyDescriptor(proto, name).get);
const TypedArrayTag = getter(TypedArrayPrototype, Symbol.toStringTag);
const TypedArrayBuffer = getter(TypedArrayPrototype, "buffer");
const TypedArrayByteOffset = getter(TypedArrayPrototype, "byteOffset");
const TypedArrayByteLength = getter(TypedArrayPrototype, "byteLength");
const DataViewBuffer = getter(DataView.prototype, "buffer");
const DataViewByteOffset = getter(DataView.prototype, "byteOffset");
const DataViewByteLength = getter(DataView.prototype, "byteLength");
const ArrayBufferByteLength = getter(ArrayBuffer.prototype, "byteLength");
const SharedArrayBufferCtor = (function findSharedArrayBuffer() {
  if (typeof SharedArrayBuffer === "function") return SharedArrayBuffer;
  try {
    return new WebAssembly.Memory({ shared: true, initial: 0, maximum: 0 }).buffer.constructor;
  } catch (e) {
    return undefined;
  }
})();
const SharedArrayBufferByteLength = SharedArrayBufferCtor === undefined ? undefined
  : getter(SharedArrayBufferCtor.prototype, "byteLength");

// ---------------------------------------------------------------------------------------
// Names and labels (https://encoding.spec.whatwg.org/#names-and-labels): one string per
// encoding, its lowercased name first, then its other labels.

const LABELS = [
  "utf-8 unicode-1-1-utf-8 unicode11utf8 unicode20utf8 utf8 x-unicode20utf8",
  "ibm866 866 cp866 csibm866",
  "iso-8859-2 csisolatin2 iso-ir-101 iso8859-2 iso88592 iso_8859-2 iso_8859-2:1987 " +
  "l2 latin2",
  "iso-8859-3 csisolatin3 iso-ir-109 iso8859-3 iso88593 iso_8859-3 iso_8859-3:1988 " +
  "l3 latin3",
  "iso-8859-4 csisolatin4 iso-ir-110 iso8859-4 iso88594 iso_8859-4 iso_8859-4:1988 " +
  "l4 latin4",
  "iso-8859-5 csisolatincyrillic cyrillic iso-ir-144 iso8859-5 iso88595 iso_8859-5 " +
  "iso_8859-5:1988",
  "iso-8859-6 arabic asmo-708 csiso88596e csiso88596i csisolatinarabic ecma-114 " +
  "iso-8859-6-e iso-8859-6-i iso-ir-127 iso8859-6 iso88596 iso_8859-6 " +
  "iso_8859-6:1987",
  "iso-8859-7 csisolatingreek ecma-118 elot_928 greek greek8 iso-ir-126 iso8859-7 " +
  "iso88597 iso_8859-7 iso_8859-7:1987 sun_eu_greek",
  "iso-8859-8 csiso88598e csisolatinhebrew hebrew iso-8859-8-e iso-ir-138 iso8859-8 " +
  "iso88598 iso_8859-8 iso_8859-8:1988 visual",
  "iso-8859-8-i csiso88598i logical",
  "iso-8859-10 csisolatin6 iso-ir-157 iso8859-10 iso885910 l6 latin6",
  "iso-8859-13 iso8859-13 iso885913",
  "iso-8859-14 iso8859-14 iso885914",
  "iso-8859-15 csisolatin9 iso8859-15 iso885915 iso_8859-15 l9",
  "iso-8859-16",
  "koi8-r cskoi8r koi koi8 koi8_r",
  "koi8-u koi8-ru",
  "macintosh csmacintosh mac x-mac-roman",
  "windows-874 dos-874 iso-8859-11 iso8859-11 iso885911 tis-620",
  "windows-1250 cp1250 x-cp1250",
  "windows-1251 cp1251 x-cp1251",
  "windows-1252 ansi_x3.4-1968 ascii cp1252 cp819 csisolatin1 ibm819 iso-8859-1 " +
  "iso-ir-100 iso8859-1 iso88591 iso_8859-1 iso_8859-1:1987 l1 latin1 us-ascii " +
  "x-cp1252",
  "windows-1253 cp1253 x-cp1253",
  "windows-1254 cp1254 csisolatin5 iso-8859-9 iso-ir-148 iso8859-9 iso88599 " +
  "iso_8859-9 iso_8859-9:1989 l5 latin5 x-cp1254",
  "windows-1255 cp1255 x-cp1255",
  "windows-1256 cp1256 x-cp1256",
  "windows-1257 cp1257 x-cp1257",
  "windows-1258 cp1258 x-cp1258",
  "x-mac-cyrillic x-mac-ukrainian",
  "gbk chinese csgb2312 csiso58gb231280 gb2312 gb_2312 gb_2312-80 iso-ir-58 x-gbk",
  "gb18030",
  "big5 big5-hkscs cn-big5 csbig5 x-x-big5",
  "euc-jp cseucpkdfmtjapanese x-euc-jp",
  "iso-2022-jp csiso2022jp",
  "shift_jis csshiftjis ms932 ms_kanji shift-jis sjis windows-31j x-sjis",
  "euc-kr cseuckr csksc56011987 iso-ir-149 korean ks_c_5601-1987 ks_c_5601-1989 " +
  "ksc5601 ksc_5601 windows-949",
  "replacement csiso2022kr hz-gb-2312 iso-2022-cn iso-2022-cn-ext iso-2022-kr",
  "utf-16be unicodefffe",
  "utf-16le csunicode iso-10646-ucs-2 ucs-2 unicode unicodefeff utf-16",
  "x-user-defined",
];

let labelMap = null;

function isAsciiWhitespace(c) {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d;
}

// https://encoding.spec.whatwg.org/#concept-encoding-get: the lowercased name, or null.
function getEncoding(label) {
  if (label === "utf-8" || label === "utf8") return "utf-8";
  let start = 0;
  let end = label.length;
  while (start < end && isAsciiWhitespace(StringCharCodeAt(label, start))) start++;
  while (end > start && isAsciiWhitespace(StringCharCodeAt(label, end - 1))) end--;
  // Labels are ASCII: lowercasing non-ASCII text can only produce a non-match.
  const key = StringToLowerCase(StringSlice(label, start, end));
  if (labelMap === null) {
    labelMap = new MapCtor();
    for (let i = 0; i < LABELS.length; i++) {
      const names = StringSplit(LABELS[i], " ");
      for (let j = 0; j < names.length; j++) MapSet(labelMap, names[j], names[0]);
    }
  }
  const name = MapGet(labelMap, key);
  return name === undefined ? null : name;
}

// ---------------------------------------------------------------------------------------
// Index tables: unpacked from nano.encodingTables on first use (format: encodings.py).

const indexCache = new MapCtor();

function tables() {
  const t = nano.encodingTables;
  if (t === undefined) {
    throw new RangeErrorCtor("nano: the legacy encoding tables are not loaded");
  }
  return t;
}

function unpackIndex(packed) {
  // First count the pointers so the result can be one Int32Array (-1: no code point).
  const numbers = [];
  let value = 0;
  for (let i = 0; i < packed.length; i++) {
    const c = StringCharCodeAt(packed, i);
    const digit = c <= 0x5b ? c - 0x23 : c - 0x24;
    if (digit >= 45) {
      value = value * 45 + digit - 45;
    } else {
      numbers[numbers.length] = value * 45 + digit;
      value = 0;
    }
  }
  let size = 0;
  for (let i = 0; i < numbers.length; i++) {
    const x = numbers[i];
    if (x === 0) size += numbers[++i];
    else if (x & 1) size += (x + 1) / 2;
    else size++;
  }
  const index = new Int32ArrayCtor(size);
  let pointer = 0;
  let previous = 0;
  for (let i = 0; i < numbers.length; i++) {
    const x = numbers[i];
    if (x === 0) {
      for (let n = numbers[++i]; n > 0; n--) index[pointer++] = -1;
    } else if (x & 1) {
      for (let n = (x + 1) / 2; n > 0; n--) index[pointer++] = ++previous;
    } else {
      const zigzag = x / 2;
      previous += zigzag & 1 ? -((zigzag - 1) / 2) : zigzag / 2;
      index[pointer++] = previous;
    }
  }
  return index;
}

// The Int32Array of a multi-byte index ("jis0208", "jis0212", "euc-kr", "gb18030",
// "big5"): code point by pointer, -1 where the index has none.
function encodingIndex(name) {
  let index = MapGet(indexCache, name);
  if (index === undefined) {
    index = unpackIndex(tables().multi[name]);
    MapSet(indexCache, name, index);
  }
  return index;
}

// A single-byte encoding's table: 128 code units for the bytes 0x80 to 0xFF, 0xFFFD for
// bytes without a code point (no single-byte index maps to U+FFFD itself).
function singleByteTable(name) {
  const key = "sb:" + name;
  let table = MapGet(indexCache, key);
  if (table === undefined) {
    const index = unpackIndex(tables().single[name]);
    table = new Uint16ArrayCtor(128);
    for (let i = 0; i < 128; i++) table[i] = i < index.length && index[i] >= 0 ? index[i] : 0xfffd;
    MapSet(indexCache, key, table);
  }
  return table;
}

const SINGLE_BYTE = new MapCtor();
for (const name of [
  "ibm866", "iso-8859-2", "iso-8859-3", "iso-8859-4", "iso-8859-5", "iso-8859-6",
  "iso-8859-7", "iso-8859-8", "iso-8859-10", "iso-8859-13", "iso-8859-14", "iso-8859-15",
  "iso-8859-16", "koi8-r", "koi8-u", "macintosh", "windows-874", "windows-1250",
  "windows-1251", "windows-1252", "windows-1253", "windows-1254", "windows-1255",
  "windows-1256", "windows-1257", "windows-1258", "x-mac-cyrillic",
]) MapSet(SINGLE_BYTE, name, name);
MapSet(SINGLE_BYTE, "iso-8859-8-i", "iso-8859-8");

// ---------------------------------------------------------------------------------------
// Output: decoders write UTF-16 code units into one shared buffer which is turned into
// string pieces every OUT_LIMIT units. Decoding never runs user code, so it is never
// re-entered; every decode starts with outReset().

const OUT_LIMIT = 8192;
const OUT = new Uint16ArrayCtor(OUT_LIMIT + 8);
let outLen = 0;
let outStr = "";

function outReset() {
  outLen = 0;
  outStr = "";
}

function outFlush() {
  if (outLen > 0) {
    outStr += ReflectApply(StringFromCharCode, null, TypedArraySubarray(OUT, 0, outLen));
    outLen = 0;
  }
}

function outTake() {
  outFlush();
  const s = outStr;
  outStr = "";
  return s;
}

function emit(cp) {
  if (cp > 0xffff) {
    cp -= 0x10000;
    OUT[outLen++] = 0xd800 + (cp >> 10);
    OUT[outLen++] = 0xdc00 + (cp & 0x3ff);
  } else {
    OUT[outLen++] = cp;
  }
  if (outLen >= OUT_LIMIT) outFlush();
}

// A decoder error: U+FFFD in replacement mode, a TypeError in fatal mode.
function decodeError(fatal) {
  if (fatal) {
    outReset();
    throw new TypeErrorCtor("The encoded data was not valid for this encoding");
  }
  emit(0xfffd);
}

// Handler results for the generic (spec-shaped) decoders.
const EOQ = -1;
const CONTINUE = -2;
const ERROR = -3;
const FINISHED = -4;

// Each machine has run(bytes, start, end, flush, fatal): it decodes bytes[start..end)
// into the output, then, when flush is set, handles end-of-queue.

class Utf8Machine {
  constructor() {
    this.cp = 0;
    this.seen = 0;
    this.needed = 0;
    this.lower = 0x80;
    this.upper = 0xbf;
  }

  run(bytes, i, end, flush, fatal) {
    let cp = this.cp;
    let seen = this.seen;
    let needed = this.needed;
    let lower = this.lower;
    let upper = this.upper;
    const out = OUT;
    try {
      while (i < end) {
        const b = bytes[i];
        if (needed === 0) {
          if (b < 0x80) {
            let o = outLen;
            out[o++] = b;
            i++;
            while (i < end && o < OUT_LIMIT) {
              const c = bytes[i];
              if (c >= 0x80) break;
              out[o++] = c;
              i++;
            }
            outLen = o;
            if (o >= OUT_LIMIT) outFlush();
            continue;
          }
          i++;
          if (b >= 0xc2 && b <= 0xdf) {
            needed = 1;
            cp = b & 0x1f;
          } else if (b >= 0xe0 && b <= 0xef) {
            if (b === 0xe0) lower = 0xa0;
            else if (b === 0xed) upper = 0x9f;
            needed = 2;
            cp = b & 0xf;
          } else if (b >= 0xf0 && b <= 0xf4) {
            if (b === 0xf0) lower = 0x90;
            else if (b === 0xf4) upper = 0x8f;
            needed = 3;
            cp = b & 0x7;
          } else {
            decodeError(fatal);
          }
          continue;
        }
        if (b < lower || b > upper) {
          // The byte is not consumed: it starts over after the error.
          cp = needed = seen = 0;
          lower = 0x80;
          upper = 0xbf;
          decodeError(fatal);
          continue;
        }
        i++;
        lower = 0x80;
        upper = 0xbf;
        cp = (cp << 6) | (b & 0x3f);
        if (++seen === needed) {
          emit(cp);
          cp = needed = seen = 0;
        }
      }
      if (flush && needed !== 0) {
        cp = needed = seen = 0;
        lower = 0x80;
        upper = 0xbf;
        decodeError(fatal);
      }
    } finally {
      this.cp = cp;
      this.seen = seen;
      this.needed = needed;
      this.lower = lower;
      this.upper = upper;
    }
  }
}

class Utf16Machine {
  constructor(bigEndian) {
    this.bigEndian = bigEndian;
    this.leadByte = -1;
    this.leadSurrogate = -1;
  }

  run(bytes, i, end, flush, fatal) {
    const bigEndian = this.bigEndian;
    for (; i < end; i++) {
      const b = bytes[i];
      if (this.leadByte < 0) {
        this.leadByte = b;
        continue;
      }
      const unit = bigEndian ? (this.leadByte << 8) | b : (b << 8) | this.leadByte;
      this.leadByte = -1;
      if (this.leadSurrogate >= 0) {
        const lead = this.leadSurrogate;
        this.leadSurrogate = -1;
        if (unit >= 0xdc00 && unit <= 0xdfff) {
          OUT[outLen++] = lead;
          OUT[outLen++] = unit;
          if (outLen >= OUT_LIMIT) outFlush();
          continue;
        }
        // The unit is restored and read again after the error.
        decodeError(fatal);
      }
      if (unit >= 0xd800 && unit <= 0xdbff) {
        this.leadSurrogate = unit;
      } else if (unit >= 0xdc00 && unit <= 0xdfff) {
        decodeError(fatal);
      } else {
        OUT[outLen++] = unit;
        if (outLen >= OUT_LIMIT) outFlush();
      }
    }
    if (flush && (this.leadByte >= 0 || this.leadSurrogate >= 0)) {
      this.leadByte = this.leadSurrogate = -1;
      decodeError(fatal);
    }
  }
}

class SingleByteMachine {
  constructor(table) {
    this.table = table;
  }

  run(bytes, i, end, flush, fatal) {
    const table = this.table;
    for (; i < end; i++) {
      const b = bytes[i];
      const unit = b < 0x80 ? b : table[b - 0x80];
      if (unit === 0xfffd) {
        decodeError(fatal);
      } else {
        OUT[outLen++] = unit;
        if (outLen >= OUT_LIMIT) outFlush();
      }
    }
  }
}

class UserDefinedMachine {
  run(bytes, i, end, flush, fatal) {
    for (; i < end; i++) {
      const b = bytes[i];
      OUT[outLen++] = b < 0x80 ? b : 0xf780 + b - 0x80;
      if (outLen >= OUT_LIMIT) outFlush();
    }
  }
}

class ReplacementMachine {
  constructor() {
    this.errorReturned = false;
  }

  run(bytes, i, end, flush, fatal) {
    if (i < end && !this.errorReturned) {
      this.errorReturned = true;
      decodeError(fatal);
    }
  }
}

// Runs a spec-shaped handler (21_encoding_legacy.js): handler.handle(byte) returns a code
// point, CONTINUE, ERROR or FINISHED, may emit() a first code point itself, and restores
// bytes to the I/O queue by pushing them on handler.restored (read before new input).
class GenericMachine {
  constructor(handler) {
    this.handler = handler;
  }

  run(bytes, i, end, flush, fatal) {
    const handler = this.handler;
    const restored = handler.restored;
    for (;;) {
      let b;
      if (restored.length !== 0) {
        b = restored[0];
        for (let k = 1; k < restored.length; k++) restored[k - 1] = restored[k];
        restored.length--;
      } else if (i < end) {
        b = bytes[i++];
      } else if (flush) {
        b = EOQ;
      } else {
        return;
      }
      const result = handler.handle(b);
      if (result >= 0) emit(result);
      else if (result === ERROR) decodeError(fatal);
      else if (result === FINISHED) return;
    }
  }
}

nano.legacyDecoders = { __proto__: null };

function newMachine(encoding) {
  switch (encoding) {
    case "utf-8": return new Utf8Machine();
    case "utf-16le": return new Utf16Machine(false);
    case "utf-16be": return new Utf16Machine(true);
    case "x-user-defined": return new UserDefinedMachine();
    case "replacement": return new ReplacementMachine();
  }
  const table = MapGet(SINGLE_BYTE, encoding);
  if (table !== undefined) return new SingleByteMachine(singleByteTable(table));
  const factory = nano.legacyDecoders[encoding];
  if (factory === undefined) {
    throw new RangeErrorCtor("nano: no decoder for the encoding " + encoding);
  }
  return new GenericMachine(factory());
}

// ---------------------------------------------------------------------------------------
// The decoder behind TextDecoder (and TextDecoderStream through nano.createDecoder).

const EMPTY = new Uint8ArrayCtor(0);

class Decoder {
  constructor(encoding, fatal, ignoreBOM) {
    this.encoding = encoding;
    this.fatal = fatal;
    this.ignoreBOM = ignoreBOM;
    this.bomAware = encoding === "utf-8" || encoding === "utf-16le" || encoding === "utf-16be";
    this.machine = null;
    this.doNotFlush = false;
    this.bomSeen = false;
    // Fail at construction, not at the first decode, when tables are missing.
    this.machine = newMachine(encoding);
  }

  // TextDecoder.decode() steps: bytes is a Uint8Array (or null for no input).
  decode(bytes, stream) {
    if (!this.doNotFlush) {
      if (this.machine === null) this.machine = newMachine(this.encoding);
      this.bomSeen = false;
    }
    this.doNotFlush = stream;
    if (bytes === null) bytes = EMPTY;
    outReset();
    const machine = this.machine;
    if (!stream) this.machine = null;
    machine.run(bytes, 0, bytes.length, !stream, this.fatal);
    let s = outTake();
    if (this.bomAware && !this.ignoreBOM && !this.bomSeen && s.length > 0) {
      this.bomSeen = true;
      if (StringCharCodeAt(s, 0) === 0xfeff) s = StringSlice(s, 1);
    }
    return s;
  }
}

function createDecoder(label, options) {
  const encoding = getEncoding(StringCtor(label));
  if (encoding === null || encoding === "replacement") {
    throw new RangeErrorCtor("The encoding label provided ('" + label + "') is invalid.");
  }
  const fatal = options !== undefined && options !== null && !!options.fatal;
  const ignoreBOM = options !== undefined && options !== null && !!options.ignoreBOM;
  return new Decoder(encoding, fatal, ignoreBOM);
}

// ---------------------------------------------------------------------------------------
// UTF-8 helpers for other prelude files.

function utf8Decode(bytes) {
  outReset();
  new Utf8Machine().run(bytes, 0, bytes.length, true, false);
  return outTake();
}

function utf8DecodeStripBOM(bytes) {
  const start = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  outReset();
  new Utf8Machine().run(bytes, start, bytes.length, true, false);
  return outTake();
}

function utf8DecodeOrFail(bytes) {
  outReset();
  try {
    new Utf8Machine().run(bytes, 0, bytes.length, true, true);
  } catch (e) {
    return null;
  }
  return outTake();
}

// The number of UTF-8 bytes for s (lone surrogates count as U+FFFD).
function utf8Length(s) {
  const n = s.length;
  let length = n;
  for (let i = 0; i < n; i++) {
    const c = StringCharCodeAt(s, i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      length += 1;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = StringCharCodeAt(s, i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        length += 2;
        i++;
      } else {
        length += 2;
      }
    } else {
      length += 2;
    }
  }
  return length;
}

function utf8Encode(s) {
  const n = s.length;
  const out = new Uint8ArrayCtor(utf8Length(s));
  let o = 0;
  for (let i = 0; i < n; i++) {
    let c = StringCharCodeAt(s, i);
    if (c < 0x80) {
      out[o++] = c;
    } else if (c < 0x800) {
      out[o++] = 0xc0 | (c >> 6);
      out[o++] = 0x80 | (c & 0x3f);
    } else {
      if (c >= 0xd800 && c <= 0xdfff) {
        const d = c <= 0xdbff && i + 1 < n ? StringCharCodeAt(s, i + 1) : 0;
        if (d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
          out[o++] = 0xf0 | (c >> 18);
          out[o++] = 0x80 | ((c >> 12) & 0x3f);
          out[o++] = 0x80 | ((c >> 6) & 0x3f);
          out[o++] = 0x80 | (c & 0x3f);
          continue;
        }
        c = 0xfffd;
      }
      out[o++] = 0xe0 | (c >> 12);
      out[o++] = 0x80 | ((c >> 6) & 0x3f);
      out[o++] = 0x80 | (c & 0x3f);
    }
  }
  return out;
}

function utf8EncodeInto(s, dest) {
  const n = s.length;
  const capacity = dest.length;
  let read = 0;
  let written = 0;
  while (read < n) {
    let c = StringCharCodeAt(s, read);
    let units = 1;
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = c <= 0xdbff && read + 1 < n ? StringCharCodeAt(s, read + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        units = 2;
      } else {
        c = 0xfffd;
      }
    }
    if (c < 0x80) {
      if (written + 1 > capacity) break;
      dest[written++] = c;
    } else if (c < 0x800) {
      if (written + 2 > capacity) break;
      dest[written++] = 0xc0 | (c >> 6);
      dest[written++] = 0x80 | (c & 0x3f);
    } else if (c < 0x10000) {
      if (written + 3 > capacity) break;
      dest[written++] = 0xe0 | (c >> 12);
      dest[written++] = 0x80 | ((c >> 6) & 0x3f);
      dest[written++] = 0x80 | (c & 0x3f);
    } else {
      if (written + 4 > capacity) break;
      dest[written++] = 0xf0 | (c >> 18);
      dest[written++] = 0x80 | ((c >> 12) & 0x3f);
      dest[written++] = 0x80 | ((c >> 6) & 0x3f);
      dest[written++] = 0x80 | (c & 0x3f);
    }
    read += units;
  }
  return { read, written };
}

function isomorphicDecode(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += OUT_LIMIT) {
    const end = i + OUT_LIMIT < bytes.length ? i + OUT_LIMIT : bytes.length;
    s += ReflectApply(StringFromCharCode, null, TypedArraySubarray(bytes, i, end));
  }
  return s;
}

function isomorphicEncode(s) {
  const out = new Uint8ArrayCtor(s.length);
  for (let i = 0; i < s.length; i++) out[i] = StringCharCodeAt(s, i);
  return out;
}

// A Uint8Array over the bytes of a BufferSource (AllowShared), or undefined.
function bufferSourceBytes(value) {
  if (value === null || typeof value !== "object") return undefined;
  if (ArrayBufferIsView(value)) {
    if (TypedArrayTag(value) !== undefined) {
      return new Uint8ArrayCtor(TypedArrayBuffer(value), TypedArrayByteOffset(value),
        TypedArrayByteLength(value));
    }
    return new Uint8ArrayCtor(DataViewBuffer(value), DataViewByteOffset(value),
      DataViewByteLength(value));
  }
  try {
    ArrayBufferByteLength(value);
    return new Uint8ArrayCtor(value);
  } catch (e) {
    // Not an ArrayBuffer.
  }
  if (SharedArrayBufferByteLength !== undefined) {
    try {
      SharedArrayBufferByteLength(value);
      return new Uint8ArrayCtor(value);
    } catch (e) {
      // Not a SharedArrayBuffer.
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------
// WebIDL conversions.

function toDOMString(value) {
  if (typeof value === "string") return value;
  if (typeof value === "symbol") throw new TypeErrorCtor("Cannot convert a Symbol value to a string");
  return StringCtor(value);
}

function dictionary(value, what) {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" && typeof value !== "function") {
    throw new TypeErrorCtor("Failed to execute '" + what + "': The provided value is not of type 'object'.");
  }
  return value;
}

// ---------------------------------------------------------------------------------------
// TextDecoder and TextEncoder.

class TextDecoder {
  #decoder;

  constructor(label = undefined, options = undefined) {
    const name = label === undefined ? "utf-8" : toDOMString(label);
    const dict = dictionary(options, "TextDecoder constructor");
    const fatal = dict !== undefined && !!dict.fatal;
    const ignoreBOM = dict !== undefined && !!dict.ignoreBOM;
    const encoding = getEncoding(name);
    if (encoding === null || encoding === "replacement") {
      throw new RangeErrorCtor("Failed to construct 'TextDecoder': The encoding label provided ('" +
        name + "') is invalid.");
    }
    this.#decoder = new Decoder(encoding, fatal, ignoreBOM);
  }

  static #check(self, what) {
    if (self === null || typeof self !== "object" || !(#decoder in self)) {
      throw new TypeErrorCtor("Illegal invocation: TextDecoder." + what +
        " called on an object that is not a TextDecoder");
    }
    return self.#decoder;
  }

  get encoding() {
    return TextDecoder.#check(this, "encoding").encoding;
  }

  get fatal() {
    return TextDecoder.#check(this, "fatal").fatal;
  }

  get ignoreBOM() {
    return TextDecoder.#check(this, "ignoreBOM").ignoreBOM;
  }

  decode(input = undefined, options = undefined) {
    const decoder = TextDecoder.#check(this, "decode");
    let bytes = null;
    if (input !== undefined) {
      bytes = bufferSourceBytes(input);
      if (bytes === undefined) {
        throw new TypeErrorCtor("Failed to execute 'decode' on 'TextDecoder': The provided value " +
          "is not of type '(ArrayBuffer or ArrayBufferView)'.");
      }
    }
    const dict = dictionary(options, "decode' on 'TextDecoder");
    const stream = dict !== undefined && !!dict.stream;
    return decoder.decode(bytes, stream);
  }
}

const encoders = new WeakSet();

class TextEncoder {
  constructor() {
    encoders.add(this);
  }

  static #check(self, what) {
    if (!encoders.has(self)) {
      throw new TypeErrorCtor("Illegal invocation: TextEncoder." + what +
        " called on an object that is not a TextEncoder");
    }
  }

  get encoding() {
    TextEncoder.#check(this, "encoding");
    return "utf-8";
  }

  encode(input = undefined) {
    TextEncoder.#check(this, "encode");
    return utf8Encode(input === undefined ? "" : toDOMString(input));
  }

  encodeInto(source, destination) {
    TextEncoder.#check(this, "encodeInto");
    if (arguments.length < 2) {
      throw new TypeErrorCtor("Failed to execute 'encodeInto' on 'TextEncoder': 2 arguments " +
        "required, but only " + arguments.length + " present.");
    }
    const s = toDOMString(source);
    if (!ArrayBufferIsView(destination) || TypedArrayTag(destination) !== "Uint8Array") {
      throw new TypeErrorCtor("Failed to execute 'encodeInto' on 'TextEncoder': parameter 2 " +
        "is not of type 'Uint8Array'.");
    }
    return utf8EncodeInto(s, destination);
  }
}

// ---------------------------------------------------------------------------------------
// Base64 (https://infra.spec.whatwg.org/#forgiving-base64).

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE64_CODES = new Uint8ArrayCtor(64);
const BASE64_VALUES = new Uint8ArrayCtor(128).fill(255);
for (let i = 0; i < 64; i++) {
  BASE64_CODES[i] = StringCharCodeAt(BASE64, i);
  BASE64_VALUES[BASE64_CODES[i]] = i;
}

function base64Encode(bytes) {
  const n = bytes.length;
  const out = new Uint8ArrayCtor(((n + 2) / 3 | 0) * 4);
  let o = 0;
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out[o++] = BASE64_CODES[v >> 18];
    out[o++] = BASE64_CODES[(v >> 12) & 63];
    out[o++] = BASE64_CODES[(v >> 6) & 63];
    out[o++] = BASE64_CODES[v & 63];
  }
  if (i < n) {
    const v = (bytes[i] << 16) | (i + 1 < n ? bytes[i + 1] << 8 : 0);
    out[o++] = BASE64_CODES[v >> 18];
    out[o++] = BASE64_CODES[(v >> 12) & 63];
    out[o++] = i + 1 < n ? BASE64_CODES[(v >> 6) & 63] : 0x3d;
    out[o++] = 0x3d;
  }
  return isomorphicDecode(out);
}

// Forgiving-base64 decode: a Uint8Array, or null for failure.
function base64Decode(data) {
  const values = new Uint8ArrayCtor(data.length);
  let n = 0;
  let padding = 0;
  for (let i = 0; i < data.length; i++) {
    const c = StringCharCodeAt(data, i);
    if (isAsciiWhitespace(c)) continue;
    if (c === 0x3d) {
      padding++;
      continue;
    }
    // Anything after "=" (other than more "=" or whitespace) is invalid.
    if (padding !== 0 || c >= 128 || BASE64_VALUES[c] === 255) return null;
    values[n++] = BASE64_VALUES[c];
  }
  if (padding !== 0 && (padding > 2 || (n + padding) % 4 !== 0)) return null;
  if (n % 4 === 1) return null;
  const out = new Uint8ArrayCtor((n * 3) >> 2);
  let o = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const v = (values[i] << 18) | (values[i + 1] << 12) | (values[i + 2] << 6) | values[i + 3];
    out[o++] = v >> 16;
    out[o++] = (v >> 8) & 255;
    out[o++] = v & 255;
  }
  if (n - i === 2) {
    out[o++] = (values[i] << 2) | (values[i + 1] >> 4);
  } else if (n - i === 3) {
    const v = (values[i] << 12) | (values[i + 1] << 6) | values[i + 2];
    out[o++] = v >> 10;
    out[o++] = (v >> 2) & 255;
  }
  return out;
}

function invalidCharacter(message) {
  const DOMExceptionCtor = nano.DOMException;
  if (typeof DOMExceptionCtor === "function") {
    return new DOMExceptionCtor(message, "InvalidCharacterError");
  }
  const error = new ErrorCtor(message);
  error.name = "InvalidCharacterError";
  return error;
}

function requireArgument(count, what) {
  if (count < 1) {
    throw new TypeErrorCtor("Failed to execute '" + what + "': 1 argument required, but only 0 present.");
  }
}

// The wrapper objects give atob/btoa the right name and length and no prototype.
const operations = {
  atob(data) {
    requireArgument(arguments.length, "atob");
    const bytes = base64Decode(toDOMString(data));
    if (bytes === null) {
      throw invalidCharacter("Failed to execute 'atob': The string to be decoded is not correctly encoded.");
    }
    return isomorphicDecode(bytes);
  },
  btoa(data) {
    requireArgument(arguments.length, "btoa");
    const s = toDOMString(data);
    for (let i = 0; i < s.length; i++) {
      if (StringCharCodeAt(s, i) > 0xff) {
        throw invalidCharacter("Failed to execute 'btoa': The string to be encoded contains " +
          "characters outside of the Latin1 range.");
      }
    }
    return base64Encode(isomorphicEncode(s));
  },
};

// ---------------------------------------------------------------------------------------
// Internals and globals.

nano.getEncoding = (label) => getEncoding(StringCtor(label));
nano.createDecoder = createDecoder;
nano.encodingIndex = encodingIndex;
nano.encodingHandler = { EOQ, CONTINUE, ERROR, FINISHED, emit };
nano.utf8Encode = utf8Encode;
nano.utf8EncodeInto = utf8EncodeInto;
nano.utf8Decode = utf8Decode;
nano.utf8DecodeWithoutBOM = utf8Decode;
nano.utf8DecodeStripBOM = utf8DecodeStripBOM;
nano.utf8DecodeOrFail = utf8DecodeOrFail;
nano.isomorphicDecode = isomorphicDecode;
nano.isomorphicEncode = isomorphicEncode;
nano.base64Encode = base64Encode;
nano.base64Decode = base64Decode;
nano.bufferSourceBytes = bufferSourceBytes;

for (const [ctor, tag] of [[TextDecoder, "TextDecoder"], [TextEncoder, "TextEncoder"]]) {
  ObjectDefineProperty(ctor.prototype, Symbol.toStringTag, {
    value: tag, writable: false, enumerable: false, configurable: true,
  });
}

nano.defineGlobal("TextDecoder", TextDecoder);
nano.defineGlobal("TextEncoder", TextEncoder);
nano.defineGlobal("atob", operations.atob);
nano.defineGlobal("btoa", operations.btoa);

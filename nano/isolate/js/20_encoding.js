// The Encoding Standard's decoders for every encoding of the standard, the label table
// and the decoder object behind TextDecoder. TextEncoder/TextDecoder themselves are in
// 23_text_encoding.js, the multi-byte CJK decoders in 21_encoding_legacy.js, atob/btoa in
// 22_base64.js.
// Spec: https://encoding.spec.whatwg.org/ (names and labels, UTF-8, UTF-16BE/LE,
// single-byte, x-user-defined, replacement, TextDecoder's decode steps).
// Host operations: none. Legacy index tables come from the loader as
// `nano.encodingTablesHolder` (built by nano/isolate/encodings.py) and are unpacked on first use.
//
// Internals on `nano` for other prelude files (from this file unless noted):
//   nano.getEncoding(label)        "get an encoding": the lowercased encoding name for a
//                                  label ("utf-8", "shift_jis", ...) or null.
//   nano.createDecoder(label, {fatal, ignoreBOM})
//                                  a decoder object {encoding, fatal, ignoreBOM,
//                                  decode(bytes, stream)} with TextDecoder.decode()'s
//                                  semantics (bytes: Uint8Array or null; stream: boolean;
//                                  BOM handling included); throws RangeError for unknown
//                                  and "replacement" labels. For TextDecoderStream: call
//                                  decode(chunk, true) per chunk and decode(null, false)
//                                  to flush.
//   nano.utf8Decode(u8)            string; U+FFFD for errors; a leading BOM is KEPT (the
//   nano.utf8DecodeWithoutBOM(u8)  spec's "UTF-8 decode without BOM"; both names).
//   nano.utf8DecodeStripBOM(u8)    the spec's "UTF-8 decode": a leading BOM is dropped
//                                  (what Body.text()/json() need).
//   nano.utf8DecodeOrFail(u8)      "UTF-8 decode without BOM or fail": string or null.
//   nano.isomorphicDecode(u8)      string with one code unit per byte.
//   nano.isomorphicEncode(string)  Uint8Array of the low byte of each code unit.
//   nano.utf8Encode(string)        (23_text_encoding.js) Uint8Array; lone surrogates
//                                  become U+FFFD.
//   nano.utf8EncodeInto(string, u8) (23) {read, written} as TextEncoder.encodeInto().
//   nano.createStreamEncoder()     (23) {encode(string), flush()} for TextEncoderStream:
//                                  Uint8Array or null; joins pairs split between chunks.
//   nano.bufferSourceBytes(value)  (23) a Uint8Array over the memory of an ArrayBuffer,
//                                  SharedArrayBuffer or ArrayBufferView, else undefined.
//   nano.base64Encode(u8), nano.base64Decode(string)  (22_base64.js).
// The multi-byte decoders of 21_encoding_legacy.js use nano.encodingIndex(name) and
// nano.encodingHandler, and register themselves in nano.legacyDecoders.

const ReflectApply = Reflect.apply;
const uncurry = (fn) => Function.prototype.call.bind(fn);
const StringCtor = String;
const StringFromCharCode = String.fromCharCode;
const StringCharCodeAt = uncurry(String.prototype.charCodeAt);
const StringSlice = uncurry(String.prototype.slice);
const StringIndexOf = uncurry(String.prototype.indexOf);
const StringLastIndexOf = uncurry(String.prototype.lastIndexOf);
const StringToLowerCase = uncurry(String.prototype.toLowerCase);
const MapCtor = Map;
const MapGet = uncurry(Map.prototype.get);
const MapSet = uncurry(Map.prototype.set);
const TypeErrorCtor = TypeError;
const RangeErrorCtor = RangeError;
const Uint8ArrayCtor = Uint8Array;
const Uint16ArrayCtor = Uint16Array;
const Int32ArrayCtor = Int32Array;
const TypedArraySubarray = uncurry(Object.getPrototypeOf(Uint8Array.prototype).subarray);

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
  // Labels are ASCII; rejecting anything else first keeps toLowerCase() an ASCII
  // lowercase (it would turn U+212A KELVIN SIGN into "k").
  for (let i = start; i < end; i++) {
    if (StringCharCodeAt(label, i) > 0x7f) return null;
  }
  const key = StringToLowerCase(StringSlice(label, start, end));
  if (labelMap === null) {
    labelMap = new MapCtor();
    for (let i = 0; i < LABELS.length; i++) {
      const line = LABELS[i];
      let name = null;
      for (let from = 0; from < line.length;) {
        let to = from;
        while (to < line.length && StringCharCodeAt(line, to) !== 0x20) to++;
        const word = StringSlice(line, from, to);
        if (name === null) name = word;
        MapSet(labelMap, word, name);
        from = to + 1;
      }
    }
  }
  const name = MapGet(labelMap, key);
  return name === undefined ? null : name;
}

// ---------------------------------------------------------------------------------------
// Index tables: unpacked from nano.encodingTables on first use (format: encodings.py).

const indexCache = new MapCtor();

// The tables are the JSON text returned by nano.encodingTablesHolder, a function that
// never runs: V8 only pre-parses it, so the text exists once per isolate (in the
// prelude's script source) instead of twice (source and string literal, 210 KB in all).
// It is read back through Function.prototype.toString and parsed on first use.
const FunctionToString = uncurry(Function.prototype.toString);
const JSONParse = JSON.parse;
let parsedTables;

function tables() {
  if (parsedTables === undefined) {
    const holder = nano.encodingTablesHolder;
    if (holder === undefined) {
      throw new RangeErrorCtor("nano: the legacy encoding tables are not loaded");
    }
    const text = FunctionToString(holder);
    const start = StringIndexOf(text, "{", StringIndexOf(text, "return"));
    parsedTables = JSONParse(StringSlice(text, start, StringLastIndexOf(text, ";")));
  }
  return parsedTables;
}
nano.encodingTables = tables;

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

// ---------------------------------------------------------------------------------------
// Internals and globals.

nano.getEncoding = (label) => getEncoding(StringCtor(label));
nano.createDecoder = createDecoder;
nano.Decoder = Decoder;
nano.encodingIndex = encodingIndex;
nano.encodingHandler = { EOQ, CONTINUE, ERROR, FINISHED, emit };
nano.utf8Decode = utf8Decode;
nano.utf8DecodeWithoutBOM = utf8Decode;
nano.utf8DecodeStripBOM = utf8DecodeStripBOM;
nano.utf8DecodeOrFail = utf8DecodeOrFail;
nano.isomorphicDecode = isomorphicDecode;
nano.isomorphicEncode = isomorphicEncode;

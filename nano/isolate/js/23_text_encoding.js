// The Encoding Standard's interfaces TextEncoder and TextDecoder, and the UTF-8 encoder.
// Spec: https://encoding.spec.whatwg.org/#api
// Host operations: none. The decoders themselves are in 20_encoding.js (nano.Decoder).
//
// Internals this file puts on `nano` (see 20_encoding.js for the decoding ones):
//   nano.utf8Encode(string)         Uint8Array (lone surrogates become U+FFFD).
//   nano.utf8EncodeInto(string, u8) {read, written} as TextEncoder.encodeInto().
//   nano.createStreamEncoder()      {encode(string) -> Uint8Array|null, flush() ->
//                                   Uint8Array|null}: TextEncoderStream's encoder, which
//                                   joins surrogate pairs split between chunks.
//   nano.bufferSourceBytes(value)   a Uint8Array over the memory of an ArrayBuffer,
//                                   SharedArrayBuffer or ArrayBufferView, else undefined.

const ObjectDefineProperty = Object.defineProperty;
const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const ObjectGetPrototypeOf = Object.getPrototypeOf;
const uncurry = (fn) => Function.prototype.call.bind(fn);
const StringCharCodeAt = uncurry(String.prototype.charCodeAt);
const StringSlice = uncurry(String.prototype.slice);
const TypeErrorCtor = TypeError;
const RangeErrorCtor = RangeError;
const WeakSetCtor = WeakSet;
const WeakSetAdd = uncurry(WeakSet.prototype.add);
const WeakSetHas = uncurry(WeakSet.prototype.has);
const Uint8ArrayCtor = Uint8Array;
const RegExpExec = uncurry(RegExp.prototype.exec);
const ASCII_ONLY = /^[\x00-\x7f]*$/;
const ArrayBufferIsView = ArrayBuffer.isView;
const TypedArrayPrototype = ObjectGetPrototypeOf(Uint8Array.prototype);
const getter = (proto, name) => uncurry(ObjectGetOwnPropertyDescriptor(proto, name).get);
const TypedArraySlice = uncurry(TypedArrayPrototype.slice);
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
const Decoder = nano.Decoder;
const getEncoding = nano.getEncoding;

// ---------------------------------------------------------------------------------------
// The UTF-8 encoder.

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

// Writes the UTF-8 encoding of s into out (large enough) and returns the byte count.
function utf8Write(s, out) {
  const n = s.length;
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
  return o;
}

// Strings up to this many code units are encoded into a worst-case buffer and copied out;
// longer ones are measured first so memory stays proportional to the result.
const ONE_PASS_LIMIT = 1 << 20;

function utf8Encode(s) {
  const n = s.length;
  if (RegExpExec(ASCII_ONLY, s) !== null) {
    const out = new Uint8ArrayCtor(n);
    for (let i = 0; i < n; i++) out[i] = StringCharCodeAt(s, i);
    return out;
  }
  if (n <= ONE_PASS_LIMIT) {
    const buffer = new Uint8ArrayCtor(n * 3);
    return TypedArraySlice(buffer, 0, utf8Write(s, buffer));
  }
  const out = new Uint8ArrayCtor(utf8Length(s));
  utf8Write(s, out);
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

// The UTF-8 encoding side of TextEncoderStream: a leading surrogate that ends a chunk is
// held back and joined with a trailing surrogate that starts the next one.
// https://encoding.spec.whatwg.org/#encode-and-enqueue-a-chunk
function createStreamEncoder() {
  let pendingLead = "";
  return {
    // s: the chunk already converted to a string; returns bytes, or null for nothing.
    encode(s) {
      if (pendingLead !== "") {
        s = pendingLead + s;
        pendingLead = "";
      }
      const n = s.length;
      if (n > 0) {
        const last = StringCharCodeAt(s, n - 1);
        if (last >= 0xd800 && last <= 0xdbff) {
          pendingLead = StringSlice(s, n - 1);
          s = StringSlice(s, 0, n - 1);
        }
      }
      return s.length === 0 ? null : utf8Encode(s);
    },
    // End of stream: U+FFFD's bytes for a lead surrogate left over, or null.
    flush() {
      if (pendingLead === "") return null;
      pendingLead = "";
      return utf8Encode("\ufffd");
    },
  };
}

// A Uint8Array over part of a buffer; empty when the buffer is detached (WebIDL: the bytes
// of a detached buffer are the empty byte sequence).
function viewOf(buffer, offset, length) {
  try {
    return new Uint8ArrayCtor(buffer, offset, length);
  } catch (e) {
    return new Uint8ArrayCtor(0);
  }
}

function isBuffer(byteLengthGetter, value) {
  if (byteLengthGetter === undefined) return false;
  try {
    byteLengthGetter(value);
    return true;
  } catch (e) {
    return false;
  }
}

// A Uint8Array over the bytes of a BufferSource (AllowShared), or undefined.
function bufferSourceBytes(value) {
  if (value === null || typeof value !== "object") return undefined;
  if (ArrayBufferIsView(value)) {
    if (TypedArrayTag(value) !== undefined) {
      return viewOf(TypedArrayBuffer(value), TypedArrayByteOffset(value),
        TypedArrayByteLength(value));
    }
    let length;
    try {
      length = DataViewByteLength(value);
    } catch (e) {
      return new Uint8ArrayCtor(0);
    }
    return viewOf(DataViewBuffer(value), DataViewByteOffset(value), length);
  }
  if (isBuffer(ArrayBufferByteLength, value) || isBuffer(SharedArrayBufferByteLength, value)) {
    return viewOf(value, 0, undefined);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------
// WebIDL conversions.

const toDOMString = nano.toDOMString;

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

const encoders = new WeakSetCtor();

class TextEncoder {
  constructor() {
    WeakSetAdd(encoders, this);
  }

  static #check(self, what) {
    if (!WeakSetHas(encoders, self)) {
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

nano.utf8Encode = utf8Encode;
nano.utf8EncodeInto = utf8EncodeInto;
nano.createStreamEncoder = createStreamEncoder;
nano.bufferSourceBytes = bufferSourceBytes;

for (const [ctor, tag] of [[TextDecoder, "TextDecoder"], [TextEncoder, "TextEncoder"]]) {
  ObjectDefineProperty(ctor.prototype, Symbol.toStringTag, {
    value: tag, writable: false, enumerable: false, configurable: true,
  });
}

nano.defineGlobal("TextDecoder", TextDecoder);
nano.defineGlobal("TextEncoder", TextEncoder);

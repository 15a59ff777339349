// TextEncoderStream and TextDecoderStream.
// Spec: https://encoding.spec.whatwg.org/#interface-textdecoderstream,
// #interface-textencoderstream; the GenericTransformStream mixin
// (https://streams.spec.whatwg.org/#other-specs-ts-wrapping).
// Host operations: none. The encoder and decoders are those of TextEncoder/TextDecoder
// (nano.createStreamEncoder in 23_text_encoding.js, nano.Decoder in 20_encoding.js).

const S = nano.streams;
const {
  setUpTransformStream, transformEnqueue, finishInterface, isObject, illegalInvocation,
  toDictionary, toDOMString,
} = S;
const TypeErrorCtor = TypeError;
const RangeErrorCtor = RangeError;
const Decoder = nano.Decoder;
const getEncoding = nano.getEncoding;
const createStreamEncoder = nano.createStreamEncoder;
const bufferSourceBytes = nano.bufferSourceBytes;

class TextDecoderStream {
  #d;

  constructor(label = "utf-8", options = undefined) {
    const name = toDOMString(label);
    const dict = toDictionary(options, "Failed to construct 'TextDecoderStream'");
    const fatal = dict === undefined ? false : !!dict.fatal;
    const ignoreBOM = dict === undefined ? false : !!dict.ignoreBOM;
    const encoding = getEncoding(name);
    if (encoding === null || encoding === "replacement") {
      throw new RangeErrorCtor("Failed to construct 'TextDecoderStream': the encoding label provided ('" +
        name + "') is invalid.");
    }
    const decoder = new Decoder(encoding, fatal, ignoreBOM);
    let transform;
    // "Decode and enqueue a chunk" / "flush and enqueue".
    transform = setUpTransformStream((chunk) => {
      const bytes = bufferSourceBytes(chunk);
      if (bytes === undefined) {
        throw new TypeErrorCtor("TextDecoderStream: the chunk is not an ArrayBuffer or ArrayBufferView");
      }
      const text = decoder.decode(bytes, true);
      if (text !== "") transformEnqueue(transform, text);
    }, () => {
      const text = decoder.decode(null, false);
      if (text !== "") transformEnqueue(transform, text);
    });
    this.#d = { decoder, transform };
  }

  static #check(self, member) {
    if (!isObject(self) || !(#d in self)) throw illegalInvocation("TextDecoderStream", member);
    return self.#d;
  }

  get encoding() {
    return TextDecoderStream.#check(this, "encoding").decoder.encoding;
  }

  get fatal() {
    return TextDecoderStream.#check(this, "fatal").decoder.fatal;
  }

  get ignoreBOM() {
    return TextDecoderStream.#check(this, "ignoreBOM").decoder.ignoreBOM;
  }

  get readable() {
    return TextDecoderStream.#check(this, "readable").transform.readable.pub;
  }

  get writable() {
    return TextDecoderStream.#check(this, "writable").transform.writable.pub;
  }
}

class TextEncoderStream {
  #t;

  constructor() {
    const encoder = createStreamEncoder();
    let transform;
    // "Encode and enqueue a chunk" / "encode and flush".
    transform = setUpTransformStream((chunk) => {
      const bytes = encoder.encode(toDOMString(chunk));
      if (bytes !== null) transformEnqueue(transform, bytes);
    }, () => {
      const bytes = encoder.flush();
      if (bytes !== null) transformEnqueue(transform, bytes);
    });
    this.#t = transform;
  }

  static #check(self, member) {
    if (!isObject(self) || !(#t in self)) throw illegalInvocation("TextEncoderStream", member);
    return self.#t;
  }

  get encoding() {
    TextEncoderStream.#check(this, "encoding");
    return "utf-8";
  }

  get readable() {
    return TextEncoderStream.#check(this, "readable").readable.pub;
  }

  get writable() {
    return TextEncoderStream.#check(this, "writable").writable.pub;
  }
}

finishInterface(TextDecoderStream, "TextDecoderStream");
finishInterface(TextEncoderStream, "TextEncoderStream");

nano.defineGlobal("TextDecoderStream", TextDecoderStream);
nano.defineGlobal("TextEncoderStream", TextEncoderStream);

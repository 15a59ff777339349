// The Web Cryptography API's WebIDL conversions and algorithm normalization: the
// registry of algorithms by operation, the parameter dictionaries, and the "normalize
// an algorithm" steps.
// Spec: https://w3c.github.io/webcrypto/#algorithm-normalization
//       https://webidl.spec.whatwg.org/#es-dictionary (dictionary conversion)
// Host operations: none.
//
// Internals shared on `nano.subtle` (an internal namespace, not the global):
//   .TYPES.<Dictionary>          parameter dictionary descriptors (Algorithm, AesCtrParams, ...)
//   .define(impl, params)        register an algorithm: impl.name is its recognized name,
//                                params maps each supported operation ("encrypt",
//                                "importKey", "get key length", ...) to a TYPES entry.
//   .algorithm(name)             the impl registered under a recognized name, or undefined
//   .normalize(op, alg)          the normalized algorithm (a null-prototype record) or a
//                                thrown TypeError / NotSupportedError
//   .toDOMString(v) .toBoolean(v) .toUnsignedLong(v) .toEnforcedInteger(v, max, what)
//   .isBufferSource(v)           ArrayBuffer or ArrayBufferView over a non-shared buffer
//   .copyBufferSource(v, what)   a Uint8Array copy of a BufferSource's bytes (TypeError
//                                for anything else)
//   .toAlgorithmIdentifier(v) .toCryptoKey(v, what) .toKeyUsages(v) .toKeyFormat(v)
//   .error(name, message)        a DOMException with that name
//   .checkUsages(usages, allowed)  SyntaxError unless every usage is in `allowed`
//   .then(promise, onOk, onError)  Promise.prototype.then, safe from user patches
//   .hostCall(op, args)          nano.hostCall
//   .b64(bytes) .bytes(b64)      base64 text for host calls, and back
//   .isObject(v) .convertDictionary(v, type) .toSequence(v, convert, what)
//
// An algorithm impl (48_subtle_*.js) has the operations it supports, each taking the
// normalized algorithm and a key's state record (nano.cryptoKeyState) and returning
// a value or a promise: encrypt/decrypt/wrapKey/unwrapKey(normalized, key, bytes) ->
// Uint8Array; sign(normalized, key, bytes) -> Uint8Array; verify(normalized, key,
// signature, bytes) -> boolean; digest(normalized, bytes) -> Uint8Array;
// deriveBits(normalized, key, length or null) -> Uint8Array; generateKey(normalized,
// extractable, usages) -> CryptoKey or {publicKey, privateKey}; importKey(format,
// keyData, normalized, extractable, usages) -> CryptoKey; exportKey(format, key) ->
// Uint8Array or a JWK object; getKeyLength(normalized) -> number or null.

const TypeErrorCtor = TypeError;
const NumberIsFinite = Number.isFinite;
const MathTrunc = Math.trunc;
const Uint8ArrayCtor = Uint8Array;
const ArrayBufferIsView = ArrayBuffer.isView;
const ObjectGetPrototypeOf = Object.getPrototypeOf;
const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const ReflectApply = Reflect.apply;
const SymbolIterator = Symbol.iterator;
const PromisePrototypeThen = Promise.prototype.then;
const getter = (proto, key) => ObjectGetOwnPropertyDescriptor(proto, key).get;
const TypedArrayPrototype = ObjectGetPrototypeOf(Uint8Array.prototype);
const TypedArrayBuffer = getter(TypedArrayPrototype, "buffer");
const TypedArrayByteOffset = getter(TypedArrayPrototype, "byteOffset");
const TypedArrayByteLength = getter(TypedArrayPrototype, "byteLength");
const TypedArrayToStringTag = getter(TypedArrayPrototype, Symbol.toStringTag);
const DataViewBuffer = getter(DataView.prototype, "buffer");
const DataViewByteOffset = getter(DataView.prototype, "byteOffset");
const DataViewByteLength = getter(DataView.prototype, "byteLength");
const ArrayBufferByteLength = getter(ArrayBuffer.prototype, "byteLength");
const ArrayBufferDetached = getter(ArrayBuffer.prototype, "detached");
const TypedArraySlice = TypedArrayPrototype.slice;
const StringPrototypeCharCodeAt = String.prototype.charCodeAt;
const StringFromCharCode = String.fromCharCode;

function error(name, message) {
  return new nano.DOMException(message, name);
}

const toDOMString = nano.toDOMString;

function toBoolean(value) {
  return !!value;
}

const isObject = nano.isObject;

// [EnforceRange] integer conversion to 0..max.
function toEnforcedInteger(value, max, what) {
  const x = +value; // ToNumber: a BigInt or Symbol throws a TypeError
  if (!NumberIsFinite(x)) throw new TypeErrorCtor(what + " is not a finite number");
  const t = MathTrunc(x) + 0;
  if (t < 0 || t > max) throw new TypeErrorCtor(what + " is outside the range 0 to " + max);
  return t;
}

// unsigned long without [EnforceRange]: modulo 2^32.
function toUnsignedLong(value) {
  const x = +value;
  if (!NumberIsFinite(x)) return 0;
  const t = MathTrunc(x) % 4294967296;
  return t < 0 ? t + 4294967296 : t + 0;
}

// An ArrayBuffer's byte length, or -1 when `value` is not an ArrayBuffer (a
// SharedArrayBuffer is not: WebCrypto's BufferSource is not [AllowShared]).
function arrayBufferLength(value) {
  try {
    return ReflectApply(ArrayBufferByteLength, value, []);
  } catch (e) {
    return -1;
  }
}

// {buffer, offset, length} of a BufferSource, or undefined.
function bufferSourceView(value) {
  if (!isObject(value)) return undefined;
  if (ArrayBufferIsView(value)) {
    let buffer, offset, length;
    if (ReflectApply(TypedArrayToStringTag, value, []) !== undefined) {
      buffer = ReflectApply(TypedArrayBuffer, value, []);
      offset = ReflectApply(TypedArrayByteOffset, value, []);
      length = ReflectApply(TypedArrayByteLength, value, []);
    } else {
      buffer = ReflectApply(DataViewBuffer, value, []);
      offset = ReflectApply(DataViewByteOffset, value, []);
      try {
        length = ReflectApply(DataViewByteLength, value, []);
      } catch (e) {
        length = 0; // a view of a detached buffer
      }
    }
    if (arrayBufferLength(buffer) < 0) return undefined;
    return { buffer, offset, length };
  }
  const length = arrayBufferLength(value);
  if (length < 0) return undefined;
  return { buffer: value, offset: 0, length };
}

function isBufferSource(value) {
  return bufferSourceView(value) !== undefined;
}

function copyBufferSource(value, what) {
  const view = bufferSourceView(value);
  if (view === undefined) throw new TypeErrorCtor(what + " is not an ArrayBuffer or ArrayBufferView");
  if (view.length === 0 || ReflectApply(ArrayBufferDetached, view.buffer, [])) return new Uint8ArrayCtor(0);
  const bytes = new Uint8ArrayCtor(view.buffer, view.offset, view.length);
  return ReflectApply(TypedArraySlice, bytes, []);
}

function toAlgorithmIdentifier(value) {
  return isObject(value) ? value : toDOMString(value);
}

function toCryptoKey(value, what) {
  if (nano.cryptoKeyState(value) === undefined) throw new TypeErrorCtor(what + " is not a CryptoKey");
  return value;
}

function toEnum(value, allowed, what) {
  const text = toDOMString(value);
  for (let i = 0; i < allowed.length; i++) if (allowed[i] === text) return text;
  throw new TypeErrorCtor("'" + text + "' is not a valid " + what);
}

// sequence<T>: iterate an iterable object, converting each element.
function toSequence(value, convert, what) {
  if (!isObject(value)) throw new TypeErrorCtor(what + " is not a sequence");
  const method = value[SymbolIterator];
  if (typeof method !== "function") throw new TypeErrorCtor(what + " is not iterable");
  const iterator = ReflectApply(method, value, []);
  if (!isObject(iterator)) throw new TypeErrorCtor(what + ": the iterator is not an object");
  const next = iterator.next;
  const out = [];
  for (;;) {
    const step = ReflectApply(next, iterator, []);
    if (!isObject(step)) throw new TypeErrorCtor(what + ": the iterator result is not an object");
    if (step.done) return out;
    out[out.length] = convert(step.value);
  }
}

const FORMATS = ["raw", "spki", "pkcs8", "jwk"];

function toKeyUsages(value) {
  return toSequence(value, (v) => toEnum(v, nano.KEY_USAGES, "KeyUsage"), "keyUsages");
}

function toKeyFormat(value) {
  return toEnum(value, FORMATS, "KeyFormat");
}

function toBigInteger(value, what) {
  if (!ArrayBufferIsView(value) || ReflectApply(TypedArrayToStringTag, value, []) !== "Uint8Array") {
    throw new TypeErrorCtor(what + " is not a Uint8Array");
  }
  return copyBufferSource(value, what);
}

// ---- dictionaries ----------------------------------------------------------------------
// A dictionary type is a list of members [key, type, required] in conversion order.
const MEMBER_CONVERTERS = {
  __proto__: null,
  DOMString: (v) => toDOMString(v),
  BufferSource: (v, key) => copyBufferSource(v, key),
  HashAlgorithmIdentifier: (v) => toAlgorithmIdentifier(v),
  octet: (v, key) => toEnforcedInteger(v, 255, key),
  "unsigned short": (v, key) => toEnforcedInteger(v, 65535, key),
  "unsigned long": (v, key) => toEnforcedInteger(v, 4294967295, key),
  BigInteger: (v, key) => toBigInteger(v, key),
  CryptoKey: (v, key) => toCryptoKey(v, key),
};

function dictionary(name, members) {
  return { name, members: [["name", "DOMString", true]].concat(members) };
}

const TYPES = {
  __proto__: null,
  Algorithm: dictionary("Algorithm", []),
  AesKeyGenParams: dictionary("AesKeyGenParams", [["length", "unsigned short", true]]),
  AesDerivedKeyParams: dictionary("AesDerivedKeyParams", [["length", "unsigned short", true]]),
  AesCbcParams: dictionary("AesCbcParams", [["iv", "BufferSource", true]]),
  AesCtrParams: dictionary("AesCtrParams", [["counter", "BufferSource", true], ["length", "octet", true]]),
  AesGcmParams: dictionary("AesGcmParams", [["additionalData", "BufferSource", false],
    ["iv", "BufferSource", true], ["tagLength", "octet", false]]),
  HmacImportParams: dictionary("HmacImportParams", [["hash", "HashAlgorithmIdentifier", true],
    ["length", "unsigned long", false]]),
  HmacKeyGenParams: dictionary("HmacKeyGenParams", [["hash", "HashAlgorithmIdentifier", true],
    ["length", "unsigned long", false]]),
  RsaHashedKeyGenParams: dictionary("RsaHashedKeyGenParams", [["modulusLength", "unsigned long", true],
    ["publicExponent", "BigInteger", true], ["hash", "HashAlgorithmIdentifier", true]]),
  RsaHashedImportParams: dictionary("RsaHashedImportParams", [["hash", "HashAlgorithmIdentifier", true]]),
  RsaPssParams: dictionary("RsaPssParams", [["saltLength", "unsigned long", true]]),
  RsaOaepParams: dictionary("RsaOaepParams", [["label", "BufferSource", false]]),
  EcKeyGenParams: dictionary("EcKeyGenParams", [["namedCurve", "DOMString", true]]),
  EcKeyImportParams: dictionary("EcKeyImportParams", [["namedCurve", "DOMString", true]]),
  EcdsaParams: dictionary("EcdsaParams", [["hash", "HashAlgorithmIdentifier", true]]),
  EcdhKeyDeriveParams: dictionary("EcdhKeyDeriveParams", [["public", "CryptoKey", true]]),
  HkdfParams: dictionary("HkdfParams", [["hash", "HashAlgorithmIdentifier", true],
    ["info", "BufferSource", true], ["salt", "BufferSource", true]]),
  Pbkdf2Params: dictionary("Pbkdf2Params", [["hash", "HashAlgorithmIdentifier", true],
    ["iterations", "unsigned long", true], ["salt", "BufferSource", true]]),
};

function convertDictionary(value, type) {
  if (value !== undefined && value !== null && !isObject(value)) {
    throw new TypeErrorCtor(type.name + ": the algorithm is not an object");
  }
  const out = { __proto__: null };
  const members = type.members;
  for (let i = 0; i < members.length; i++) {
    const key = members[i][0];
    const raw = value === undefined || value === null ? undefined : value[key];
    if (raw !== undefined) {
      out[key] = MEMBER_CONVERTERS[members[i][1]](raw, type.name + "." + key);
    } else if (members[i][2]) {
      throw new TypeErrorCtor(type.name + ": the required member '" + key + "' is missing");
    }
  }
  return out;
}

// ---- the registry and normalization ----------------------------------------------------
const supported = { __proto__: null }; // op -> {lowercase name -> [name, type]}
const algorithms = { __proto__: null }; // recognized name -> impl

// ASCII lowercase (algorithm names match ASCII case-insensitively, nothing more).
function lowerAscii(text) {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = ReflectApply(StringPrototypeCharCodeAt, text, [i]);
    out += StringFromCharCode(c >= 0x41 && c <= 0x5a ? c + 32 : c);
  }
  return out;
}

function define(impl, params) {
  algorithms[impl.name] = impl;
  for (const op in params) {
    if (supported[op] === undefined) supported[op] = { __proto__: null };
    supported[op][lowerAscii(impl.name)] = [impl.name, params[op]];
  }
}

function normalize(op, alg) {
  if (typeof alg === "string") return normalize(op, { name: alg });
  const initial = convertDictionary(alg, TYPES.Algorithm);
  const registered = supported[op];
  const entry = registered === undefined ? undefined : registered[lowerAscii(initial.name)];
  if (entry === undefined) {
    throw error("NotSupportedError", "Unrecognized algorithm name '" + initial.name + "' for " + op);
  }
  const normalized = convertDictionary(alg, entry[1]);
  normalized.name = entry[0];
  const members = entry[1].members;
  for (let i = 0; i < members.length; i++) {
    if (members[i][1] === "HashAlgorithmIdentifier" && normalized[members[i][0]] !== undefined) {
      normalized[members[i][0]] = normalize("digest", normalized[members[i][0]]);
    }
  }
  return normalized;
}

function checkUsages(usages, allowed) {
  for (let i = 0; i < usages.length; i++) {
    let ok = false;
    for (let j = 0; j < allowed.length; j++) if (usages[i] === allowed[j]) ok = true;
    if (!ok) throw error("SyntaxError", "Cannot create a key with usage '" + usages[i] + "'");
  }
}

nano.subtle = {
  TYPES,
  define,
  algorithm: (name) => algorithms[name],
  normalize,
  error,
  checkUsages,
  toDOMString,
  toBoolean,
  toUnsignedLong,
  toEnforcedInteger,
  isBufferSource,
  copyBufferSource,
  toAlgorithmIdentifier,
  toCryptoKey,
  toKeyUsages,
  toKeyFormat,
  isObject,
  convertDictionary,
  toSequence,
  then: (promise, onOk, onError) => ReflectApply(PromisePrototypeThen, promise, [onOk, onError]),
  hostCall: (op, args) => nano.hostCall(op, args),
  b64: (bytes) => nano.bytesToBase64(bytes),
  bytes: (text) => nano.base64ToBytes(text),
};

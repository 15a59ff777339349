// The SubtleCrypto interface and crypto.subtle: each method converts its arguments as
// WebIDL says, normalizes the algorithm, checks the key's algorithm and usages, and
// runs the algorithm's operation (48_subtle_*.js). Every error rejects the returned
// promise (WebIDL type errors included). Beyond the spec, as on Cloudflare Workers:
// timingSafeEqual(a, b), synchronous.
// Spec: https://w3c.github.io/webcrypto/#subtlecrypto-interface
// Host operations: those of the algorithms (48_subtle_*.js).

const TypeErrorCtor = TypeError;
const PromiseResolve = Promise.resolve.bind(Promise);
const PromiseReject = Promise.reject.bind(Promise);
const ArrayBufferCtor = ArrayBuffer;
const Uint8ArrayCtor = Uint8Array;
const ObjectDefineProperty = Object.defineProperty;
const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const ReflectApply = Reflect.apply;
const SymbolToStringTag = Symbol.toStringTag;
const TypedArrayBuffer = ObjectGetOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), "buffer").get;
const ArrayBufferByteLength = ObjectGetOwnPropertyDescriptor(ArrayBuffer.prototype, "byteLength").get;

const subtle = nano.subtle;
const error = subtle.error;
const jwkUtil = subtle.jwk;
const stateOf = nano.cryptoKeyState;

const CONSTRUCT = Symbol("SubtleCrypto construct");
let instance = null;

function invalidAccess(message) {
  return error("InvalidAccessError", message);
}

function arrayBuffer(bytes) {
  const buffer = ReflectApply(TypedArrayBuffer, bytes, []);
  if (ReflectApply(ArrayBufferByteLength, buffer, []) === bytes.length) return buffer;
  const out = new Uint8ArrayCtor(new ArrayBufferCtor(bytes.length));
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i];
  return ReflectApply(TypedArrayBuffer, out, []);
}

function toResult(value) {
  return subtle.then(PromiseResolve(value), (bytes) => arrayBuffer(bytes));
}

// Run a method's steps: a brand and argument-count check, then `steps()`; anything
// thrown becomes a rejected promise.
function run(self, method, given, required, steps) {
  try {
    if (self !== instance || instance === null) {
      throw new TypeErrorCtor("SubtleCrypto." + method + ": illegal invocation");
    }
    if (given < required) {
      throw new TypeErrorCtor("SubtleCrypto." + method + ": " + required + " arguments required, but only " +
        given + " present");
    }
    return PromiseResolve(steps());
  } catch (e) {
    return PromiseReject(e);
  }
}

function requireBufferSource(value, what) {
  if (!subtle.isBufferSource(value)) throw new TypeErrorCtor(what + " is not an ArrayBuffer or ArrayBufferView");
  return value;
}

function implOf(normalized) {
  return subtle.algorithm(normalized.name);
}

// The name and usage checks every keyed operation starts with.
function checkKey(normalized, key, usage) {
  const state = stateOf(key);
  if (normalized.name !== state.algorithm.name) {
    throw invalidAccess("The key is a " + state.algorithm.name + " key, not " + normalized.name);
  }
  let found = false;
  for (let i = 0; i < state.usages.length; i++) if (state.usages[i] === usage) found = true;
  if (!found) throw invalidAccess("The key does not allow '" + usage + "'");
  return state;
}

// generateKey's result once checked: a secret or private key (or a pair's private key)
// without usages is a SyntaxError. A pair becomes a CryptoKeyPair dictionary (members
// in lexical order).
function checkUsable(result, usages) {
  const single = stateOf(result);
  if (single !== undefined) {
    if ((single.type === "secret" || single.type === "private") && usages.length === 0) {
      throw error("SyntaxError", "A " + single.type + " key needs at least one usage");
    }
    return result;
  }
  if (stateOf(result.privateKey).usages.length === 0) {
    throw error("SyntaxError", "The private key of the pair would have no usages");
  }
  return { privateKey: result.privateKey, publicKey: result.publicKey };
}

// The key an import (importKey, deriveKey, unwrapKey) produced, once its usages are
// checked.
function imported(key, usages) {
  const state = stateOf(key);
  if ((state.type === "secret" || state.type === "private") && usages.length === 0) {
    throw error("SyntaxError", "A " + state.type + " key needs at least one usage");
  }
  return key;
}

function importWith(normalized, format, keyData, extractable, usages) {
  return subtle.then(PromiseResolve(implOf(normalized).importKey(format, keyData, normalized, extractable, usages)),
    (key) => imported(key, usages));
}

function exportWith(format, key) {
  const state = stateOf(key);
  const impl = subtle.algorithm(state.algorithm.name);
  if (impl === undefined || impl.exportKey === undefined) {
    throw error("NotSupportedError", state.algorithm.name + " keys cannot be exported");
  }
  if (!state.extractable) throw invalidAccess("The key is not extractable");
  return impl.exportKey(format, state);
}

function normalizeEither(op, fallback, algorithm) {
  try {
    return subtle.normalize(op, algorithm);
  } catch (e) {
    return subtle.normalize(fallback, algorithm);
  }
}

class SubtleCrypto {
  constructor(token = undefined) {
    if (token !== CONSTRUCT) throw new TypeErrorCtor("Illegal constructor");
  }

  encrypt(algorithm, key, data) {
    return run(this, "encrypt", arguments.length, 3, () => cipher("encrypt", algorithm, key, data));
  }

  decrypt(algorithm, key, data) {
    return run(this, "decrypt", arguments.length, 3, () => cipher("decrypt", algorithm, key, data));
  }

  sign(algorithm, key, data) {
    return run(this, "sign", arguments.length, 3, () => {
      const alg = subtle.toAlgorithmIdentifier(algorithm);
      subtle.toCryptoKey(key, "key");
      requireBufferSource(data, "data");
      const normalized = subtle.normalize("sign", alg);
      const bytes = subtle.copyBufferSource(data, "data");
      const state = checkKey(normalized, key, "sign");
      return toResult(implOf(normalized).sign(normalized, state, bytes));
    });
  }

  verify(algorithm, key, signature, data) {
    return run(this, "verify", arguments.length, 4, () => {
      const alg = subtle.toAlgorithmIdentifier(algorithm);
      subtle.toCryptoKey(key, "key");
      requireBufferSource(signature, "signature");
      requireBufferSource(data, "data");
      const normalized = subtle.normalize("verify", alg);
      const signatureBytes = subtle.copyBufferSource(signature, "signature");
      const bytes = subtle.copyBufferSource(data, "data");
      const state = checkKey(normalized, key, "verify");
      return implOf(normalized).verify(normalized, state, signatureBytes, bytes);
    });
  }

  // Cloudflare Workers' extension: whether two buffers hold the same bytes, taking the
  // same time wherever they differ (for comparing secrets such as MACs and tokens).
  // Synchronous; buffers of different lengths are a TypeError, as on workerd.
  timingSafeEqual(a, b) {
    if (this !== instance || instance === null) {
      throw new TypeErrorCtor("SubtleCrypto.timingSafeEqual: illegal invocation");
    }
    if (arguments.length < 2) {
      throw new TypeErrorCtor("SubtleCrypto.timingSafeEqual: 2 arguments required, but only " +
        arguments.length + " present");
    }
    const left = subtle.copyBufferSource(a, "timingSafeEqual: the first argument");
    const right = subtle.copyBufferSource(b, "timingSafeEqual: the second argument");
    if (left.length !== right.length) {
      throw new TypeErrorCtor("SubtleCrypto.timingSafeEqual: the buffers must have the same byte length");
    }
    let difference = 0;
    for (let i = 0; i < left.length; i++) difference |= left[i] ^ right[i];
    return difference === 0;
  }

  digest(algorithm, data) {
    return run(this, "digest", arguments.length, 2, () => {
      const alg = subtle.toAlgorithmIdentifier(algorithm);
      requireBufferSource(data, "data");
      const normalized = subtle.normalize("digest", alg);
      const bytes = subtle.copyBufferSource(data, "data");
      return toResult(implOf(normalized).digest(normalized, bytes));
    });
  }

  generateKey(algorithm, extractable, keyUsages) {
    return run(this, "generateKey", arguments.length, 3, () => {
      const alg = subtle.toAlgorithmIdentifier(algorithm);
      const ext = subtle.toBoolean(extractable);
      const usages = subtle.toKeyUsages(keyUsages);
      const normalized = subtle.normalize("generateKey", alg);
      return subtle.then(PromiseResolve(implOf(normalized).generateKey(normalized, ext, usages)),
        (result) => checkUsable(result, usages));
    });
  }

  deriveKey(algorithm, baseKey, derivedKeyType, extractable, keyUsages) {
    return run(this, "deriveKey", arguments.length, 5, () => {
      const alg = subtle.toAlgorithmIdentifier(algorithm);
      subtle.toCryptoKey(baseKey, "baseKey");
      const derivedType = subtle.toAlgorithmIdentifier(derivedKeyType);
      const ext = subtle.toBoolean(extractable);
      const usages = subtle.toKeyUsages(keyUsages);
      const normalized = subtle.normalize("deriveBits", alg);
      const importAlgorithm = subtle.normalize("importKey", derivedType);
      const lengthAlgorithm = subtle.normalize("get key length", derivedType);
      const state = checkKey(normalized, baseKey, "deriveKey");
      const length = implOf(lengthAlgorithm).getKeyLength(lengthAlgorithm);
      return subtle.then(PromiseResolve(implOf(normalized).deriveBits(normalized, state, length)),
        (secret) => importWith(importAlgorithm, "raw", secret, ext, usages));
    });
  }

  deriveBits(algorithm, baseKey, length = null) {
    return run(this, "deriveBits", arguments.length, 2, () => {
      const alg = subtle.toAlgorithmIdentifier(algorithm);
      subtle.toCryptoKey(baseKey, "baseKey");
      const bits = length === null || length === undefined ? null : subtle.toUnsignedLong(length);
      const normalized = subtle.normalize("deriveBits", alg);
      const state = checkKey(normalized, baseKey, "deriveBits");
      return toResult(implOf(normalized).deriveBits(normalized, state, bits));
    });
  }

  importKey(format, keyData, algorithm, extractable, keyUsages) {
    return run(this, "importKey", arguments.length, 5, () => {
      const keyFormat = subtle.toKeyFormat(format);
      let data = keyData;
      const isJwk = jwkUtil.isDictionaryLike(keyData);
      if (isJwk) data = jwkUtil.toJsonWebKey(keyData);
      else requireBufferSource(keyData, "keyData");
      const alg = subtle.toAlgorithmIdentifier(algorithm);
      const ext = subtle.toBoolean(extractable);
      const usages = subtle.toKeyUsages(keyUsages);
      const normalized = subtle.normalize("importKey", alg);
      if (keyFormat === "jwk") {
        if (!isJwk) throw new TypeErrorCtor("keyData must be a JsonWebKey for the 'jwk' format");
      } else {
        if (isJwk) throw new TypeErrorCtor("keyData must be a BufferSource for the '" + keyFormat + "' format");
        data = subtle.copyBufferSource(keyData, "keyData");
      }
      return importWith(normalized, keyFormat, data, ext, usages);
    });
  }

  exportKey(format, key) {
    return run(this, "exportKey", arguments.length, 2, () => {
      const keyFormat = subtle.toKeyFormat(format);
      subtle.toCryptoKey(key, "key");
      const result = exportWith(keyFormat, key);
      if (keyFormat === "jwk") return result;
      return toResult(result);
    });
  }

  wrapKey(format, key, wrappingKey, wrapAlgorithm) {
    return run(this, "wrapKey", arguments.length, 4, () => {
      const keyFormat = subtle.toKeyFormat(format);
      subtle.toCryptoKey(key, "key");
      subtle.toCryptoKey(wrappingKey, "wrappingKey");
      const alg = subtle.toAlgorithmIdentifier(wrapAlgorithm);
      const normalized = normalizeEither("wrapKey", "encrypt", alg);
      const state = checkKey(normalized, wrappingKey, "wrapKey");
      return subtle.then(PromiseResolve(exportWith(keyFormat, key)), (exported) => {
        const bytes = keyFormat === "jwk" ? jwkUtil.serialize(exported, normalized.name === "AES-KW" ? 8 : 1) : exported;
        const impl = implOf(normalized);
        if (impl.wrapKey !== undefined) return toResult(impl.wrapKey(normalized, state, bytes));
        if (impl.encrypt !== undefined) return toResult(impl.encrypt(normalized, state, bytes));
        throw error("NotSupportedError", normalized.name + " cannot wrap keys");
      });
    });
  }

  unwrapKey(format, wrappedKey, unwrappingKey, unwrapAlgorithm, unwrappedKeyAlgorithm, extractable, keyUsages) {
    return run(this, "unwrapKey", arguments.length, 7, () => {
      const keyFormat = subtle.toKeyFormat(format);
      requireBufferSource(wrappedKey, "wrappedKey");
      subtle.toCryptoKey(unwrappingKey, "unwrappingKey");
      const alg = subtle.toAlgorithmIdentifier(unwrapAlgorithm);
      const keyAlg = subtle.toAlgorithmIdentifier(unwrappedKeyAlgorithm);
      const ext = subtle.toBoolean(extractable);
      const usages = subtle.toKeyUsages(keyUsages);
      const normalized = normalizeEither("unwrapKey", "decrypt", alg);
      const keyAlgorithm = subtle.normalize("importKey", keyAlg);
      const wrapped = subtle.copyBufferSource(wrappedKey, "wrappedKey");
      const state = checkKey(normalized, unwrappingKey, "unwrapKey");
      const impl = implOf(normalized);
      let bytes;
      if (impl.unwrapKey !== undefined) bytes = impl.unwrapKey(normalized, state, wrapped);
      else if (impl.decrypt !== undefined) bytes = impl.decrypt(normalized, state, wrapped);
      else throw error("NotSupportedError", normalized.name + " cannot unwrap keys");
      return subtle.then(PromiseResolve(bytes), (plain) => importWith(keyAlgorithm, keyFormat,
        keyFormat === "jwk" ? jwkUtil.parse(plain) : plain, ext, usages));
    });
  }
}

function cipher(op, algorithm, key, data) {
  const alg = subtle.toAlgorithmIdentifier(algorithm);
  subtle.toCryptoKey(key, "key");
  requireBufferSource(data, "data");
  const normalized = subtle.normalize(op, alg);
  const bytes = subtle.copyBufferSource(data, "data");
  const state = checkKey(normalized, key, op);
  return toResult(implOf(normalized)[op](normalized, state, bytes));
}

ObjectDefineProperty(SubtleCrypto.prototype, SymbolToStringTag, {
  value: "SubtleCrypto", writable: false, enumerable: false, configurable: true,
});
for (const name of ["encrypt", "decrypt", "sign", "verify", "digest", "generateKey", "deriveKey",
  "deriveBits", "importKey", "exportKey", "wrapKey", "unwrapKey", "timingSafeEqual"]) {
  const desc = ObjectGetOwnPropertyDescriptor(SubtleCrypto.prototype, name);
  desc.enumerable = true;
  ObjectDefineProperty(SubtleCrypto.prototype, name, desc);
}

instance = new SubtleCrypto(CONSTRUCT);

// crypto.subtle: [SameObject] readonly attribute on Crypto.prototype.
const subtleGetter = {
  get subtle() {
    if (!nano.isCrypto(this)) throw new TypeErrorCtor("Crypto.subtle: illegal invocation");
    return instance;
  },
};
ObjectDefineProperty(nano.Crypto.prototype, "subtle", {
  get: ObjectGetOwnPropertyDescriptor(subtleGetter, "subtle").get,
  enumerable: true,
  configurable: true,
});

nano.SubtleCrypto = SubtleCrypto;
nano.defineGlobal("SubtleCrypto", SubtleCrypto);

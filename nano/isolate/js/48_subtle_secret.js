// The secret-key algorithms of the Web Cryptography API: AES-CTR, AES-CBC, AES-GCM and
// AES-KW; the SHA digests and HMAC; HKDF and PBKDF2. Key generation, raw and JWK
// import/export, get key length and the parameter checks are here; the ciphers,
// digests, MACs and derivations run in Python.
// Spec: https://w3c.github.io/webcrypto/#aes-ctr (and the AES sections after it),
//       https://w3c.github.io/webcrypto/#hmac, #sha, #hkdf, #pbkdf2
// Host operations: "crypto.aes" [mode, decrypt, key, params, data], "crypto.digest"
//   [hash, data], "crypto.hmac" [verify, hash, key, data, signature], "crypto.kdf"
//   [algorithm, hash, key, params, length in bytes] (see nano/crypto/family.py).
//
// A secret key's handle is nano.secretHandle(bytes): the bytes and their base64 text.

const Uint8ArrayCtor = Uint8Array;
const TypeErrorCtor = TypeError;
const subtle = nano.subtle;
const TYPES = subtle.TYPES;
const error = subtle.error;
const jwk = subtle.jwk;

// ---- AES ---------------------------------------------------------------------------
const MODES = [
  ["AES-CTR", "CTR", TYPES.AesCtrParams],
  ["AES-CBC", "CBC", TYPES.AesCbcParams],
  ["AES-GCM", "GCM", TYPES.AesGcmParams],
  ["AES-KW", "KW", null],
];
const CIPHER_USAGES = ["encrypt", "decrypt", "wrapKey", "unwrapKey"];
const WRAP_USAGES = ["wrapKey", "unwrapKey"];

function secretKey(algorithm, bytes, extractable, usages) {
  return nano.createCryptoKey("secret", extractable, algorithm, nano.normalizeUsages(usages),
    nano.secretHandle(bytes));
}

function copy(bytes) {
  const out = new Uint8ArrayCtor(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i];
  return out;
}

function exportSecret(format, key, alg) {
  if (format === "raw") return copy(key.handle.bytes);
  if (format === "jwk") {
    const members = { kty: "oct", k: jwk.encode(key.handle.bytes) };
    if (alg !== undefined) members.alg = alg;
    return jwk.result(members, key);
  }
  throw error("NotSupportedError", "Secret keys of " + key.algorithm.name + " cannot be exported as " + format);
}

function validLength(bits) {
  return bits === 128 || bits === 192 || bits === 256;
}

function defineAes(name, mode, paramsType) {
  const allowed = mode === "KW" ? WRAP_USAGES : CIPHER_USAGES;

  function run(decrypt, normalized, key, data) {
    const params = {};
    if (mode === "CBC") {
      params.iv = subtle.b64(normalized.iv);
    } else if (mode === "CTR") {
      params.counter = subtle.b64(normalized.counter);
      params.length = normalized.length;
    } else if (mode === "GCM") {
      params.iv = subtle.b64(normalized.iv);
      if (normalized.additionalData !== undefined) params.additionalData = subtle.b64(normalized.additionalData);
      if (normalized.tagLength !== undefined) params.tagLength = normalized.tagLength;
    }
    return subtle.then(subtle.hostCall("crypto.aes", [mode, decrypt, key.handle.text, params, subtle.b64(data)]),
      subtle.bytes);
  }

  const impl = {
    name,
    generateKey(normalized, extractable, usages) {
      subtle.checkUsages(usages, allowed);
      if (!validLength(normalized.length)) {
        throw error("OperationError", name + " key length must be 128, 192 or 256 bits");
      }
      return secretKey({ name, length: normalized.length }, nano.randomBytes(normalized.length / 8),
        extractable, usages);
    },
    importKey(format, keyData, normalized, extractable, usages) {
      subtle.checkUsages(usages, allowed);
      let data;
      if (format === "raw") {
        data = keyData;
        if (!validLength(data.length * 8)) {
          throw error("DataError", name + " key data must be 128, 192 or 256 bits, not " + data.length * 8);
        }
      } else if (format === "jwk") {
        if (keyData.kty !== "oct") throw error("DataError", "The JWK 'kty' member must be 'oct'");
        data = jwk.decode(keyData, "k");
        if (!validLength(data.length * 8)) {
          throw error("DataError", name + " key data must be 128, 192 or 256 bits, not " + data.length * 8);
        }
        const alg = "A" + data.length * 8 + mode;
        if (keyData.alg !== undefined && keyData.alg !== alg) {
          throw error("DataError", "The JWK 'alg' member must be '" + alg + "'");
        }
        jwk.check(keyData, "oct", usages, extractable, "enc");
      } else {
        throw error("NotSupportedError", name + " keys cannot be imported as " + format);
      }
      return secretKey({ name, length: data.length * 8 }, data, extractable, usages);
    },
    exportKey(format, key) {
      return exportSecret(format, key, "A" + key.algorithm.length + mode);
    },
    getKeyLength(normalized) {
      if (!validLength(normalized.length)) {
        throw error("OperationError", name + " key length must be 128, 192 or 256 bits");
      }
      return normalized.length;
    },
  };
  const params = {
    generateKey: TYPES.AesKeyGenParams,
    importKey: TYPES.Algorithm,
    exportKey: TYPES.Algorithm,
    "get key length": TYPES.AesDerivedKeyParams,
  };
  if (mode === "KW") {
    impl.wrapKey = (normalized, key, data) => run(false, normalized, key, data);
    impl.unwrapKey = (normalized, key, data) => run(true, normalized, key, data);
    params.wrapKey = TYPES.Algorithm;
    params.unwrapKey = TYPES.Algorithm;
  } else {
    impl.encrypt = (normalized, key, data) => run(false, normalized, key, data);
    impl.decrypt = (normalized, key, data) => run(true, normalized, key, data);
    params.encrypt = paramsType;
    params.decrypt = paramsType;
  }
  subtle.define(impl, params);
}

for (let i = 0; i < MODES.length; i++) defineAes(MODES[i][0], MODES[i][1], MODES[i][2]);

// ---- SHA and HMAC ------------------------------------------------------------------
// MD5 beside the SHA digests, beyond the spec as on Cloudflare Workers (legacy checksums
// and HMAC-MD5); it has no JWK "alg", so its keys are not exported as JWK.
const HASHES = ["MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"];
const HMAC_ALGS = { __proto__: null, "SHA-1": "HS1", "SHA-256": "HS256", "SHA-384": "HS384", "SHA-512": "HS512" };
const BLOCK_BITS = { __proto__: null, "MD5": 512, "SHA-1": 512, "SHA-256": 512, "SHA-384": 1024, "SHA-512": 1024 };
const SIGN_USAGES = ["sign", "verify"];

for (let i = 0; i < HASHES.length; i++) {
  const name = HASHES[i];
  subtle.define({
    name,
    digest(normalized, data) {
      return subtle.then(subtle.hostCall("crypto.digest", [name, subtle.b64(data)]), subtle.bytes);
    },
  }, { digest: TYPES.Algorithm });
}

function blockBits(hash) {
  const bits = BLOCK_BITS[hash.name];
  if (bits === undefined) throw error("NotSupportedError", "HMAC does not support " + hash.name);
  return bits;
}

// The first `length` bits of `data` (later bits of the last byte cleared).
function firstBits(data, length) {
  const out = new Uint8ArrayCtor((length + 7) >> 3);
  for (let i = 0; i < out.length; i++) out[i] = data[i];
  if (length % 8 !== 0) out[out.length - 1] &= (0xff << (8 - length % 8)) & 0xff;
  return out;
}

function hmacKey(hash, length, data, extractable, usages) {
  return secretKey({ name: "HMAC", length, hash: { name: hash.name } }, firstBits(data, length),
    extractable, usages);
}

subtle.define({
  name: "HMAC",
  generateKey(normalized, extractable, usages) {
    subtle.checkUsages(usages, SIGN_USAGES);
    let length;
    if (normalized.length === undefined) length = blockBits(normalized.hash);
    else if (normalized.length !== 0) length = normalized.length;
    else throw error("OperationError", "HMAC key length must not be zero");
    blockBits(normalized.hash);
    return hmacKey(normalized.hash, length, nano.randomBytes((length + 7) >> 3), extractable, usages);
  },
  importKey(format, keyData, normalized, extractable, usages) {
    subtle.checkUsages(usages, SIGN_USAGES);
    const hash = normalized.hash;
    let data;
    if (format === "raw") {
      data = keyData;
    } else if (format === "jwk") {
      if (keyData.kty !== "oct") throw error("DataError", "The JWK 'kty' member must be 'oct'");
      data = jwk.decode(keyData, "k");
      const alg = HMAC_ALGS[hash.name];
      if (alg === undefined) blockBits(hash);
      if (keyData.alg !== undefined && keyData.alg !== alg) {
        throw error("DataError", "The JWK 'alg' member must be '" + alg + "'");
      }
      jwk.check(keyData, "oct", usages, extractable, "sig");
    } else {
      throw error("NotSupportedError", "HMAC keys cannot be imported as " + format);
    }
    let length = data.length * 8;
    if (length === 0) throw error("DataError", "HMAC key data must not be empty");
    if (normalized.length !== undefined) {
      if (normalized.length > length) {
        throw error("DataError", "HMAC length " + normalized.length + " is longer than the key data");
      }
      if (normalized.length <= length - 8) {
        throw error("DataError", "HMAC length " + normalized.length + " leaves whole bytes of the key data unused");
      }
      length = normalized.length;
    }
    return hmacKey(hash, length, data, extractable, usages);
  },
  exportKey(format, key) {
    const alg = HMAC_ALGS[key.algorithm.hash.name];
    if (format === "jwk" && alg === undefined) {
      throw error("NotSupportedError", "HMAC keys with " + key.algorithm.hash.name + " have no JWK form");
    }
    return exportSecret(format, key, alg);
  },
  getKeyLength(normalized) {
    if (normalized.length === undefined) return blockBits(normalized.hash);
    if (normalized.length !== 0) return normalized.length;
    throw new TypeErrorCtor("HMAC key length must not be zero");
  },
  sign(normalized, key, data) {
    return subtle.then(subtle.hostCall("crypto.hmac",
      [false, key.algorithm.hash.name, key.handle.text, subtle.b64(data)]), subtle.bytes);
  },
  verify(normalized, key, signature, data) {
    return subtle.hostCall("crypto.hmac",
      [true, key.algorithm.hash.name, key.handle.text, subtle.b64(data), subtle.b64(signature)]);
  },
}, {
  sign: TYPES.Algorithm,
  verify: TYPES.Algorithm,
  generateKey: TYPES.HmacKeyGenParams,
  importKey: TYPES.HmacImportParams,
  exportKey: TYPES.Algorithm,
  "get key length": TYPES.HmacImportParams,
});

// ---- HKDF and PBKDF2 ----------------------------------------------------------------
const DERIVE_USAGES = ["deriveKey", "deriveBits"];
const MAX_PBKDF2_ITERATIONS = 100000;

function importRaw(name, keyData, extractable, usages) {
  subtle.checkUsages(usages, DERIVE_USAGES);
  if (extractable) throw error("SyntaxError", name + " keys cannot be extractable");
  return secretKey({ name }, keyData, false, usages);
}

function checkLength(name, length) {
  if (length === null) throw error("OperationError", name + " deriveBits needs a length");
  if (length % 8 !== 0) throw error("OperationError", name + " deriveBits length must be a multiple of 8");
}

function derive(name, hash, key, params, length) {
  if (length === 0) return new Uint8ArrayCtor(0);
  return subtle.then(subtle.hostCall("crypto.kdf", [name, hash.name, key.handle.text, params, length / 8]),
    subtle.bytes);
}

subtle.define({
  name: "HKDF",
  importKey(format, keyData, normalized, extractable, usages) {
    if (format !== "raw") throw error("NotSupportedError", "HKDF keys can only be imported as raw");
    return importRaw("HKDF", keyData, extractable, usages);
  },
  getKeyLength() {
    return null;
  },
  deriveBits(normalized, key, length) {
    checkLength("HKDF", length);
    return derive("HKDF", normalized.hash, key,
      { salt: subtle.b64(normalized.salt), info: subtle.b64(normalized.info) }, length);
  },
}, {
  importKey: TYPES.Algorithm,
  "get key length": TYPES.Algorithm,
  deriveBits: TYPES.HkdfParams,
});

subtle.define({
  name: "PBKDF2",
  importKey(format, keyData, normalized, extractable, usages) {
    if (format !== "raw") throw error("NotSupportedError", "PBKDF2 keys can only be imported as raw");
    return importRaw("PBKDF2", keyData, extractable, usages);
  },
  getKeyLength() {
    return null;
  },
  deriveBits(normalized, key, length) {
    checkLength("PBKDF2", length);
    if (normalized.iterations === 0) throw error("OperationError", "PBKDF2 needs at least one iteration");
    if (normalized.iterations > MAX_PBKDF2_ITERATIONS) {
      // As on Cloudflare Workers: one derivation must not hold a shared thread for long.
      throw error("NotSupportedError", "PBKDF2 iteration counts above " + MAX_PBKDF2_ITERATIONS +
        " are not supported (requested " + normalized.iterations + ")");
    }
    return derive("PBKDF2", normalized.hash, key,
      { salt: subtle.b64(normalized.salt), iterations: normalized.iterations }, length);
  },
}, {
  importKey: TYPES.Algorithm,
  "get key length": TYPES.Algorithm,
  deriveBits: TYPES.Pbkdf2Params,
});

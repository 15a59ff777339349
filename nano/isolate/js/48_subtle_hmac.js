// The SHA digests and HMAC of the Web Cryptography API (HMAC keys: generation, raw and
// JWK import/export, get key length; sign and verify run in Python).
// Spec: https://w3c.github.io/webcrypto/#sha and https://w3c.github.io/webcrypto/#hmac
// Host operations: "crypto.digest" [hash, data], "crypto.hmac" [verify, hash, key, data,
//   signature] (see nano/crypto/family.py).

const Uint8ArrayCtor = Uint8Array;
const TypeErrorCtor = TypeError;
const subtle = nano.subtle;
const TYPES = subtle.TYPES;
const error = subtle.error;
const jwk = subtle.jwk;

const HASHES = ["SHA-1", "SHA-256", "SHA-384", "SHA-512"];
const JWK_ALGS = { __proto__: null, "SHA-1": "HS1", "SHA-256": "HS256", "SHA-384": "HS384", "SHA-512": "HS512" };
const BLOCK_BITS = { __proto__: null, "SHA-1": 512, "SHA-256": 512, "SHA-384": 1024, "SHA-512": 1024 };
const USAGES = ["sign", "verify"];

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
  return subtle.secretKey({ name: "HMAC", length, hash: { name: hash.name } }, firstBits(data, length),
    extractable, usages);
}

subtle.define({
  name: "HMAC",
  generateKey(normalized, extractable, usages) {
    subtle.checkUsages(usages, USAGES);
    let length;
    if (normalized.length === undefined) length = blockBits(normalized.hash);
    else if (normalized.length !== 0) length = normalized.length;
    else throw error("OperationError", "HMAC key length must not be zero");
    blockBits(normalized.hash);
    return hmacKey(normalized.hash, length, nano.randomBytes((length + 7) >> 3), extractable, usages);
  },
  importKey(format, keyData, normalized, extractable, usages) {
    subtle.checkUsages(usages, USAGES);
    const hash = normalized.hash;
    let data;
    if (format === "raw") {
      data = keyData;
    } else if (format === "jwk") {
      if (keyData.kty !== "oct") throw error("DataError", "The JWK 'kty' member must be 'oct'");
      data = jwk.decode(keyData, "k");
      const alg = JWK_ALGS[hash.name];
      if (alg === undefined) throw error("NotSupportedError", "HMAC does not support " + hash.name);
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
    return subtle.exportSecret(format, key, JWK_ALGS[key.algorithm.hash.name]);
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

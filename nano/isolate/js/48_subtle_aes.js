// The AES algorithms of the Web Cryptography API: AES-CTR, AES-CBC, AES-GCM and AES-KW
// (key generation, raw and JWK import/export, get key length, and the cipher
// operations, which run in Python).
// Spec: https://w3c.github.io/webcrypto/#aes-ctr and the three sections after it.
// Host operations: "crypto.aes" [mode, decrypt, key, params, data] (see nano/crypto/family.py).
//
// Internals shared on `nano.subtle`:
//   .secretKey(algorithm, bytes, extractable, usages)  a new secret CryptoKey
//   .exportSecret(format, key, alg)   raw bytes or the "oct" JWK of a secret key

const Uint8ArrayCtor = Uint8Array;
const subtle = nano.subtle;
const TYPES = subtle.TYPES;
const error = subtle.error;
const jwk = subtle.jwk;

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

subtle.secretKey = secretKey;
subtle.exportSecret = exportSecret;

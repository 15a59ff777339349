// HKDF and PBKDF2 of the Web Cryptography API (raw key import, get key length, and
// deriveBits, which runs in Python).
// Spec: https://w3c.github.io/webcrypto/#hkdf and https://w3c.github.io/webcrypto/#pbkdf2
// Host operations: "crypto.kdf" [algorithm, hash, key, params, length in bytes]
//   (see nano/crypto/family.py).

const Uint8ArrayCtor = Uint8Array;
const subtle = nano.subtle;
const TYPES = subtle.TYPES;
const error = subtle.error;

const USAGES = ["deriveKey", "deriveBits"];

function importRaw(name, keyData, extractable, usages) {
  subtle.checkUsages(usages, USAGES);
  if (extractable) throw error("SyntaxError", name + " keys cannot be extractable");
  return subtle.secretKey({ name }, keyData, false, usages);
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
    return derive("PBKDF2", normalized.hash, key,
      { salt: subtle.b64(normalized.salt), iterations: normalized.iterations }, length);
  },
}, {
  importKey: TYPES.Algorithm,
  "get key length": TYPES.Algorithm,
  deriveBits: TYPES.Pbkdf2Params,
});

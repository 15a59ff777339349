// Ed25519 and X25519 (the Web Cryptography API's checks and key objects; the curve
// arithmetic runs in Python).
// Spec: https://w3c.github.io/webcrypto/#ed25519 and https://w3c.github.io/webcrypto/#x25519
// Host operations: "crypto.sign", "crypto.verify" (Ed25519), and those of 48_subtle_asym.js.

const subtle = nano.subtle;
const asym = subtle.asym;
const TYPES = subtle.TYPES;
const error = subtle.error;
const jwk = subtle.jwk;

const DERIVE_USAGES = ["deriveKey", "deriveBits"];

function defineOkp(name) {
  const signing = name === "Ed25519";
  const publicUsages = signing ? ["verify"] : [];
  const privateUsages = signing ? ["sign"] : DERIVE_USAGES;

  function build(type, extractable, usages, text) {
    return asym.key(type, extractable, { name }, nano.normalizeUsages(usages), name, text);
  }

  const impl = {
    name,
    generateKey(normalized, extractable, usages) {
      subtle.checkUsages(usages, signing ? ["sign", "verify"] : DERIVE_USAGES);
      return asym.generate(name, {}, (privateText, publicText) => ({
        publicKey: build("public", true, nano.usageIntersection(usages, publicUsages), publicText),
        privateKey: build("private", extractable, nano.usageIntersection(usages, privateUsages), privateText),
      }));
    },
    importKey(format, keyData, normalized, extractable, usages) {
      if (format === "spki" || format === "raw") {
        subtle.checkUsages(usages, publicUsages);
        if (format === "raw" && keyData.length !== 32) {
          throw error("DataError", "A raw " + name + " public key is 32 bytes, not " + keyData.length);
        }
      } else if (format === "pkcs8") {
        subtle.checkUsages(usages, privateUsages);
      } else if (format === "jwk") {
        subtle.checkUsages(usages, keyData.d !== undefined ? privateUsages : publicUsages);
        if (keyData.kty !== "OKP") throw error("DataError", "The JWK 'kty' member must be 'OKP'");
        if (keyData.crv !== name) throw error("DataError", "The JWK 'crv' member must be '" + name + "'");
        if (signing && keyData.alg !== undefined && keyData.alg !== "Ed25519" && keyData.alg !== "EdDSA") {
          throw error("DataError", "The JWK 'alg' member must be 'Ed25519' or 'EdDSA'");
        }
        jwk.check(keyData, "OKP", usages, extractable, signing ? "sig" : "enc");
      } else {
        throw error("NotSupportedError", name + " keys cannot be imported as " + format);
      }
      return subtle.then(asym.importKey(name, format, keyData, {}),
        (result) => build(result.type, extractable, usages, result.key));
    },
    exportKey(format, key) {
      return asym.exportKey(format, key, (members) => {
        members.kty = "OKP";
        if (signing) members.alg = "Ed25519";
        return members;
      });
    },
  };
  const params = { generateKey: TYPES.Algorithm, importKey: TYPES.Algorithm, exportKey: TYPES.Algorithm };
  if (signing) {
    impl.sign = (normalized, key, data) => {
      if (key.type !== "private") throw error("InvalidAccessError", "Ed25519 signing needs a private key");
      return subtle.then(subtle.hostCall("crypto.sign", ["Ed25519", key.handle.text, {}, subtle.b64(data)]),
        subtle.bytes);
    };
    impl.verify = (normalized, key, signature, data) => {
      if (key.type !== "public") throw error("InvalidAccessError", "Ed25519 verification needs a public key");
      return subtle.hostCall("crypto.verify",
        ["Ed25519", key.handle.text, {}, subtle.b64(signature), subtle.b64(data)]);
    };
    params.sign = TYPES.Algorithm;
    params.verify = TYPES.Algorithm;
  } else {
    impl.deriveBits = (normalized, key, length) => {
      if (key.type !== "private") throw error("InvalidAccessError", "X25519 needs a private base key");
      const publicKey = nano.cryptoKeyState(normalized.public);
      if (publicKey.type !== "public") throw error("InvalidAccessError", "The X25519 'public' key is not a public key");
      if (publicKey.algorithm.name !== key.algorithm.name) {
        throw error("InvalidAccessError", "The X25519 'public' key is not an X25519 key");
      }
      return asym.deriveBits(key, publicKey, length);
    };
    params.deriveBits = TYPES.EcdhKeyDeriveParams;
  }
  subtle.define(impl, params);
}

defineOkp("Ed25519");
defineOkp("X25519");

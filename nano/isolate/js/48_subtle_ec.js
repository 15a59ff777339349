// The elliptic-curve algorithms of the Web Cryptography API: ECDSA and ECDH on P-256,
// P-384 and P-521, Ed25519 and X25519 (their checks and key objects; the curve
// arithmetic runs in Python).
// Spec: https://w3c.github.io/webcrypto/#ecdsa, #ecdh, #ed25519, #x25519
// Host operations: "crypto.sign", "crypto.verify" (ECDSA, Ed25519), and those of
//   48_subtle_asym.js.

const subtle = nano.subtle;
const asym = subtle.asym;
const TYPES = subtle.TYPES;
const error = subtle.error;
const jwk = subtle.jwk;

const CURVES = ["P-256", "P-384", "P-521"];
const ALG_CURVES = { __proto__: null, ES256: "P-256", ES384: "P-384", ES512: "P-521" };
const DERIVE_USAGES = ["deriveKey", "deriveBits"];

function isNamedCurve(name) {
  for (let i = 0; i < CURVES.length; i++) if (CURVES[i] === name) return true;
  return false;
}

function defineEc(name) {
  const ecdsa = name === "ECDSA";
  // Usages a public and a private key may have.
  const publicUsages = ecdsa ? ["verify"] : [];
  const privateUsages = ecdsa ? ["sign"] : DERIVE_USAGES;

  function build(type, extractable, namedCurve, usages, text) {
    return asym.key(type, extractable, { name, namedCurve }, nano.normalizeUsages(usages), "EC", text);
  }

  const impl = {
    name,
    generateKey(normalized, extractable, usages) {
      subtle.checkUsages(usages, ecdsa ? ["sign", "verify"] : DERIVE_USAGES);
      const namedCurve = normalized.namedCurve;
      if (!isNamedCurve(namedCurve)) throw error("NotSupportedError", "Unsupported named curve '" + namedCurve + "'");
      return asym.generate("EC", { namedCurve }, (privateText, publicText) => ({
        publicKey: build("public", true, namedCurve, nano.usageIntersection(usages, publicUsages), publicText),
        privateKey: build("private", extractable, namedCurve,
          nano.usageIntersection(usages, privateUsages), privateText),
      }));
    },
    importKey(format, keyData, normalized, extractable, usages) {
      const namedCurve = normalized.namedCurve;
      if (format === "spki") {
        subtle.checkUsages(usages, publicUsages);
      } else if (format === "pkcs8") {
        subtle.checkUsages(usages, privateUsages);
      } else if (format === "jwk") {
        subtle.checkUsages(usages, keyData.d !== undefined ? privateUsages : publicUsages);
        jwk.check(keyData, "EC", usages, extractable, ecdsa ? "sig" : "enc");
        if (keyData.crv !== namedCurve) {
          throw error("DataError", "The JWK 'crv' member must be '" + namedCurve + "'");
        }
        if (ecdsa && keyData.alg !== undefined && isNamedCurve(namedCurve)) {
          const algCurve = ALG_CURVES[keyData.alg];
          if (algCurve === undefined) throw error("DataError", "Unsupported JWK 'alg' '" + keyData.alg + "'");
          if (algCurve !== namedCurve) {
            throw error("DataError", "The JWK 'alg' member '" + keyData.alg + "' is for " + algCurve);
          }
        }
      } else if (format === "raw") {
        if (!isNamedCurve(namedCurve)) throw error("DataError", "Unsupported named curve '" + namedCurve + "'");
        subtle.checkUsages(usages, publicUsages);
      } else {
        throw error("NotSupportedError", name + " keys cannot be imported as " + format);
      }
      return subtle.then(asym.importKey("EC", format, keyData, { namedCurve }),
        (result) => build(result.type, extractable, result.info.namedCurve, usages, result.key));
    },
    exportKey(format, key) {
      return asym.exportKey(format, key, (members) => {
        members.kty = "EC";
        return members;
      });
    },
  };
  const params = {
    generateKey: TYPES.EcKeyGenParams,
    importKey: TYPES.EcKeyImportParams,
    exportKey: TYPES.Algorithm,
  };
  if (ecdsa) {
    impl.sign = (normalized, key, data) => {
      if (key.type !== "private") throw error("InvalidAccessError", "ECDSA signing needs a private key");
      return subtle.then(subtle.hostCall("crypto.sign",
        ["ECDSA", key.handle.text, { hash: normalized.hash.name }, subtle.b64(data)]), subtle.bytes);
    };
    impl.verify = (normalized, key, signature, data) => {
      if (key.type !== "public") throw error("InvalidAccessError", "ECDSA verification needs a public key");
      return subtle.hostCall("crypto.verify",
        ["ECDSA", key.handle.text, { hash: normalized.hash.name }, subtle.b64(signature), subtle.b64(data)]);
    };
    params.sign = TYPES.EcdsaParams;
    params.verify = TYPES.EcdsaParams;
  } else {
    impl.deriveBits = (normalized, key, length) => {
      if (key.type !== "private") throw error("InvalidAccessError", "ECDH needs a private base key");
      const publicKey = nano.cryptoKeyState(normalized.public);
      if (publicKey.type !== "public") throw error("InvalidAccessError", "The ECDH 'public' key is not a public key");
      if (publicKey.algorithm.name !== key.algorithm.name) {
        throw error("InvalidAccessError", "The ECDH 'public' key is not an " + key.algorithm.name + " key");
      }
      if (publicKey.algorithm.namedCurve !== key.algorithm.namedCurve) {
        throw error("InvalidAccessError", "The ECDH keys are on different curves");
      }
      return asym.deriveBits(key, publicKey, length);
    };
    params.deriveBits = TYPES.EcdhKeyDeriveParams;
  }
  subtle.define(impl, params);
}

defineEc("ECDSA");
defineEc("ECDH");

// ---- Ed25519 and X25519 ------------------------------------------------------------
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

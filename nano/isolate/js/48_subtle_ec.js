// ECDSA and ECDH on P-256, P-384 and P-521 (the Web Cryptography API's checks and key
// objects; the curve arithmetic runs in Python).
// Spec: https://w3c.github.io/webcrypto/#ecdsa and https://w3c.github.io/webcrypto/#ecdh
// Host operations: "crypto.sign", "crypto.verify" (ECDSA), and those of 48_subtle_asym.js.

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

// RSASSA-PKCS1-v1_5, RSA-PSS and RSA-OAEP (the Web Cryptography API's checks and key
// objects; the RSA arithmetic runs in Python).
// Spec: https://w3c.github.io/webcrypto/#rsassa-pkcs1 and the RSA-PSS, RSA-OAEP sections.
// Host operations: "crypto.sign", "crypto.verify", "crypto.rsaOaep", and those of
//   48_subtle_asym.js.

const subtle = nano.subtle;
const asym = subtle.asym;
const TYPES = subtle.TYPES;
const error = subtle.error;
const jwk = subtle.jwk;

// name -> [JWK alg by hash, JWK use, public usages, private usages]
const VARIANTS = {
  __proto__: null,
  "RSASSA-PKCS1-v1_5": [{ "SHA-1": "RS1", "SHA-256": "RS256", "SHA-384": "RS384", "SHA-512": "RS512" },
    "sig", ["verify"], ["sign"]],
  "RSA-PSS": [{ "SHA-1": "PS1", "SHA-256": "PS256", "SHA-384": "PS384", "SHA-512": "PS512" },
    "sig", ["verify"], ["sign"]],
  "RSA-OAEP": [{ "SHA-1": "RSA-OAEP", "SHA-256": "RSA-OAEP-256", "SHA-384": "RSA-OAEP-384",
    "SHA-512": "RSA-OAEP-512" }, "enc", ["encrypt", "wrapKey"], ["decrypt", "unwrapKey"]],
};

function defineRsa(name) {
  const [algs, use, publicUsages, privateUsages] = VARIANTS[name];
  const allUsages = publicUsages.concat(privateUsages);

  function hashOfAlg(alg) {
    for (const hash in algs) if (algs[hash] === alg) return hash;
    return undefined;
  }

  function build(type, extractable, info, hash, usages, text) {
    const algorithm = {
      name,
      modulusLength: info.modulusLength,
      publicExponent: subtle.bytes(info.publicExponent),
      hash: { name: hash.name },
    };
    return asym.key(type, extractable, algorithm, nano.normalizeUsages(usages), "RSA", text);
  }

  const impl = {
    name,
    generateKey(normalized, extractable, usages) {
      subtle.checkUsages(usages, allUsages);
      const info = { modulusLength: normalized.modulusLength, publicExponent: subtle.b64(normalized.publicExponent) };
      return asym.generate("RSA", info, (privateText, publicText) => ({
        publicKey: build("public", true, info, normalized.hash, nano.usageIntersection(usages, publicUsages),
          publicText),
        privateKey: build("private", extractable, info, normalized.hash,
          nano.usageIntersection(usages, privateUsages), privateText),
      }));
    },
    importKey(format, keyData, normalized, extractable, usages) {
      if (format === "spki") {
        subtle.checkUsages(usages, publicUsages);
      } else if (format === "pkcs8") {
        subtle.checkUsages(usages, privateUsages);
      } else if (format === "jwk") {
        subtle.checkUsages(usages, keyData.d !== undefined ? privateUsages : publicUsages);
        jwk.check(keyData, "RSA", usages, extractable, use);
        if (keyData.alg !== undefined) {
          const hash = hashOfAlg(keyData.alg);
          if (hash === undefined) throw error("DataError", "Unsupported JWK 'alg' '" + keyData.alg + "' for " + name);
          if (subtle.normalize("digest", hash).name !== normalized.hash.name) {
            throw error("DataError", "The JWK 'alg' member '" + keyData.alg + "' is not for " + normalized.hash.name);
          }
        }
      } else {
        throw error("NotSupportedError", name + " keys cannot be imported as " + format);
      }
      return subtle.then(asym.importKey("RSA", format, keyData, {}),
        (result) => build(result.type, extractable, result.info, normalized.hash, usages, result.key));
    },
    exportKey(format, key) {
      if (format === "raw") throw error("NotSupportedError", name + " keys cannot be exported as raw");
      return asym.exportKey(format, key, (members) => {
        members.kty = "RSA";
        members.alg = algs[key.algorithm.hash.name];
        return members;
      });
    },
  };
  const params = {
    generateKey: TYPES.RsaHashedKeyGenParams,
    importKey: TYPES.RsaHashedImportParams,
    exportKey: TYPES.Algorithm,
  };
  if (name === "RSA-OAEP") {
    const oaep = (decrypt, normalized, key, data) => {
      const wanted = decrypt ? "private" : "public";
      if (key.type !== wanted) {
        throw error("InvalidAccessError", "RSA-OAEP " + (decrypt ? "decryption" : "encryption") + " needs a " +
          wanted + " key");
      }
      const p = { hash: key.algorithm.hash.name };
      if (normalized.label !== undefined) p.label = subtle.b64(normalized.label);
      return subtle.then(subtle.hostCall("crypto.rsaOaep", [decrypt, key.handle.text, p, subtle.b64(data)]),
        subtle.bytes);
    };
    impl.encrypt = (normalized, key, data) => oaep(false, normalized, key, data);
    impl.decrypt = (normalized, key, data) => oaep(true, normalized, key, data);
    params.encrypt = TYPES.RsaOaepParams;
    params.decrypt = TYPES.RsaOaepParams;
  } else {
    const pss = name === "RSA-PSS";
    const options = (normalized, key) => {
      const p = { hash: key.algorithm.hash.name };
      if (pss) p.saltLength = normalized.saltLength;
      return p;
    };
    impl.sign = (normalized, key, data) => {
      if (key.type !== "private") throw error("InvalidAccessError", name + " signing needs a private key");
      return subtle.then(subtle.hostCall("crypto.sign",
        [name, key.handle.text, options(normalized, key), subtle.b64(data)]), subtle.bytes);
    };
    impl.verify = (normalized, key, signature, data) => {
      if (key.type !== "public") throw error("InvalidAccessError", name + " verification needs a public key");
      return subtle.hostCall("crypto.verify",
        [name, key.handle.text, options(normalized, key), subtle.b64(signature), subtle.b64(data)]);
    };
    params.sign = pss ? TYPES.RsaPssParams : TYPES.Algorithm;
    params.verify = params.sign;
  }
  subtle.define(impl, params);
}

defineRsa("RSASSA-PKCS1-v1_5");
defineRsa("RSA-PSS");
defineRsa("RSA-OAEP");

// The asymmetric keys of the Web Cryptography API, and RSA: what every asymmetric
// algorithm shares (key pairs and imported keys from host results, SPKI/PKCS#8
// export from the DER a key holds, the key-agreement bit truncation), then
// RSASSA-PKCS1-v1_5, RSA-PSS and RSA-OAEP (their checks and key objects; the RSA
// arithmetic runs in Python).
// Spec: https://w3c.github.io/webcrypto/#rsassa-pkcs1 (and the RSA-PSS, RSA-OAEP
//       sections), and the "Import Key", "Export Key", "Derive Bits" steps of the EC
//       and curve 25519 sections
// Host operations: "crypto.generate" [kind, params], "crypto.import" [kind, format,
//   data, params], "crypto.export" [kind, type, key, format], "crypto.derive" [kind,
//   private, public], "crypto.sign", "crypto.verify", "crypto.rsaOaep" (see
//   nano/crypto/family.py).
//
// An asymmetric key's handle is {kind, text}: kind is "RSA", "EC", "Ed25519" or
// "X25519", text the base64 of its canonical DER (PKCS#8 private, SPKI public).
//
// Internals shared on `nano.subtle.asym` (for 48_subtle_ec.js):
//   .generate(kind, params, build)   a promise of build(privateText, publicText, info)
//   .importKey(kind, format, keyData, params)  a promise of {type, key, info}
//   .key(type, extractable, algorithm, usages, kind, text)  a new CryptoKey
//   .exportKey(format, key, jwkMembers)  spki/pkcs8 bytes, raw bytes or the JWK object
//                                   (jwkMembers(hostMembers) adds kty/alg/...)
//   .deriveBits(key, publicKey, length)  the agreed secret, truncated to length bits

const Uint8ArrayCtor = Uint8Array;
const ObjectKeys = Object.keys;
const subtle = nano.subtle;
const TYPES = subtle.TYPES;
const error = subtle.error;
const jwk = subtle.jwk;

const JWK_BINARY = ["d", "dp", "dq", "e", "k", "n", "p", "q", "qi", "x", "y"];

function newKey(type, extractable, algorithm, usages, kind, text) {
  return nano.createCryptoKey(type, extractable, algorithm, usages, { kind, text });
}

function generate(kind, params, build) {
  return subtle.then(subtle.hostCall("crypto.generate", [kind, params]),
    (result) => build(result.private, result.public, result.info));
}

// The JWK members the host needs, as plain JSON (the base64url members and crv).
function jwkForHost(jwk) {
  const out = {};
  if (jwk.crv !== undefined) out.crv = jwk.crv;
  for (let i = 0; i < JWK_BINARY.length; i++) {
    if (jwk[JWK_BINARY[i]] !== undefined) out[JWK_BINARY[i]] = jwk[JWK_BINARY[i]];
  }
  if (jwk.oth !== undefined) out.oth = jwk.oth.length;
  return out;
}

function importAsym(kind, format, keyData, params) {
  const data = format === "jwk" ? jwkForHost(keyData) : subtle.b64(keyData);
  return subtle.hostCall("crypto.import", [kind, format, data, params]);
}

function exportAsym(format, key, jwkMembers) {
  if (format === "spki" || format === "pkcs8") {
    const wanted = format === "spki" ? "public" : "private";
    if (key.type !== wanted) {
      throw error("InvalidAccessError", "Only " + wanted + " keys can be exported as " + format);
    }
    return subtle.bytes(key.handle.text);
  }
  if (format === "raw") {
    if (key.type !== "public") throw error("InvalidAccessError", "Only public keys can be exported as raw");
    return subtle.then(subtle.hostCall("crypto.export", [key.handle.kind, key.type, key.handle.text, "raw"]),
      subtle.bytes);
  }
  return subtle.then(subtle.hostCall("crypto.export", [key.handle.kind, key.type, key.handle.text, "jwk"]),
    (members) => {
      const copy = { __proto__: null };
      const names = ObjectKeys(members);
      for (let i = 0; i < names.length; i++) copy[names[i]] = members[names[i]];
      return subtle.jwk.result(jwkMembers(copy), key);
    });
}

// The first `length` bits of `secret` (null: all of it).
function truncate(secret, length) {
  if (length === null) return secret;
  if (length > secret.length * 8) {
    throw error("OperationError", "Cannot derive " + length + " bits: the shared secret has only " +
      secret.length * 8);
  }
  const out = new Uint8ArrayCtor((length + 7) >> 3);
  for (let i = 0; i < out.length; i++) out[i] = secret[i];
  if (length % 8 !== 0) out[out.length - 1] &= (0xff << (8 - length % 8)) & 0xff;
  return out;
}

function deriveBits(key, publicKey, length) {
  return subtle.then(
    subtle.hostCall("crypto.derive", [key.handle.kind, key.handle.text, publicKey.handle.text]),
    (text) => truncate(subtle.bytes(text), length));
}

subtle.asym = { generate, importKey: importAsym, key: newKey, exportKey: exportAsym, deriveBits };

// ---- RSA ---------------------------------------------------------------------------
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
    return newKey(type, extractable, algorithm, nano.normalizeUsages(usages), "RSA", text);
  }

  const impl = {
    name,
    generateKey(normalized, extractable, usages) {
      subtle.checkUsages(usages, allUsages);
      const info = { modulusLength: normalized.modulusLength, publicExponent: subtle.b64(normalized.publicExponent) };
      return generate("RSA", info, (privateText, publicText) => ({
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
      return subtle.then(importAsym("RSA", format, keyData, {}),
        (result) => build(result.type, extractable, result.info, normalized.hash, usages, result.key));
    },
    exportKey(format, key) {
      if (format === "raw") throw error("NotSupportedError", name + " keys cannot be exported as raw");
      const alg = algs[key.algorithm.hash.name];
      if (format === "jwk" && alg === undefined) {
        throw error("NotSupportedError", name + " keys with " + key.algorithm.hash.name + " have no JWK form");
      }
      return exportAsym(format, key, (members) => {
        members.kty = "RSA";
        members.alg = alg;
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

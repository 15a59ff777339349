// What the asymmetric algorithms of the Web Cryptography API share (RSA, EC, Ed25519,
// X25519): key pairs and imported keys from host results, SPKI/PKCS#8 export from the
// DER a key holds, and the key-agreement bit truncation.
// Spec: https://w3c.github.io/webcrypto/ (the "Import Key", "Export Key" and "Derive
//       Bits" steps of RSASSA-PKCS1-v1_5 ... X25519)
// Host operations: "crypto.generate" [kind, params], "crypto.import" [kind, format,
//   data, params], "crypto.export" [kind, type, key, format], "crypto.derive" [kind,
//   private, public] (see nano/crypto/family.py).
//
// An asymmetric key's handle is {kind, text}: kind is "RSA", "EC", "Ed25519" or
// "X25519", text the base64 of its canonical DER (PKCS#8 private, SPKI public).
//
// Internals shared on `nano.subtle.asym`:
//   .generate(kind, params, build)   a promise of build(privateText, publicText, info)
//   .importKey(kind, format, keyData, params)  a promise of {type, key, info}
//   .key(type, extractable, algorithm, usages, kind, text)  a new CryptoKey
//   .exportKey(format, key, jwkMembers)  spki/pkcs8 bytes, raw bytes or the JWK object
//                                   (jwkMembers(hostMembers) adds kty/alg/...)
//   .deriveBits(key, publicKey, length)  the agreed secret, truncated to length bits

const Uint8ArrayCtor = Uint8Array;
const ObjectKeys = Object.keys;
const subtle = nano.subtle;
const error = subtle.error;

const JWK_BINARY = ["d", "dp", "dq", "e", "k", "n", "p", "q", "qi", "x", "y"];

function key(type, extractable, algorithm, usages, kind, text) {
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

function importKey(kind, format, keyData, params) {
  const data = format === "jwk" ? jwkForHost(keyData) : subtle.b64(keyData);
  return subtle.hostCall("crypto.import", [kind, format, data, params]);
}

function exportKey(format, key, jwkMembers) {
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

subtle.asym = { generate, importKey, key, exportKey, deriveBits };

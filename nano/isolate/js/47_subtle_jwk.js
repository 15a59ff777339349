// JSON Web Keys for the Web Cryptography API: the JsonWebKey dictionary conversion, the
// checks every algorithm's JWK import makes, base64url, and the JSON form wrapKey and
// unwrapKey use.
// Spec: https://w3c.github.io/webcrypto/#JsonWebKey-dictionary
//       https://w3c.github.io/webcrypto/#concept-parse-a-jwk
//       RFC 7517 (JWK: key_ops), RFC 7518 (JWA: base64url members)
// Host operations: none.
//
// Internals shared on `nano.subtle.jwk`:
//   .toJsonWebKey(value)          the IDL dictionary (a null-prototype record) or TypeError
//   .isDictionaryLike(value)      whether (BufferSource or JsonWebKey) picks JsonWebKey
//   .check(jwk, kty, usages, extractable, use)  the kty / use / key_ops / ext checks
//                                 (DataError on failure)
//   .decode(jwk, member)          the bytes of a base64url member (DataError if absent
//                                 or malformed)
//   .encode(bytes)                unpadded base64url text
//   .result(members, key)         the exported JWK object: members plus key_ops and ext,
//                                 in dictionary (lexical) order
//   .serialize(jwk, multiple)     UTF-8 bytes of its JSON text, space-padded to a
//                                 multiple of `multiple` bytes (wrapKey)
//   .parse(bytes)                 "parse a JWK" (unwrapKey): DataError for bad JSON or a
//                                 missing kty

const TypeErrorCtor = TypeError;
const Uint8ArrayCtor = Uint8Array;
const JSONParse = JSON.parse;
const JSONStringify = JSON.stringify;
const ArrayPrototypeSort = Array.prototype.sort;
const ReflectApply = Reflect.apply;
const ObjectKeys = Object.keys;
const Uint8ArrayFromBase64 = Uint8Array.fromBase64;
const Uint8ArrayToBase64 = Uint8Array.prototype.toBase64;
const RegExpPrototypeExec = RegExp.prototype.exec;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

const subtle = nano.subtle;
const toDOMString = subtle.toDOMString;

// JsonWebKey's members (lexical order, as WebIDL converts them) and their types.
const JWK_MEMBERS = [
  ["alg", "s"], ["crv", "s"], ["d", "s"], ["dp", "s"], ["dq", "s"], ["e", "s"], ["ext", "b"],
  ["k", "s"], ["key_ops", "l"], ["kty", "s"], ["n", "s"], ["oth", "o"], ["p", "s"], ["q", "s"],
  ["qi", "s"], ["use", "s"], ["x", "s"], ["y", "s"],
];
const OTHER_PRIME_MEMBERS = [["d", "s"], ["r", "s"], ["t", "s"]];

function convertMembers(value, members, what) {
  if (value !== undefined && value !== null && !subtle.isObject(value)) {
    throw new TypeErrorCtor(what + " is not an object");
  }
  const out = { __proto__: null };
  if (value === undefined || value === null) return out;
  for (let i = 0; i < members.length; i++) {
    const key = members[i][0];
    const raw = value[key];
    if (raw === undefined) continue;
    const type = members[i][1];
    if (type === "s") out[key] = toDOMString(raw);
    else if (type === "b") out[key] = !!raw;
    else if (type === "l") out[key] = subtle.toSequence(raw, toDOMString, what + "." + key);
    else out[key] = subtle.toSequence(raw, (v) => convertMembers(v, OTHER_PRIME_MEMBERS, "RsaOtherPrimesInfo"),
      what + "." + key);
  }
  return out;
}

function toJsonWebKey(value) {
  return convertMembers(value, JWK_MEMBERS, "JsonWebKey");
}

function isDictionaryLike(value) {
  return value === undefined || value === null || (subtle.isObject(value) && !subtle.isBufferSource(value));
}

function dataError(message) {
  return subtle.error("DataError", message);
}

function check(jwk, kty, usages, extractable, use) {
  if (jwk.kty !== kty) throw dataError("The JWK 'kty' member must be '" + kty + "'");
  if (usages.length !== 0 && jwk.use !== undefined && jwk.use !== use) {
    throw dataError("The JWK 'use' member must be '" + use + "'");
  }
  const ops = jwk.key_ops;
  if (ops !== undefined) {
    for (let i = 0; i < ops.length; i++) {
      for (let j = 0; j < i; j++) {
        if (ops[i] === ops[j]) throw dataError("The JWK 'key_ops' member lists '" + ops[i] + "' twice");
      }
    }
    for (let i = 0; i < usages.length; i++) {
      let found = false;
      for (let j = 0; j < ops.length; j++) if (ops[j] === usages[i]) found = true;
      if (!found) throw dataError("The JWK 'key_ops' member does not allow usage '" + usages[i] + "'");
    }
  }
  if (jwk.ext === false && extractable) {
    throw dataError("The JWK is not extractable ('ext' is false) but extractable was requested");
  }
}

function decode(jwk, member) {
  const text = jwk[member];
  if (text === undefined) throw dataError("The JWK has no '" + member + "' member");
  if (ReflectApply(RegExpPrototypeExec, BASE64URL, [text]) === null || text.length % 4 === 1) {
    throw dataError("The JWK '" + member + "' member is not base64url");
  }
  return Uint8ArrayFromBase64(text, { alphabet: "base64url" });
}

function encode(bytes) {
  return ReflectApply(Uint8ArrayToBase64, bytes, [{ alphabet: "base64url", omitPadding: true }]);
}

function result(members, key) {
  const all = { __proto__: null };
  const given = ObjectKeys(members);
  for (let i = 0; i < given.length; i++) all[given[i]] = members[given[i]];
  const ops = [];
  for (let i = 0; i < key.usages.length; i++) ops[i] = key.usages[i];
  all.key_ops = ops;
  all.ext = key.extractable;
  const names = [];
  for (const name in all) names[names.length] = name;
  ReflectApply(ArrayPrototypeSort, names, []);
  const out = {};
  for (let i = 0; i < names.length; i++) out[names[i]] = all[names[i]];
  return out;
}

// The JSON text of an exported JWK as UTF-8, padded with trailing spaces (which JSON
// ignores) to a multiple of `multiple` bytes: AES-KW wraps whole 8-byte blocks only,
// and the spec lets the serialization adapt to the wrapping algorithm.
function serialize(jwk, multiple) {
  let bytes = nano.utf8Encode(JSONStringify(jwk));
  const extra = bytes.length % multiple;
  if (extra !== 0) {
    const padded = new Uint8ArrayCtor(bytes.length + multiple - extra);
    for (let i = 0; i < padded.length; i++) padded[i] = i < bytes.length ? bytes[i] : 0x20;
    bytes = padded;
  }
  return bytes;
}

function parse(bytes) {
  let value;
  try {
    value = JSONParse(nano.utf8DecodeStripBOM(bytes));
  } catch (e) {
    throw dataError("The unwrapped key is not JSON");
  }
  const jwk = toJsonWebKey(value);
  if (jwk.kty === undefined) throw dataError("The unwrapped JWK has no 'kty' member");
  return jwk;
}

subtle.jwk = { toJsonWebKey, isDictionaryLike, check, decode, encode, result, serialize, parse };

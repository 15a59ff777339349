// CryptoKey: the key objects of the Web Cryptography API, and the private state behind
// them.
// Spec: https://w3c.github.io/webcrypto/#cryptokey-interface
// Host operations: none.
//
// Where key material lives: a CryptoKey's state (type, extractable, algorithm, usages
// and the key material, its "handle") is kept in a WeakMap in this file's closure. User
// code sees only the four attribute getters; the handle is reachable only through
// nano.cryptoKeyState, and `nano` is never reachable from user code. A secret key's
// handle holds its bytes (and their base64 text, what host operations take); an
// asymmetric key's handle holds the canonical DER of the key (PKCS#8 or SPKI) as base64
// text. Operations send the handle to Python with each call (nano/crypto/keys.py caches
// the parsed key objects), so Python keeps no key table to free: a key dropped by JS is
// simply collected with its object. Sending it costs next to nothing next to the host
// call itself (measured against keys kept in Python by id: see nano/crypto/keys.py).
//
// Internals shared on `nano`:
//   nano.CryptoKey                      the interface
//   nano.createCryptoKey(type, extractable, algorithm, usages, handle)
//       algorithm: an internal KeyAlgorithm record ({name, length, hash: {name},
//       namedCurve, modulusLength, publicExponent: Uint8Array} as the algorithm needs);
//       usages: an array of KeyUsage strings (kept as given: callers normalize).
//   nano.cryptoKeyState(value)          the state record, or undefined for a non-key
//   nano.KEY_USAGES                     the recognized usages, in the spec's order
//   nano.usageIntersection(a, b)        usages in both lists, in the spec's order
//   nano.normalizeUsages(usages)        the "normalized value" (deduplicated, ordered)
//   nano.secretHandle(bytes)            {bytes, text}: a secret key's handle

const TypeErrorCtor = TypeError;
const Uint8ArrayCtor = Uint8Array;
const ObjectDefineProperty = Object.defineProperty;
const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const ObjectFreeze = Object.freeze;
const SymbolToStringTag = Symbol.toStringTag;
const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype);
const TypedArrayLength = ObjectGetOwnPropertyDescriptor(TypedArrayPrototype, "length").get;
const ReflectApply = Reflect.apply;

// Collections whose methods user code cannot patch (copies of the built-in methods).
function safeCollection(Base) {
  const Safe = class extends Base {};
  const keys = Reflect.ownKeys(Base.prototype);
  for (let i = 0; i < keys.length; i++) {
    if (keys[i] === "constructor") continue;
    Object.defineProperty(Safe.prototype, keys[i], Object.getOwnPropertyDescriptor(Base.prototype, keys[i]));
  }
  return Safe;
}
const SafeWeakMap = safeCollection(WeakMap);

const KEY_USAGES = ObjectFreeze(["encrypt", "decrypt", "sign", "verify", "deriveKey", "deriveBits",
  "wrapKey", "unwrapKey"]);

function contains(list, value) {
  for (let i = 0; i < list.length; i++) if (list[i] === value) return true;
  return false;
}

function usageIntersection(a, b) {
  const out = [];
  for (let i = 0; i < KEY_USAGES.length; i++) {
    const usage = KEY_USAGES[i];
    if (contains(a, usage) && contains(b, usage)) out[out.length] = usage;
  }
  return out;
}

function copyBytes(bytes) {
  const length = ReflectApply(TypedArrayLength, bytes, []);
  const out = new Uint8ArrayCtor(length);
  for (let i = 0; i < length; i++) out[i] = bytes[i];
  return out;
}

// The ECMAScript object for an internal KeyAlgorithm record: members in WebIDL
// dictionary order (inherited members first, then each dictionary's in lexical order).
function algorithmObject(algorithm) {
  const out = { name: algorithm.name };
  if (algorithm.modulusLength !== undefined) {
    out.modulusLength = algorithm.modulusLength;
    out.publicExponent = copyBytes(algorithm.publicExponent);
  }
  if (algorithm.namedCurve !== undefined) out.namedCurve = algorithm.namedCurve;
  if (algorithm.hash !== undefined) out.hash = { name: algorithm.hash.name };
  if (algorithm.length !== undefined) out.length = algorithm.length;
  return out;
}

const CONSTRUCT = Symbol("CryptoKey construct");
const states = new SafeWeakMap();

function stateOf(self, what) {
  const state = states.get(self);
  if (state === undefined) throw new TypeErrorCtor("CryptoKey." + what + ": illegal invocation");
  return state;
}

class CryptoKey {
  constructor(token = undefined, state = undefined) {
    if (token !== CONSTRUCT) throw new TypeErrorCtor("Illegal constructor");
    states.set(this, state);
  }

  get type() {
    return stateOf(this, "type").type;
  }

  get extractable() {
    return stateOf(this, "extractable").extractable;
  }

  get algorithm() {
    const state = stateOf(this, "algorithm");
    if (state.algorithmCached === undefined) state.algorithmCached = algorithmObject(state.algorithm);
    return state.algorithmCached;
  }

  get usages() {
    const state = stateOf(this, "usages");
    if (state.usagesCached === undefined) {
      const out = [];
      for (let i = 0; i < state.usages.length; i++) out[i] = state.usages[i];
      state.usagesCached = out;
    }
    return state.usagesCached;
  }
}

ObjectDefineProperty(CryptoKey.prototype, SymbolToStringTag, {
  value: "CryptoKey", writable: false, enumerable: false, configurable: true,
});
for (const name of ["type", "extractable", "algorithm", "usages"]) {
  const desc = ObjectGetOwnPropertyDescriptor(CryptoKey.prototype, name);
  desc.enumerable = true;
  ObjectDefineProperty(CryptoKey.prototype, name, desc);
}

function createCryptoKey(type, extractable, algorithm, usages, handle) {
  const list = [];
  for (let i = 0; i < usages.length; i++) list[i] = usages[i];
  return new CryptoKey(CONSTRUCT, {
    type,
    extractable: !!extractable,
    algorithm,
    usages: list,
    handle,
    algorithmCached: undefined,
    usagesCached: undefined,
  });
}

nano.CryptoKey = CryptoKey;
nano.KEY_USAGES = KEY_USAGES;
nano.createCryptoKey = createCryptoKey;
nano.cryptoKeyState = function cryptoKeyState(value) {
  return states.get(value);
};
nano.usageIntersection = usageIntersection;
nano.normalizeUsages = function normalizeUsages(usages) {
  return usageIntersection(usages, KEY_USAGES);
};
nano.secretHandle = function secretHandle(bytes) {
  return ObjectFreeze({ bytes, text: nano.bytesToBase64(bytes) });
};

// CryptoKey objects are serializable: a clone shares the (immutable) state's contents.
if (typeof nano.registerCloneable === "function") {
  nano.registerCloneable(
    (value) => states.get(value) !== undefined,
    (value) => {
      const state = states.get(value);
      return createCryptoKey(state.type, state.extractable, state.algorithm, state.usages, state.handle);
    });
}

nano.defineGlobal("CryptoKey", CryptoKey);

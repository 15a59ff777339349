// The Crypto interface: crypto.getRandomValues() and crypto.randomUUID(), from a CSPRNG
// written in JS (a ChaCha20 keystream with fast key erasure).
// Spec: https://w3c.github.io/webcrypto/#crypto-interface
//       ChaCha20 block function: https://www.rfc-editor.org/rfc/rfc8439#section-2.3
// Host operations: receives ["entropy", hex] (fresh OS entropy mixed into the key).
//
// Generator: the 256-bit key starts as nano.bootstrap.seed (64 hex characters from
// os.urandom). Each request produces ChaCha20 blocks (nonce 0, counter from 0) under the
// current key; the first 32 bytes of that keystream become the next key and are never
// output (so earlier outputs cannot be recovered from a later state), the rest is output.
// An "entropy" message XORs its bytes into the key and rekeys.
//
// Internals shared on `nano`:
//   nano.Crypto             the interface (crypto.subtle is added later by another file:
//                           define a `subtle` getter on nano.Crypto.prototype)
//   nano.crypto             the global instance
//   nano.randomBytes(n)     a Uint8Array of n random bytes
//   nano.fillRandom(u8)     fill a Uint8Array in place

const TypeErrorCtor = TypeError;
const Uint8ArrayCtor = Uint8Array;
const Uint32ArrayCtor = Uint32Array;
const ObjectDefineProperty = Object.defineProperty;
const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const ReflectApply = Reflect.apply;
const ArrayBufferIsView = ArrayBuffer.isView;
const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype);
const getter = (key) => ObjectGetOwnPropertyDescriptor(TypedArrayPrototype, key).get;
const TypedArrayToStringTag = getter(Symbol.toStringTag);
const TypedArrayBuffer = getter("buffer");
const TypedArrayByteOffset = getter("byteOffset");
const TypedArrayByteLength = getter("byteLength");
const StringPrototypeSlice = String.prototype.slice;
const NumberParseInt = Number.parseInt;
const SymbolToStringTag = Symbol.toStringTag;

const SafeWeakSet = nano.safeCollection(WeakSet);

// ---- ChaCha20 ------------------------------------------------------------------------
const key = new Uint32ArrayCtor(8);
const state = new Uint32ArrayCtor(16);
const work = new Uint32ArrayCtor(16);

function rotl(v, n) {
  return (v << n) | (v >>> (32 - n));
}

function quarter(x, a, b, c, d) {
  x[a] = (x[a] + x[b]) | 0; x[d] = rotl(x[d] ^ x[a], 16);
  x[c] = (x[c] + x[d]) | 0; x[b] = rotl(x[b] ^ x[c], 12);
  x[a] = (x[a] + x[b]) | 0; x[d] = rotl(x[d] ^ x[a], 8);
  x[c] = (x[c] + x[d]) | 0; x[b] = rotl(x[b] ^ x[c], 7);
}

// One 64-byte block of the keystream for (key, counter, nonce 0), written to out[at..].
function block(counter, out, at) {
  state[0] = 0x61707865; state[1] = 0x3320646e; state[2] = 0x79622d32; state[3] = 0x6b206574;
  for (let i = 0; i < 8; i++) state[4 + i] = key[i];
  state[12] = counter; state[13] = 0; state[14] = 0; state[15] = 0;
  for (let i = 0; i < 16; i++) work[i] = state[i];
  for (let round = 0; round < 10; round++) {
    quarter(work, 0, 4, 8, 12); quarter(work, 1, 5, 9, 13);
    quarter(work, 2, 6, 10, 14); quarter(work, 3, 7, 11, 15);
    quarter(work, 0, 5, 10, 15); quarter(work, 1, 6, 11, 12);
    quarter(work, 2, 7, 8, 13); quarter(work, 3, 4, 9, 14);
  }
  for (let i = 0; i < 16; i++) {
    const v = (work[i] + state[i]) >>> 0;
    const o = at + i * 4;
    out[o] = v & 0xff; out[o + 1] = (v >>> 8) & 0xff;
    out[o + 2] = (v >>> 16) & 0xff; out[o + 3] = v >>> 24;
  }
}

function setKeyFromBytes(bytes, offset) {
  for (let i = 0; i < 8; i++) {
    const o = offset + i * 4;
    key[i] = (bytes[o] | (bytes[o + 1] << 8) | (bytes[o + 2] << 16) | (bytes[o + 3] << 24)) >>> 0;
  }
}

// Fill `target` (a Uint8Array) with output, then replace the key (fast key erasure).
function fillRandom(target) {
  const length = target.length;
  const blocks = ((length + 32 + 63) / 64) | 0;
  const stream = new Uint8ArrayCtor(blocks * 64);
  for (let i = 0; i < blocks; i++) block(i, stream, i * 64);
  setKeyFromBytes(stream, 0);
  for (let i = 0; i < length; i++) target[i] = stream[32 + i];
  stream.fill(0);
  return target;
}

function hexBytes(hex) {
  const text = typeof hex === "string" ? hex : "";
  const bytes = new Uint8ArrayCtor(text.length >>> 1);
  for (let i = 0; i < bytes.length; i++) {
    const v = NumberParseInt(ReflectApply(StringPrototypeSlice, text, [i * 2, i * 2 + 2]), 16);
    bytes[i] = v === v ? v : 0;
  }
  return bytes;
}

function mixEntropy(hex) {
  const bytes = hexBytes(hex);
  const mixed = new Uint8ArrayCtor(32);
  for (let i = 0; i < 8; i++) {
    const k = key[i];
    mixed[i * 4] = k & 0xff; mixed[i * 4 + 1] = (k >>> 8) & 0xff;
    mixed[i * 4 + 2] = (k >>> 16) & 0xff; mixed[i * 4 + 3] = k >>> 24;
  }
  for (let i = 0; i < bytes.length; i++) mixed[i % 32] ^= bytes[i];
  setKeyFromBytes(mixed, 0);
  mixed.fill(0);
  // Rekey once so the new key depends on all of the old key and the entropy.
  const next = new Uint8ArrayCtor(32);
  fillRandom(next);
  setKeyFromBytes(next, 0);
  next.fill(0);
}

mixEntropy(nano.bootstrap && nano.bootstrap.seed);
nano.onMessage("entropy", mixEntropy);

// ---- Crypto --------------------------------------------------------------------------
const INTEGER_TYPES = {
  __proto__: null,
  Int8Array: true, Uint8Array: true, Uint8ClampedArray: true, Int16Array: true,
  Uint16Array: true, Int32Array: true, Uint32Array: true, BigInt64Array: true,
  BigUint64Array: true,
};
const CONSTRUCT = Symbol("Crypto construct");
const brands = new SafeWeakSet();

function check(self, what) {
  if (!brands.has(self)) throw new TypeErrorCtor("Crypto." + what + ": illegal invocation");
}

function hex2(v) {
  return (v < 16 ? "0" : "") + v.toString(16);
}

class Crypto {
  constructor(token = undefined) {
    if (token !== CONSTRUCT) throw new TypeErrorCtor("Illegal constructor");
    brands.add(this);
  }

  getRandomValues(array) {
    check(this, "getRandomValues");
    if (arguments.length < 1) {
      throw new TypeErrorCtor("Crypto.getRandomValues: 1 argument required, but only 0 present");
    }
    if (!ArrayBufferIsView(array)) {
      throw new TypeErrorCtor("Crypto.getRandomValues: parameter 1 is not of type 'ArrayBufferView'");
    }
    const name = ReflectApply(TypedArrayToStringTag, array, []);
    if (name === undefined || INTEGER_TYPES[name] !== true) {
      throw new nano.DOMException("The data argument must be an integer-type TypedArray",
        "TypeMismatchError");
    }
    const byteLength = ReflectApply(TypedArrayByteLength, array, []);
    if (byteLength > 65536) {
      throw new nano.DOMException("The ArrayBufferView's byte length (" + byteLength +
        ") exceeds the number of bytes of entropy available via this API (65536)",
        "QuotaExceededError");
    }
    fillRandom(new Uint8ArrayCtor(ReflectApply(TypedArrayBuffer, array, []),
      ReflectApply(TypedArrayByteOffset, array, []), byteLength));
    return array;
  }

  randomUUID() {
    check(this, "randomUUID");
    const b = fillRandom(new Uint8ArrayCtor(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let out = "";
    for (let i = 0; i < 16; i++) {
      if (i === 4 || i === 6 || i === 8 || i === 10) out += "-";
      out += hex2(b[i]);
    }
    return out;
  }
}

ObjectDefineProperty(Crypto.prototype, SymbolToStringTag, {
  value: "Crypto", writable: false, enumerable: false, configurable: true,
});
for (const name of ["getRandomValues", "randomUUID"]) {
  const desc = ObjectGetOwnPropertyDescriptor(Crypto.prototype, name);
  desc.enumerable = true;
  ObjectDefineProperty(Crypto.prototype, name, desc);
}

const crypto = new Crypto(CONSTRUCT);
nano.Crypto = Crypto;
nano.crypto = crypto;
nano.isCrypto = function isCrypto(value) {
  return brands.has(value);
};
nano.fillRandom = fillRandom;
nano.randomBytes = function randomBytes(n) {
  return fillRandom(new Uint8ArrayCtor(n));
};

nano.defineGlobal("Crypto", Crypto);
nano.defineGlobal("crypto", crypto);

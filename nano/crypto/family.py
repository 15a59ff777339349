"""
The WebCrypto host operations (C{crypto.*}) that C{crypto.subtle} in JS calls through
C{nano.hostCall}: the JS side has already converted and checked the arguments as the
Web Cryptography API requires; these run the primitives with the C{cryptography}
package. Binary values travel as base64 text.

Cheap operations run on the reactor thread at once; slow ones (RSA key generation and
private-key import, RSA private-key operations above 2048 bits, PBKDF2 with many
iterations, digests and ciphers of more than 1 MiB) run in the reactor's thread pool,
where cryptography releases the GIL.

Operations and their arguments (C{b64} is base64 text):
  - C{crypto.digest} [hash, data b64] -> b64
  - C{crypto.hmac} [verify bool, hash, key b64, data b64, signature b64] -> b64 | bool
  - C{crypto.aes} [mode CBC|CTR|GCM|KW, decrypt bool, key b64, params, data b64] -> b64
    (params: CBC {iv}; CTR {counter, length}; GCM {iv, additionalData, tagLength})
  - C{crypto.kdf} [HKDF|PBKDF2, hash, key b64, params {salt, info | iterations},
    length in bytes] -> b64
  - C{crypto.generate} [kind, params {modulusLength, publicExponent b64 | namedCurve}]
    -> {private, public, info}
  - C{crypto.import} [kind, format, data b64 | JWK object, params {namedCurve}]
    -> {type, key, info}
  - C{crypto.export} [kind, type, key b64, raw|jwk] -> b64 | JWK members
  - C{crypto.sign} [algorithm, key b64, params {hash, saltLength}, data b64] -> b64
  - C{crypto.verify} [algorithm, key b64, params, signature b64, data b64] -> bool
  - C{crypto.rsaOaep} [decrypt bool, key b64, params {hash, label b64}, data b64] -> b64
  - C{crypto.derive} [kind EC|X25519, private key b64, public key b64] -> b64
"""

from twisted.internet.defer import maybeDeferred
from twisted.internet.threads import deferToThreadPool

from nano.crypto import aes, digest, ec, kdf, okp, rsa
from nano.crypto.common import arg, b64, notSupported, optional, unb64
from nano.crypto.keys import KINDS, KeyCache
from nano.isolate.hostcalls import HostCallError

__all__ = ["CryptoOps", "ops"]

_BIG_DATA = 1 << 20
_PBKDF2_INLINE = 10000
_RSA_INLINE_BITS = 2048


def _typeError(what):
    return HostCallError("TypeError", what)


class CryptoOps:
    """
    The C{crypto.*} operations of one app.

    @param inThread: C{inThread(fn, *args)} runs C{fn} away from the reactor thread
        and returns a Deferred of its result.
    @param cache: the app's L{KeyCache}.
    """

    def __init__(self, inThread, cache=None):
        self._inThread = inThread
        self._cache = cache if cache is not None else KeyCache()

    def table(self):
        """
        The operations by name, for L{nano.hostops}.
        """
        return {
            "crypto.digest": self.digest,
            "crypto.hmac": self.hmac,
            "crypto.aes": self.aes,
            "crypto.kdf": self.kdf,
            "crypto.generate": self.generate,
            "crypto.import": self.importKey,
            "crypto.export": self.exportKey,
            "crypto.sign": self.sign,
            "crypto.verify": self.verify,
            "crypto.rsaOaep": self.rsaOaep,
            "crypto.derive": self.derive,
        }

    def _run(self, slow, fn, *args):
        if slow:
            return self._inThread(fn, *args)
        return fn(*args)

    def _key(self, kind, keyType, text):
        return self._cache.load(kind, keyType, text)

    # -- symmetric ---------------------------------------------------------------------

    def digest(self, call):
        name = arg(call.args, 0, str, "hash")
        data = unb64(arg(call.args, 1, str, "data"))
        return self._run(len(data) > _BIG_DATA, lambda: b64(digest.digest(name, data)))

    def hmac(self, call):
        verify = arg(call.args, 0, bool, "verify")
        name = arg(call.args, 1, str, "hash")
        key = unb64(arg(call.args, 2, str, "key"), "key")
        data = unb64(arg(call.args, 3, str, "data"))
        if verify:
            signature = unb64(arg(call.args, 4, str, "signature"), "signature")
            return self._run(len(data) > _BIG_DATA, digest.hmacVerify, name, key, signature, data)
        return self._run(len(data) > _BIG_DATA, lambda: b64(digest.hmacSign(name, key, data)))

    def aes(self, call):
        mode = arg(call.args, 0, str, "mode")
        decrypt = arg(call.args, 1, bool, "decrypt")
        key = unb64(arg(call.args, 2, str, "key"), "key")
        params = arg(call.args, 3, dict, "params")
        data = unb64(arg(call.args, 4, str, "data"))
        if mode == "CBC":
            iv = unb64(optional(params, "iv", str, "iv") or "", "iv")
            fn = lambda: aes.cbc(key, iv, data, decrypt)  # noqa: E731
        elif mode == "CTR":
            counter = unb64(optional(params, "counter", str, "counter") or "", "counter")
            length = optional(params, "length", int, "length") or 0
            fn = lambda: aes.ctr(key, counter, length, data)  # noqa: E731
        elif mode == "GCM":
            iv = unb64(optional(params, "iv", str, "iv") or "", "iv")
            aad = unb64(optional(params, "additionalData", str, "additionalData") or "", "additionalData")
            tagLength = optional(params, "tagLength", int, "tagLength")
            tagLength = 128 if tagLength is None else tagLength
            fn = lambda: aes.gcm(key, iv, aad, tagLength, data, decrypt)  # noqa: E731
        elif mode == "KW":
            fn = lambda: aes.kw(key, data, decrypt)  # noqa: E731
        else:
            raise notSupported("unknown AES mode %r" % (mode,))
        return self._run(len(data) > _BIG_DATA, lambda: b64(fn()))

    def kdf(self, call):
        algorithm = arg(call.args, 0, str, "algorithm")
        name = arg(call.args, 1, str, "hash")
        key = unb64(arg(call.args, 2, str, "key"), "key")
        params = arg(call.args, 3, dict, "params")
        length = arg(call.args, 4, int, "length")
        salt = unb64(optional(params, "salt", str, "salt") or "", "salt")
        if algorithm == "HKDF":
            info = unb64(optional(params, "info", str, "info") or "", "info")
            return b64(kdf.hkdf(name, key, salt, info, length))
        if algorithm == "PBKDF2":
            iterations = optional(params, "iterations", int, "iterations") or 0
            slow = iterations > 0 and kdf.pbkdf2Cost(name, iterations, length) > _PBKDF2_INLINE
            return self._run(slow, lambda: b64(kdf.pbkdf2(name, key, salt, iterations, length)))
        raise notSupported("unknown key derivation %r" % (algorithm,))

    # -- asymmetric keys ---------------------------------------------------------------

    def generate(self, call):
        kind = arg(call.args, 0, str, "kind")
        params = arg(call.args, 1, dict, "params")
        if kind == "RSA":
            modulusLength = optional(params, "modulusLength", int, "modulusLength") or 0
            exponent = int.from_bytes(unb64(optional(params, "publicExponent", str, "publicExponent") or ""), "big")
            return self._inThread(_pair, rsa.generate, modulusLength, exponent)
        if kind == "EC":
            return _pair(ec.generate, optional(params, "namedCurve", str, "namedCurve") or "")
        if kind in okp.KINDS:
            return _pair(okp.generate, kind)
        raise notSupported("unknown key kind %r" % (kind,))

    def importKey(self, call):
        kind = arg(call.args, 0, str, "kind")
        format = arg(call.args, 1, str, "format")
        if format == "jwk":
            data = arg(call.args, 2, dict, "keyData")
        else:
            data = unb64(arg(call.args, 2, str, "keyData"), "keyData")
        params = arg(call.args, 3, dict, "params")
        if kind == "RSA":
            slow = format == "pkcs8" or (format == "jwk" and data.get("d") is not None)
            return self._run(slow, _imported, rsa.importKey, format, data)
        if kind == "EC":
            namedCurve = optional(params, "namedCurve", str, "namedCurve") or ""
            return _imported(ec.importKey, format, data, namedCurve)
        if kind in okp.KINDS:
            return _imported(okp.importKey, kind, format, data)
        raise notSupported("unknown key kind %r" % (kind,))

    def exportKey(self, call):
        kind = arg(call.args, 0, str, "kind")
        keyType = arg(call.args, 1, str, "type")
        text = arg(call.args, 2, str, "key")
        format = arg(call.args, 3, str, "format")
        if kind not in KINDS:
            raise notSupported("unknown key kind %r" % (kind,))
        key = self._key(kind, keyType, text)
        if format == "jwk":
            if kind == "RSA":
                return rsa.exportJwk(key)
            if kind == "EC":
                return ec.exportJwk(key)
            return okp.exportJwk(kind, key)
        if format == "raw" and keyType == "public" and kind != "RSA":
            return b64(ec.exportRaw(key) if kind == "EC" else okp.exportRaw(key))
        raise notSupported("%s %s keys cannot be exported in %r format here" % (kind, keyType, format))

    # -- asymmetric operations -----------------------------------------------------------

    def sign(self, call):
        algorithm = arg(call.args, 0, str, "algorithm")
        text = arg(call.args, 1, str, "key")
        params = arg(call.args, 2, dict, "params")
        data = unb64(arg(call.args, 3, str, "data"))
        name = optional(params, "hash", str, "hash")
        if algorithm in ("RSASSA-PKCS1-v1_5", "RSA-PSS"):
            key = self._key("RSA", "private", text)
            saltLength = optional(params, "saltLength", int, "saltLength") or 0
            slow = key.key_size > _RSA_INLINE_BITS or len(data) > _BIG_DATA
            return self._run(slow, lambda: b64(rsa.sign(algorithm, key, name, saltLength, data)))
        if algorithm == "ECDSA":
            key = self._key("EC", "private", text)
            return self._run(len(data) > _BIG_DATA, lambda: b64(ec.sign(key, name, data)))
        if algorithm == "Ed25519":
            key = self._key("Ed25519", "private", text)
            return self._run(len(data) > _BIG_DATA, lambda: b64(okp.sign(key, data)))
        raise notSupported("unknown signature algorithm %r" % (algorithm,))

    def verify(self, call):
        algorithm = arg(call.args, 0, str, "algorithm")
        text = arg(call.args, 1, str, "key")
        params = arg(call.args, 2, dict, "params")
        signature = unb64(arg(call.args, 3, str, "signature"), "signature")
        data = unb64(arg(call.args, 4, str, "data"))
        name = optional(params, "hash", str, "hash")
        slow = len(data) > _BIG_DATA
        if algorithm in ("RSASSA-PKCS1-v1_5", "RSA-PSS"):
            key = self._key("RSA", "public", text)
            saltLength = optional(params, "saltLength", int, "saltLength") or 0
            return self._run(slow, rsa.verify, algorithm, key, name, saltLength, signature, data)
        if algorithm == "ECDSA":
            return self._run(slow, ec.verify, self._key("EC", "public", text), name, signature, data)
        if algorithm == "Ed25519":
            return self._run(slow, okp.verify, self._key("Ed25519", "public", text), signature, data)
        raise notSupported("unknown signature algorithm %r" % (algorithm,))

    def rsaOaep(self, call):
        decrypt = arg(call.args, 0, bool, "decrypt")
        text = arg(call.args, 1, str, "key")
        params = arg(call.args, 2, dict, "params")
        data = unb64(arg(call.args, 3, str, "data"))
        name = optional(params, "hash", str, "hash")
        label = unb64(optional(params, "label", str, "label") or "", "label")
        key = self._key("RSA", "private" if decrypt else "public", text)
        slow = decrypt and key.key_size > _RSA_INLINE_BITS
        return self._run(slow, lambda: b64(rsa.oaep(key, name, label, data, decrypt)))

    def derive(self, call):
        kind = arg(call.args, 0, str, "kind")
        private = arg(call.args, 1, str, "private")
        public = arg(call.args, 2, str, "public")
        if kind == "EC":
            return b64(ec.derive(self._key("EC", "private", private), self._key("EC", "public", public)))
        if kind == "X25519":
            return b64(okp.derive(self._key("X25519", "private", private),
                                  self._key("X25519", "public", public)))
        raise notSupported("unknown key agreement %r" % (kind,))


def _pair(generate, *args):
    privateDer, publicDer, info = generate(*args)
    return {"private": b64(privateDer), "public": b64(publicDer), "info": info}


def _imported(importKey, *args):
    keyType, der, info = importKey(*args)
    return {"type": keyType, "key": b64(der), "info": info}


def _threadRunner(reactor):
    getThreadPool = getattr(reactor, "getThreadPool", None)
    if getThreadPool is None:
        # A reactor without threads (a test fake): run in place.
        return maybeDeferred
    return lambda fn, *args: deferToThreadPool(reactor, getThreadPool(), fn, *args)


def ops(context):
    """
    The C{crypto.*} operations for one app (a family of L{nano.hostops}).
    """
    return CryptoOps(_threadRunner(context.reactor)).table()

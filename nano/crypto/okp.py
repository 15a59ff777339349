"""
Ed25519 (signatures) and X25519 (key agreement) keys and operations.

Spec: https://w3c.github.io/webcrypto/#ed25519 and https://w3c.github.io/webcrypto/#x25519
Keys travel as canonical DER (PKCS#8 private, SPKI public).
"""

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, x25519

from nano.crypto import der
from nano.crypto.asymmetric import (
    canonical,
    derAlgorithm,
    jwkMember,
    loadDer,
    parseDer,
    privateDer,
    publicDer,
    verifies,
)
from nano.crypto.common import b64url, dataError, notSupported, operationError

__all__ = [
    "KINDS",
    "generate",
    "importKey",
    "exportRaw",
    "exportJwk",
    "loadPrivate",
    "loadPublic",
    "sign",
    "verify",
    "derive",
]


class _Kind:
    def __init__(self, name, oid, private, public):
        self.name = name
        self.oid = oid
        self.private = private
        self.public = public


KINDS = {
    "Ed25519": _Kind("Ed25519", der.OID_ED25519, ed25519.Ed25519PrivateKey, ed25519.Ed25519PublicKey),
    "X25519": _Kind("X25519", der.OID_X25519, x25519.X25519PrivateKey, x25519.X25519PublicKey),
}


def _kind(name):
    kind = KINDS.get(name)
    if kind is None:
        raise notSupported("unsupported algorithm %r" % (name,))
    return kind


def generate(name):
    """
    A new key pair: (private PKCS#8 DER, public SPKI DER, {}).
    """
    key = _kind(name).private.generate()
    return privateDer(key), publicDer(key.public_key()), {}


def _fromJwk(kind, jwk):
    if jwk.get("crv") != kind.name:
        raise dataError("the JWK crv %r is not %r" % (jwk.get("crv"), kind.name))
    x = jwkMember(jwk, "x", "OKP", 32)
    if jwk.get("d") is None:
        return "public", kind.public.from_public_bytes(x)
    key = kind.private.from_private_bytes(jwkMember(jwk, "d", "OKP", 32))
    if exportRaw(key.public_key()) != x:
        raise dataError("the JWK x member is not the public key of its d member")
    return "private", key


def importKey(name, format, data):
    """
    Import an Ed25519 or X25519 key from C{"spki"}, C{"pkcs8"} or C{"raw"} (public,
    32 bytes) bytes, or a C{"jwk"} dict.

    @return: (type, canonical DER, {}).
    @raise HostCallError: C{DataError} when the data is not a valid key of that kind,
        C{NotSupportedError} for another format.
    """
    kind = _kind(name)
    try:
        if format in ("spki", "pkcs8"):
            kindOf, _, _ = derAlgorithm(format, data, kind.oid, name, parameters=False)
            key = parseDer(kindOf, data)
        elif format == "raw":
            if len(data) != 32:
                raise dataError("a raw %s public key is 32 bytes, got %d" % (name, len(data)))
            key = kind.public.from_public_bytes(data)
            kindOf = "public"
        elif format == "jwk":
            kindOf, key = _fromJwk(kind, data)
        else:
            raise notSupported("%s keys cannot be imported in %r format" % (name, format))
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise dataError("the key data is not a valid %s key" % (name,))
    return kindOf, canonical(kindOf, key, kind.public, kind.private, name), {}


def exportRaw(key):
    """
    The 32 bytes of a public key.
    """
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def exportJwk(name, key):
    """
    The OKP members of a JWK (C{crv}, C{x}, and C{d} for a private key).
    """
    if isinstance(key, (ed25519.Ed25519PrivateKey, x25519.X25519PrivateKey)):
        raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                serialization.NoEncryption())
        return {"crv": name, "x": b64url(exportRaw(key.public_key())), "d": b64url(raw)}
    return {"crv": name, "x": b64url(exportRaw(key))}


def loadPrivate(name, data):
    """
    A private key from PKCS#8 DER that L{importKey} or L{generate} produced.
    """
    return loadDer("private", data, _kind(name).private, name)


def loadPublic(name, data):
    """
    A public key from SPKI DER that L{importKey} or L{generate} produced.
    """
    return loadDer("public", data, _kind(name).public, name)


def sign(key, data):
    """
    The 64-byte Ed25519 signature of C{data}.
    """
    return key.sign(data)


def verify(key, signature, data):
    """
    Whether C{signature} is a valid Ed25519 signature of C{data}.
    """
    return verifies(key.verify, signature, data)


def derive(privateKey, publicKey):
    """
    The 32-byte X25519 shared secret.

    @raise HostCallError: C{OperationError} when it is all zeros (a small-order
        public key).
    """
    try:
        return privateKey.exchange(publicKey)
    except (ValueError, TypeError):
        raise operationError("X25519 failed: the shared secret is all zeros")

"""
Elliptic-curve keys on P-256, P-384 and P-521, and the ECDSA and ECDH operations.

Spec: https://w3c.github.io/webcrypto/#ecdsa and https://w3c.github.io/webcrypto/#ecdh
Keys travel as canonical DER (PKCS#8 private, SPKI public). Signatures are the
fixed-length r || s concatenation WebCrypto uses, not DER.
"""

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

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
from nano.crypto.common import (
    b64url,
    dataError,
    hashNamed,
    intBytes,
    notSupported,
    operationError,
)

__all__ = [
    "CURVES",
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

CURVES = {"P-256": ec.SECP256R1, "P-384": ec.SECP384R1, "P-521": ec.SECP521R1}
_NAMES = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}
# Bytes in one coordinate (and in each of r and s).
_SIZES = {"P-256": 32, "P-384": 48, "P-521": 66}


def curveOf(key):
    """
    The WebCrypto name of a loaded key's curve (None for other curves).
    """
    return _NAMES.get(key.curve.name)


def generate(namedCurve):
    """
    A new key pair: (private PKCS#8 DER, public SPKI DER, {"namedCurve"}).

    @raise HostCallError: C{NotSupportedError} for a curve other than P-256, P-384
        and P-521.
    """
    curve = CURVES.get(namedCurve)
    if curve is None:
        raise notSupported("unsupported named curve %r" % (namedCurve,))
    key = ec.generate_private_key(curve())
    return privateDer(key), publicDer(key.public_key()), {"namedCurve": namedCurve}


def _curveFromParams(params):
    if params is None or params[:1] != b"\x06":
        raise dataError("the EC key does not name its curve")
    for oid, name in der.CURVE_OIDS.items():
        if params == der.encodeOid(oid):
            return name
    raise dataError("the EC key is on a curve WebCrypto does not define")


def _coordinate(jwk, name, size):
    return int.from_bytes(jwkMember(jwk, name, "EC", size), "big")


def _fromJwk(jwk, namedCurve):
    if jwk.get("crv") != namedCurve:
        raise dataError("the JWK crv %r does not match namedCurve %r" % (jwk.get("crv"), namedCurve))
    size = _SIZES[namedCurve]
    public = ec.EllipticCurvePublicNumbers(_coordinate(jwk, "x", size), _coordinate(jwk, "y", size),
                                           CURVES[namedCurve]())
    try:
        if jwk.get("d") is None:
            return "public", public.public_key()
        private = ec.EllipticCurvePrivateNumbers(_coordinate(jwk, "d", size), public)
        return "private", private.private_key()
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise dataError("the JWK is not a valid %s key" % (namedCurve,))


def importKey(format, data, namedCurve):
    """
    Import an EC key on C{namedCurve} from C{"spki"}, C{"pkcs8"} or C{"raw"} bytes
    (an uncompressed or compressed point) or a C{"jwk"} dict.

    @return: (type, canonical DER, {"namedCurve"}).
    @raise HostCallError: C{DataError} when the data is not a valid key on that curve
        (or C{namedCurve} is not a curve WebCrypto defines), C{NotSupportedError} for
        another format.
    """
    if namedCurve not in CURVES:
        raise dataError("unsupported named curve %r" % (namedCurve,))
    try:
        if format in ("spki", "pkcs8"):
            kind, params, inner = derAlgorithm(format, data, der.OID_EC, "id-ecPublicKey")
            curve = _curveFromParams(params)
            if kind == "private":
                innerParams = der.ecPrivateKeyCurve(inner)
                if innerParams is not None and innerParams != params:
                    raise dataError("the ECPrivateKey names another curve than its PrivateKeyInfo")
            key = parseDer(kind, data)
        elif format == "raw":
            curve = namedCurve
            key = ec.EllipticCurvePublicKey.from_encoded_point(CURVES[namedCurve](), data)
            kind = "public"
        elif format == "jwk":
            curve = namedCurve
            kind, key = _fromJwk(data, namedCurve)
        else:
            raise notSupported("EC keys cannot be imported in %r format" % (format,))
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise dataError("the key data is not a valid %s key" % (namedCurve,))
    if curve != namedCurve:
        raise dataError("the key is on %s, not %s" % (curve, namedCurve))
    return kind, canonical(kind, key, ec.EllipticCurvePublicKey, ec.EllipticCurvePrivateKey, "EC"), {
        "namedCurve": curve}


def exportRaw(key):
    """
    The uncompressed point of a public key.
    """
    return key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def exportJwk(key):
    """
    The EC members of a JWK (C{crv}, C{x}, C{y}, and C{d} for a private key).
    """
    name = curveOf(key)
    size = _SIZES[name]
    private = isinstance(key, ec.EllipticCurvePrivateKey)
    public = (key.public_key() if private else key).public_numbers()
    out = {"crv": name, "x": b64url(intBytes(public.x, size)), "y": b64url(intBytes(public.y, size))}
    if private:
        out["d"] = b64url(intBytes(key.private_numbers().private_value, size))
    return out


def loadPrivate(data):
    """
    A private key from PKCS#8 DER that L{importKey} or L{generate} produced.
    """
    return loadDer("private", data, ec.EllipticCurvePrivateKey, "EC")


def loadPublic(data):
    """
    A public key from SPKI DER that L{importKey} or L{generate} produced.
    """
    return loadDer("public", data, ec.EllipticCurvePublicKey, "EC")


def sign(key, hashName, data):
    """
    The ECDSA signature r || s of C{data}, each integer as many bytes as the curve's
    order needs.
    """
    r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashNamed(hashName))))
    size = _SIZES[curveOf(key)]
    return intBytes(r, size) + intBytes(s, size)


def verify(key, hashName, signature, data):
    """
    Whether C{signature} (r || s) is a valid ECDSA signature of C{data}; a signature
    of the wrong length is not.
    """
    size = _SIZES[curveOf(key)]
    if len(signature) != 2 * size:
        return False
    r = int.from_bytes(signature[:size], "big")
    s = int.from_bytes(signature[size:], "big")
    return verifies(key.verify, encode_dss_signature(r, s), data, ec.ECDSA(hashNamed(hashName)))


def derive(privateKey, publicKey):
    """
    The ECDH shared secret (the x coordinate, as many bytes as the field needs).

    @raise HostCallError: C{OperationError} when the keys are on different curves.
    """
    try:
        return privateKey.exchange(ec.ECDH(), publicKey)
    except (ValueError, TypeError):
        raise operationError("ECDH failed: the keys are not on the same curve")

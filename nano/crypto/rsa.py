"""
RSA keys and the RSASSA-PKCS1-v1_5, RSA-PSS and RSA-OAEP operations.

Spec: https://w3c.github.io/webcrypto/#rsassa-pkcs1 (and the RSA-PSS, RSA-OAEP
sections after it). Keys travel as canonical DER: PKCS#8 for private keys, SPKI for
public keys (what C{importKey} and C{generate} return, and what the JS side keeps).
"""

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import padding, rsa

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
    b64,
    b64url,
    dataError,
    hashNamed,
    intBytes,
    notSupported,
    operationError,
)

__all__ = [
    "MAX_MODULUS",
    "generate",
    "importKey",
    "exportJwk",
    "loadPrivate",
    "loadPublic",
    "sign",
    "verify",
    "oaep",
]

# Larger moduli are refused: generating one takes minutes of CPU outside any limit.
MAX_MODULUS = 8192
_JWK_PRIVATE = ("p", "q", "dp", "dq", "qi")


def _info(publicKey):
    numbers = publicKey.public_numbers()
    return {"modulusLength": publicKey.key_size, "publicExponent": b64(intBytes(numbers.e))}


def generate(modulusLength, publicExponent):
    """
    A new key pair: (private PKCS#8 DER, public SPKI DER, algorithm info).

    @raise HostCallError: C{OperationError} for a modulus or exponent cryptography
        cannot generate (the exponent must be 3 or 65537, the modulus 1024 to
        L{MAX_MODULUS} bits).
    """
    if modulusLength > MAX_MODULUS:
        raise operationError("RSA modulusLength above %d bits is not supported" % (MAX_MODULUS,))
    try:
        key = rsa.generate_private_key(public_exponent=publicExponent, key_size=modulusLength)
    except (ValueError, TypeError) as e:
        raise operationError("RSA key generation failed: %s" % (e,))
    return privateDer(key), publicDer(key.public_key()), _info(key.public_key())


def _jwkInt(jwk, name):
    return int.from_bytes(jwkMember(jwk, name, "RSA"), "big")


def _fromJwk(jwk):
    try:
        public = rsa.RSAPublicNumbers(_jwkInt(jwk, "e"), _jwkInt(jwk, "n"))
        if jwk.get("d") is None:
            return "public", public.public_key()
        if jwk.get("oth") is not None:
            raise notSupported("RSA keys with more than two primes are not supported")
        d = _jwkInt(jwk, "d")
        present = [name for name in _JWK_PRIVATE if jwk.get(name) is not None]
        if present and len(present) != len(_JWK_PRIVATE):
            raise dataError("the RSA JWK has some but not all of p, q, dp, dq, qi")
        if present:
            p, q, dp, dq, qi = (_jwkInt(jwk, name) for name in _JWK_PRIVATE)
        else:
            p, q = rsa.rsa_recover_prime_factors(public.n, public.e, d)
            dp, dq, qi = rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q), rsa.rsa_crt_iqmp(p, q)
        return "private", rsa.RSAPrivateNumbers(p, q, d, dp, dq, qi, public).private_key()
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise dataError("the JWK is not a valid RSA key")


def importKey(format, data):
    """
    Import an RSA key from C{"spki"} or C{"pkcs8"} DER bytes, or a C{"jwk"} dict.

    @return: (type, canonical DER, algorithm info).
    @raise HostCallError: C{DataError} when the data is not a valid RSA key
        (including a key for another algorithm), C{NotSupportedError} for another
        format or a multi-prime JWK.
    """
    try:
        if format in ("spki", "pkcs8"):
            kind, _, _ = derAlgorithm(format, data, der.OID_RSA, "rsaEncryption")
            key = parseDer(kind, data)
        elif format == "jwk":
            kind, key = _fromJwk(data)
        else:
            raise notSupported("RSA keys cannot be imported in %r format" % (format,))
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise dataError("the key data is not a valid RSA key")
    data = canonical(kind, key, rsa.RSAPublicKey, rsa.RSAPrivateKey, "RSA")
    return kind, data, _info(key if kind == "public" else key.public_key())


def exportJwk(key):
    """
    The RSA members of a JWK (C{n}, C{e}, and for a private key C{d}, C{p}, C{q},
    C{dp}, C{dq}, C{qi}) for a loaded key.
    """
    private = isinstance(key, rsa.RSAPrivateKey)
    public = (key.public_key() if private else key).public_numbers()
    out = {"n": b64url(intBytes(public.n)), "e": b64url(intBytes(public.e))}
    if private:
        numbers = key.private_numbers()
        for name, value in (("d", numbers.d), ("p", numbers.p), ("q", numbers.q),
                            ("dp", numbers.dmp1), ("dq", numbers.dmq1), ("qi", numbers.iqmp)):
            out[name] = b64url(intBytes(value))
    return out


def loadPrivate(data):
    """
    A private key from DER that L{importKey} or L{generate} produced (already
    validated then, so the slow consistency check is skipped).
    """
    return loadDer("private", data, rsa.RSAPrivateKey, "RSA", unsafe_skip_rsa_key_validation=True)


def loadPublic(data):
    """
    A public key from SPKI DER that L{importKey} or L{generate} produced.
    """
    return loadDer("public", data, rsa.RSAPublicKey, "RSA")


def _signaturePadding(algorithm, hashName, saltLength):
    if algorithm == "RSASSA-PKCS1-v1_5":
        return padding.PKCS1v15()
    if algorithm == "RSA-PSS":
        return padding.PSS(mgf=padding.MGF1(hashNamed(hashName)), salt_length=saltLength)
    raise notSupported("unknown RSA signature algorithm %r" % (algorithm,))


def sign(algorithm, key, hashName, saltLength, data):
    """
    An RSASSA-PKCS1-v1_5 or RSA-PSS signature of C{data}.

    @raise HostCallError: C{OperationError} when the key is too small for the hash
        and salt length.
    """
    pad = _signaturePadding(algorithm, hashName, saltLength)
    try:
        return key.sign(data, pad, hashNamed(hashName))
    except ValueError:
        raise operationError("%s signing failed: the key is too small for this hash and salt length" % (algorithm,))


def verify(algorithm, key, hashName, saltLength, signature, data):
    """
    Whether C{signature} is a valid signature of C{data}.
    """
    return verifies(key.verify, signature, data, _signaturePadding(algorithm, hashName, saltLength),
                    hashNamed(hashName))


def oaep(key, hashName, label, data, decrypt):
    """
    RSA-OAEP encryption (with a public key) or decryption (with a private key), with
    MGF1 and the key's hash.

    @raise HostCallError: C{OperationError} when the plaintext is too long for the
        key, or decryption fails.
    """
    algorithm = hashNamed(hashName)
    pad = padding.OAEP(mgf=padding.MGF1(algorithm), algorithm=algorithm, label=label or None)
    try:
        if decrypt:
            return key.decrypt(data, pad)
        return key.encrypt(data, pad)
    except ValueError:
        if decrypt:
            raise operationError("RSA-OAEP decryption failed")
        raise operationError("RSA-OAEP: the data is too long for this key and hash")

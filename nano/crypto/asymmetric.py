"""
What the asymmetric key families (L{nano.crypto.rsa}, L{nano.crypto.ec},
L{nano.crypto.okp}) share: the canonical DER their keys travel as (PKCS#8 for
private keys, SPKI for public keys), loading that DER back into a key of the
expected class, reading the algorithm of SPKI or PKCS#8 data being imported and
the members of a JWK being imported, the type check that ends an import, and a verification that answers whether a
signature is valid instead of raising.
"""

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization

from nano.crypto import der
from nano.crypto.common import dataError, unb64url

__all__ = ["privateDer", "publicDer", "parseDer", "loadDer", "derAlgorithm", "jwkMember", "canonical", "verifies"]


def privateDer(key):
    """
    The unencrypted PKCS#8 DER of a private key.
    """
    return key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def publicDer(key):
    """
    The SubjectPublicKeyInfo DER of a public key.
    """
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def parseDer(keyType, data, **options):
    """
    The key in PKCS#8 (C{keyType} C{"private"}) or SPKI (C{"public"}) DER, of
    whatever class it is; C{options} go to cryptography's loader of private keys.

    @raise ValueError: when cryptography cannot load it.
    """
    if keyType == "private":
        return serialization.load_der_private_key(data, None, **options)
    return serialization.load_der_public_key(data)


def loadDer(keyType, data, keyClass, name, **options):
    """
    A C{keyType} (C{"private"} or C{"public"}) key from the DER an import or a
    generation produced (PKCS#8 or SPKI); C{options} go to cryptography's loader of
    private keys.

    @raise HostCallError: C{DataError} ("not an NAME private key") when it is not
        a C{keyClass}.
    """
    key = parseDer(keyType, data, **options)
    if not isinstance(key, keyClass):
        raise dataError("not an %s %s key" % (name, keyType))
    return key


def derAlgorithm(format, data, oid, label, parameters=True):
    """
    What C{"spki"} or C{"pkcs8"} key data being imported holds, once its algorithm
    identifier is checked to be C{oid}: (key type, algorithm parameters as DER
    bytes or None, and for PKCS#8 the privateKey octets, else None).

    @param parameters: whether the identifier may carry parameters.
    @raise HostCallError: C{DataError} ("the SPKI is not an LABEL key", "the PKCS#8
        data is not an LABEL key") for another algorithm (or parameters where none
        may be), or when the data is not DER of that structure.
    """
    if format == "spki":
        found, params = der.spkiAlgorithm(data)
        keyType, inner, what = "public", None, "the SPKI"
    else:
        found, params, inner = der.pkcs8Algorithm(data)
        keyType, what = "private", "the PKCS#8 data"
    if found != oid or (not parameters and params is not None):
        raise dataError("%s is not an %s key" % (what, label))
    return keyType, params, inner


def jwkMember(jwk, name, family, size=None):
    """
    The bytes of the base64url member C{name} of a C{family} (C{"RSA"}, C{"EC"},
    C{"OKP"}) JWK being imported, which must be C{size} bytes long when C{size} is
    given.

    @raise HostCallError: C{DataError} when it is missing, not unpadded base64url
        text, or of another length.
    """
    value = jwk.get(name)
    if value is None:
        raise dataError("the %s JWK has no %r member" % (family, name))
    data = unb64url(value, name)
    if size is not None and len(data) != size:
        raise dataError("the %s JWK member %r must be %d bytes, got %d" % (family, name, size, len(data)))
    return data


def canonical(keyType, key, publicClass, privateClass, name):
    """
    The canonical DER of an imported C{keyType} key, once it is checked to be of
    the class that type needs.

    @raise HostCallError: C{DataError} ("the key data is not an NAME public key")
        otherwise.
    """
    if not isinstance(key, publicClass if keyType == "public" else privateClass):
        raise dataError("the key data is not an %s %s key" % (name, keyType))
    return publicDer(key) if keyType == "public" else privateDer(key)


def verifies(verify, *args):
    """
    Whether C{verify(*args)} (a cryptography key's C{verify}) accepts the
    signature: C{False} where it raises C{InvalidSignature} or C{ValueError}.
    """
    try:
        verify(*args)
    except (InvalidSignature, ValueError):
        return False
    return True

"""
Just enough DER to read which algorithm a SubjectPublicKeyInfo (RFC 5280) or a
PrivateKeyInfo (RFC 5208) is for, and the curve an ECPrivateKey (RFC 5915) names,
before the key is handed to cryptography's parser. WebCrypto requires specific
errors for a key of the wrong algorithm (C{DataError}) that a generic parser does not
distinguish.
"""

from nano.crypto.common import dataError

__all__ = [
    "OID_RSA",
    "OID_EC",
    "OID_ED25519",
    "OID_X25519",
    "CURVE_OIDS",
    "spkiAlgorithm",
    "pkcs8Algorithm",
    "ecPrivateKeyCurve",
    "encodeOid",
]

OID_RSA = "1.2.840.113549.1.1.1"
OID_EC = "1.2.840.10045.2.1"
OID_ED25519 = "1.3.101.112"
OID_X25519 = "1.3.101.110"
# WebCrypto curve names by the OID of their RFC 5480 namedCurve.
CURVE_OIDS = {
    "1.2.840.10045.3.1.7": "P-256",
    "1.3.132.0.34": "P-384",
    "1.3.132.0.35": "P-521",
}

_SEQUENCE = 0x30
_INTEGER = 0x02
_OCTET_STRING = 0x04
_BIT_STRING = 0x03
_OID = 0x06


class _Malformed(Exception):
    pass


def _read(data, at):
    """
    One TLV at C{data[at:]}: (tag, contents start, contents end). Definite lengths in
    their minimal form only (DER).
    """
    if at + 2 > len(data):
        raise _Malformed()
    tag = data[at]
    length = data[at + 1]
    at += 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or at + count > len(data) or data[at] == 0:
            raise _Malformed()
        length = int.from_bytes(data[at:at + count], "big")
        if length < 0x80:
            raise _Malformed()
        at += count
    if at + length > len(data):
        raise _Malformed()
    return tag, at, at + length


def _expect(data, at, tag):
    """
    (contents start, contents end) of the TLV at C{data[at:]}, which must have C{tag}.
    """
    found, start, end = _read(data, at)
    if found != tag:
        raise _Malformed()
    return start, end


def _versionedSequence(data):
    """
    The SEQUENCE that is all of C{data} and starts with an INTEGER (a version), as
    (where the field after the version starts, contents end).
    """
    start, end = _expect(data, 0, _SEQUENCE)
    if end != len(data):
        raise _Malformed()
    _, at = _expect(data, start, _INTEGER)
    return at, end


def _oidText(body):
    if not body or body[-1] & 0x80:
        raise _Malformed()
    parts = []
    value = 0
    for byte in body:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(value)
            value = 0
    first = min(parts[0] // 40, 2)
    return ".".join(str(p) for p in [first, parts[0] - first * 40] + parts[1:])


def encodeOid(text):
    """
    The DER encoding (tag and length included) of a dotted object identifier.
    """
    numbers = [int(p) for p in text.split(".")]
    body = bytearray()
    for number in [numbers[0] * 40 + numbers[1]] + numbers[2:]:
        chunk = [number & 0x7F]
        number >>= 7
        while number:
            chunk.append(0x80 | (number & 0x7F))
            number >>= 7
        body.extend(reversed(chunk))
    return bytes([_OID, len(body)]) + bytes(body)


def _algorithmIdentifier(data, at):
    """
    (OID text, parameters TLV bytes or None, end) of the AlgorithmIdentifier at C{at}.
    """
    start, end = _expect(data, at, _SEQUENCE)
    oidStart, oidEnd = _expect(data, start, _OID)
    params = data[oidEnd:end] if oidEnd < end else None
    if params is not None:
        _, _, paramsEnd = _read(data, oidEnd)
        if paramsEnd != end:
            raise _Malformed()
    return _oidText(data[oidStart:oidEnd]), params, end


def spkiAlgorithm(data):
    """
    The algorithm OID and its parameters (DER bytes, or None when absent) of a
    SubjectPublicKeyInfo.

    @raise HostCallError: C{DataError} when C{data} is not one DER SubjectPublicKeyInfo.
    """
    try:
        start, end = _expect(data, 0, _SEQUENCE)
        if end != len(data):
            raise _Malformed()
        oid, params, at = _algorithmIdentifier(data, start)
        _, keyEnd = _expect(data, at, _BIT_STRING)
        if keyEnd != end:
            raise _Malformed()
        return oid, params
    except _Malformed:
        raise dataError("the key data is not a DER SubjectPublicKeyInfo")


def pkcs8Algorithm(data):
    """
    The algorithm OID, its parameters (DER bytes or None) and the privateKey octets of
    a PrivateKeyInfo.

    @raise HostCallError: C{DataError} when C{data} is not one DER PrivateKeyInfo.
    """
    try:
        at, _ = _versionedSequence(data)
        oid, params, at = _algorithmIdentifier(data, at)
        keyStart, keyEnd = _expect(data, at, _OCTET_STRING)
        return oid, params, data[keyStart:keyEnd]
    except _Malformed:
        raise dataError("the key data is not a DER PrivateKeyInfo")


def ecPrivateKeyCurve(data):
    """
    The parameters of an ECPrivateKey (the DER bytes of its [0] field), or None when
    the field is absent.

    @raise HostCallError: C{DataError} when C{data} is not a DER ECPrivateKey.
    """
    try:
        at, end = _versionedSequence(data)
        _, at = _expect(data, at, _OCTET_STRING)
        while at < end:
            tag, fieldStart, fieldEnd = _read(data, at)
            if tag == 0xA0:
                return data[fieldStart:fieldEnd]
            at = fieldEnd
        return None
    except _Malformed:
        raise dataError("the key data is not a DER ECPrivateKey")

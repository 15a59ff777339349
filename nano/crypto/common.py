"""
What every WebCrypto operation family shares: the errors JS sees, the hash table,
base64/base64url codecs, and readers for the arguments JS sends.

Every failure an operation can meet is raised as a L{HostCallError} whose name is the
error the Web Cryptography API requires (C{"OperationError"}, C{"DataError"},
C{"NotSupportedError"}, C{"InvalidAccessError"}, C{"SyntaxError"}) or C{"TypeError"}
for arguments the JS side should never have sent; JS turns it into a C{DOMException}
(or C{TypeError}). No Python exception text reaches JS.
"""

import base64
import binascii
import re

from cryptography.hazmat.primitives import hashes

from nano.isolate.hostcalls import HostCallError

__all__ = [
    "HASHES",
    "b64",
    "unb64",
    "b64url",
    "unb64url",
    "dataError",
    "hashNamed",
    "intBytes",
    "notSupported",
    "operationError",
    "invalidAccess",
    "arg",
    "optional",
]

_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")

# The WebCrypto digest names and their cryptography hash classes; MD5 beyond the spec,
# as Cloudflare Workers offer it (digest, HMAC, HKDF, PBKDF2, RSA), for legacy checksums
# and signatures.
HASHES = {
    "MD5": hashes.MD5,
    "SHA-1": hashes.SHA1,
    "SHA-256": hashes.SHA256,
    "SHA-384": hashes.SHA384,
    "SHA-512": hashes.SHA512,
}


def operationError(message):
    """
    The error for an operation that failed for an operation-specific reason.
    """
    return HostCallError("OperationError", message)


def dataError(message):
    """
    The error for key data or input that does not meet the requirements.
    """
    return HostCallError("DataError", message)


def notSupported(message):
    """
    The error for an algorithm, curve or format NANO does not implement.
    """
    return HostCallError("NotSupportedError", message)


def invalidAccess(message):
    """
    The error for an operation that is not valid for the given key.
    """
    return HostCallError("InvalidAccessError", message)


def hashNamed(name):
    """
    A fresh cryptography hash object for a WebCrypto digest name.

    @raise HostCallError: C{NotSupportedError} for any other name.
    """
    cls = HASHES.get(name)
    if cls is None:
        raise notSupported("unsupported hash algorithm %r" % (name,))
    return cls()


def b64(data):
    """
    Standard base64 text for bytes (what C{nano.base64ToBytes} reads).
    """
    return base64.b64encode(data).decode("ascii")


def unb64(text, what="data"):
    """
    Bytes from standard base64 text sent by JS.

    @raise HostCallError: C{TypeError} when C{text} is not base64 text.
    """
    if not isinstance(text, str):
        raise HostCallError("TypeError", "%s: expected base64 text" % (what,))
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise HostCallError("TypeError", "%s: expected base64 text" % (what,))


def b64url(data):
    """
    Unpadded base64url text, as JSON Web Keys carry binary members.
    """
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text, what):
    """
    Bytes from a JWK member in unpadded base64url (RFC 7515 section 2; the JS side
    holds symmetric JWK members to the same rule).

    @raise HostCallError: C{DataError} when C{text} is not unpadded base64url text.
    """
    if not isinstance(text, str) or not _BASE64URL.fullmatch(text) or len(text) % 4 == 1:
        raise dataError("JWK member %r is not unpadded base64url text" % (what,))
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise dataError("JWK member %r is not base64url text" % (what,))


def intBytes(value, length=None):
    """
    The big-endian bytes of a non-negative integer: minimal (at least one byte), or
    exactly C{length} bytes.
    """
    if length is None:
        length = max(1, (value.bit_length() + 7) // 8)
    return value.to_bytes(length, "big")


def arg(args, index, kind, what):
    """
    Argument C{index} of a call, checked to be an instance of C{kind}.

    @raise HostCallError: C{TypeError} when it is missing or of another type.
    """
    if index >= len(args) or not isinstance(args[index], kind) or (
            kind is int and isinstance(args[index], bool)):
        raise HostCallError("TypeError", "%s: missing or of the wrong type" % (what,))
    return args[index]


def optional(mapping, key, kind, what):
    """
    C{mapping[key]} checked to be an instance of C{kind}, or None when absent.

    @raise HostCallError: C{TypeError} when present with another type.
    """
    value = mapping.get(key)
    if value is None:
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise HostCallError("TypeError", "%s: of the wrong type" % (what,))
    return value

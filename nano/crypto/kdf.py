"""
HKDF (RFC 5869) and PBKDF2 (RFC 8018) key derivation, as the Web Cryptography API's
"HKDF" and "PBKDF2" deriveBits operations.

Spec: https://w3c.github.io/webcrypto/#hkdf and https://w3c.github.io/webcrypto/#pbkdf2
"""

from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from nano.crypto.common import hashNamed, notSupported, operationError

__all__ = ["MAX_PBKDF2_ITERATIONS", "hkdf", "pbkdf2", "pbkdf2Cost"]

MAX_PBKDF2_ITERATIONS = 100000


def hkdf(hashName, key, salt, info, length):
    """
    C{length} bytes of HKDF extract-then-expand output.

    @raise HostCallError: C{OperationError} when C{length} exceeds 255 hash lengths,
        C{NotSupportedError} for an unknown hash.
    """
    algorithm = hashNamed(hashName)
    if length == 0:
        return b""
    if length > 255 * algorithm.digest_size:
        raise operationError("HKDF cannot derive more than %d bytes with %s" % (
            255 * algorithm.digest_size, hashName))
    return HKDF(algorithm=algorithm, length=length, salt=salt, info=info).derive(key)


def pbkdf2(hashName, key, salt, iterations, length):
    """
    C{length} bytes of PBKDF2-HMAC output.

    @raise HostCallError: C{OperationError} when C{iterations} is zero,
        C{NotSupportedError} for an unknown hash or more than
        L{MAX_PBKDF2_ITERATIONS} iterations (Cloudflare Workers' limit: a derivation
        runs in a thread shared by every app and cannot be interrupted).
    """
    algorithm = hashNamed(hashName)
    if iterations <= 0:
        raise operationError("PBKDF2 needs at least one iteration")
    if iterations > MAX_PBKDF2_ITERATIONS:
        raise notSupported("PBKDF2 iteration counts above %d are not supported (requested %d)" % (
            MAX_PBKDF2_ITERATIONS, iterations))
    if length == 0:
        return b""
    return PBKDF2HMAC(algorithm=algorithm, length=length, salt=salt, iterations=iterations).derive(key)


def pbkdf2Cost(hashName, iterations, length):
    """
    The number of HMAC computations a PBKDF2 derivation costs (to decide whether it
    is cheap enough to run on the reactor thread).
    """
    size = hashNamed(hashName).digest_size
    return iterations * max(1, (length + size - 1) // size)

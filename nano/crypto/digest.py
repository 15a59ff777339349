"""
SHA digests and HMAC (Web Cryptography API sections "SHA" and "HMAC"), and MD5 beside
them, which Cloudflare Workers offer beyond the spec (legacy checksums: ETags, Gravatar
URLs, Content-MD5; HMAC-MD5 signatures).

Spec: https://w3c.github.io/webcrypto/#sha and https://w3c.github.io/webcrypto/#hmac
"""

import hashlib
import hmac

from nano.crypto.common import hashNamed

__all__ = ["digest", "hmacSign", "hmacVerify"]


def _hashlibName(name):
    # cryptography's hash names ("sha256", "md5", ...) are hashlib's.
    return hashNamed(name).name


def digest(name, data):
    """
    The digest of C{data} with the WebCrypto hash C{name} (C{"SHA-256"}, ...) or
    C{"MD5"}.

    @raise HostCallError: C{NotSupportedError} for an unknown hash.
    """
    return hashlib.new(_hashlibName(name), data).digest()


def hmacSign(name, key, data):
    """
    The HMAC of C{data} under C{key} with the hash C{name}.
    """
    return hmac.new(key, data, _hashlibName(name)).digest()


def hmacVerify(name, key, signature, data):
    """
    Whether C{signature} is the HMAC of C{data} under C{key} (compared in constant
    time; a signature of the wrong length is simply not valid).
    """
    return hmac.compare_digest(hmacSign(name, key, data), signature)

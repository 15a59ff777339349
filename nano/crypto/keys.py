"""
Loading asymmetric keys for an operation: the DER the JS side holds (in a CryptoKey's
private state) is parsed into a cryptography key object, with a small cache.

Where keys live, and why: a CryptoKey's key material stays in its isolate, in a
closure user code cannot reach, and every operation sends it along (base64 DER).
Python keeps no per-isolate key table, so there is nothing to free when an isolate
closes or drops a key, and no key id one isolate could guess from another. What
sending costs was measured (C{python bench/subtle_roundtrip.py}, one sign plus one
verify, two host calls, best of 3 runs on the shared 2-core machine): a bare host
call is ~100 us; ECDSA P-256 is 295 us with the DER sent and 290 us with the key
found by an id in Python; RSA-2048 (1.2 KB PKCS#8) 500 us and 505 us: carrying the
material is within the noise. Parsing is what costs: without a cache the same pairs
take 370 us and 840 us (a fresh RSA key object is slow on its first use, and parsing
an RSA private key with its consistency check takes ~38 ms). So the DER an import
produced is parsed once fully (at import); later parses skip that check, and a
per-app least-recently-used cache keeps the parsed objects, keyed by the DER text
itself (one app's cache can only answer with a key that app sent).
"""

import collections

from cryptography.exceptions import UnsupportedAlgorithm

from nano.crypto import ec, okp, rsa
from nano.crypto.common import operationError, unb64
from nano.isolate.hostcalls import HostCallError

__all__ = ["KeyCache", "KINDS"]

# The asymmetric key kinds the JS side names, and their loaders by key type.
KINDS = {
    "RSA": {"private": rsa.loadPrivate, "public": rsa.loadPublic},
    "EC": {"private": ec.loadPrivate, "public": ec.loadPublic},
    "Ed25519": {"private": lambda d: okp.loadPrivate("Ed25519", d),
                "public": lambda d: okp.loadPublic("Ed25519", d)},
    "X25519": {"private": lambda d: okp.loadPrivate("X25519", d),
               "public": lambda d: okp.loadPublic("X25519", d)},
}


class KeyCache:
    """
    Parsed keys by (kind, type, base64 DER), least recently used dropped first.
    Used on the reactor thread only.

    @param size: how many keys to keep.
    """

    def __init__(self, size=256):
        self._size = size
        self._keys = collections.OrderedDict()

    def __len__(self):
        return len(self._keys)

    def load(self, kind, keyType, text):
        """
        The key object for the base64 DER C{text} of a C{keyType} (C{"public"} or
        C{"private"}) key of C{kind} (C{"RSA"}, C{"EC"}, C{"Ed25519"}, C{"X25519"}).

        @raise HostCallError: C{OperationError} when the material cannot be used (it
            is not what an import produced), C{TypeError} for an unknown kind.
        """
        cacheKey = (kind, keyType, text)
        key = self._keys.get(cacheKey)
        if key is not None:
            self._keys.move_to_end(cacheKey)
            return key
        loaders = KINDS.get(kind)
        loader = loaders.get(keyType) if loaders is not None else None
        if loader is None:
            raise operationError("unknown key kind %r/%r" % (kind, keyType))
        data = unb64(text, "key")
        try:
            key = loader(data)
        except (ValueError, TypeError, UnsupportedAlgorithm, HostCallError):
            raise operationError("the key material cannot be used")
        self._keys[cacheKey] = key
        if len(self._keys) > self._size:
            self._keys.popitem(last=False)
        return key

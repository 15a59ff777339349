"""
Tests for L{nano.crypto.keys}: the parsed-key cache.
"""

import base64

from twisted.trial.unittest import SynchronousTestCase

from nano.crypto import ec, okp
from nano.crypto.keys import KeyCache
from nano.isolate.hostcalls import HostCallError


def _text(data):
    return base64.b64encode(data).decode()


class KeyCacheTests(SynchronousTestCase):
    """
    L{KeyCache} parses each key once and keeps the most recently used ones.
    """

    def test_cached(self):
        """
        Loading the same DER twice gives the same object.
        """
        cache = KeyCache()
        private, public, _ = ec.generate("P-256")
        first = cache.load("EC", "private", _text(private))
        self.assertIs(cache.load("EC", "private", _text(private)), first)
        self.assertIsNot(cache.load("EC", "public", _text(public)), first)
        self.assertEqual(len(cache), 2)

    def test_evicts(self):
        """
        Beyond its size the least recently used key is dropped.
        """
        cache = KeyCache(size=2)
        keys = [_text(okp.generate("Ed25519")[0]) for _ in range(3)]
        a = cache.load("Ed25519", "private", keys[0])
        cache.load("Ed25519", "private", keys[1])
        self.assertIs(cache.load("Ed25519", "private", keys[0]), a)
        cache.load("Ed25519", "private", keys[2])
        self.assertEqual(len(cache), 2)
        self.assertIs(cache.load("Ed25519", "private", keys[0]), a)
        self.assertIsNot(cache.load("Ed25519", "private", keys[1]), None)

    def test_unusable(self):
        """
        Material that is not a key of that kind, or an unknown kind, is an
        OperationError; text that is not base64 is a TypeError.
        """
        cache = KeyCache()
        private = _text(okp.generate("X25519")[0])
        for kind, keyType, text in [("Ed25519", "private", private), ("EC", "public", private),
                                    ("DSA", "private", private), ("EC", "secret", private)]:
            error = self.assertRaises(HostCallError, cache.load, kind, keyType, text)
            self.assertEqual(error.name, "OperationError")
        error = self.assertRaises(HostCallError, cache.load, "EC", "private", "!!")
        self.assertEqual(error.name, "TypeError")

"""
Tests for L{nano.crypto.common}.
"""

from twisted.trial.unittest import SynchronousTestCase

from nano.crypto.common import arg, b64url, hashNamed, intBytes, optional, unb64, unb64url
from nano.isolate.hostcalls import HostCallError


class CodecTests(SynchronousTestCase):
    """
    The base64 and integer helpers.
    """

    def test_b64url(self):
        """
        base64url is unpadded and round-trips.
        """
        self.assertEqual(b64url(b"\xfb\xff"), "-_8")
        self.assertEqual(unb64url("-_8", "k"), b"\xfb\xff")
        self.assertEqual(unb64url("", "k"), b"")

    def test_b64urlErrors(self):
        """
        The standard alphabet, impossible lengths, padding and non-ASCII are
        DataErrors naming the member.
        """
        for bad in ["+/8", "A", "AB=C", "-_8=", "é", 5, " AAA", "AA AA", "AAAA\n"]:
            error = self.assertRaises(HostCallError, unb64url, bad, "k")
            self.assertEqual(error.name, "DataError")
            self.assertIn("'k'", error.message)

    def test_unb64(self):
        """
        Standard base64 from JS; anything else is a TypeError.
        """
        self.assertEqual(unb64("AP8="), b"\x00\xff")
        for bad in ["AP8", "!!!!", None]:
            self.assertEqual(self.assertRaises(HostCallError, unb64, bad).name, "TypeError")

    def test_intBytes(self):
        """
        Minimal big-endian bytes (one byte for zero), or a fixed length.
        """
        self.assertEqual(intBytes(0), b"\x00")
        self.assertEqual(intBytes(65537), b"\x01\x00\x01")
        self.assertEqual(intBytes(1, 4), b"\x00\x00\x00\x01")

    def test_hashNamed(self):
        """
        The four WebCrypto hashes; anything else is a NotSupportedError.
        """
        self.assertEqual(hashNamed("SHA-384").name, "sha384")
        self.assertEqual(self.assertRaises(HostCallError, hashNamed, "sha-256").name, "NotSupportedError")


class ArgumentTests(SynchronousTestCase):
    """
    L{arg} and L{optional} check what JS sent.
    """

    def test_arg(self):
        """
        A present argument of the right type is returned; a missing one, or one of
        another type (a bool is not an int), is a TypeError.
        """
        self.assertEqual(arg([1, "a"], 1, str, "x"), "a")
        for args, index, kind in [([], 0, str), ([1], 0, str), ([True], 0, int)]:
            self.assertEqual(self.assertRaises(HostCallError, arg, args, index, kind, "x").name, "TypeError")

    def test_optional(self):
        """
        An absent or null member is None; a member of another type is a TypeError.
        """
        self.assertIsNone(optional({}, "a", int, "a"))
        self.assertIsNone(optional({"a": None}, "a", int, "a"))
        self.assertEqual(optional({"a": 3}, "a", int, "a"), 3)
        self.assertEqual(self.assertRaises(HostCallError, optional, {"a": "3"}, "a", int, "a").name, "TypeError")

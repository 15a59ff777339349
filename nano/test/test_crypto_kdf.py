"""
Tests for L{nano.crypto.kdf} against RFC 5869 (HKDF) and RFC 6070 (PBKDF2-HMAC-SHA1).
"""

from twisted.trial.unittest import SynchronousTestCase

from nano.crypto.kdf import MAX_PBKDF2_ITERATIONS, hkdf, pbkdf2, pbkdf2Cost
from nano.isolate.hostcalls import HostCallError


class HkdfTests(SynchronousTestCase):
    """
    L{hkdf}: extract-then-expand.
    """

    def test_rfc5869(self):
        """
        RFC 5869 test case 1 (SHA-256, 42 bytes).
        """
        okm = hkdf("SHA-256", b"\x0b" * 22, bytes.fromhex("000102030405060708090a0b0c"),
                   bytes.fromhex("f0f1f2f3f4f5f6f7f8f9"), 42)
        self.assertEqual(okm.hex(), "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
                                    "34007208d5b887185865")

    def test_emptySalt(self):
        """
        RFC 5869 test case 3: an empty salt and info.
        """
        okm = hkdf("SHA-256", b"\x0b" * 22, b"", b"", 42)
        self.assertEqual(okm.hex(), "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
                                    "9d201395faa4b61a96c8")

    def test_lengths(self):
        """
        Zero bytes is empty; more than 255 hash lengths is an OperationError.
        """
        self.assertEqual(hkdf("SHA-1", b"k", b"", b"", 0), b"")
        self.assertEqual(len(hkdf("SHA-1", b"k", b"", b"", 255 * 20)), 255 * 20)
        error = self.assertRaises(HostCallError, hkdf, "SHA-1", b"k", b"", b"", 255 * 20 + 1)
        self.assertEqual(error.name, "OperationError")

    def test_unknownHash(self):
        """
        An unknown hash is a NotSupportedError.
        """
        error = self.assertRaises(HostCallError, hkdf, "SHA-224", b"k", b"", b"", 16)
        self.assertEqual(error.name, "NotSupportedError")


class Pbkdf2Tests(SynchronousTestCase):
    """
    L{pbkdf2}.
    """

    def test_rfc6070(self):
        """
        RFC 6070 test vectors 1 to 3.
        """
        for iterations, expected in [(1, "0c60c80f961f0e71f3a9b524af6012062fe037a6"),
                                     (2, "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"),
                                     (4096, "4b007901b765489abead49d926f721d065a429c1")]:
            self.assertEqual(pbkdf2("SHA-1", b"password", b"salt", iterations, 20).hex(), expected)

    def test_errors(self):
        """
        Zero iterations is an OperationError, more than the limit a
        NotSupportedError; zero bytes is empty.
        """
        error = self.assertRaises(HostCallError, pbkdf2, "SHA-256", b"p", b"s", 0, 32)
        self.assertEqual(error.name, "OperationError")
        error = self.assertRaises(HostCallError, pbkdf2, "SHA-256", b"p", b"s", MAX_PBKDF2_ITERATIONS + 1, 32)
        self.assertEqual(error.name, "NotSupportedError")
        self.assertEqual(pbkdf2("SHA-256", b"p", b"s", 1, 0), b"")

    def test_cost(self):
        """
        The cost counts one HMAC per iteration per output block.
        """
        self.assertEqual(pbkdf2Cost("SHA-256", 1000, 32), 1000)
        self.assertEqual(pbkdf2Cost("SHA-256", 1000, 33), 2000)
        self.assertEqual(pbkdf2Cost("SHA-1", 10, 0), 10)

"""
Tests for L{nano.crypto.digest}: SHA digests and HMAC against published vectors.
"""

from twisted.trial.unittest import SynchronousTestCase

from nano.crypto.digest import digest, hmacSign, hmacVerify
from nano.isolate.hostcalls import HostCallError

# FIPS 180-2 appendix examples: the digests of "abc".
ABC = {
    "SHA-1": "a9993e364706816aba3e25717850c26c9cd0d89d",
    "SHA-256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    "SHA-384": "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
               "8086072ba1e7cc2358baeca134c825a7",
    "SHA-512": "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
               "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
}

# RFC 2104 (MD5), RFC 2202 / RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
JEFE = {
    "MD5": "750c783e6ab0b503eaa86e310a5db738",
    "SHA-1": "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
    "SHA-256": "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    "SHA-384": "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
               "8e2240ca5e69e2c78b3239ecfab21649",
    "SHA-512": "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
               "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
}


class DigestTests(SynchronousTestCase):
    """
    L{digest} computes the WebCrypto SHA digests.
    """

    def test_vectors(self):
        """
        Each hash gives the FIPS 180 digest of "abc".
        """
        for name, expected in ABC.items():
            self.assertEqual(digest(name, b"abc").hex(), expected, name)

    def test_md5(self):
        """
        MD5, which Cloudflare Workers offer beyond the spec, gives the RFC 1321 digests.
        """
        self.assertEqual(digest("MD5", b"").hex(), "d41d8cd98f00b204e9800998ecf8427e")
        self.assertEqual(digest("MD5", b"abc").hex(), "900150983cd24fb0d6963f7d28e17f72")

    def test_unknown(self):
        """
        Another name (names are exact here: JS normalizes them) is a NotSupportedError.
        """
        for name in ("MD4", "SHA-224", "md5"):
            error = self.assertRaises(HostCallError, digest, name, b"")
            self.assertEqual(error.name, "NotSupportedError")


class HmacTests(SynchronousTestCase):
    """
    L{hmacSign} and L{hmacVerify}.
    """

    def test_vectors(self):
        """
        Each hash gives the RFC 2202 / RFC 4231 MAC of test case 2.
        """
        for name, expected in JEFE.items():
            self.assertEqual(hmacSign(name, b"Jefe", b"what do ya want for nothing?").hex(), expected, name)

    def test_verify(self):
        """
        A MAC verifies; a changed, truncated or longer one does not.
        """
        mac = bytes.fromhex(JEFE["SHA-256"])
        data = b"what do ya want for nothing?"
        self.assertTrue(hmacVerify("SHA-256", b"Jefe", mac, data))
        self.assertFalse(hmacVerify("SHA-256", b"Jefe", bytes([mac[0] ^ 1]) + mac[1:], data))
        self.assertFalse(hmacVerify("SHA-256", b"Jefe", mac[:-1], data))
        self.assertFalse(hmacVerify("SHA-256", b"Jefe", mac + b"\x00", data))
        self.assertFalse(hmacVerify("SHA-256", b"Jefe", mac, data + b"!"))

    def test_unknown(self):
        """
        An unknown hash is a NotSupportedError.
        """
        error = self.assertRaises(HostCallError, hmacSign, "SHA-3", b"k", b"")
        self.assertEqual(error.name, "NotSupportedError")

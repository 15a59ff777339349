"""
Tests for L{nano.crypto.rsa}: keys and operations, checked against cryptography's own
RSA (signatures and ciphertexts are randomized, so known answers are cross-checks).
"""

import base64

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa as crsa
from twisted.trial.unittest import SynchronousTestCase

from nano.crypto import rsa
from nano.isolate.hostcalls import HostCallError

_KEY = crsa.generate_private_key(65537, 1024)
_PKCS8 = _KEY.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
_SPKI = _KEY.public_key().public_bytes(serialization.Encoding.DER,
                                       serialization.PublicFormat.SubjectPublicKeyInfo)


def _b64url(n):
    data = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class KeyTests(SynchronousTestCase):
    """
    Generating, importing and exporting RSA keys.
    """

    def assertError(self, name, fn, *args):
        error = self.assertRaises(HostCallError, fn, *args)
        self.assertEqual(error.name, name)
        return error

    def test_generate(self):
        """
        A generated pair is canonical PKCS#8 and SPKI of the requested size and
        exponent.
        """
        private, public, info = rsa.generate(1024, 3)
        key = serialization.load_der_private_key(private, None)
        self.assertEqual(key.key_size, 1024)
        self.assertEqual(key.public_key().public_numbers().e, 3)
        self.assertEqual(serialization.load_der_public_key(public).public_numbers(), key.public_key().public_numbers())
        self.assertEqual(info, {"modulusLength": 1024, "publicExponent": "Aw=="})

    def test_generateErrors(self):
        """
        Exponents other than 3 and 65537, and moduli cryptography refuses or above
        the limit, are OperationErrors.
        """
        self.assertError("OperationError", rsa.generate, 1024, 1)
        self.assertError("OperationError", rsa.generate, 1024, 65536)
        self.assertError("OperationError", rsa.generate, 256, 65537)
        self.assertError("OperationError", rsa.generate, rsa.MAX_MODULUS + 8, 65537)

    def test_importDer(self):
        """
        SPKI and PKCS#8 import to their canonical form with the key's size and
        exponent.
        """
        self.assertEqual(rsa.importKey("spki", _SPKI), ("public", _SPKI, {"modulusLength": 1024,
                                                                          "publicExponent": "AQAB"}))
        self.assertEqual(rsa.importKey("pkcs8", _PKCS8)[:2], ("private", _PKCS8))

    def test_importWrongKind(self):
        """
        An EC key, the other structure, garbage, and other formats are refused.
        """
        other = ec.generate_private_key(ec.SECP256R1())
        otherSpki = other.public_key().public_bytes(serialization.Encoding.DER,
                                                    serialization.PublicFormat.SubjectPublicKeyInfo)
        self.assertError("DataError", rsa.importKey, "spki", otherSpki)
        self.assertError("DataError", rsa.importKey, "spki", _PKCS8)
        self.assertError("DataError", rsa.importKey, "pkcs8", _SPKI)
        self.assertError("DataError", rsa.importKey, "pkcs8", b"\x30\x03\x02\x01\x00")
        self.assertError("NotSupportedError", rsa.importKey, "raw", _SPKI)

    def test_jwkRoundTrip(self):
        """
        A key exported as JWK members imports back to the same key, public and
        private.
        """
        members = rsa.exportJwk(_KEY)
        self.assertEqual(sorted(members), ["d", "dp", "dq", "e", "n", "p", "q", "qi"])
        self.assertEqual(rsa.importKey("jwk", members)[:2], ("private", _PKCS8))
        public = rsa.exportJwk(_KEY.public_key())
        self.assertEqual(public, {"n": members["n"], "e": "AQAB"})
        self.assertEqual(rsa.importKey("jwk", public)[:2], ("public", _SPKI))

    def test_jwkWithoutPrimes(self):
        """
        A private JWK with only n, e and d imports (the primes are recovered).
        """
        members = rsa.exportJwk(_KEY)
        short = {"n": members["n"], "e": members["e"], "d": members["d"]}
        self.assertEqual(rsa.importKey("jwk", short)[:2], ("private", _PKCS8))

    def test_jwkErrors(self):
        """
        Missing or malformed members, some but not all CRT members, and
        inconsistent values are DataErrors; other primes are NotSupportedError.
        """
        members = rsa.exportJwk(_KEY)
        numbers = _KEY.private_numbers()
        for bad in [
            {"e": "AQAB"},
            {"n": members["n"]},
            {"n": "not base64!", "e": "AQAB"},
            dict(members, qi=None, dq=None),
            dict(members, p=_b64url(numbers.p + 2)),
            dict(members, d=_b64url(numbers.d + 2), p=None, q=None, dp=None, dq=None, qi=None),
        ]:
            self.assertError("DataError", rsa.importKey, "jwk", {k: v for k, v in bad.items() if v is not None})
        self.assertError("NotSupportedError", rsa.importKey, "jwk", dict(members, oth=1))


class OperationTests(SynchronousTestCase):
    """
    RSASSA-PKCS1-v1_5, RSA-PSS and RSA-OAEP.
    """

    def test_pkcs1(self):
        """
        A PKCS#1 v1.5 signature verifies with cryptography and with L{rsa.verify};
        altered data or signature does not.
        """
        signature = rsa.sign("RSASSA-PKCS1-v1_5", _KEY, "SHA-256", 0, b"data")
        _KEY.public_key().verify(signature, b"data", padding.PKCS1v15(), hashes.SHA256())
        public = rsa.loadPublic(_SPKI)
        self.assertTrue(rsa.verify("RSASSA-PKCS1-v1_5", public, "SHA-256", 0, signature, b"data"))
        self.assertFalse(rsa.verify("RSASSA-PKCS1-v1_5", public, "SHA-256", 0, signature, b"datb"))
        self.assertFalse(rsa.verify("RSASSA-PKCS1-v1_5", public, "SHA-1", 0, signature, b"data"))
        self.assertFalse(rsa.verify("RSASSA-PKCS1-v1_5", public, "SHA-256", 0, signature[:-1], b"data"))

    def test_pss(self):
        """
        A PSS signature verifies only with its salt length; a salt too long for the
        key is an OperationError.
        """
        signature = rsa.sign("RSA-PSS", _KEY, "SHA-384", 20, b"data")
        _KEY.public_key().verify(signature, b"data", padding.PSS(padding.MGF1(hashes.SHA384()), 20), hashes.SHA384())
        public = rsa.loadPublic(_SPKI)
        self.assertTrue(rsa.verify("RSA-PSS", public, "SHA-384", 20, signature, b"data"))
        self.assertFalse(rsa.verify("RSA-PSS", public, "SHA-384", 21, signature, b"data"))
        error = self.assertRaises(HostCallError, rsa.sign, "RSA-PSS", _KEY, "SHA-512", 100, b"data")
        self.assertEqual(error.name, "OperationError")

    def test_oaep(self):
        """
        OAEP ciphertexts decrypt both ways with cryptography, with a label.
        """
        public = rsa.loadPublic(_SPKI)
        pad = padding.OAEP(padding.MGF1(hashes.SHA256()), hashes.SHA256(), b"label")
        ciphertext = rsa.oaep(public, "SHA-256", b"label", b"secret", False)
        self.assertEqual(_KEY.decrypt(ciphertext, pad), b"secret")
        other = _KEY.public_key().encrypt(b"secret", pad)
        self.assertEqual(rsa.oaep(_KEY, "SHA-256", b"label", other, True), b"secret")
        empty = rsa.oaep(public, "SHA-1", b"", b"", False)
        self.assertEqual(rsa.oaep(_KEY, "SHA-1", b"", empty, True), b"")

    def test_oaepErrors(self):
        """
        Too much plaintext, a wrong label and garbage are OperationErrors.
        """
        public = rsa.loadPublic(_SPKI)
        ciphertext = rsa.oaep(public, "SHA-256", b"a", b"secret", False)
        for key, label, data, decrypt in [(public, b"", bytes(100), False), (_KEY, b"b", ciphertext, True),
                                          (_KEY, b"a", bytes(128), True)]:
            error = self.assertRaises(HostCallError, rsa.oaep, key, "SHA-256", label, data, decrypt)
            self.assertEqual(error.name, "OperationError")

    def test_loaders(self):
        """
        The loaders refuse keys of another kind.
        """
        p256 = ec.generate_private_key(ec.SECP256R1())
        pkcs8 = p256.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                   serialization.NoEncryption())
        self.assertRaises(HostCallError, rsa.loadPrivate, pkcs8)
        self.assertIsInstance(rsa.loadPrivate(_PKCS8), crsa.RSAPrivateKey)

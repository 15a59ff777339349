"""
Tests for L{nano.crypto.ec}: EC keys, ECDSA (RFC 6979 vectors) and ECDH (RFC 5903).
"""

import base64

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec as cec, ed25519
from twisted.trial.unittest import SynchronousTestCase

from nano.crypto import der, ec
from nano.isolate.hostcalls import HostCallError

# RFC 6979 A.2.5: the P-256 key, and its SHA-256 signature of "sample".
RFC6979_X = 0xC9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721
RFC6979_UX = 0x60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6
RFC6979_UY = 0x7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299
RFC6979_SIG = ("efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716"
               "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8")

# RFC 5903 section 8.1: P-256 ECDH.
RFC5903_I = 0xC88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433
RFC5903_GRX = 0xD12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63
RFC5903_GRY = 0x56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB
RFC5903_SHARED = "d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de"


def _b64url(n, size):
    return base64.urlsafe_b64encode(n.to_bytes(size, "big")).rstrip(b"=").decode()


def _rfc6979Key():
    public = cec.EllipticCurvePublicNumbers(RFC6979_UX, RFC6979_UY, cec.SECP256R1())
    return cec.EllipticCurvePrivateNumbers(RFC6979_X, public).private_key()


def _der(key):
    if isinstance(key, cec.EllipticCurvePrivateKey):
        return key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


class KeyTests(SynchronousTestCase):
    """
    Generating, importing and exporting EC keys.
    """

    def assertError(self, name, fn, *args):
        error = self.assertRaises(HostCallError, fn, *args)
        self.assertEqual(error.name, name)

    def test_generate(self):
        """
        Each curve generates a canonical pair on that curve; other curves are
        NotSupportedError.
        """
        for name in ("P-256", "P-384", "P-521"):
            private, public, info = ec.generate(name)
            self.assertEqual(info, {"namedCurve": name})
            self.assertEqual(ec.curveOf(ec.loadPrivate(private)), name)
            self.assertEqual(ec.curveOf(ec.loadPublic(public)), name)
        self.assertError("NotSupportedError", ec.generate, "P-192")

    def test_importFormats(self):
        """
        SPKI, PKCS#8, raw points (uncompressed and compressed) and JWK import to the
        same canonical DER.
        """
        key = _rfc6979Key()
        spki, pkcs8 = _der(key.public_key()), _der(key)
        self.assertEqual(ec.importKey("spki", spki, "P-256"), ("public", spki, {"namedCurve": "P-256"}))
        self.assertEqual(ec.importKey("pkcs8", pkcs8, "P-256"), ("private", pkcs8, {"namedCurve": "P-256"}))
        raw = ec.exportRaw(key.public_key())
        self.assertEqual(raw[0], 4)
        self.assertEqual(ec.importKey("raw", raw, "P-256")[1], spki)
        compressed = key.public_key().public_bytes(serialization.Encoding.X962,
                                                   serialization.PublicFormat.CompressedPoint)
        self.assertEqual(ec.importKey("raw", compressed, "P-256")[1], spki)
        jwk = ec.exportJwk(key)
        self.assertEqual(jwk, {"crv": "P-256", "x": _b64url(RFC6979_UX, 32), "y": _b64url(RFC6979_UY, 32),
                               "d": _b64url(RFC6979_X, 32)})
        self.assertEqual(ec.importKey("jwk", jwk, "P-256")[:2], ("private", pkcs8))
        self.assertEqual(ec.importKey("jwk", ec.exportJwk(key.public_key()), "P-256")[:2], ("public", spki))

    def test_p521Sizes(self):
        """
        P-521 JWK coordinates are 66 bytes.
        """
        private, _, _ = ec.generate("P-521")
        jwk = ec.exportJwk(ec.loadPrivate(private))
        for name in ("x", "y", "d"):
            self.assertEqual(len(base64.urlsafe_b64decode(jwk[name] + "==")), 66)

    def test_importErrors(self):
        """
        Keys on another curve than asked, other algorithms, bad points and bad JWKs
        are DataErrors.
        """
        key = _rfc6979Key()
        spki, pkcs8 = _der(key.public_key()), _der(key)
        edSpki = ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        jwk = ec.exportJwk(key)
        for args in [
            ("spki", spki, "P-384"), ("pkcs8", pkcs8, "P-521"), ("spki", edSpki, "P-256"),
            ("spki", spki, "P-999"), ("raw", b"\x04" + bytes(64), "P-256"), ("raw", b"\x00", "P-256"),
            ("raw", ec.exportRaw(key.public_key()), "P-384"),
            ("jwk", dict(jwk, crv="P-384"), "P-256"), ("jwk", dict(jwk, x=jwk["x"][:-2]), "P-256"),
            ("jwk", {k: v for k, v in jwk.items() if k != "y"}, "P-256"),
            ("jwk", dict(jwk, d=_b64url(RFC6979_X + 1, 32)), "P-256"),
            ("jwk", dict(jwk, y=_b64url(RFC6979_UY + 1, 32), d=None), "P-256"),
        ]:
            data = args[1]
            if isinstance(data, dict):
                data = {k: v for k, v in data.items() if v is not None}
            self.assertError("DataError", ec.importKey, args[0], data, args[2])
        self.assertError("NotSupportedError", ec.importKey, "pem", spki, "P-256")

    def test_pkcs8CurveMismatch(self):
        """
        A PKCS#8 key whose inner ECPrivateKey names another curve than its
        algorithm identifier is a DataError; naming the same one is fine.
        """
        p256 = der.encodeOid("1.2.840.10045.3.1.7")
        p384 = der.encodeOid("1.3.132.0.34")
        d = RFC6979_X.to_bytes(32, "big")
        for inner, ok in ((p256, True), (p384, False)):
            ecPrivateKey = _tlv(0x30, b"\x02\x01\x01" + _tlv(0x04, d) + _tlv(0xA0, inner))
            algorithm = _tlv(0x30, der.encodeOid(der.OID_EC) + p256)
            pkcs8 = _tlv(0x30, b"\x02\x01\x00" + algorithm + _tlv(0x04, ecPrivateKey))
            if ok:
                self.assertEqual(ec.importKey("pkcs8", pkcs8, "P-256")[0], "private")
            else:
                error = self.assertRaises(HostCallError, ec.importKey, "pkcs8", pkcs8, "P-256")
                self.assertEqual(error.name, "DataError")


def _tlv(tag, body):
    assert len(body) < 128
    return bytes([tag, len(body)]) + body


class OperationTests(SynchronousTestCase):
    """
    ECDSA and ECDH.
    """

    def test_rfc6979(self):
        """
        The RFC 6979 signature of "sample" verifies; changed ones do not.
        """
        public = _rfc6979Key().public_key()
        signature = bytes.fromhex(RFC6979_SIG)
        self.assertTrue(ec.verify(public, "SHA-256", signature, b"sample"))
        self.assertFalse(ec.verify(public, "SHA-256", signature, b"samplf"))
        self.assertFalse(ec.verify(public, "SHA-384", signature, b"sample"))
        self.assertFalse(ec.verify(public, "SHA-256", signature[:-1], b"sample"))
        self.assertFalse(ec.verify(public, "SHA-256", bytes(64), b"sample"))

    def test_signRoundTrip(self):
        """
        Signatures are r || s of the curve's size and verify, on every curve.
        """
        for name, size in (("P-256", 64), ("P-384", 96), ("P-521", 132)):
            private, public, _ = ec.generate(name)
            signature = ec.sign(ec.loadPrivate(private), "SHA-512", b"message")
            self.assertEqual(len(signature), size)
            self.assertTrue(ec.verify(ec.loadPublic(public), "SHA-512", signature, b"message"))

    def test_rfc5903(self):
        """
        ECDH gives the RFC 5903 shared secret (the x coordinate).
        """
        private = cec.derive_private_key(RFC5903_I, cec.SECP256R1())
        public = cec.EllipticCurvePublicNumbers(RFC5903_GRX, RFC5903_GRY, cec.SECP256R1()).public_key()
        self.assertEqual(ec.derive(private, public).hex(), RFC5903_SHARED)

    def test_deriveMismatch(self):
        """
        Keys on different curves are an OperationError.
        """
        private = cec.generate_private_key(cec.SECP256R1())
        public = cec.generate_private_key(cec.SECP384R1()).public_key()
        error = self.assertRaises(HostCallError, ec.derive, private, public)
        self.assertEqual(error.name, "OperationError")

"""
Tests for L{nano.crypto.asymmetric}: canonical DER, loading it back, reading the
algorithm of imported DER and the members of imported JWKs, the type check that ends an import, and verification as
a bool.
"""

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, x25519
from twisted.trial.unittest import SynchronousTestCase

from nano.crypto import der
from nano.crypto.asymmetric import (
    canonical,
    derAlgorithm,
    jwkMember,
    loadDer,
    parseDer,
    privateDer,
    publicDer,
    verifies,
)
from nano.isolate.hostcalls import HostCallError

_KEY = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


class DerTests(SynchronousTestCase):
    def test_roundTrip(self):
        """
        PKCS#8 and SPKI DER load back into keys with the same raw bytes.
        """
        private = loadDer("private", privateDer(_KEY), ed25519.Ed25519PrivateKey, "Ed25519")
        public = loadDer("public", publicDer(_KEY.public_key()), ed25519.Ed25519PublicKey, "Ed25519")
        raw = (serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.assertEqual(private.public_key().public_bytes(*raw), _KEY.public_key().public_bytes(*raw))
        self.assertEqual(public.public_bytes(*raw), _KEY.public_key().public_bytes(*raw))

    def test_wrongClass(self):
        """
        DER of another kind of key is a DataError naming the kind and type expected.
        """
        error = self.assertRaises(HostCallError, loadDer, "private", privateDer(_KEY),
                                  x25519.X25519PrivateKey, "X25519")
        self.assertEqual((error.name, error.message), ("DataError", "not an X25519 private key"))


class ParseDerTests(SynchronousTestCase):
    def test_parse(self):
        """
        PKCS#8 and SPKI DER parse into a key of whatever class they hold.
        """
        self.assertIsInstance(parseDer("private", privateDer(_KEY)), ed25519.Ed25519PrivateKey)
        self.assertIsInstance(parseDer("public", publicDer(_KEY.public_key())), ed25519.Ed25519PublicKey)

    def test_invalid(self):
        """
        Data cryptography cannot load raises ValueError.
        """
        self.assertRaises(ValueError, parseDer, "public", b"\x30\x00")


class DerAlgorithmTests(SynchronousTestCase):
    def test_spki(self):
        """
        SPKI data of the expected algorithm is a public key without inner octets.
        """
        self.assertEqual(derAlgorithm("spki", publicDer(_KEY.public_key()), der.OID_ED25519, "Ed25519"),
                         ("public", None, None))

    def test_pkcs8(self):
        """
        PKCS#8 data of the expected algorithm is a private key with its privateKey
        octets.
        """
        keyType, params, inner = derAlgorithm("pkcs8", privateDer(_KEY), der.OID_ED25519, "Ed25519")
        self.assertEqual((keyType, params), ("private", None))
        self.assertEqual(inner, b"\x04\x20" + bytes(range(32)))

    def test_otherAlgorithm(self):
        """
        Data of another algorithm is a DataError naming the structure and the
        algorithm expected.
        """
        error = self.assertRaises(HostCallError, derAlgorithm, "spki", publicDer(_KEY.public_key()),
                                  der.OID_X25519, "X25519")
        self.assertEqual((error.name, error.message), ("DataError", "the SPKI is not an X25519 key"))
        error = self.assertRaises(HostCallError, derAlgorithm, "pkcs8", privateDer(_KEY), der.OID_X25519, "X25519")
        self.assertEqual((error.name, error.message), ("DataError", "the PKCS#8 data is not an X25519 key"))

    def test_parameters(self):
        """
        Parameters are returned where they are allowed, and refused with
        C{parameters=False}.
        """
        ecKey = ec.generate_private_key(ec.SECP256R1())
        data = publicDer(ecKey.public_key())
        keyType, params, _ = derAlgorithm("spki", data, der.OID_EC, "id-ecPublicKey")
        self.assertEqual(params, der.encodeOid("1.2.840.10045.3.1.7"))
        error = self.assertRaises(HostCallError, derAlgorithm, "spki", data, der.OID_EC, "id-ecPublicKey",
                                  parameters=False)
        self.assertEqual(error.message, "the SPKI is not an id-ecPublicKey key")


class JwkMemberTests(SynchronousTestCase):
    def test_member(self):
        """
        A member's base64url text is decoded, of any length or of the length asked.
        """
        self.assertEqual(jwkMember({"n": "AQID"}, "n", "RSA"), b"\x01\x02\x03")
        self.assertEqual(jwkMember({"x": "AQID"}, "x", "EC", 3), b"\x01\x02\x03")

    def test_errors(self):
        """
        A missing member, one that is not base64url, and one of another length are
        DataErrors naming the family and the member.
        """
        cases = [
            (({}, "x", "OKP", 32), "the OKP JWK has no 'x' member"),
            (({"x": "AQ=="}, "x", "OKP", 32), "JWK member 'x' is not unpadded base64url text"),
            (({"x": "AQID"}, "x", "EC", 32), "the EC JWK member 'x' must be 32 bytes, got 3"),
        ]
        for args, message in cases:
            error = self.assertRaises(HostCallError, jwkMember, *args)
            self.assertEqual((error.name, error.message), ("DataError", message))


class CanonicalTests(SynchronousTestCase):
    def test_canonical(self):
        """
        A key of the class its type needs is returned as its canonical DER.
        """
        self.assertEqual(canonical("private", _KEY, ed25519.Ed25519PublicKey, ed25519.Ed25519PrivateKey,
                                   "Ed25519"), privateDer(_KEY))
        self.assertEqual(canonical("public", _KEY.public_key(), ed25519.Ed25519PublicKey,
                                   ed25519.Ed25519PrivateKey, "Ed25519"), publicDer(_KEY.public_key()))

    def test_wrongType(self):
        """
        A private key where a public one was read is a DataError.
        """
        error = self.assertRaises(HostCallError, canonical, "public", _KEY, ed25519.Ed25519PublicKey,
                                  ed25519.Ed25519PrivateKey, "Ed25519")
        self.assertEqual((error.name, error.message), ("DataError", "the key data is not an Ed25519 public key"))


class VerifiesTests(SynchronousTestCase):
    def test_verifies(self):
        """
        A valid signature verifies; a changed message or a short signature does not
        (without raising).
        """
        signature = _KEY.sign(b"data")
        public = _KEY.public_key()
        self.assertTrue(verifies(public.verify, signature, b"data"))
        self.assertFalse(verifies(public.verify, signature, b"datb"))
        self.assertFalse(verifies(public.verify, signature[:10], b"data"))

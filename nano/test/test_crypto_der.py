"""
Tests for L{nano.crypto.der}: reading key algorithm identifiers.
"""

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa, x25519
from twisted.trial.unittest import SynchronousTestCase

from nano.crypto import der
from nano.isolate.hostcalls import HostCallError


def _spki(key):
    return key.public_key().public_bytes(serialization.Encoding.DER,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)


def _pkcs8(key):
    return key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


class AlgorithmTests(SynchronousTestCase):
    """
    L{der.spkiAlgorithm} and L{der.pkcs8Algorithm}.
    """

    def test_kinds(self):
        """
        The OID and parameters of RSA, EC, Ed25519 and X25519 keys.
        """
        p384 = ec.generate_private_key(ec.SECP384R1())
        cases = [
            (rsa.generate_private_key(65537, 1024), der.OID_RSA, b"\x05\x00"),
            (p384, der.OID_EC, der.encodeOid("1.3.132.0.34")),
            (ed25519.Ed25519PrivateKey.generate(), der.OID_ED25519, None),
            (x25519.X25519PrivateKey.generate(), der.OID_X25519, None),
        ]
        for key, oid, params in cases:
            self.assertEqual(der.spkiAlgorithm(_spki(key)), (oid, params))
            self.assertEqual(der.pkcs8Algorithm(_pkcs8(key))[:2], (oid, params))

    def test_ecPrivateKeyCurve(self):
        """
        The curve named inside an ECPrivateKey, or None when it names none.
        """
        key = ec.generate_private_key(ec.SECP256R1())
        traditional = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.TraditionalOpenSSL,
                                        serialization.NoEncryption())
        self.assertEqual(der.ecPrivateKeyCurve(traditional), der.encodeOid("1.2.840.10045.3.1.7"))
        self.assertEqual(der.ecPrivateKeyCurve(bytes.fromhex("300702010104020102")), None)

    def test_malformed(self):
        """
        Truncated data, trailing bytes, other structures and non-minimal lengths are
        DataErrors.
        """
        spki = _spki(ed25519.Ed25519PrivateKey.generate())
        pkcs8 = _pkcs8(ed25519.Ed25519PrivateKey.generate())
        for bad in [b"", spki[:-1], spki + b"\x00", b"\x30\x00", pkcs8, b"\x30\x81\x05" + bytes(5)]:
            error = self.assertRaises(HostCallError, der.spkiAlgorithm, bad)
            self.assertEqual(error.name, "DataError")
        for bad in [b"", pkcs8[:-1], pkcs8 + b"\x00", spki]:
            error = self.assertRaises(HostCallError, der.pkcs8Algorithm, bad)
            self.assertEqual(error.name, "DataError")
        error = self.assertRaises(HostCallError, der.ecPrivateKeyCurve, b"\x04\x00")
        self.assertEqual(error.name, "DataError")

    def test_encodeOid(self):
        """
        L{der.encodeOid} gives the DER of an OID (multi-byte arcs included).
        """
        self.assertEqual(der.encodeOid("1.2.840.10045.2.1").hex(), "06072a8648ce3d0201")

"""
Tests for L{nano.crypto.okp}: Ed25519 (RFC 8032 vectors) and X25519 (RFC 7748).
"""

import base64

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, x25519
from twisted.trial.unittest import SynchronousTestCase

from nano.crypto import okp
from nano.isolate.hostcalls import HostCallError

# RFC 8032 section 7.1, test 1 (the empty message).
ED_SECRET = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
ED_PUBLIC = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
ED_SIGNATURE = ("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555"
                "fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")

# RFC 7748 section 6.1.
ALICE_PRIVATE = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"
ALICE_PUBLIC = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"
BOB_PUBLIC = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"
SHARED = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"


def _b64url(hexText):
    return base64.urlsafe_b64encode(bytes.fromhex(hexText)).rstrip(b"=").decode()


def _der(key):
    if hasattr(key, "private_bytes"):
        return key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


class Ed25519Tests(SynchronousTestCase):
    """
    Ed25519 keys and signatures.
    """

    def test_rfc8032(self):
        """
        The RFC 8032 key signs the empty message to the published signature, which
        verifies; a changed one does not.
        """
        _, key, _ = okp.importKey("Ed25519", "jwk", {"crv": "Ed25519", "x": _b64url(ED_PUBLIC),
                                                     "d": _b64url(ED_SECRET)})
        private = okp.loadPrivate("Ed25519", key)
        self.assertEqual(okp.sign(private, b"").hex(), ED_SIGNATURE)
        _, publicDer, _ = okp.importKey("Ed25519", "raw", bytes.fromhex(ED_PUBLIC))
        public = okp.loadPublic("Ed25519", publicDer)
        self.assertTrue(okp.verify(public, bytes.fromhex(ED_SIGNATURE), b""))
        self.assertFalse(okp.verify(public, bytes.fromhex(ED_SIGNATURE), b"x"))
        self.assertFalse(okp.verify(public, bytes.fromhex(ED_SIGNATURE)[:63], b""))
        self.assertEqual(okp.exportRaw(public).hex(), ED_PUBLIC)
        self.assertEqual(okp.exportJwk("Ed25519", private),
                         {"crv": "Ed25519", "x": _b64url(ED_PUBLIC), "d": _b64url(ED_SECRET)})

    def test_derFormats(self):
        """
        SPKI and PKCS#8 import to their canonical form; generated keys load.
        """
        key = ed25519.Ed25519PrivateKey.generate()
        self.assertEqual(okp.importKey("Ed25519", "pkcs8", _der(key)), ("private", _der(key), {}))
        self.assertEqual(okp.importKey("Ed25519", "spki", _der(key.public_key()))[:2],
                         ("public", _der(key.public_key())))
        private, public, info = okp.generate("Ed25519")
        self.assertEqual(info, {})
        signature = okp.sign(okp.loadPrivate("Ed25519", private), b"m")
        self.assertTrue(okp.verify(okp.loadPublic("Ed25519", public), signature, b"m"))

    def test_importErrors(self):
        """
        The other curve's keys, EC keys, wrong lengths and inconsistent JWKs are
        DataErrors.
        """
        xKey = x25519.X25519PrivateKey.generate()
        ecKey = ec.generate_private_key(ec.SECP256R1())
        jwk = {"crv": "Ed25519", "x": _b64url(ED_PUBLIC), "d": _b64url(ED_SECRET)}
        for args in [("spki", _der(xKey.public_key())), ("pkcs8", _der(xKey)), ("spki", _der(ecKey.public_key())),
                     ("raw", bytes(31)), ("jwk", dict(jwk, crv="X25519")), ("jwk", dict(jwk, x=_b64url(BOB_PUBLIC))),
                     ("jwk", dict(jwk, d=_b64url(ED_SECRET[:-2]))), ("jwk", {"crv": "Ed25519"}),
                     ("spki", b"garbage")]:
            error = self.assertRaises(HostCallError, okp.importKey, "Ed25519", *args)
            self.assertEqual(error.name, "DataError", args[0])
        error = self.assertRaises(HostCallError, okp.importKey, "Ed448", "raw", bytes(57))
        self.assertEqual(error.name, "NotSupportedError")


class X25519Tests(SynchronousTestCase):
    """
    X25519 keys and key agreement.
    """

    def test_rfc7748(self):
        """
        Alice's key and Bob's public key agree on the RFC 7748 secret; Alice's JWK
        carries her public key.
        """
        _, private, _ = okp.importKey("X25519", "jwk", {"crv": "X25519", "x": _b64url(ALICE_PUBLIC),
                                                        "d": _b64url(ALICE_PRIVATE)})
        _, public, _ = okp.importKey("X25519", "raw", bytes.fromhex(BOB_PUBLIC))
        secret = okp.derive(okp.loadPrivate("X25519", private), okp.loadPublic("X25519", public))
        self.assertEqual(secret.hex(), SHARED)

    def test_smallOrder(self):
        """
        A small-order public key (all zeros) gives an all-zero secret: an
        OperationError.
        """
        private, _, _ = okp.generate("X25519")
        _, public, _ = okp.importKey("X25519", "raw", bytes(32))
        error = self.assertRaises(HostCallError, okp.derive, okp.loadPrivate("X25519", private),
                                  okp.loadPublic("X25519", public))
        self.assertEqual(error.name, "OperationError")

    def test_loaders(self):
        """
        Loading an Ed25519 key as X25519 is refused.
        """
        private, _, _ = okp.generate("Ed25519")
        self.assertRaises(HostCallError, okp.loadPrivate, "X25519", private)

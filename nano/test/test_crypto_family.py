"""
Tests for L{nano.crypto.family}: the C{crypto.*} host operations, driven through
L{nano.isolate.hostcalls.HostCalls} as an isolate drives them.
"""

import base64

from twisted.internet.defer import maybeDeferred
from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

import nano.crypto
from nano import hostops
from nano.config import AppConfig
from nano.crypto.family import CryptoOps
from nano.hostops import HostContext, opsFor
from nano.isolate.hostcalls import HostCalls


def _b64(data):
    return base64.b64encode(data).decode()


# Every family of the process builds its table here (the fetch family, registered
# by any module that imports nano.fetch, reads the app's limits).
_APP = AppConfig(name="a", hostnames=(), path="/")


class _Host:
    """
    The ops of one app behind L{HostCalls}, with a thread runner that records what
    it was given (and runs it in place).
    """

    def __init__(self):
        self.threaded = []
        self.sent = []
        self.ops = CryptoOps(self.inThread).table()
        self.calls = HostCalls("app", self.ops, self.sent.append)
        self._next = 0

    def inThread(self, fn, *args):
        self.threaded.append(fn)
        return maybeDeferred(fn, *args)

    def call(self, op, *args):
        """
        The C{ret} of one call: C{(1, value)} or C{(0, [name, message])}.
        """
        self._next += 1
        self.calls.start(self._next, op, list(args), None)
        ret = self.sent.pop()
        assert ret[:2] == ["ret", self._next], ret
        return ret[2], ret[3]


class RegistrationTests(SynchronousTestCase):
    """
    Importing L{nano.crypto} registers the family with L{nano.hostops}.
    """

    def test_registered(self):
        """
        An app's table has every C{crypto.*} operation; a reactor without threads
        (a clock) still gets a working table.
        """
        self.assertIn(nano.crypto.ops, hostops.FAMILIES)
        table = opsFor(HostContext(reactor=Clock(), app=_APP))
        self.assertEqual(sorted(name for name in table if name.startswith("crypto.")), [
            "crypto.aes", "crypto.derive", "crypto.digest", "crypto.export", "crypto.generate",
            "crypto.hmac", "crypto.import", "crypto.kdf", "crypto.rsaOaep", "crypto.sign", "crypto.verify"])


class OperationTests(SynchronousTestCase):
    """
    Each operation's arguments and results as JSON values.
    """

    def setUp(self):
        self.host = _Host()

    def test_digestAndHmac(self):
        """
        Digests and MACs come back as base64; verification as a boolean.
        """
        ok, value = self.host.call("crypto.digest", "SHA-1", _b64(b"abc"))
        self.assertEqual((ok, base64.b64decode(value).hex()), (1, "a9993e364706816aba3e25717850c26c9cd0d89d"))
        ok, mac = self.host.call("crypto.hmac", False, "SHA-256", _b64(b"Jefe"), _b64(b"what do ya want for nothing?"))
        self.assertEqual(base64.b64decode(mac).hex()[:16], "5bdcc146bf60754e")
        self.assertEqual(self.host.call("crypto.hmac", True, "SHA-256", _b64(b"Jefe"),
                                        _b64(b"what do ya want for nothing?"), mac), (1, True))
        self.assertEqual(self.host.threaded, [])

    def test_aes(self):
        """
        Each mode takes its parameters; a missing GCM tag length means 128 bits.
        """
        key = _b64(bytes(16))
        for mode, params in [("CBC", {"iv": _b64(bytes(16))}), ("CTR", {"counter": _b64(bytes(16)), "length": 64}),
                             ("GCM", {"iv": _b64(bytes(12))}), ("GCM", {"iv": _b64(bytes(12)), "tagLength": 32,
                                                                       "additionalData": _b64(b"a")}),
                             ("KW", {})]:
            ok, out = self.host.call("crypto.aes", mode, False, key, params, _b64(bytes(16)))
            self.assertEqual(ok, 1, (mode, out))
            self.assertEqual(self.host.call("crypto.aes", mode, True, key, params, out), (1, _b64(bytes(16))))
        ok, out = self.host.call("crypto.aes", "GCM", False, key, {"iv": _b64(bytes(12))}, _b64(b""))
        self.assertEqual(len(base64.b64decode(out)), 16)

    def test_kdf(self):
        """
        HKDF and PBKDF2 derive the requested number of bytes.
        """
        ok, out = self.host.call("crypto.kdf", "HKDF", "SHA-256", _b64(b"\x0b" * 22), {"salt": "", "info": ""}, 42)
        self.assertEqual(base64.b64decode(out).hex()[:16], "8da4e775a563c18f")
        ok, out = self.host.call("crypto.kdf", "PBKDF2", "SHA-1", _b64(b"password"),
                                 {"salt": _b64(b"salt"), "iterations": 2}, 20)
        self.assertEqual(base64.b64decode(out).hex(), "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957")

    def test_asymmetricRoundTrip(self):
        """
        A generated key pair signs and verifies, imports back from its JWK export,
        and exports its raw public key.
        """
        ok, pair = self.host.call("crypto.generate", "EC", {"namedCurve": "P-384"})
        self.assertEqual((ok, sorted(pair), pair["info"]), (1, ["info", "private", "public"], {"namedCurve": "P-384"}))
        ok, signature = self.host.call("crypto.sign", "ECDSA", pair["private"], {"hash": "SHA-256"}, _b64(b"m"))
        self.assertEqual(self.host.call("crypto.verify", "ECDSA", pair["public"], {"hash": "SHA-256"}, signature,
                                        _b64(b"m")), (1, True))
        ok, jwk = self.host.call("crypto.export", "EC", "private", pair["private"], "jwk")
        self.assertEqual(sorted(jwk), ["crv", "d", "x", "y"])
        self.assertEqual(self.host.call("crypto.import", "EC", "jwk", jwk, {"namedCurve": "P-384"}),
                         (1, {"type": "private", "key": pair["private"], "info": {"namedCurve": "P-384"}}))
        ok, raw = self.host.call("crypto.export", "EC", "public", pair["public"], "raw")
        self.assertEqual(len(base64.b64decode(raw)), 97)

    def test_derive(self):
        """
        Two X25519 pairs agree on a secret.
        """
        a = self.host.call("crypto.generate", "X25519", {})[1]
        b = self.host.call("crypto.generate", "X25519", {})[1]
        self.assertEqual(self.host.call("crypto.derive", "X25519", a["private"], b["public"]),
                         self.host.call("crypto.derive", "X25519", b["private"], a["public"]))

    def test_slowInThreads(self):
        """
        RSA key generation, RSA private-key import and PBKDF2 with many iterations
        run in the thread runner; cheap PBKDF2 does not.
        """
        ok, pair = self.host.call("crypto.generate", "RSA", {"modulusLength": 1024, "publicExponent": "AQAB"})
        self.assertEqual(ok, 1)
        self.assertEqual(len(self.host.threaded), 1)
        self.host.call("crypto.import", "RSA", "pkcs8", pair["private"], {})
        self.assertEqual(len(self.host.threaded), 2)
        self.host.call("crypto.import", "RSA", "spki", pair["public"], {})
        self.host.call("crypto.kdf", "PBKDF2", "SHA-256", _b64(b"p"), {"salt": "", "iterations": 1000}, 32)
        self.assertEqual(len(self.host.threaded), 2)
        self.host.call("crypto.kdf", "PBKDF2", "SHA-256", _b64(b"p"), {"salt": "", "iterations": 20000}, 32)
        self.assertEqual(len(self.host.threaded), 3)
        ok, ciphertext = self.host.call("crypto.rsaOaep", False, pair["public"], {"hash": "SHA-256"}, _b64(b"hi"))
        self.assertEqual(self.host.call("crypto.rsaOaep", True, pair["private"], {"hash": "SHA-256"}, ciphertext),
                         (1, _b64(b"hi")))

    def test_errors(self):
        """
        Failures reach JS as the WebCrypto error name and a message, never a Python
        traceback: bad arguments are TypeErrors, unknown algorithms
        NotSupportedErrors, bad data DataErrors or OperationErrors.
        """
        cases = [
            (("crypto.digest", "SHA-1"), "TypeError"),
            (("crypto.digest", "SHA-1", "not base64"), "TypeError"),
            (("crypto.digest", "MD4", ""), "NotSupportedError"),
            (("crypto.aes", "ECB", False, _b64(bytes(16)), {}, ""), "NotSupportedError"),
            (("crypto.aes", "CBC", True, _b64(bytes(16)), {"iv": 5}, ""), "TypeError"),
            (("crypto.aes", "CBC", True, _b64(bytes(16)), {"iv": _b64(bytes(16))}, _b64(bytes(16))),
             "OperationError"),
            (("crypto.import", "EC", "spki", _b64(b"junk"), {"namedCurve": "P-256"}), "DataError"),
            (("crypto.import", "DSA", "spki", _b64(b"junk"), {}), "NotSupportedError"),
            (("crypto.sign", "ECDSA", _b64(b"junk"), {"hash": "SHA-256"}, ""), "OperationError"),
            (("crypto.sign", "DSA", _b64(b"junk"), {}, ""), "NotSupportedError"),
            (("crypto.export", "RSA", "public", _b64(b"junk"), "jwk"), "OperationError"),
            (("crypto.generate", "EC", {"namedCurve": "P-192"}), "NotSupportedError"),
            (("crypto.kdf", "HKDF", "SHA-256", "", {}, True), "TypeError"),
        ]
        for args, name in cases:
            ok, value = self.host.call(*args)
            self.assertEqual((ok, value[0]), (0, name), args)
            self.assertNotIn("Traceback", value[1])

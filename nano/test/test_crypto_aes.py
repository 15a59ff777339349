"""
Tests for L{nano.crypto.aes} against NIST SP 800-38A/38D, the GCM paper's test cases
and RFC 3394.
"""

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from twisted.trial.unittest import SynchronousTestCase

from nano.crypto import aes
from nano.isolate.hostcalls import HostCallError

KEY128 = bytes.fromhex("2b7e151628aed2a6abf7158809cf4f3c")
BLOCKS = bytes.fromhex("6bc1bee22e409f96e93d7e117393172a" "ae2d8a571e03ac9c9eb76fac45af8e51")


def _ecb(key, block):
    return Cipher(algorithms.AES(key), modes.ECB()).encryptor().update(block)


def _gfMul(x, y):
    """
    Multiplication in GF(2^128) as GCM defines it (bit-reflected), the slow way.
    """
    r = 0xE1 << 120
    z, v = 0, y
    for i in range(127, -1, -1):
        if (x >> i) & 1:
            z ^= v
        v = (v >> 1) ^ r if v & 1 else v >> 1
    return z


def _ghash(h, data):
    y = 0
    for i in range(0, len(data), 16):
        y = _gfMul(y ^ int.from_bytes(data[i:i + 16], "big"), h)
    return y


def _pad(data):
    return data + bytes(-len(data) % 16)


def _referenceGcm(key, iv, aad, plaintext):
    """
    GCM encryption written from SP 800-38D section 7.1, for any IV length.
    """
    h = int.from_bytes(_ecb(key, bytes(16)), "big")
    if len(iv) == 12:
        j0 = iv + b"\x00\x00\x00\x01"
    else:
        j0 = _ghash(h, _pad(iv) + bytes(8) + (len(iv) * 8).to_bytes(8, "big")).to_bytes(16, "big")
    counter = int.from_bytes(j0, "big")
    out = b""
    for i in range(0, len(plaintext), 16):
        counter = (counter & ~0xFFFFFFFF) | ((counter + 1) & 0xFFFFFFFF)
        stream = _ecb(key, counter.to_bytes(16, "big"))
        out += bytes(a ^ b for a, b in zip(plaintext[i:i + 16], stream))
    lengths = (len(aad) * 8).to_bytes(8, "big") + (len(out) * 8).to_bytes(8, "big")
    s = _ghash(h, _pad(aad) + _pad(out) + lengths)
    tag = (s ^ int.from_bytes(_ecb(key, j0), "big")).to_bytes(16, "big")
    return out + tag


class CbcTests(SynchronousTestCase):
    """
    L{aes.cbc}: AES-CBC with PKCS#7 padding.
    """

    def test_vector(self):
        """
        The first blocks are SP 800-38A F.2.1's; a full padding block follows.
        """
        iv = bytes.fromhex("000102030405060708090a0b0c0d0e0f")
        out = aes.cbc(KEY128, iv, BLOCKS, False)
        self.assertEqual(out[:32].hex(), "7649abac8119b246cee98e9b12e9197d" "5086cb9b507219ee95db113a917678b2")
        self.assertEqual(len(out), 48)
        self.assertEqual(aes.cbc(KEY128, iv, out, True), BLOCKS)

    def test_errors(self):
        """
        A wrong IV length, a ciphertext that is not whole blocks, and bad padding are
        OperationErrors.
        """
        iv = bytes(16)
        bad = [
            (KEY128, bytes(8), b"x", False),
            (KEY128, iv, bytes(15), True),
            (KEY128, iv, b"", True),
            (KEY128, iv, aes.cbc(KEY128, iv, b"x" * 16, False)[:16], True),
        ]
        for args in bad:
            error = self.assertRaises(HostCallError, aes.cbc, *args)
            self.assertEqual(error.name, "OperationError")

    def test_badKey(self):
        """
        A key that is not 16, 24 or 32 bytes is an OperationError.
        """
        error = self.assertRaises(HostCallError, aes.cbc, bytes(10), bytes(16), b"", False)
        self.assertEqual(error.name, "OperationError")


class CtrTests(SynchronousTestCase):
    """
    L{aes.ctr}: AES-CTR with a counter of C{length} bits.
    """

    counter = bytes.fromhex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff")

    def test_vector(self):
        """
        With a 128-bit counter the output is SP 800-38A F.5.1's, and decrypting is
        the same operation.
        """
        out = aes.ctr(KEY128, self.counter, 128, BLOCKS)
        self.assertEqual(out.hex(), "874d6191b620e3261bef6864990db6ce" "9806f66b7970fdff8617187bb9fffdff")
        self.assertEqual(aes.ctr(KEY128, self.counter, 128, out), BLOCKS)

    def test_wrap(self):
        """
        Only the rightmost C{length} bits count: an 8-bit counter at 0xff wraps to 0x00
        without carrying into the rest of the block.
        """
        out = aes.ctr(KEY128, self.counter, 8, BLOCKS)
        second = _ecb(KEY128, self.counter[:15] + b"\x00")
        self.assertEqual(out[:16].hex(), "874d6191b620e3261bef6864990db6ce")
        self.assertEqual(out[16:], bytes(a ^ b for a, b in zip(BLOCKS[16:], second)))

    def test_partialBlock(self):
        """
        Data that is not whole blocks is fine.
        """
        self.assertEqual(aes.ctr(KEY128, self.counter, 64, BLOCKS[:5]).hex(), "874d6191b6")

    def test_errors(self):
        """
        A counter that is not 16 bytes, a length of 0 or above 128, and data longer
        than the counter can count are OperationErrors.
        """
        for args in [(bytes(8), 64, b"x"), (self.counter, 0, b"x"), (self.counter, 129, b"x"),
                     (bytes(16), 1, bytes(33))]:
            error = self.assertRaises(HostCallError, aes.ctr, KEY128, *args)
            self.assertEqual(error.name, "OperationError")
        self.assertEqual(len(aes.ctr(KEY128, bytes(16), 1, bytes(32))), 32)


class GcmTests(SynchronousTestCase):
    """
    L{aes.gcm}.
    """

    def test_zeroVector(self):
        """
        Test case 2 of the GCM specification: zero key, IV and plaintext block.
        """
        out = aes.gcm(bytes(16), bytes(12), b"", 128, bytes(16), False)
        self.assertEqual(out.hex(), "0388dace60b6a392f328c2b971b2fe78" "ab6e47d42cec13bdf53a67b21257bddf")

    def test_nonStandardIv(self):
        """
        Test case 5 of the GCM specification (a 64-bit IV, so J0 comes from GHASH),
        by cryptography's GCM and by the path for IV lengths it does not take.
        """
        key = bytes.fromhex("feffe9928665731c6d6a8f9467308308")
        plaintext = bytes.fromhex(
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
            "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39")
        aad = bytes.fromhex("feedfacedeadbeeffeedfacedeadbeefabaddad2")
        iv = bytes.fromhex("cafebabefacedbad")
        expected = (
            "61353b4c2806934a777ff51fa22a4755699b2a714fcdc6f83766e5f97b6c7423"
            "73806900e49f24b22b097544d4896b424989b5e1ebac0f07c23f4598"
            "3612d2e79e3b0785561be14aaca2fccb")
        self.assertEqual(aes.gcm(key, iv, aad, 128, plaintext, False).hex(), expected)
        general = aes._gcmAnyIv(algorithms.AES(key), key, iv, aad, plaintext, 16, False)
        self.assertEqual(general.hex(), expected)
        self.assertEqual(aes._gcmAnyIv(algorithms.AES(key), key, iv, aad, general, 16, True), plaintext)
        self.assertEqual(_referenceGcm(key, iv, aad, plaintext).hex(), expected)

    def test_shortIv(self):
        """
        IVs of 1 to 7 bytes (which cryptography's GCM refuses) give what the
        SP 800-38D definition gives, and decrypt back.
        """
        key = bytes(range(32))
        for length in (1, 3, 7):
            iv = bytes(range(100, 100 + length))
            plaintext = bytes(range(37))
            out = aes.gcm(key, iv, b"aad", 128, plaintext, False)
            self.assertEqual(out, _referenceGcm(key, iv, b"aad", plaintext), length)
            self.assertEqual(aes.gcm(key, iv, b"aad", 128, out, True), plaintext)

    def test_tagLengths(self):
        """
        Shorter tags are the truncated full tag, and decrypt.
        """
        key, iv = bytes(16), bytes(12)
        full = aes.gcm(key, iv, b"", 128, b"data", False)
        for tagLength in aes.GCM_TAG_LENGTHS:
            out = aes.gcm(key, iv, b"", tagLength, b"data", False)
            self.assertEqual(out, full[:4 + tagLength // 8])
            self.assertEqual(aes.gcm(key, iv, b"", tagLength, out, True), b"data")

    def test_errors(self):
        """
        Bad tag lengths, an empty IV, a short ciphertext and a forged one are
        OperationErrors.
        """
        key, iv = bytes(16), bytes(12)
        good = aes.gcm(key, iv, b"", 128, b"data", False)
        forged = good[:-1] + bytes([good[-1] ^ 1])
        for args in [(iv, b"", 24, b"x", False), (iv, b"", 129, b"x", False), (b"", b"", 128, b"x", False),
                     (iv, b"", 128, bytes(15), True), (iv, b"", 128, forged, True),
                     (iv, b"other", 128, good, True), (bytes(5), b"", 128, forged, True)]:
            error = self.assertRaises(HostCallError, aes.gcm, key, *args)
            self.assertEqual(error.name, "OperationError")


class KwTests(SynchronousTestCase):
    """
    L{aes.kw}: RFC 3394 key wrap.
    """

    def test_vector(self):
        """
        RFC 3394 section 4.1: a 128-bit key wrapped with a 128-bit KEK.
        """
        kek = bytes.fromhex("000102030405060708090a0b0c0d0e0f")
        data = bytes.fromhex("00112233445566778899aabbccddeeff")
        wrapped = aes.kw(kek, data, False)
        self.assertEqual(wrapped.hex(), "1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5")
        self.assertEqual(aes.kw(kek, wrapped, True), data)

    def test_errors(self):
        """
        Data that is not a multiple of 8 bytes (or shorter than 16), and a wrapped key
        that fails its integrity check, are OperationErrors.
        """
        kek = bytes(16)
        wrapped = aes.kw(kek, bytes(16), False)
        for args in [(bytes(15), False), (bytes(8), False), (wrapped[:-1] + b"\x00", True), (bytes(7), True)]:
            error = self.assertRaises(HostCallError, aes.kw, kek, *args)
            self.assertEqual(error.name, "OperationError")

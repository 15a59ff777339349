"""
Tests for L{nano.isolate.bridge}.
"""

import json

from twisted.trial.unittest import SynchronousTestCase

from nano.isolate.bridge import PreEncoded, chunkMessage, encodeBatch, parseFrame


class FrameTests(SynchronousTestCase):
    """
    L{parseFrame} reads binary drain frames and refuses malformed ones.
    """

    def frame(self, messages, payloads, frameId=7):
        head = json.dumps([messages, [len(p) for p in payloads], frameId]).encode()
        return len(head).to_bytes(4, "little") + head + b"".join(payloads)

    def test_roundTrip(self):
        """
        Messages, payloads (in order) and the frame id come back.
        """
        messages = [["res", 1, 200, "", [], 2, 0], ["log", "info", "\u2713", None]]
        self.assertEqual(parseFrame(self.frame(messages, [b"ab", b"", b"\x00"])),
                         (messages, [b"ab", b"", b"\x00"], 7))

    def test_memoryview(self):
        """
        A frame read through a memoryview gives payloads as independent bytes.
        """
        data = bytearray(self.frame([["x", 0]], [b"abc"]))
        messages, payloads, _ = parseFrame(memoryview(data))
        data[-3:] = b"zzz"
        self.assertEqual((messages, payloads), ([["x", 0]], [b"abc"]))

    def test_malformed(self):
        """
        Short frames, bad JSON and lengths that do not add up raise ValueError.
        """
        good = self.frame([["x"]], [b"abc"])
        for bad in (b"", b"\x01\x00", good[:-1], good + b"!", b"\x03\x00\x00\x00[[]"):
            self.assertRaises(ValueError, parseFrame, bad)


class BatchTests(SynchronousTestCase):
    """
    L{encodeBatch} makes the JSON text of a batch, pre-encoded chunk messages
    included as they are.
    """

    def test_plain(self):
        """
        A batch of lists is plain compact JSON.
        """
        batch = [["timer", 3], ["ret", 1, 1, {"a": "\u2713"}]]
        self.assertEqual(encodeBatch(batch), json.dumps(batch, separators=(",", ":")))

    def test_preEncoded(self):
        """
        Chunk messages go in as encoded, between the others, in order; the whole
        is the JSON of the same messages.
        """
        batch = [["ret", 1, 1, None], chunkMessage("fetch_chunk", 7, "YWJj"), ["fetch_end", 7]]
        self.assertIsInstance(batch[1], PreEncoded)
        self.assertEqual(json.loads(encodeBatch(batch)),
                         [["ret", 1, 1, None], ["fetch_chunk", 7, "YWJj"], ["fetch_end", 7]])

    def test_targetMustBeInt(self):
        """
        A target that is not an int (which could break the JSON) is refused.
        """
        for target in ("1", None, True, 1.5):
            self.assertRaises(TypeError, chunkMessage, "fetch_chunk", target, "")

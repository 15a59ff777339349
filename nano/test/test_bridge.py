"""
Tests for L{nano.isolate.bridge}.
"""

import json

from twisted.trial.unittest import SynchronousTestCase

from nano.isolate.bridge import parseFrame


class FrameTests(SynchronousTestCase):
    """
    L{parseFrame} reads binary drain frames and refuses malformed ones.
    """

    def frame(self, messages, payloads, frameId=7, first=0):
        head = json.dumps([messages, [len(p) for p in payloads], frameId, first]).encode()
        return b"".join(payloads) + head + len(head).to_bytes(4, "little")

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
        data[:3] = b"zzz"
        self.assertEqual((messages, payloads), ([["x", 0]], [b"abc"]))

    def test_malformed(self):
        """
        Short frames, bad JSON and lengths that do not add up raise ValueError.
        """
        good = self.frame([["x"]], [b"abc"])
        for bad in (b"", b"\x01\x00", good[1:], b"!" + good, b"[[]\x03\x00\x00\x00",
                    b"\xff\x00\x00\x00"):
            self.assertRaises(ValueError, parseFrame, bad)

    def test_firstIndex(self):
        """
        A frame whose first payload has index 2 (an earlier frame of the same drain
        sequence had two) gives payloads at indexes 2 and 3.
        """
        messages, payloads, _ = parseFrame(self.frame([["chunk", 1, 2], ["chunk", 1, 3]], [b"a", b"b"], first=2))
        self.assertEqual(payloads, [None, None, b"a", b"b"])


class _Memory:
    def __init__(self, length):
        self.length = length
        self.data = bytearray(length)


def _write(memory, offset, data):
    memory.data[offset:offset + len(data)] = data


class InboundTests(SynchronousTestCase):
    """
    L{Inbound} places bytes for JS in the free space of the inbound buffer (a ring),
    and falls back to base64 when it cannot.
    """

    def setUp(self):
        from nano.isolate.bridge import Inbound

        self.done = set()
        self.memory = _Memory(16)
        self.inbound = Inbound(self.memory, _write, lambda callId: callId in self.done)

    def test_reference(self):
        """
        Bytes that fit are written into the buffer and sent as [offset, length].
        """
        from nano.isolate.bridge import JSBytes, dumps

        text = dumps([["body", 1, JSBytes(b"abc")], ["body", 2, JSBytes(b"de")]], self.inbound)
        self.assertEqual(json.loads(text), [["body", 1, [0, 3]], ["body", 2, [3, 2]]])
        self.assertEqual(bytes(self.memory.data[:5]), b"abcde")

    def test_tooBig(self):
        """
        Bytes larger than the buffer go as base64.
        """
        from nano.isolate.bridge import JSBytes, dumps

        text = dumps([["body", 1, JSBytes(b"x" * 17)]], self.inbound)
        self.assertEqual(json.loads(text), [["body", 1, "eHh4eHh4eHh4eHh4eHh4eHg="]])

    def test_ring(self):
        """
        Each batch's bytes follow the previous batch's while that one's dispatch has
        not finished; with no room left, bytes go as base64; finished dispatches free
        their space in order, and the ring wraps to the start.
        """
        from nano.isolate.bridge import JSBytes, dumps

        def batch(data, callId):
            out = json.loads(dumps([["b", JSBytes(data)]], self.inbound))[0][1]
            self.inbound.sent(callId)
            return out

        self.assertEqual(batch(b"a" * 6, "call-1"), [0, 6])
        self.assertEqual(batch(b"b" * 6, "call-2"), [6, 6])
        self.assertEqual(batch(b"c" * 6, "call-3"), "Y2NjY2Nj")
        self.done.add("call-1")
        self.assertEqual(batch(b"d" * 4, "call-4"), [12, 4])
        self.assertEqual(batch(b"e" * 5, "call-5"), [0, 5])
        self.assertEqual(batch(b"f" * 2, "call-6"), "ZmY=")
        self.done.update(["call-2", "call-3", "call-4"])
        self.assertEqual(batch(b"g" * 8, "call-7"), [5, 8])
        self.assertEqual(bytes(self.memory.data), b"eeeeeggggggggddd")
        self.done.update(["call-5", "call-6", "call-7"])
        self.assertEqual(batch(b"h" * 16, "call-8"), [0, 16])

    def test_sameBatch(self):
        """
        The bytes of one batch are placed one after the other and stay busy
        together.
        """
        from nano.isolate.bridge import JSBytes, dumps

        text = dumps([["b", JSBytes(b"12345678")], ["b", JSBytes(b"9abcdefg")], ["b", JSBytes(b"!")]],
                     self.inbound)
        self.assertEqual(json.loads(text), [["b", [0, 8]], ["b", [8, 8]], ["b", "IQ=="]])

    def test_noBuffer(self):
        """
        Without an inbound buffer bytes go as base64.
        """
        from nano.isolate.bridge import JSBytes, dumps

        self.assertEqual(json.loads(dumps([JSBytes(b"\x00\xff")])), ["AP8="])

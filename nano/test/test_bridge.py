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
    L{Inbound} places bytes for JS in the free half of the inbound buffer, and falls
    back to base64 when it cannot.
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
        Bytes that do not fit in a half go as base64.
        """
        from nano.isolate.bridge import JSBytes, dumps

        text = dumps([["body", 1, JSBytes(b"x" * 9)]], self.inbound)
        self.assertEqual(json.loads(text), [["body", 1, "eHh4eHh4eHh4"]])

    def test_halvesInTurn(self):
        """
        A half stays busy until the dispatch that carried it finished; the other
        half serves meanwhile; with both busy, bytes go as base64.
        """
        from nano.isolate.bridge import JSBytes, dumps

        first = json.loads(dumps([["b", JSBytes(b"1")]], self.inbound))
        self.inbound.sent("call-1")
        second = json.loads(dumps([["b", JSBytes(b"2")]], self.inbound))
        self.inbound.sent("call-2")
        third = json.loads(dumps([["b", JSBytes(b"3")]], self.inbound))
        self.inbound.sent("call-3")
        self.assertEqual((first, second, third), ([["b", [0, 1]]], [["b", [8, 1]]], [["b", "Mw=="]]))
        self.done.add("call-1")
        self.assertEqual(json.loads(dumps([["b", JSBytes(b"4")]], self.inbound)), [["b", [0, 1]]])

    def test_noBuffer(self):
        """
        Without an inbound buffer bytes go as base64.
        """
        from nano.isolate.bridge import JSBytes, dumps

        self.assertEqual(json.loads(dumps([JSBytes(b"\x00\xff")])), ["AP8="])

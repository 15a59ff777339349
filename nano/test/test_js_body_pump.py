"""
Tests for C{79_body_pump.js}: reading a response's stream only as far as Python
granted credit. A small stand-in for C{ReadableStream} (a queue and a reader that
counts its reads) is installed before the file loads, so these tests pin the pump's
own behaviour.
"""

import json
import os

from py_mini_racer import MiniRacer
from twisted.trial.unittest import SynchronousTestCase

from nano.isolate import prelude
from nano.isolate.bridge import parseFrame

_FAKE_STREAM = """
class FakeReader {
  constructor(stream) { this.stream = stream; }
  read() {
    const stream = this.stream;
    stream.reads++;
    if (stream.error !== null) return Promise.reject(stream.error);
    if (stream.chunks.length === 0) return Promise.resolve({ value: undefined, done: true });
    return Promise.resolve({ value: stream.chunks.shift(), done: false });
  }
  cancel(reason) { this.stream.cancelled = reason; return Promise.resolve(); }
}
class FakeStream {
  constructor(chunks) { this.chunks = chunks; this.reads = 0; this.cancelled = null; this.error = null; }
  getReader() { return new FakeReader(this); }
}
globalThis.ReadableStream = FakeStream;
"""


def _pumpSource():
    path = [p for p in prelude.preludeFiles() if os.path.basename(p).startswith("79_")][0]
    with open(path, encoding="utf-8") as f:
        return f.read()


def _pumpIsolate(self):
    """
    C{setUp} of the pump tests: an isolate with the core, the fake stream and the
    pump; C{self.racer}, C{self.internal}; a doorbell that does nothing.
    """
    self.racer = MiniRacer()
    self.addCleanup(self.racer.close)
    self.racer.eval(prelude.buildPartialPrelude(("00_", "10_"), extra=(_FAKE_STREAM, _pumpSource())))
    self.internal = self.racer.eval("__nano.internal")
    self.internal["setDoorbell"](this=self.racer.eval("(function () {})"))
    self.racer.eval("globalThis.done = [];")


class BodyPumpTests(SynchronousTestCase):
    """
    C{nano.pumpResponseStream} sends chunks while it has credit.
    """

    setUp = _pumpIsolate

    def start(self, chunks):
        self.racer.eval("globalThis.s = new ReadableStream(%s);"
                        " __nano.pumpResponseStream(7, s, () => done.push(7));" % (chunks,))

    def send(self, *messages):
        self.internal["dispatch"](this=json.dumps(list(messages)))

    def drain(self):
        """
        The messages sent since the last drain, with attached bytes resolved.
        """
        out = self.internal["drain"]()
        if isinstance(out, str):
            return json.loads(out)
        messages, payloads, _ = parseFrame(bytes(out))
        return [m[:2] + [payloads[m[2]]] if m[0] == "chunk" else m for m in messages]

    def test_waitsForCredit(self):
        """
        Nothing is read before credit arrives.
        """
        self.start("[new Uint8Array([1, 2])]")
        self.assertEqual(self.racer.eval("s.reads"), 0)
        self.assertEqual(self.drain(), [])

    def test_readsWithinCredit(self):
        """
        With credit for 4 bytes, reads continue until the credit is used up (the
        chunk that crosses it included), then stop until more credit comes.
        """
        self.start("[new Uint8Array([1, 2, 3]), new Uint8Array([4, 5]), new Uint8Array([6])]")
        self.send(["credit", 7, 4])
        self.assertEqual(self.drain(), [["chunk", 7, b"\x01\x02\x03"], ["chunk", 7, b"\x04\x05"]])
        self.assertEqual(self.racer.eval("s.reads"), 2)
        self.send(["credit", 7, 10])
        self.assertEqual(self.drain(), [["chunk", 7, b"\x06"], ["end", 7]])
        self.assertEqual(self.racer.eval("JSON.stringify(done)"), "[7]")

    def test_badChunk(self):
        """
        A chunk that is not a Uint8Array aborts the body with a TypeError and cancels
        the stream.
        """
        self.start("['text']")
        self.send(["credit", 7, 100])
        ((op, rid, short, full),) = self.drain()
        self.assertEqual((op, rid), ("abort", 7))
        self.assertIn("TypeError", short)
        self.assertIn("Uint8Array", short)
        self.assertEqual(self.racer.eval("s.cancelled instanceof TypeError"), True)

    def test_streamError(self):
        """
        A stream that errors aborts the body with the error.
        """
        self.start("[]")
        self.racer.eval("s.error = new RangeError('boom')")
        self.send(["credit", 7, 100])
        ((op, rid, short, full),) = self.drain()
        self.assertEqual((op, rid, short), ("abort", 7, "RangeError: boom"))
        self.assertEqual(self.racer.eval("JSON.stringify(done)"), "[7]")

    def test_cancel(self):
        """
        A cancel from Python cancels the stream with an AbortError and stops the pump.
        """
        self.start("[new Uint8Array([1])]")
        self.send(["stream_cancel", 7, "the client disconnected"])
        self.assertEqual(self.racer.eval("[s.cancelled.name, s.cancelled.message].join()"),
                         "AbortError,the client disconnected")
        self.send(["credit", 7, 100])
        self.assertEqual(self.racer.eval("s.reads"), 0)
        self.assertEqual(self.drain(), [])

    def test_frameText(self):
        """
        A drain frame carries non-ASCII text (in any message) and bytes together.
        """
        self.start("[new Uint8Array([255])]")
        self.racer.eval("__nano.send(['log', 'info', '\\u2713 \\ud83d\\ude00 \\u00e9', null])")
        self.send(["credit", 7, 2])
        self.assertEqual(self.drain(), [["log", "info", "\u2713 \U0001f600 \u00e9", None],
                                        ["chunk", 7, b"\xff"], ["end", 7]])

    def test_framesReused(self):
        """
        A frame buffer is lent to Python until it answers frame_free, then reused
        for the next frame; without frame_free the next frame gets another buffer.
        """
        import ctypes

        def address(view):
            return ctypes.addressof(ctypes.c_char.from_buffer(view))

        self.start("[new Uint8Array([1]), new Uint8Array([2]), new Uint8Array([3])]")
        self.send(["credit", 7, 1])
        first = self.internal["drain"]()
        firstId = parseFrame(bytes(first))[2]
        self.send(["credit", 7, 1])
        second = self.internal["drain"]()
        self.assertNotEqual(address(second), address(first))
        self.send(["frame_free", firstId])
        self.send(["credit", 7, 1])
        third = self.internal["drain"]()
        self.assertEqual(parseFrame(bytes(third))[1], [b"\x03"])
        self.assertEqual(address(third), address(first))


class LargeDrainTests(SynchronousTestCase):
    """
    A drain whose attached bytes are over 2 MiB is split at a message boundary: each
    frame stays small enough to be reused, the rest comes with the next drain (the
    doorbell rings again), and every message still finds its payload by index.
    """

    def setUp(self):
        self.racer = MiniRacer()
        self.addCleanup(self.racer.close)
        self.racer.eval(prelude.buildPartialPrelude(("00_",)))
        self.internal = self.racer.eval("__nano.internal")
        self.racer.eval("globalThis.rings = 0;")
        self.internal["setDoorbell"](this=self.racer.eval("(function () { rings++; })"))

    def test_split(self):
        """
        Six 768 KiB chunks and messages without bytes between them leave in frames
        of at most 2 MiB of payload, in order, each chunk intact.
        """
        self.racer.eval("""
            for (let i = 0; i < 6; i++) {
              const chunk = new Uint8Array(768 * 1024).fill(i + 1);
              __nano.send(["chunk", i, __nano.attachBytes(chunk)]);
              __nano.send(["note", i]);
            }
        """)
        received = []
        frames = []
        for _ in range(10):
            out = self.internal["drain"]()
            if isinstance(out, str):
                received.extend(json.loads(out))
                break
            messages, payloads, _ = parseFrame(bytes(out))
            frames.append(sum(len(p) for p in payloads if p is not None))
            for message in messages:
                if message[0] == "chunk":
                    data = payloads[message[2]]
                    received.append(["chunk", message[1], len(data), set(data)])
                else:
                    received.append(message)
        expected = []
        for i in range(6):
            expected += [["chunk", i, 768 * 1024, {i + 1}], ["note", i]]
        self.assertEqual(received, expected)
        self.assertEqual(frames, [2 * 768 * 1024] * 3)
        self.assertEqual(self.racer.eval("rings"), 3)

    def test_oneBigMessage(self):
        """
        A single message with more than 2 MiB attached still leaves whole, with the
        messages after it.
        """
        self.racer.eval("__nano.send(['chunk', 1, __nano.attachBytes(new Uint8Array(3 * 1024 * 1024).fill(9))]);"
                        "__nano.send(['end', 1]);")
        messages, payloads, _ = parseFrame(bytes(self.internal["drain"]()))
        self.assertEqual(messages, [["chunk", 1, 0], ["end", 1]])
        self.assertEqual((len(payloads[0]), set(payloads[0])), (3 * 1024 * 1024, {9}))
        self.assertEqual(json.loads(self.internal["drain"]()), [])

    def test_reusedBuffer(self):
        """
        Bytes are taken when attached: a buffer attached, changed and attached
        again leaves with both contents.
        """
        self.racer.eval("""
            const scratch = new Uint8Array(3);
            for (let i = 0; i < 3; i++) {
              scratch.fill(i);
              __nano.send(["chunk", 1, __nano.attachBytes(scratch)]);
            }
        """)
        messages, payloads, _ = parseFrame(bytes(self.internal["drain"]()))
        self.assertEqual([payloads[m[2]] for m in messages], [b"\x00" * 3, b"\x01" * 3, b"\x02" * 3])


class ManyStreamsTests(SynchronousTestCase):
    """
    Many streams with credit at once do not copy everything ahead of the drains:
    pumps wait while a few megabytes are staged, and every chunk still arrives, in
    order, with every stream's end.
    """

    setUp = _pumpIsolate

    def test_boundedStaging(self):
        """
        50 streams of 16 chunks of 64 KiB, 2 MiB of credit each: at most 4 MiB is
        staged after the credit arrives (not 50 MiB), and the drains then deliver
        all 800 chunks and 50 ends.
        """
        self.racer.eval("""
            for (let i = 0; i < 50; i++) {
              const chunks = [];
              for (let j = 0; j < 16; j++) chunks.push(new Uint8Array(65536).fill(j));
              __nano.pumpResponseStream(i, new ReadableStream(chunks), () => {});
            }
        """)
        self.internal["dispatch"](this=json.dumps([["credit", i, 2 * 1024 * 1024] for i in range(50)]))
        self.assertLessEqual(self.racer.eval("__nano.stagedBytes()"), 4 * 1024 * 1024)
        seen = {i: [] for i in range(50)}
        ended = set()
        for _ in range(1000):
            out = self.internal["drain"]()
            if isinstance(out, str):
                messages, payloads = json.loads(out), []
                if not messages:
                    break
            else:
                messages, payloads, _ = parseFrame(bytes(out))
            for message in messages:
                if message[0] == "chunk":
                    data = payloads[message[2]]
                    seen[message[1]].append((len(data), data[0]))
                elif message[0] == "end":
                    ended.add(message[1])
        self.assertEqual(ended, set(range(50)))
        for rid in range(50):
            self.assertEqual(seen[rid], [(65536, j) for j in range(16)])

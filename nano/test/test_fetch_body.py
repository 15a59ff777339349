"""
Tests for L{nano.fetch.body}.
"""

import gzip

from twisted.internet.error import ConnectionDone
from twisted.internet.task import Clock
from twisted.python.failure import Failure
from twisted.trial.unittest import SynchronousTestCase
from twisted.web._newclient import _DataLoss
from twisted.web.client import PotentialDataLoss, ResponseDone, ResponseFailed

from nano.fetch.body import BodyStream
from nano.fetch.decoding import PIECE, decoderFor
from nano.isolate.bridge import JSBytes


class _Transport:
    """
    The response's transport as a body protocol sees it: a push producer.
    """

    def __init__(self):
        self.paused = False
        self.stopped = False

    def pauseProducing(self):
        self.paused = True

    def resumeProducing(self):
        self.paused = False

    def stopProducing(self):
        self.stopped = True


class BodyStreamTests(SynchronousTestCase):
    """
    L{BodyStream} sends decoded chunks to JS within the credit JS granted.
    """

    def setUp(self):
        self.sent = []
        self.clock = Clock()
        self.done = []
        self.transport = _Transport()

    def stream(self, coding=(), **kwargs):
        kwargs.setdefault("idleTimeout", 5.0)
        stream = BodyStream(7, self.emit, decoderFor(list(coding)), self.clock,
                            onDone=lambda: self.done.append(True), **kwargs)
        stream.makeConnection(self.transport)
        return stream

    def emit(self, message):
        """
        What the stream sends, with the bytes for JS (L{JSBytes}) as bytes.
        """
        self.sent.append([x.data if isinstance(x, JSBytes) else x for x in message])

    def chunks(self):
        return b"".join(m[2] for m in self.sent if m[0] == "fetch_chunk")

    def test_wholeBody(self):
        """
        With no credit limit every chunk is sent as it comes, then the end.
        """
        stream = self.stream()
        stream.dataReceived(b"abc")
        stream.dataReceived(b"def")
        stream.connectionLost(Failure(ResponseDone()))
        self.assertEqual(self.chunks(), b"abcdef")
        self.assertEqual(self.sent[-1], ["fetch_end", 7])
        self.assertEqual((self.done, self.transport.paused), ([True], False))

    def test_closeDelimited(self):
        """
        A body delimited by the connection closing (PotentialDataLoss) ends normally.
        """
        stream = self.stream()
        stream.dataReceived(b"x")
        stream.connectionLost(Failure(PotentialDataLoss()))
        self.assertEqual(self.sent[-1], ["fetch_end", 7])

    def test_creditPausesAndResumes(self):
        """
        When JS's credit is spent the connection is paused and decoded data waits;
        a grant sends it and resumes the connection; the end follows the last chunk.
        """
        stream = self.stream(credit=4)
        stream.dataReceived(b"abcdef")
        self.assertEqual((self.chunks(), self.transport.paused, stream.state), (b"abcdef", True, "paused"))
        stream.grant(2)
        self.assertEqual((self.transport.paused, stream.state), (True, "paused"))
        stream.grant(1)
        self.assertEqual((self.transport.paused, stream.state), (False, "reading"))
        stream.dataReceived(b"g")
        stream.connectionLost(Failure(ResponseDone()))
        self.assertEqual(self.chunks(), b"abcdefg")
        self.assertEqual(self.sent[-1][0], "fetch_end")

    def test_pendingPiecesWait(self):
        """
        Pieces decoded from one input wait for credit instead of all being sent:
        a compressed bomb is not expanded beyond what JS asked for.
        """
        stream = self.stream(coding=["gzip"], credit=1)
        stream.dataReceived(gzip.compress(b"\0" * (4 * PIECE)))
        self.assertEqual(len(self.chunks()), PIECE)
        self.assertTrue(self.transport.paused)
        stream.grant(PIECE)
        self.assertEqual(len(self.chunks()), 2 * PIECE)
        stream.grant(10 * PIECE)
        self.assertEqual(len(self.chunks()), 4 * PIECE)
        self.assertFalse(self.transport.paused)
        self.assertNotIn(["fetch_end", 7], self.sent)
        stream.connectionLost(Failure(ResponseDone()))
        self.assertEqual(self.sent[-1], ["fetch_end", 7])

    def test_endWaitsForCredit(self):
        """
        If the connection ends while decoded data still waits for credit, the end
        is sent only after that data.
        """
        stream = self.stream(coding=["gzip"], credit=1)
        stream.dataReceived(gzip.compress(b"\0" * (2 * PIECE)))
        stream.connectionLost(Failure(ResponseDone()))
        self.assertNotIn(["fetch_end", 7], self.sent)
        stream.grant(PIECE)
        self.assertEqual(self.sent[-1], ["fetch_end", 7])
        self.assertEqual(len(self.chunks()), 2 * PIECE)

    def test_truncated(self):
        """
        A connection lost before the end of the body is a TypeError for JS.
        """
        for reason in (ResponseFailed([Failure(_DataLoss())]), ResponseFailed([Failure(ConnectionDone())])):
            self.sent = []
            stream = self.stream()
            stream.dataReceived(b"part")
            stream.connectionLost(Failure(reason))
            self.assertEqual(self.sent[-1], [
                "fetch_error", 7, "TypeError",
                "fetch: the connection to the server failed while reading the body: it closed before the "
                "end of the body"])

    def test_badEncoding(self):
        """
        A body that is not valid for its coding fails and closes the connection.
        """
        stream = self.stream(coding=["gzip"])
        stream.dataReceived(b"definitely not gzip")
        self.assertEqual(self.sent[-1][:3], ["fetch_error", 7, "TypeError"])
        self.assertIn("could not decode", self.sent[-1][3])
        self.assertTrue(self.transport.stopped)

    def test_idleTimeout(self):
        """
        A body that stalls while JS wants more fails after the idle timeout; a
        stream paused for lack of credit does not time out.
        """
        stream = self.stream()
        stream.dataReceived(b"a")
        self.clock.advance(4)
        stream.dataReceived(b"b")
        self.clock.advance(4)
        self.assertEqual(self.sent[-1][0], "fetch_chunk")
        self.clock.advance(1)
        self.assertEqual(self.sent[-1], ["fetch_error", 7, "TypeError",
                                         "fetch: the server sent no body data for 5 s"])
        self.assertTrue(self.transport.stopped)
        self.sent = []
        self.transport = _Transport()
        paused = self.stream(credit=1)
        paused.dataReceived(b"ab")
        self.clock.advance(100)
        self.assertEqual(self.sent[-1][0], "fetch_chunk")

    def test_cancel(self):
        """
        Cancelling closes the connection once; nothing more is sent.
        """
        stream = self.stream()
        stream.cancel()
        stream.cancel()
        stream.dataReceived(b"late")
        stream.connectionLost(Failure(ResponseDone()))
        self.assertEqual((self.sent, self.transport.stopped, self.done), ([], True, [True]))

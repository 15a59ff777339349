"""
Tests for L{nano.streams.producer}: a real twisted.web request on a
L{StringTransport}, driven through pause/resume/stop sequences.
"""

from twisted.internet.interfaces import IPushProducer
from twisted.internet.testing import StringTransport
from twisted.trial.unittest import SynchronousTestCase
from twisted.web.http import HTTPChannel
from twisted.web.resource import Resource
from twisted.web.server import Request, Site
from zope.interface.verify import verifyObject

from nano.streams.producer import BodyProducer, CreditProducer


class _Transport(StringTransport):
    aborted = False

    def abortConnection(self):
        self.aborted = True
        self.loseConnection()


def _request():
    channel = HTTPChannel()
    channel.site = Site(Resource())
    transport = _Transport()
    channel.makeConnection(transport)
    request = Request(channel, False)
    request.method = b"GET"
    request.uri = request.path = b"/"
    request.clientproto = b"HTTP/1.1"
    request.setResponseCode(200)
    channel.requests.append(request)
    return request, transport


class _JS:
    """
    Records what the producer tells JS.
    """

    def __init__(self):
        self.granted = 0
        self.cancels = 0

    def grant(self, nbytes):
        self.granted += nbytes

    def cancel(self):
        self.cancels += 1


class BodyProducerTests(SynchronousTestCase):
    """
    L{BodyProducer} writes chunks and grants credit only while the transport takes
    data.
    """

    def setUp(self):
        self.request, self.transport = _request()
        self.js = _JS()
        self.producer = BodyProducer(self.request, self.js.grant, self.js.cancel, window=100)

    def test_interface(self):
        """
        It is an C{IPushProducer}.
        """
        self.assertTrue(verifyObject(IPushProducer, self.producer))

    def test_startSendsHeadersAndWindow(self):
        """
        Starting sends the headers at once (chunked: no length is known) and grants
        one window.
        """
        self.producer.start()
        out = self.transport.value()
        self.assertTrue(out.startswith(b"HTTP/1.1 200 OK\r\n"), out)
        self.assertIn(b"Transfer-Encoding: chunked", out)
        self.assertEqual(self.js.granted, 100)
        self.assertIs(self.request.producer, self.producer)

    def test_chunksReplenishCredit(self):
        """
        Every chunk written is given back as credit while producing.
        """
        self.producer.start()
        self.producer.write(b"x" * 30)
        self.producer.write(b"y" * 20)
        self.assertEqual(self.js.granted, 150)
        self.assertEqual(self.producer.written, 50)
        self.assertTrue(self.transport.value().endswith(b"14\r\n" + b"y" * 20 + b"\r\n"))

    def test_pausedWithholdsCredit(self):
        """
        While paused, chunks are still written (JS had credit for them) but no
        credit is granted; resuming grants what was withheld, in one grant.
        """
        self.producer.start()
        self.producer.pauseProducing()
        self.producer.write(b"a" * 40)
        self.producer.write(b"b" * 60)
        self.assertEqual((self.js.granted, self.producer.state), (100, "paused"))
        grants = []
        self.producer._grant = grants.append
        self.producer.resumeProducing()
        self.assertEqual((grants, self.producer.state), ([100], "producing"))

    def test_pausedBeforeStart(self):
        """
        A transport that is already full when the stream starts gets no window until
        it resumes.
        """
        self.producer.pauseProducing()
        self.producer.start()
        self.assertEqual(self.js.granted, 0)
        self.producer.resumeProducing()
        self.assertEqual(self.js.granted, 100)

    def test_finish(self):
        """
        Finishing writes the last chunk and unregisters.
        """
        self.producer.start()
        self.producer.write(b"abc")
        self.producer.finish()
        self.assertTrue(self.transport.value().endswith(b"3\r\nabc\r\n0\r\n\r\n"))
        self.assertIsNone(self.request.producer)
        self.assertEqual(self.producer.state, "done")
        self.producer.write(b"late")
        self.assertFalse(self.transport.value().endswith(b"late\r\n"))

    def test_abort(self):
        """
        A failed stream aborts the connection: the body is never terminated, so the
        client cannot take it for complete.
        """
        self.producer.start()
        self.producer.write(b"abc")
        self.producer.abort()
        self.assertTrue(self.transport.aborted)
        self.assertNotIn(b"0\r\n\r\n", self.transport.value())
        self.assertEqual(self.js.cancels, 0)

    def test_stopCancelsOnce(self):
        """
        When the connection goes away JS is told to cancel its stream, once, and
        nothing is written any more.
        """
        self.producer.start()
        self.producer.stopProducing()
        self.producer.stopProducing()
        self.producer.resumeProducing()
        self.assertEqual((self.js.cancels, self.producer.state), (1, "done"))
        granted = self.js.granted
        self.producer.write(b"zzz")
        self.assertEqual(self.js.granted, granted)

    def test_transportPausesThroughChannel(self):
        """
        When the transport pauses its producer (the HTTP channel), the channel
        pauses the body producer; resuming the transport resumes it.
        """
        self.producer.start()
        self.transport.producer.pauseProducing()
        self.assertEqual(self.producer.state, "paused")
        self.transport.producer.resumeProducing()
        self.assertEqual(self.producer.state, "producing")


class _Credited(CreditProducer):
    def __init__(self, state="producing"):
        CreditProducer.__init__(self, 10, state)
        self.grants = []
        self.resumes = 0

    def _grant(self, nbytes):
        self.grants.append(nbytes)

    def _resumed(self):
        self.resumes += 1


class CreditProducerTests(SynchronousTestCase):
    """
    L{CreditProducer} grants credit while producing and owes it while paused.
    """

    def test_owedWhilePaused(self):
        """
        Credit given while paused is granted in one piece on resume, after the
        subclass heard of the resume.
        """
        producer = _Credited()
        producer._credit(3)
        producer.pauseProducing()
        producer._credit(4)
        producer._credit(5)
        self.assertEqual((producer.grants, producer.state), ([3], "paused"))
        producer.resumeProducing()
        self.assertEqual((producer.grants, producer.state, producer.resumes), ([3, 9], "producing", 1))

    def test_otherStates(self):
        """
        Pausing and resuming change nothing in a state other than producing and
        paused; credit given there is owed.
        """
        producer = _Credited(state="waiting")
        producer.pauseProducing()
        producer.resumeProducing()
        producer._credit(2)
        self.assertEqual((producer.grants, producer.state, producer.resumes), ([], "waiting", 0))

"""
Tests for L{nano.fetch.upload}.
"""

from twisted.internet.defer import CancelledError
from twisted.trial.unittest import SynchronousTestCase
from twisted.web.iweb import UNKNOWN_LENGTH, IBodyProducer
from zope.interface.verify import verifyObject

from nano.fetch.upload import UploadFailed, UploadProducer


class _Consumer:
    def __init__(self):
        self.data = []

    def write(self, data):
        self.data.append(data)


class UploadProducerTests(SynchronousTestCase):
    """
    L{UploadProducer} asks JS for chunks only while the connection takes them.
    """

    def setUp(self):
        self.sent = []
        self.done = []
        self.activity = []
        self.consumer = _Consumer()

    def producer(self, **kwargs):
        return UploadProducer(5, self.sent.append, window=10, onDone=lambda: self.done.append(True),
                              onActivity=lambda: self.activity.append(True), **kwargs)

    def test_interface(self):
        """
        It is an IBodyProducer; its length is unknown (chunked) unless the request
        declared one.
        """
        producer = self.producer()
        verifyObject(IBodyProducer, producer)
        self.assertIs(producer.length, UNKNOWN_LENGTH)
        self.assertEqual(self.producer(length=12).length, 12)

    def test_nothingBeforeStart(self):
        """
        JS is asked for nothing until the connection is ready; a chunk before then
        is refused.
        """
        producer = self.producer()
        self.assertEqual((self.sent, producer.state), ([], "waiting"))
        self.assertFalse(producer.write(b"early"))

    def test_creditFollowsWrites(self):
        """
        Starting grants the window; each chunk written is granted back while the
        transport takes data; while it is paused the credit is withheld and
        granted at once when it resumes.
        """
        producer = self.producer()
        finished = producer.startProducing(self.consumer)
        self.assertEqual(self.sent, [["fetch_body_pull", 5, 10]])
        self.assertTrue(producer.write(b"abcd"))
        self.assertEqual(self.sent[-1], ["fetch_body_pull", 5, 4])
        producer.pauseProducing()
        producer.write(b"ef")
        producer.write(b"g")
        self.assertEqual((len(self.sent), producer.state), (2, "paused"))
        producer.resumeProducing()
        self.assertEqual(self.sent[-1], ["fetch_body_pull", 5, 3])
        self.assertEqual((self.consumer.data, producer.written), ([b"abcd", b"ef", b"g"], 7))
        self.assertTrue(self.activity)
        producer.close()
        self.assertIsNone(self.successResultOf(finished))
        self.assertEqual((producer.state, self.done), ("done", [True]))
        self.assertFalse(producer.write(b"late"))

    def test_fail(self):
        """
        A failed JS stream fails the body with L{UploadFailed} (twisted then
        aborts the connection).
        """
        producer = self.producer()
        finished = producer.startProducing(self.consumer)
        producer.fail("TypeError: bad chunk")
        self.assertEqual(str(self.failureResultOf(finished, UploadFailed).value), "TypeError: bad chunk")
        producer.close()
        self.assertEqual(self.done, [True])

    def test_stopProducing(self):
        """
        The connection going away tells JS to cancel its stream, once.
        """
        producer = self.producer()
        producer.startProducing(self.consumer)
        producer.stopProducing()
        producer.stopProducing()
        self.assertEqual(self.sent[1:], [["fetch_body_cancel", 5,
                                          "fetch: the connection closed before the request body was sent"]])
        self.assertEqual(self.done, [True])

    def test_cancelledRequest(self):
        """
        Cancelling the body's Deferred (twisted does when the request is
        cancelled) tells JS to stop too.
        """
        producer = self.producer()
        finished = producer.startProducing(self.consumer)
        finished.cancel()
        self.failureResultOf(finished, CancelledError)
        self.assertEqual(self.sent[-1], ["fetch_body_cancel", 5, "fetch: the request was cancelled"])

    def test_cancelAfterEnd(self):
        """
        Once the body is complete, cancelling it sends nothing.
        """
        producer = self.producer()
        producer.startProducing(self.consumer)
        producer.close()
        producer.cancel("too late")
        self.assertEqual(self.sent, [["fetch_body_pull", 5, 10]])

    def test_abandonedBeforeStart(self):
        """
        A body given up before the connection was ready fails if twisted still
        starts it.
        """
        producer = self.producer()
        producer.cancel("fetch: the request failed")
        self.failureResultOf(producer.startProducing(self.consumer), UploadFailed)
        self.assertEqual(self.sent, [["fetch_body_cancel", 5, "fetch: the request failed"]])

"""
Tests for L{nano.streams.consumer}.
"""

from twisted.trial.unittest import SynchronousTestCase

from nano.streams.consumer import BodyConsumer
from nano.testing import FakeIsolate


class _Reading:
    def __init__(self):
        self.paused = False
        self.calls = []

    def pauseReading(self):
        self.paused = True
        self.calls.append("pause")

    def resumeReading(self):
        self.paused = False
        self.calls.append("resume")


class BodyConsumerTests(SynchronousTestCase):
    """
    L{BodyConsumer} forwards body chunks and paces the connection by what JS wants.
    """

    def setUp(self):
        self.reading = _Reading()
        self.isolate = FakeIsolate()
        self.consumer = BodyConsumer(self.reading, window=10)

    def test_beforeAttach(self):
        """
        Chunks that arrive before the request reaches an isolate wait, and are
        forwarded in order when it does (the end too).
        """
        self.consumer.write(b"ab")
        self.consumer.write(b"cd")
        self.consumer.finish()
        self.consumer.attach(self.isolate, 3)
        self.assertEqual(self.isolate.bodies[3], [b"ab", b"cd", None])

    def test_pacing(self):
        """
        Reading pauses once the window is sent, and resumes (once) when JS reports it
        wants more than was sent.
        """
        self.consumer.attach(self.isolate, 1)
        self.consumer.write(b"x" * 6)
        self.assertFalse(self.reading.paused)
        self.consumer.write(b"x" * 4)
        self.assertTrue(self.reading.paused)
        self.consumer.write(b"x" * 4)
        self.consumer.pulled(10, 2)
        self.assertTrue(self.reading.paused)
        self.consumer.pulled(12, 10)
        self.assertFalse(self.reading.paused)
        self.assertEqual(self.reading.calls, ["pause", "resume"])
        self.assertEqual(self.consumer.sent, 14)

    def test_fail(self):
        """
        A failed body errors the JS stream and forwards nothing more.
        """
        self.consumer.attach(self.isolate, 1)
        self.consumer.write(b"a")
        self.consumer.fail("too large")
        self.consumer.write(b"b")
        self.consumer.finish()
        self.assertEqual(self.isolate.bodies[1], [b"a", ("error", "too large")])

    def test_discard(self):
        """
        Discarding drops the rest of the body and keeps reading.
        """
        self.consumer.attach(self.isolate, 1)
        self.consumer.write(b"x" * 12)
        self.assertTrue(self.reading.paused)
        self.consumer.discard()
        self.assertFalse(self.reading.paused)
        self.consumer.write(b"y" * 100)
        self.consumer.finish()
        self.assertEqual(self.isolate.bodies[1], [b"x" * 12])
        self.assertFalse(self.reading.paused)

"""
Tests for L{nano.app.App}'s drain: in-flight requests, then waitUntil work, then
the isolate closes, bounded by the drain timeout.
"""

import os

from twisted.internet.defer import Deferred
from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

from nano.app import App, AppUnavailable
from nano.config import singleAppConfig
from nano.test.lifecycle import ControlledIsolate


class DrainTests(SynchronousTestCase):
    """
    L{App.drain}.
    """

    def setUp(self):
        directory = os.path.abspath(self.mktemp())
        os.makedirs(directory)
        with open(os.path.join(directory, "index.js"), "w") as f:
            f.write("export default { fetch() {} };\n")
        ControlledIsolate.held = None
        self.clock = Clock()
        self.app = App(self.clock, singleAppConfig(directory).apps[0], isolateFactory=ControlledIsolate)
        self.successResultOf(self.app.start())

    def test_idle(self):
        """
        With nothing in flight the isolate closes at once and the drain is clean.
        """
        self.assertIs(self.successResultOf(self.app.drain(5)), True)
        self.assertEqual(self.app.state, "stopped")
        self.assertTrue(self.app.isolate.closed)

    def test_order(self):
        """
        New requests are refused with 503 while draining; the isolate stays open
        until the request in flight finished and then its waitUntil work.
        """
        self.app.requestStarted()
        work = Deferred()
        self.app.isolate.work.append(work)
        d = self.app.drain(5)
        self.assertEqual(self.app.state, "draining")
        self.assertIsNone(self.app.readyIsolate())
        error = self.failureResultOf(self.app.acquire(), AppUnavailable).value
        self.assertEqual((error.status, str(error)), (503, "app %s is draining" % (self.app.name,)))
        self.app.requestFinished(200)
        self.assertNoResult(d)
        self.assertFalse(self.app.isolate.closed)
        work.callback(None)
        self.assertIs(self.successResultOf(d), True)
        self.assertTrue(self.app.isolate.closed)

    def test_timeout(self):
        """
        A request that never ends: the isolate closes at the timeout and the
        drain reports it was cut short.
        """
        self.app.requestStarted()
        d = self.app.drain(2)
        self.clock.advance(1.9)
        self.assertNoResult(d)
        self.clock.advance(0.1)
        self.assertIs(self.successResultOf(d), False)
        self.assertTrue(self.app.isolate.closed)
        self.assertEqual(self.clock.getDelayedCalls(), [])

    def test_twice(self):
        """
        Draining again gives the same outcome to both callers.
        """
        self.app.requestStarted()
        first, second = self.app.drain(5), self.app.drain(1)
        self.app.requestFinished(200)
        self.assertEqual((self.successResultOf(first), self.successResultOf(second)), (True, True))
        self.assertIs(self.successResultOf(self.app.drain(5)), True)

    def test_loadingWaiters(self):
        """
        Requests waiting for a load still running get 503 when the app drains.
        """
        ControlledIsolate.held = []
        self.app.start()
        waiting = self.app.acquire()
        self.app.drain(5)
        self.failureResultOf(waiting, AppUnavailable)

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


class LazyLoadTests(SynchronousTestCase):
    """
    With idle_unload_s an app loads on its first request and unloads when idle.
    """

    def setUp(self):
        import attrs

        directory = os.path.abspath(self.mktemp())
        os.makedirs(directory)
        with open(os.path.join(directory, "index.js"), "w") as f:
            f.write("export default { fetch() {} };\n")
        self.directory = directory
        ControlledIsolate.held = None
        ControlledIsolate.instances = []
        self.clock = Clock()
        config = singleAppConfig(directory).apps[0]
        self.config = attrs.evolve(config, limits=attrs.evolve(config.limits, idle_unload_s=60))
        self.starts = []
        self.app = App(self.clock, self.config, isolateFactory=ControlledIsolate,
                       onIsolateStart=self.starts.append)

    def test_startIsLazy(self):
        """
        Starting checks the modules but loads no isolate: the app is idle.
        """
        self.assertIs(self.successResultOf(self.app.start()), self.app)
        self.assertEqual((self.app.state, ControlledIsolate.instances, self.starts), ("idle", [], []))

    def test_brokenReportedAtStart(self):
        """
        A module that does not parse fails the start, as for any app.
        """
        with open(os.path.join(self.directory, "index.js"), "w") as f:
            f.write("export default {\n")
        self.failureResultOf(self.app.start())
        self.assertEqual(self.app.state, "failed")

    def test_firstRequestLoads(self):
        """
        The first request starts the isolate (a cold start) and waits for it.
        """
        self.successResultOf(self.app.start())
        isolate = self.successResultOf(self.app.acquire())
        self.assertEqual((self.app.state, len(ControlledIsolate.instances), self.starts), ("ready", 1, ["cold"]))
        self.assertIs(isolate, ControlledIsolate.instances[0])

    def test_idleUnload(self):
        """
        After idle_unload_s with nothing in flight the isolate closes and the app is
        idle; the next request starts a new isolate.
        """
        self.successResultOf(self.app.start())
        self.successResultOf(self.app.acquire())
        self.app.requestStarted()
        self.clock.advance(30)
        self.app.requestFinished(200)
        self.clock.advance(59)
        self.assertEqual(self.app.state, "ready")
        self.clock.advance(2)
        self.assertEqual(self.app.state, "idle")
        self.assertTrue(ControlledIsolate.instances[0].closed)
        self.successResultOf(self.app.acquire())
        self.assertEqual((len(ControlledIsolate.instances), self.starts), (2, ["cold", "cold"]))

    def test_busyStaysLoaded(self):
        """
        A request in flight or pending waitUntil work keeps the isolate loaded.
        """
        self.successResultOf(self.app.start())
        self.successResultOf(self.app.acquire())
        isolate = ControlledIsolate.instances[0]
        work = Deferred()
        isolate.work.append(work)
        self.clock.advance(120)
        self.assertEqual(self.app.state, "ready")
        work.callback(None)
        self.clock.advance(61)
        self.assertEqual(self.app.state, "idle")

    def test_recycleReason(self):
        """
        A fresh isolate after a reset is a recycle.
        """
        self.successResultOf(self.app.start())
        self.successResultOf(self.app.acquire())
        ControlledIsolate.instances[0].close()
        self.successResultOf(self.app.acquire())
        self.assertEqual(self.starts, ["cold", "recycle"])

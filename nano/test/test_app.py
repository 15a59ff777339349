"""
Tests for L{nano.app.App}: counting isolate starts and resets, the drain (in-flight
requests, then waitUntil work, then the isolate closes, bounded by the drain
timeout), lazy load and idle unload.
"""

import os
import tempfile
import time

import attrs
from twisted.internet.defer import Deferred
from twisted.internet.task import Clock
from twisted.logger import globalLogPublisher
from twisted.trial.unittest import SynchronousTestCase

from nano.app import App, AppUnavailable
from nano.config import singleAppConfig
from nano.isolate.graphcache import GraphCache
from nano.isolate.modules import loadModuleGraph
from nano.isolate.runtime import LoadError
from nano.isolate.watchdog import Watchdog
from nano.metrics import AppStats, Metrics
from nano.test.isolatekit import APPS, pumpedFetch
from nano.test.lifecycle import ControlledIsolate
from nano.testing import FakeIsolate, PumpedReactor


def _config():
    directory = os.path.join(tempfile.mkdtemp(prefix="nano-test-"), "app")
    os.makedirs(directory)
    with open(os.path.join(directory, "index.js"), "w") as f:
        f.write("export default {fetch() {}}\n")
    return singleAppConfig(directory).apps[0]


class _LoadingIsolate(FakeIsolate):
    """
    A fake isolate whose load completes when the test fires C{loaded}.
    """

    def load(self, graph, envJSON, memoryLimit=None):
        self.loaded = Deferred()
        return self.loaded


class AppStatsTests(SynchronousTestCase):
    """
    L{App} counts its isolate starts by reason and its isolates' limit resets by
    kind in the app's L{AppStats}.
    """

    def setUp(self):
        self.isolates = []

        def factory(*args, **kw):
            isolate = _LoadingIsolate(*args, **kw)
            self.isolates.append(isolate)
            return isolate

        self.stats = AppStats()
        self.clock = Clock()
        self.app = App(self.clock, _config(), isolateFactory=factory, stats=self.stats)

    def test_coldStart(self):
        """
        The first start is counted as a cold start.
        """
        started = self.app.start()
        self.isolates[0].loaded.callback(None)
        self.assertIs(self.successResultOf(started), self.app)
        self.assertEqual(self.stats.starts, {"cold": 1, "reload": 0, "recycle": 0})

    def test_resetCounted(self):
        """
        The isolate reports its limit resets to the app's stats, by kind.
        """
        self.app.start()
        self.isolates[0].onReset("cpu")
        self.isolates[0].onReset("memory")
        self.assertEqual(self.stats.limits, {"cpu": 1, "wall": 0, "memory": 1, "body": 0})

    def test_lastReset(self):
        """
        The kind and time of the latest reset are kept in the stats, which the app
        exposes as C{stats}.
        """
        self.assertIs(self.app.stats, self.stats)
        self.assertIsNone(self.stats.lastReset)
        self.app.start()
        self.clock.advance(100)
        self.isolates[0].onReset("cpu")
        self.clock.advance(5)
        self.isolates[0].onReset("memory")
        self.assertEqual(self.stats.lastReset, ("memory", 105.0))

    def test_recycle(self):
        """
        After its isolate was reset, the app's next request gets a fresh isolate,
        counted as a recycle start.
        """
        self.app.start()
        self.isolates[0].loaded.callback(None)
        self.isolates[0].onReset("cpu")
        self.isolates[0].close()
        acquired = self.app.acquire()
        self.isolates[1].loaded.callback(None)
        isolate = self.successResultOf(acquired)
        self.assertIs(isolate, self.isolates[1])
        self.assertFalse(isolate.closed)
        self.assertEqual(self.stats.starts, {"cold": 1, "reload": 0, "recycle": 1})


class ResetMetricsTests(SynchronousTestCase):
    """
    With a real isolate and the watchdog: a runaway's reset shows in the metrics
    exposition, and the app's next request is served by a fresh isolate.
    """

    def setUp(self):
        self.reactor = PumpedReactor()
        config = singleAppConfig(os.path.join(APPS, "rt-runaway")).apps[0]
        config = attrs.evolve(config, limits=attrs.evolve(config.limits, cpu_ms=50))
        self.metrics = Metrics()
        self.app = App(self.reactor, config, watchdog=Watchdog(self.reactor), stats=self.metrics.app("x"))
        self.addCleanup(self.app.stop)

    def acquire(self):
        box = []
        self.app.acquire().addBoth(box.append)
        self.reactor.pump(lambda: box)
        return box[0]

    def fetch(self, isolate, path):
        return pumpedFetch(self.reactor, isolate, "GET", "http://x.test" + path, advance=0.025)

    def test_cpuReset(self):
        """
        A loop in the handler is reset for cpu: nano_limit_exceeded_total counts it,
        and the next request gets a fresh isolate, counted as a recycle start.
        """
        started = self.app.start()
        self.reactor.pump(lambda: started.called)
        first = self.acquire()
        failure = self.fetch(first, "/spin")
        self.assertEqual(failure.kind, "cpu")
        second = self.acquire()
        self.assertIsNot(second, first)
        self.assertEqual(self.fetch(second, "/").body, b"fine")
        text = self.metrics.exposition().decode()
        self.assertIn('nano_limit_exceeded_total{app="x",kind="cpu"} 1.0', text)
        self.assertIn('nano_limit_exceeded_total{app="x",kind="memory"} 0.0', text)
        self.assertIn('nano_isolate_starts_total{app="x",reason="cold"} 1.0', text)
        self.assertIn('nano_isolate_starts_total{app="x",reason="recycle"} 1.0', text)


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
        starts = self.starts

        class Stats(AppStats):
            def isolateStarted(self, reason):
                starts.append(reason)

        self.app = App(self.clock, self.config, isolateFactory=ControlledIsolate, stats=Stats())

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

    def test_graphCheckedOnce(self):
        """
        The module graph checked at start is the one the cold start loads (the
        app's graph cache gives it back while the files are unchanged).
        """
        built = []

        def build(appDir, main):
            built.append(appDir)
            return loadModuleGraph(appDir, main)

        graphs = GraphCache(build=build, now=lambda: time.time() + 60)
        app = App(self.clock, self.config, isolateFactory=ControlledIsolate, graphs=graphs)
        self.successResultOf(app.start())
        self.successResultOf(app.acquire())
        self.assertEqual(len(built), 1)
        self.assertEqual(ControlledIsolate.instances[0].graph.entry, "index.js")

    def test_recycleReason(self):
        """
        A fresh isolate after a reset is a recycle.
        """
        self.successResultOf(self.app.start())
        self.successResultOf(self.app.acquire())
        ControlledIsolate.instances[0].close()
        self.successResultOf(self.app.acquire())
        self.assertEqual(self.starts, ["cold", "recycle"])


class ColdStartEventTests(SynchronousTestCase):
    """
    The request that starts an idle app's isolate is reported once it has been
    answered: one event with the time from its arrival (C{cold_start_ms}) and the
    isolate's load time (C{load_ms}).
    """

    def setUp(self):
        directory = os.path.abspath(self.mktemp())
        os.makedirs(directory)
        with open(os.path.join(directory, "index.js"), "w") as f:
            f.write("export default { fetch() {} };\n")
        ControlledIsolate.held = []
        ControlledIsolate.instances = []
        self.addCleanup(setattr, ControlledIsolate, "held", None)
        self.clock = Clock()
        config = singleAppConfig(directory).apps[0]
        config = attrs.evolve(config, limits=attrs.evolve(config.limits, idle_unload_s=60))
        self.app = App(self.clock, config, isolateFactory=ControlledIsolate)
        self.successResultOf(self.app.start())
        self.events = []
        globalLogPublisher.addObserver(self.events.append)
        self.addCleanup(globalLogPublisher.removeObserver, self.events.append)

    def coldStarts(self):
        return [e for e in self.events if "cold_start_ms" in e]

    def test_firstRequest(self):
        """
        The first request's event comes when it is answered: 2 ms loading plus
        3 ms for the response make 5 ms; later requests and requests that arrived
        while it loaded are not cold starts.
        """
        self.app.requestStarted()
        waiting = self.app.acquire()
        self.app.requestStarted()
        second = self.app.acquire()
        self.clock.advance(0.002)
        ControlledIsolate.held[0].callback(None)
        self.successResultOf(waiting)
        self.successResultOf(second)
        self.assertEqual(self.coldStarts(), [])
        self.clock.advance(0.003)
        self.app.requestFinished(200)
        self.app.requestFinished(200)
        self.app.requestStarted()
        self.app.requestFinished(200)
        [event] = self.coldStarts()
        self.assertEqual((event["app"], event["status"]), (self.app.name, 200))
        self.assertAlmostEqual(event["cold_start_ms"], 5.0)
        self.assertAlmostEqual(event["load_ms"], 2.0)

    def test_loadedApp(self):
        """
        An app loaded at start (no idle_unload_s) has no cold start event.
        """
        config = attrs.evolve(self.app.config, limits=attrs.evolve(self.app.config.limits, idle_unload_s=None))
        app = App(self.clock, config, isolateFactory=ControlledIsolate)
        app.start()
        ControlledIsolate.held[0].callback(None)
        app.requestStarted()
        app.requestFinished(200)
        self.assertEqual(self.coldStarts(), [])

    def test_afterIdleUnload(self):
        """
        The first request after an idle unload is a cold start again.
        """
        for _ in range(2):
            self.app.requestStarted()
            self.app.acquire()
            ControlledIsolate.held[-1].callback(None)
            self.app.requestFinished(200)
            self.clock.advance(61)
        self.assertEqual(len(self.coldStarts()), 2)

    def test_failedLoad(self):
        """
        When the isolate fails to load, the event still comes (the request was
        answered, with an error) and has no load time.
        """
        self.app.requestStarted()
        waiting = self.app.acquire()
        ControlledIsolate.held[0].errback(LoadError("boom"))
        self.failureResultOf(waiting, AppUnavailable)
        self.app.requestFinished(503)
        [event] = self.coldStarts()
        self.assertEqual((event["status"], event["load_ms"]), (503, None))

"""
Tests for L{nano.app}: an app's isolate starts and resets as its metrics see them,
with L{FakeIsolate}s and with a real isolate.
"""

import os
import tempfile

import attrs
from twisted.internet.defer import Deferred
from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

from nano.app import App
from nano.config import singleAppConfig
from nano.isolate.watchdog import Watchdog
from nano.metrics import AppStats, Metrics
from nano.testing import FakeIsolate, PumpedReactor

APPS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "apps")


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
        self.app = App(Clock(), _config(), isolateFactory=factory, stats=self.stats)

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


class _Sink:
    requestId = None
    result = None

    def gotResponse(self, response):
        self.result = response

    def gotError(self, error):
        self.result = error


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
        sink = _Sink()
        isolate.fetch("GET", "http://x.test" + path, [], None, sink)
        self.reactor.pump(lambda: sink.result is not None, advance=0.025)
        return sink.result

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

"""
Tests for L{nano.app}: an app's isolate starts and resets as its metrics see them,
with L{FakeIsolate}s.
"""

import os
import tempfile

from twisted.internet.defer import Deferred
from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

from nano.app import App
from nano.config import singleAppConfig
from nano.metrics import AppStats
from nano.testing import FakeIsolate


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

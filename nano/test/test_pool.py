"""
Tests for L{nano.isolate.pool}: the pool's filling logic with a fake bootstrap, and
a real isolate loaded from a real pool.
"""

import json
import os

from twisted.internet.defer import Deferred
from twisted.internet.task import Clock
from twisted.logger import globalLogPublisher
from twisted.trial.unittest import SynchronousTestCase

from nano.isolate.modules import loadModuleGraph
from nano.isolate.pool import IsolatePool, bootstrap
from nano.isolate.runtime import Isolate
from nano.test.isolatekit import APPS, pumpedFetch
from nano.testing import PumpedReactor


class _Bootstrapped:
    def __init__(self, n):
        self.n = n
        self.closed = False
        self.warmed = False

    def warm(self):
        self.warmed = True

    def close(self):
        self.closed = True


class _Bootstraps:
    """
    A bootstrap function whose results the test fires.
    """

    def __init__(self):
        self.pending = []
        self.made = 0

    def __call__(self, reactor, dev):
        d = Deferred()
        self.pending.append(d)
        return d

    def finish(self):
        self.made += 1
        self.pending.pop(0).callback(_Bootstrapped(self.made))


class IsolatePoolTests(SynchronousTestCase):
    """
    L{IsolatePool} keeps bootstrapped isolates ready, filling one at a time.
    """

    def setUp(self):
        self.clock = Clock()
        self.bootstraps = _Bootstraps()
        self.pool = IsolatePool(self.clock, size=2, bootstrap=self.bootstraps)

    def test_fillsOneAtATime(self):
        """
        Starting fills the pool to its size, one bootstrap at a time.
        """
        self.pool.start()
        self.clock.advance(0.05)
        self.assertEqual(len(self.bootstraps.pending), 1)
        self.bootstraps.finish()
        self.clock.advance(0.05)
        self.assertEqual((self.pool.ready, len(self.bootstraps.pending)), (1, 1))
        self.bootstraps.finish()
        self.clock.advance(0.05)
        self.assertEqual((self.pool.ready, len(self.bootstraps.pending)), (2, 0))

    def test_takeReady(self):
        """
        Taking a ready isolate is immediate, and a refill follows.
        """
        self.pool.start()
        for _ in range(2):
            self.clock.advance(0.05)
            self.bootstraps.finish()
        taken = self.successResultOf(self.pool.take())
        self.assertEqual((taken.n, self.pool.ready), (2, 1))
        self.clock.advance(0.05)
        self.assertEqual(len(self.bootstraps.pending), 1)

    def test_takeEmpty(self):
        """
        With nothing ready, taking bootstraps one for the caller (the refill is a
        separate bootstrap); that one is not warmed, those kept ready are.
        """
        d = self.pool.take()
        self.assertNoResult(d)
        self.bootstraps.finish()
        taken = self.successResultOf(d)
        self.assertEqual((taken.n, taken.warmed), (1, False))
        self.pool.start()
        self.clock.advance(0.05)
        self.bootstraps.finish()
        self.assertEqual(self.successResultOf(self.pool.take()).warmed, True)

    def test_burstBounded(self):
        """
        Many takes on an empty pool run at most maxBootstraps bootstraps at once;
        the others wait, in order, and every take gets an isolate.
        """
        pool = IsolatePool(self.clock, size=0, bootstrap=self.bootstraps, maxBootstraps=2)
        takes = [pool.take() for _ in range(5)]
        self.assertEqual((len(self.bootstraps.pending), pool.waiting), (2, 3))
        for _ in range(5):
            self.bootstraps.finish()
        self.assertEqual([self.successResultOf(d).n for d in takes], [1, 2, 3, 4, 5])
        self.assertEqual(pool.waiting, 0)

    def test_burstReported(self):
        """
        When the last take that waited got its isolate, one event tells how many
        waited, how many bootstraps ran at most at once and for how long.
        """
        events = []
        globalLogPublisher.addObserver(events.append)
        self.addCleanup(globalLogPublisher.removeObserver, events.append)
        pool = IsolatePool(self.clock, size=0, bootstrap=self.bootstraps, maxBootstraps=2)
        takes = [pool.take() for _ in range(3)]
        self.clock.advance(0.25)
        for _ in range(3):
            self.assertEqual([e for e in events if "peak" in e], [])
            self.bootstraps.finish()
        [event] = [e for e in events if "peak" in e]
        self.assertEqual((event["takes"], event["peak"], event["ms"]), (3, 2, 250.0))
        self.assertEqual(len([self.successResultOf(d) for d in takes]), 3)

    def test_stop(self):
        """
        Stopping closes what is ready, and an isolate finishing its bootstrap after
        the stop is closed too.
        """
        self.pool.start()
        self.clock.advance(0.05)
        self.bootstraps.finish()
        self.clock.advance(0.05)
        ready = self.pool._ready[0]
        self.pool.stop()
        self.bootstraps.finish()
        self.assertTrue(ready.closed)
        self.assertEqual(self.pool.ready, 0)


class PooledIsolateTests(SynchronousTestCase):
    """
    An L{Isolate} loads its app into a pooled isolate.
    """

    def test_load(self):
        """
        The app loads into an isolate taken from the pool and serves requests; its
        performance.timeOrigin is the load time, not the bootstrap time; its
        navigator.userAgent is "Cloudflare-Workers".
        """
        reactor = PumpedReactor()
        pool = IsolatePool(reactor, size=1)
        self.addCleanup(pool.stop)
        pool.start()
        reactor.pump(lambda: pool.ready == 1, advance=0.05)
        reactor.advance(100)
        isolate = Isolate(reactor, "rt-basic", pool=pool)
        self.addCleanup(isolate.close)
        box = []
        isolate.load(loadModuleGraph(os.path.join(APPS, "rt-basic")), "{}").addBoth(box.append)
        reactor.pump(lambda: box)
        self.assertIsNone(box[0])
        self.assertEqual(pool.ready, 0)

        # The pool warmed the isolate: its throwaway response reached the adopting
        # isolate, which ignored it.
        response = pumpedFetch(reactor, isolate, "GET", "http://a.test/origin")
        self.assertEqual(float(response.body), reactor.seconds() * 1000.0)
        # navigator.userAgent is Cloudflare Workers' own, which libraries detect.
        response = pumpedFetch(reactor, isolate, "GET", "http://a.test/agent")
        self.assertEqual(response.body, b"Cloudflare-Workers")

    def test_warm(self):
        """
        Warming runs two throwaway requests (request id 0) through the request path
        and leaves no handler behind: a request before an app loads is still refused.
        """
        reactor = PumpedReactor()
        box = []
        bootstrap(reactor).addBoth(box.append)
        reactor.pump(lambda: box)
        bootstrapped = box[0]
        self.addCleanup(bootstrapped.close)
        bootstrapped.warm()
        reactor.pump(lambda: sum(len(json.loads(batch)) for batch in bootstrapped.early) >= 2)
        messages = [m for batch in bootstrapped.early for m in json.loads(batch)]
        self.assertEqual([m[:3] for m in messages], [["res", 0, 200], ["res", 0, 200]])
        del bootstrapped.early[:]
        bootstrapped.context.post(bootstrapped.dispatch, '[["req", 5, "GET", "http://a.test/", [], null]]')
        reactor.pump(lambda: bootstrapped.early)
        self.assertEqual(json.loads(bootstrapped.early[0])[0][:4], ["err", 5, "exception", "Error: the app is not loaded"])

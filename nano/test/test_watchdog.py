"""
Tests for L{nano.isolate.watchdog} with fake isolates and a fake clock.
"""

from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

from nano.isolate.watchdog import Watchdog


class _Isolate:
    """
    What the watchdog reads, set by the test.
    """

    def __init__(self, cpuLimit=0.1):
        self.cpu = 0.0
        self.crossings = 0
        self.memory = False
        self.stuck = 0.0
        self.pending = True
        self.cpuLimit = cpuLimit
        self.closed = False
        self.resets = []
        self.reasons = []

    def cpuTime(self):
        return self.cpu

    def boundaries(self):
        return self.crossings

    def memoryLimitReached(self):
        return self.memory

    def stuckFor(self):
        return self.stuck

    def hasPendingWork(self):
        return self.pending

    def runaway(self, kind, reason=None):
        self.resets.append(kind)
        self.reasons.append(reason)
        self.closed = True


class WatchdogTests(SynchronousTestCase):
    """
    L{Watchdog} resets isolates whose JS runs too long without a break, or that hit
    their memory limit.
    """

    def setUp(self):
        self.clock = Clock()
        self.watchdog = Watchdog(self.clock, interval=0.02)

    def spin(self, isolate, ticks, cpuPerTick, crossEvery=None):
        for i in range(ticks):
            isolate.cpu += cpuPerTick
            if crossEvery and i % crossEvery == 0:
                isolate.crossings += 1
            self.clock.advance(0.02)

    def test_uninterruptedStretch(self):
        """
        CPU time with no crossing back to Python adds up; past the limit the isolate
        is reset with reason cpu.
        """
        isolate = _Isolate(cpuLimit=0.1)
        self.watchdog.watch(isolate)
        self.spin(isolate, 5, 0.02)
        self.assertEqual(isolate.resets, [])
        self.spin(isolate, 1, 0.02)
        self.assertEqual(isolate.resets, ["cpu"])
        self.assertEqual(self.watchdog.resets["cpu"], 1)
        self.assertFalse(self.watchdog.watching(isolate))

    def test_busyButYielding(self):
        """
        An isolate that is busy all the time but keeps coming back to Python (many
        short requests) is never reset.
        """
        isolate = _Isolate(cpuLimit=0.05)
        self.watchdog.watch(isolate)
        self.spin(isolate, 200, 0.02, crossEvery=1)
        self.assertEqual(isolate.resets, [])

    def test_memory(self):
        """
        A hard memory limit reached (even outside any task) resets the isolate with
        reason memory.
        """
        isolate = _Isolate()
        self.watchdog.watch(isolate)
        isolate.memory = True
        self.clock.advance(0.02)
        self.assertEqual(isolate.resets, ["memory"])

    def test_idleIsolatesLeave(self):
        """
        An isolate whose thread used no CPU in a tick and has nothing pending is no
        longer watched, and the clock stops ticking; watching again restarts it.
        """
        isolate = _Isolate()
        self.watchdog.watch(isolate)
        isolate.pending = False
        self.clock.advance(0.02)
        self.assertFalse(self.watchdog.watching(isolate))
        self.assertEqual(self.clock.getDelayedCalls(), [])
        self.watchdog.watch(isolate)
        self.assertEqual(len(self.clock.getDelayedCalls()), 1)

    def test_busyIdleIsWatched(self):
        """
        An isolate with nothing pending whose thread is still using CPU (a loop in a
        promise job nobody waits for) stays watched, and is reset.
        """
        isolate = _Isolate(cpuLimit=0.05)
        isolate.pending = False
        self.watchdog.watch(isolate)
        self.spin(isolate, 4, 0.02)
        self.assertEqual(isolate.resets, ["cpu"])

    def test_stuck(self):
        """
        An isolate whose thread uses no CPU while its oldest batch has waited past
        the stuck limit is reset as stuck; one still using CPU is left to the CPU
        limit.
        """
        watchdog = Watchdog(self.clock, interval=0.02, stuckAfter=10.0)
        busy, blocked = _Isolate(cpuLimit=None), _Isolate(cpuLimit=None)
        busy.stuck = blocked.stuck = 11.0
        watchdog.watch(busy)
        watchdog.watch(blocked)
        busy.cpu += 0.02
        self.clock.advance(0.02)
        self.assertEqual((busy.resets, blocked.resets), ([], ["stuck"]))
        self.assertEqual(watchdog.resets["stuck"], 1)

    def test_noLimit(self):
        """
        Without a CPU limit only memory is checked.
        """
        isolate = _Isolate(cpuLimit=None)
        self.watchdog.watch(isolate)
        self.spin(isolate, 50, 0.02)
        self.assertEqual(isolate.resets, [])

    def test_closedLeaves(self):
        """
        A closed isolate is dropped without being read.
        """
        isolate = _Isolate()
        self.watchdog.watch(isolate)
        isolate.closed = True
        isolate.cpuTime = None
        self.clock.advance(0.02)
        self.assertFalse(self.watchdog.watching(isolate))


class RSSBackstopTests(SynchronousTestCase):
    """
    The process memory backstop resets the isolate that grew the process most.
    """

    def setUp(self):
        self.clock = Clock()
        self.rss = [100]
        self.watchdog = Watchdog(self.clock, interval=0.02, rssLimit=1000, rssCooldown=1.0,
                                 rss=lambda: self.rss[0])
        self.a, self.b = _Isolate(cpuLimit=None), _Isolate(cpuLimit=None)
        self.a.appName, self.b.appName = "a", "b"
        self.watchdog.watch(self.a)
        self.watchdog.watch(self.b)

    def tick(self, rss, cpuA=0.0, cpuB=0.0):
        self.rss[0] = rss
        self.a.cpu += cpuA
        self.b.cpu += cpuB
        self.a.crossings += 1
        self.b.crossings += 1
        self.clock.advance(0.02)

    def test_biggestGrowerReset(self):
        """
        Growth is attributed to the isolates that ran, by CPU; past the limit the
        one with the most growth is reset, with reason memory.
        """
        self.tick(300, cpuA=0.01, cpuB=0.01)
        self.tick(900, cpuA=0.02)
        self.assertEqual((self.a.resets, self.b.resets), ([], []))
        self.tick(1200, cpuA=0.01, cpuB=0.01)
        self.assertEqual((self.a.resets, self.b.resets), (["memory"], []))
        self.assertIn("process memory backstop", self.a.reasons[0])
        self.assertEqual(self.watchdog.resets["rss"], 1)

    def test_cooldown(self):
        """
        After a reset the backstop waits before acting again.
        """
        self.tick(2000, cpuA=0.01, cpuB=0.001)
        self.assertEqual(self.a.resets, ["memory"])
        self.tick(2500, cpuB=0.01)
        self.assertEqual(self.b.resets, [])
        self.clock.advance(1.0)
        self.tick(2600, cpuB=0.01)
        self.assertEqual(self.b.resets, ["memory"])

    def test_shrinkForgives(self):
        """
        Memory returned to the system is taken off the isolates' growth.
        """
        self.tick(600, cpuA=0.01)
        self.tick(100)
        self.assertLess(self.watchdog.growth[self.a], 1)

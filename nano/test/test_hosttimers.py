"""
Tests for L{nano.isolate.hosttimers}.
"""

from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

from nano.isolate.hosttimers import BURST, HostTimers


class HostTimersTests(SynchronousTestCase):
    """
    L{HostTimers} arms one reactor call per timer id and fires it with its count.
    """

    def setUp(self):
        self.clock = Clock()
        self.fired = []
        self.timers = HostTimers(self.clock, lambda tid, count: self.fired.append((tid, count)))

    def test_delay(self):
        """
        A timer fires after its delay in milliseconds, with its count; while armed
        the timers are true.
        """
        self.timers.set(7, 20, 3)
        self.assertTrue(self.timers)
        self.clock.advance(0.019)
        self.assertEqual(self.fired, [])
        self.clock.advance(0.001)
        self.assertEqual(self.fired, [(7, 3)])
        self.assertFalse(self.timers)

    def test_dueAtOnce(self):
        """
        A timer with no delay (or a negative or malformed one) fires at once.
        """
        for delay in (0, -5, "x"):
            self.timers.set(1, delay)
        self.assertEqual(self.fired, [(1, 1)] * 3)
        self.assertFalse(self.timers)

    def test_count(self):
        """
        Counts are capped at BURST; anything but an integer above 1 counts as 1.
        """
        for count in (BURST + 10, 0, 2.5, None, 5):
            self.timers.set(1, 0, count)
        self.assertEqual([count for _, count in self.fired], [BURST, 1, 1, 1, 5])

    def test_replaceAndClear(self):
        """
        Setting an armed id replaces its call; clear and clearAll disarm.
        """
        self.timers.set(1, 10)
        self.timers.set(1, 30)
        self.timers.set(2, 10)
        self.timers.clear(2)
        self.clock.advance(0.02)
        self.assertEqual(self.fired, [])
        self.clock.advance(0.01)
        self.assertEqual(self.fired, [(1, 1)])
        self.timers.set(3, 10)
        self.timers.set(4, 10)
        self.timers.clearAll()
        self.clock.advance(1)
        self.assertEqual(self.fired, [(1, 1)])
        self.assertFalse(self.timers)

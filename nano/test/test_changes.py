"""
Tests for L{nano.changes}: the change queue and the hostname rule of reloads.
"""

import attrs
from twisted.internet.defer import Deferred
from twisted.trial.unittest import SynchronousTestCase

from nano.changes import ChangeQueue, DeployError, ReloadResult, settleHostnames


class ChangeQueueTests(SynchronousTestCase):
    """
    L{ChangeQueue} runs changes one at a time.
    """

    def setUp(self):
        self.after = []
        self.queue = ChangeQueue(coalesce=("reload",), after=lambda: self.after.append(len(self.after)))
        self.pending = []

    def held(self, label):
        def run():
            d = Deferred()
            self.pending.append((label, d))
            return d
        return run

    def test_oneAtATime(self):
        """
        A change submitted while another runs waits for it; outcomes (values and
        failures) reach their own submitters; C{after} runs after each.
        """
        first = self.queue.submit("add", self.held("first"))
        second = self.queue.submit("remove", self.held("second"))
        self.assertTrue(self.queue.busy)
        self.assertEqual([label for label, _ in self.pending], ["first"])
        self.pending.pop()[1].callback(1)
        self.assertEqual(self.successResultOf(first), 1)
        self.assertEqual([label for label, _ in self.pending], ["second"])
        self.pending.pop()[1].errback(DeployError(404, "no such app"))
        self.assertEqual(self.failureResultOf(second, DeployError).value.status, 404)
        self.assertFalse(self.queue.busy)
        self.assertEqual(self.after, [0, 1])

    def test_coalesce(self):
        """
        Reloads submitted while one waits share its run; a reload submitted after
        another kind of change gets its own.
        """
        running = self.queue.submit("add", self.held("add"))
        r1 = self.queue.submit("reload", self.held("r1"))
        r2 = self.queue.submit("reload", self.held("r2"))
        other = self.queue.submit("remove", self.held("remove"))
        r3 = self.queue.submit("reload", self.held("r3"))
        for expected in ("add", "r1", "remove", "r3"):
            label, d = self.pending.pop()
            self.assertEqual(label, expected)
            d.callback(label)
        self.assertEqual([self.successResultOf(d) for d in (running, r1, r2, other, r3)],
                         ["add", "r1", "r1", "remove", "r3"])

    def test_synchronousAndRaising(self):
        """
        A change may return a plain value or raise.
        """
        self.assertEqual(self.successResultOf(self.queue.submit("x", lambda: 5)), 5)
        d = self.queue.submit("x", lambda: 1 / 0)
        self.failureResultOf(d, ZeroDivisionError)
        self.assertFalse(self.queue.busy)

    def test_close(self):
        """
        Closing fails the waiting changes; the running one finishes.
        """
        running = self.queue.submit("add", self.held("add"))
        waiting = self.queue.submit("reload", self.held("reload"))
        self.queue.close(DeployError(503, "shutting down"))
        self.failureResultOf(waiting, DeployError)
        self.pending.pop()[1].callback("done")
        self.assertEqual(self.successResultOf(running), "done")
        self.assertEqual(self.pending, [])


@attrs.frozen
class _Config:
    hostnames: tuple


@attrs.define(eq=False)
class _App:
    name: str
    config: _Config


class SettleHostnamesTests(SynchronousTestCase):
    """
    L{settleHostnames} keeps hostnames unique when some apps kept their version.
    """

    def test_chain(self):
        """
        App a kept its old version (holding x); b's new version wants x, so b keeps
        its old version (holding y); c's new version wants y, and c is new, so c is
        not added. Each drop is reported.
        """
        oldA, oldB = _App("a", _Config(("x",))), _App("b", _Config(("y",)))
        newB, newC = _App("b", _Config(("x",))), _App("c", _Config(("y",)))
        running = {"a": oldA, "b": oldB}
        final = {"a": oldA, "b": newB, "c": newC}
        failed = {"a": "broken"}
        dropped = settleHostnames(final, running, failed)
        self.assertEqual(final, {"a": oldA, "b": oldB})
        self.assertEqual([name for name, _ in dropped], ["b", "c"])
        self.assertEqual(sorted(failed), ["a", "b", "c"])
        self.assertIn('hostname "x" is still used by app "a"', failed["b"])

    def test_noClash(self):
        """
        Without clashes nothing changes.
        """
        final = {"a": _App("a", _Config(("x",)))}
        self.assertEqual(settleHostnames(final, {}, {}), [])
        self.assertEqual(list(final), ["a"])

    def test_resultJSON(self):
        """
        L{ReloadResult.toJSON} lists names, and failures only when there are some.
        """
        self.assertEqual(ReloadResult(added=("a",)).toJSON(),
                         {"added": ["a"], "removed": [], "changed": [], "unchanged": []})
        self.assertEqual(ReloadResult(failed=(("b", "boom"),)).toJSON()["failed"], [{"name": "b", "error": "boom"}])

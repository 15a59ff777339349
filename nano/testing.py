"""
Test helpers that other test modules (and users testing code built on NANO) share.

L{PumpedReactor} is a L{twisted.internet.task.Clock} that also accepts
C{callFromThread} from V8's pump threads; a test calls L{PumpedReactor.pump} to run
those calls on its own thread until a condition holds. This keeps tests with real
isolates synchronous (no global reactor, no real time apart from V8's own work).
"""

import queue
import time

from twisted.internet.task import Clock

__all__ = ["PumpedReactor"]


class PumpedReactor(Clock):
    """
    A Clock plus a thread-safe C{callFromThread} queue.
    """

    def __init__(self):
        Clock.__init__(self)
        self._calls = queue.Queue()

    def callFromThread(self, f, *args, **kwargs):
        self._calls.put((f, args, kwargs))

    def runPending(self):
        """
        Run every call handed over so far, and every timer due now; return how many
        thread calls ran.
        """
        ran = 0
        while True:
            try:
                f, args, kwargs = self._calls.get_nowait()
            except queue.Empty:
                break
            f(*args, **kwargs)
            ran += 1
        self.advance(0)
        return ran

    def pump(self, until, timeout=10.0, advance=0.0):
        """
        Run handed-over calls (and due timers) until C{until()} is true.

        @param advance: seconds of clock time to advance whenever nothing else is
            pending (to fire JS timers armed through C{callLater}).
        @raise AssertionError: if C{until()} is still false after C{timeout} real
            seconds.
        """
        deadline = time.monotonic() + timeout
        while not until():
            if time.monotonic() > deadline:
                raise AssertionError("condition not reached in %s s" % (timeout,))
            try:
                f, args, kwargs = self._calls.get(timeout=0.01)
            except queue.Empty:
                if advance:
                    self.advance(advance)
                else:
                    self.advance(0)
                continue
            f(*args, **kwargs)
            self.advance(0)

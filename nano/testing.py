"""
Test helpers that other test modules (and users testing code built on NANO) share.

L{PumpedReactor} is a L{twisted.internet.task.Clock} that also accepts
C{callFromThread} from V8's pump threads; a test calls L{PumpedReactor.pump} to run
those calls on its own thread until a condition holds. This keeps tests with real
isolates synchronous (no global reactor, no real time apart from V8's own work).
"""

import queue
import time

from twisted.internet.defer import fail, succeed
from twisted.internet.task import Clock
from zope.interface import implementer

from nano.interfaces import IIsolate

__all__ = ["PumpedReactor", "FakeIsolate"]


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


@implementer(IIsolate)
class FakeIsolate:
    """
    An L{IIsolate} that records requests; the test answers them with L{respond} or
    L{fail}.

    @ivar requests: C{{rid: (method, url, headers, body, sink)}} still unanswered.
    @ivar cancelled: request ids cancelled by the caller.
    @ivar streams: C{{rid: sink}} of responses whose body is being streamed
        (L{respondStreamed}); the test feeds them with the sink's C{bodyChunk},
        C{bodyEnd} and C{bodyFailed}.
    @ivar granted: C{{rid: bytes}} of credit granted for streamed bodies.
    @ivar streamCancels: C{(rid, reason)} of every L{cancelStream}.
    @ivar bodies: C{{rid: [chunk, ...]}} of streamed request bodies; C{None} marks
        the end, C{("error", message)} a failure.
    """

    def __init__(self, reactor=None, appName="fake", dev=False, onLog=None, cpuLimit=None, hostOps=None,
                 watchdog=None, pool=None, onReset=None, onStats=None):
        self.appName = appName
        self.onReset = onReset
        self.onStats = onStats
        self.requests = {}
        self.cancelled = []
        self.streams = {}
        self.granted = {}
        self.streamCancels = []
        self.bodies = {}
        self.closed = False
        self._nextId = 0
        self.loadResult = None

    @property
    def inflight(self):
        return len(self.requests)

    def load(self, graph, envJSON, memoryLimit=None):
        self.graph = graph
        self.envJSON = envJSON
        if self.loadResult is not None:
            return fail(self.loadResult)
        return succeed(None)

    def fetch(self, method, url, headers, body, sink):
        self._nextId += 1
        self.requests[self._nextId] = (method, url, headers, body, sink)
        return self._nextId

    def respond(self, rid, status=200, headers=(), body=b"", statusText=""):
        """
        Answer request C{rid} with a response.
        """
        from nano.isolate.runtime import ResponseStart

        sink = self.requests.pop(rid)[4]
        sink.gotResponse(ResponseStart(status, statusText, tuple(headers), body))

    def respondStreamed(self, rid, status=200, headers=(), statusText=""):
        """
        Answer request C{rid} with a response whose body is streamed; return its
        sink.
        """
        from nano.isolate.runtime import ResponseStart

        sink = self.requests.pop(rid)[4]
        self.streams[rid] = sink
        sink.gotResponse(ResponseStart(status, statusText, tuple(headers), None, True))
        return sink

    def bodyChunk(self, rid, data):
        self.bodies.setdefault(rid, []).append(data)

    def bodyEnd(self, rid):
        self.bodies.setdefault(rid, []).append(None)

    def bodyError(self, rid, message):
        self.bodies.setdefault(rid, []).append(("error", message))

    def grant(self, rid, nbytes):
        self.granted[rid] = self.granted.get(rid, 0) + nbytes

    def cancelStream(self, rid, reason):
        self.streams.pop(rid, None)
        self.streamCancels.append((rid, reason))

    def fail(self, rid, error):
        """
        Fail request C{rid} with C{error}.
        """
        sink = self.requests.pop(rid)[4]
        sink.gotError(error)

    def cancel(self, rid):
        self.requests.pop(rid, None)
        self.streams.pop(rid, None)
        self.cancelled.append(rid)

    def pendingWork(self):
        return []

    def close(self):
        self.closed = True

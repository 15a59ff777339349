"""
Tests for L{nano.isolate.runtime}: real isolates, driven by a L{PumpedReactor}.
"""

import json
import os

from twisted.logger import Logger
from twisted.trial.unittest import SynchronousTestCase
from zope.interface.verify import verifyObject

from nano.interfaces import IIsolate
from nano.isolate.modules import ModuleLoadError, loadModuleGraph
from nano.isolate.engine import JSError
from nano.isolate.runtime import Isolate, IsolateFailure, LoadError
from nano.testing import PumpedReactor

APPS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "apps")


class _Sink:
    requestId = None

    def __init__(self):
        self.result = None

    def gotResponse(self, response):
        self.result = response

    def gotError(self, error):
        self.result = error


class _OverLimitContext:
    """
    A context over its heap limit.
    """

    def memoryLimitReached(self):
        return True

    def close(self):
        pass


class IsolateTests(SynchronousTestCase):
    """
    L{Isolate} loads apps and runs requests through the bridge.
    """

    def setUp(self):
        self.reactor = PumpedReactor()
        self.logs = []

    def load(self, name, env="{}", memoryLimit=None, **kw):
        isolate = Isolate(self.reactor, name, onLog=lambda *a: self.logs.append(a), **kw)
        self.addCleanup(isolate.close)
        box = []
        isolate.load(loadModuleGraph(os.path.join(APPS, name)), env, memoryLimit=memoryLimit).addBoth(box.append)
        self.reactor.pump(lambda: box)
        return isolate, box[0]

    def fetch(self, isolate, path, method="GET", body=None, advance=0.0):
        sink = _Sink()
        isolate.fetch(method, "http://a.test" + path, ["host", "a.test"], body, sink)
        self.reactor.pump(lambda: sink.result is not None, advance=advance)
        return sink.result

    def test_interface(self):
        """
        L{Isolate} provides L{IIsolate}.
        """
        isolate, _ = self.load("rt-basic")
        self.assertTrue(verifyObject(IIsolate, isolate))

    def test_request(self):
        """
        A request reaches the handler with its method, URL and body.
        """
        isolate, loaded = self.load("rt-basic")
        self.assertIsNone(loaded)
        response = self.fetch(isolate, "/x", method="POST", body=b"data \xe2\x9c\x93")
        self.assertEqual((response.status, response.body), (200, "POST /x data \u2713".encode()))

    def test_env(self):
        """
        The app's env is the JSON given at load.
        """
        isolate, _ = self.load("rt-basic", env=json.dumps({"A": 1, "B": {"c": [True]}}))
        self.assertEqual(json.loads(self.fetch(isolate, "/env").body), {"A": 1, "B": {"c": [True]}})

    def test_concurrent(self):
        """
        Requests are in flight concurrently; timers driven by the reactor clock
        complete them in deadline order.
        """
        isolate, _ = self.load("rt-basic")
        sinks = []
        for ms in (30, 10, 20):
            sink = _Sink()
            sinks.append(sink)
            isolate.fetch("GET", "http://a.test/delay?ms=%d" % ms, [], None, sink)
        self.assertEqual(isolate.inflight, 3)
        self.reactor.pump(lambda: all(s.result is not None for s in sinks), advance=0.005)
        self.assertEqual([s.result.body for s in sinks], [b"after 30", b"after 10", b"after 20"])
        self.assertEqual(isolate.inflight, 0)

    def test_requestBodies(self):
        """
        Request bodies reach JS exactly, whether they fit in the inbound buffer
        (several in one batch) or go as base64 (bigger than its half).
        """
        isolate, _ = self.load("rt-basic")
        bodies = [b"small \xe2\x9c\x93", b"x" * (300 * 1024), b"second", b""]
        sinks = []
        for body in bodies:
            sink = _Sink()
            sinks.append(sink)
            isolate.fetch("POST", "http://a.test/echo", [], body or None, sink)
        self.reactor.pump(lambda: all(s.result is not None for s in sinks))
        for body, sink in zip(bodies, sinks):
            self.assertEqual(sink.result.body, b"POST /echo " + body)

    def test_noGC(self):
        """
        Apps cannot call V8's collector (the runtime keeps it to itself).
        """
        isolate, _ = self.load("rt-basic")
        self.assertEqual(json.loads(self.fetch(isolate, "/gc").body), ["undefined", "undefined"])

    def test_logRequestId(self):
        """
        Console output during a request is logged with that request's id.
        """
        isolate, _ = self.load("rt-basic")
        sink = _Sink()
        sink.requestId = "req-42"
        isolate.fetch("GET", "http://a.test/log", [], None, sink)
        self.reactor.pump(lambda: sink.result is not None)
        self.assertIn(("info", "in the handler", "req-42"), self.logs)

    def test_binaryBodies(self):
        """
        Byte bodies cross in binary drain frames, exactly, including several in one
        drain and an empty one.
        """
        isolate, _ = self.load("rt-basic")
        sinks = {}
        for n in (256 * 1024 + 3, 0, 5):
            sinks[n] = _Sink()
            isolate.fetch("GET", "http://a.test/bytes?n=%d" % n, [], None, sinks[n])
        self.reactor.pump(lambda: all(s.result is not None for s in sinks.values()))
        for n, sink in sinks.items():
            self.assertEqual(sink.result.body, bytes(i & 0xFF for i in range(n)))

    def test_cancelAbortsSignal(self):
        """
        Cancelling a request aborts its C{request.signal} in JS.
        """
        isolate, _ = self.load("rt-basic")
        rid = isolate.fetch("GET", "http://a.test/hang?one", [], None, _Sink())
        self.reactor.pump(lambda: isolate._outbox == [])
        isolate.cancel(rid)
        self.assertEqual(json.loads(self.fetch(isolate, "/aborted").body), ["?one"])

    def test_syntaxErrorPosition(self):
        """
        A syntax error found by the module parser names file, line and column.
        """
        error = self.assertRaises(ModuleLoadError, loadModuleGraph, os.path.join(APPS, "e2e-broken"))
        self.assertTrue(str(error).startswith("index.js:4:"), str(error))
        self.assertIn("SyntaxError", str(error))

    def test_earlyErrorPosition(self):
        """
        An early error only V8 finds is a L{LoadError} with file, line and column.
        """
        _, result = self.load("rt-early")
        self.assertIsInstance(result.value, LoadError)
        self.assertEqual(str(result.value), "index.js:4:5: SyntaxError: Identifier 'answer' has already been declared")

    def test_topLevelThrow(self):
        """
        A module that throws while evaluated is a L{LoadError} with the message and
        where it was thrown.
        """
        _, result = self.load("rt-throws")
        self.assertIsInstance(result.value, LoadError)
        self.assertIn("Error: not configured", str(result.value))
        self.assertIn("index.js:5", str(result.value))

    def test_noHandler(self):
        """
        A module with no fetch handler is a L{LoadError} that says what is expected.
        """
        _, result = self.load("rt-nohandler")
        self.assertIsInstance(result.value, LoadError)
        self.assertIn("no fetch handler", str(result.value))

    def test_runaway(self):
        """
        A handler that never yields is terminated once it ran past the CPU limit:
        its request (and every other in flight) fails with L{IsolateFailure}; the
        isolate is closed.
        """
        isolate, _ = self.load("rt-runaway", cpuLimit=0.05)
        other = _Sink()
        isolate.fetch("GET", "http://a.test/", [], None, other)
        result = self.fetch(isolate, "/spin", advance=0.05)
        self.assertIsInstance(result, IsolateFailure)
        self.assertEqual(result.kind, "cpu")
        self.assertTrue(isolate.closed)

    def runaway(self, path, kind="cpu", cpuLimit=0.05, **kw):
        """
        Send C{path} to the runaway app with a request left hanging beside it; wait
        until the isolate is reset; return the first response (if any) and the
        hanging request's result.
        """
        isolate, _ = self.load("rt-runaway", cpuLimit=cpuLimit, **kw)
        hanging = _Sink()
        isolate.fetch("GET", "http://a.test/hang", [], None, hanging)
        first = _Sink()
        isolate.fetch("GET", "http://a.test" + path, [], None, first)
        self.reactor.pump(lambda: isolate.closed, advance=0.025)
        self.assertIsInstance(hanging.result, IsolateFailure)
        self.assertEqual(hanging.result.kind, kind)
        return first.result

    def test_runawayAfterAwait(self):
        """
        A loop after an await (outside any task, which V8 cannot cancel here) is
        found by the watchdog: the isolate is reset and its requests fail.
        """
        result = self.runaway("/await-spin")
        self.assertIsInstance(result, IsolateFailure)
        self.assertEqual(result.kind, "cpu")

    def test_runawayTimer(self):
        """
        A loop in a timer callback, after the response went out, resets the isolate.
        """
        result = self.runaway("/timer-spin")
        self.assertEqual(result.body, b"timer armed")

    def test_runawayWaitUntil(self):
        """
        A loop in ctx.waitUntil work after an await resets the isolate. The loop
        starts in the same promise-job run that produced the response, before the
        response could leave the isolate, so that request fails too.
        """
        result = self.runaway("/wait-spin")
        self.assertIsInstance(result, IsolateFailure)
        self.assertEqual(result.kind, "cpu")

    def test_memoryLimit(self):
        """
        An allocation runaway stops at the isolate's heap limit; the isolate is
        reset with reason memory.
        """
        result = self.runaway("/hog", kind="memory", cpuLimit=10.0, memoryLimit=32 * 1024 * 1024)
        self.assertIsInstance(result, IsolateFailure)
        self.assertEqual(result.kind, "memory")

    def resetEvents(self, isolate):
        """
        Capture the isolate's log events; return the list they go to.
        """
        events = []
        isolate._log = Logger(observer=events.append)
        return events

    def test_resetReported(self):
        """
        A reset is logged once, as a warning that names the app, the reason and the
        kind, and reported to C{onReset} with the kind.
        """
        resets = []
        isolate, _ = self.load("rt-runaway", cpuLimit=0.05, onReset=resets.append)
        events = self.resetEvents(isolate)
        self.fetch(isolate, "/spin", advance=0.025)
        self.assertEqual(resets, ["cpu"])
        [event] = [e for e in events if "isolate reset" in e["log_format"]]
        self.assertEqual((event["app"], event["kind"], event["reason"], event["log_level"].name),
                         ("rt-runaway", "cpu", "the app exceeded its CPU time limit", "warn"))

    def test_memoryResetReported(self):
        """
        A reset for the heap limit is reported with kind memory.
        """
        resets = []
        isolate, _ = self.load("rt-runaway", cpuLimit=10.0, memoryLimit=32 * 1024 * 1024, onReset=resets.append)
        events = self.resetEvents(isolate)
        self.fetch(isolate, "/hog", advance=0.025)
        self.assertEqual(resets, ["memory"])
        self.assertEqual([e["kind"] for e in events if "isolate reset" in e["log_format"]], ["memory"])

    def test_failureOverHeapLimit(self):
        """
        A posted message that fails while the isolate is over its heap limit (V8
        may report it as an exception with no value) resets the isolate for
        memory; nothing is logged as a dispatch failure.
        """
        resets = []
        isolate = Isolate(self.reactor, "a", onReset=resets.append)
        events = self.resetEvents(isolate)
        isolate._context = _OverLimitContext()
        sink = _Sink()
        isolate.fetch("GET", "http://a.test/", [], None, sink)
        isolate._dispatchFailed(JSError("null"))
        self.assertEqual(resets, ["memory"])
        self.assertEqual((sink.result.kind, isolate.closed), ("memory", True))
        self.assertEqual([e["kind"] for e in events], ["memory"])

    def test_arrayBufferMemory(self):
        """
        ArrayBuffers count toward the memory limit: an app holding more than it
        allows is reset (with reason memory) once it reports its sizes, which the
        watchdog asks for about once a second.
        """
        result = self.runaway("/buffers", kind="memory", cpuLimit=10.0, memoryLimit=32 * 1024 * 1024)
        self.assertEqual(result.body, b"held")

    def test_stats(self):
        """
        Asked, JS reports its live heap and ArrayBuffer bytes.
        """
        isolate, _ = self.load("rt-runaway")
        self.assertEqual(self.fetch(isolate, "/buffers").body, b"held")
        isolate.requestStats()
        self.reactor.pump(lambda: isolate.heapBytes is not None)
        self.assertGreater(isolate.externalBytes, 48 * 1024 * 1024 - 1)
        self.assertGreater(isolate.heapBytes, 100 * 1024)

    def test_timerBurst(self):
        """
        Timers due together are fired as one burst: the host timer posts one task
        per due timer at once (no round trip through JS between them), and every
        callback runs.
        """
        isolate, _ = self.load("faults-tenant")
        posted = []
        post = isolate._context.post

        def countingPost(function, this):
            if isinstance(this, str) and this.startswith('[["timer",'):
                posted.append(this)
            return post(function, this)

        isolate._context.post = countingPost
        self.assertEqual(self.fetch(isolate, "/timers?n=300&ms=0").body, b"fired 300")
        self.assertGreater(len(posted), 200)
        self.assertLess(len(set(posted)), 20)

    def test_garbageNotCounted(self):
        """
        ArrayBuffers that are garbage (dropped, not yet collected) do not count
        against the memory limit: over the limit, JS collects before it reports, and
        the isolate is not reset. Without a limit the same figures include them.
        """
        unlimited, _ = self.load("rt-runaway")
        limited, _ = self.load("rt-runaway", memoryLimit=32 * 1024 * 1024)
        for isolate in (unlimited, limited):
            self.assertEqual(self.fetch(isolate, "/garbage").body, b"dropped 50331648")
            isolate.requestStats()
            self.reactor.pump(lambda: isolate.heapBytes is not None)
        self.assertGreater(unlimited.externalBytes, 48 * 1024 * 1024 - 1)
        self.assertLess(limited.externalBytes, 32 * 1024 * 1024)
        self.assertFalse(limited.closed)
        self.assertEqual(self.fetch(limited, "/").body, b"fine")

    def test_closeFailsRequests(self):
        """
        Closing the isolate fails its requests in flight.
        """
        isolate, _ = self.load("rt-basic")
        sink = _Sink()
        isolate.fetch("GET", "http://a.test/hang", [], None, sink)
        self.reactor.pump(lambda: isolate._outbox == [])
        isolate.close()
        self.assertIsInstance(sink.result, IsolateFailure)
        self.assertEqual(sink.result.kind, "closed")


class AtomicsWaitTests(SynchronousTestCase):
    """
    Apps cannot block their isolate's thread with Atomics.wait.
    """

    def test_waitThrows(self):
        """
        Atomics.wait throws a TypeError (as on a browser's main thread); waitAsync
        still works.
        """
        from nano.isolate import prelude
        from py_mini_racer import MiniRacer

        racer = MiniRacer()
        self.addCleanup(racer.close)
        racer.eval(prelude.buildPartialPrelude(("00_", "40_atomics")))
        result = racer.eval("""
            const cell = new Int32Array(new SharedArrayBuffer(4));
            let error;
            try { Atomics.wait(cell, 0, 0); } catch (e) { error = e; }
            [error instanceof TypeError, typeof Atomics.waitAsync(cell, 0, 0).value.then].join()
        """)
        self.assertEqual(result, "true,function")

"""
End-to-end fault tests (issue 5's fault table, in short): one real C{twistd -n nano}
serves a faulty tenant A (C{apps/faults-tenant}, a route per fault, low limits) and
a healthy tenant B. Each test triggers one fault on A while a steady client keeps
asking B, and checks A's status, that B answered 200 throughout, that A serves
correctly afterwards, and that the log recorded what happened (an "isolate reset"
with its kind and reason, or the refusal). C{bench/faults.py} measures the same
faults at full size.
"""

import time

from twisted.trial.unittest import SynchronousTestCase

from nano.test.e2e import startSharedServer
from nano.test.faultkit import SteadyClient, flood, logEvents, resetEvents, sendBody, waitServing

_shared = {}


def _server():
    """
    The twistd shared by these tests (started on first use, stopped at exit).

    A: cpu_ms 100, memory_mb 16, max_body_mb 1; "slow" runs the same code with
    timeout_ms 500; "big" too, with memory_mb 4096, so that only the process memory
    backstop (at 400 MiB; the server starts near 130 MiB) can stop its ArrayBuffers.
    """
    if "server" not in _shared:
        config = {
            "listen": ["tcp:0:interface=127.0.0.1:backlog=1024"],
            "admin": None,
            "rss_limit_mb": 400,
            "apps": [
                {"name": "a", "hostnames": ["a.test"], "path": "faults-tenant",
                 "limits": {"cpu_ms": 100, "memory_mb": 16, "max_body_mb": 1}},
                {"name": "slow", "hostnames": ["slow.test"], "path": "faults-tenant",
                 "limits": {"timeout_ms": 500}},
                {"name": "big", "hostnames": ["big.test"], "path": "faults-tenant",
                 "limits": {"cpu_ms": 100, "memory_mb": 4096}},
                {"name": "b", "hostnames": ["b.test"], "path": "faults-healthy"},
            ],
        }
        apps = {name: name for name in ("faults-tenant", "faults-healthy")}
        _shared["server"] = startSharedServer(apps, config, prefix="nano-faults-", args=["--log-format", "json"])
    return _shared["server"]


class FaultTests(SynchronousTestCase):
    """
    One tenant's faults are contained: it gets 503 (or 413/504), its isolate is
    reset with the reason logged, the other tenant keeps answering, and the faulty
    tenant serves again right after.
    """

    def setUp(self):
        self.server = _server()
        self.port = self.server.port
        self.assertIsNotNone(waitServing(self.port, "a.test"), "A does not serve before the test")

    def duringFault(self, fault, host="a.test"):
        """
        Run C{fault()} (which returns A's outcome) while B is asked steadily, then
        wait for A (the app at C{host}) to answer /ok again. Return the outcome and the time the fault
        started; fail unless A serves again and B answered 200 to every request
        from the fault's start until A served again (and at least 0.2 s).
        """
        steady = SteadyClient(self.port, "b.test", workers=1, pause=0.002).start()
        time.sleep(0.02)
        started = time.time()
        outcome = fault()
        back = waitServing(self.port, host, timeout=10.0)
        self.assertIsNotNone(back, "A does not serve again after the fault")
        # Watch B for at least 0.2 s, however short the fault.
        time.sleep(max(0.0, started + 0.2 - time.time()))
        samples = steady.stop()
        during = [s for s in samples if s[0] >= started]
        self.assertTrue(during, "B was not asked during the fault")
        self.assertEqual([s for s in during if s[2] != 200], [], "B failed during the fault")
        self.assertEqual([s for s in samples if s[2] != 200], [])
        return outcome, started

    def get(self, path, host="a.test"):
        status, _, _, body = self.server.request("GET", path, host=host)
        return status, body

    def events(self, predicate, timeout=5.0):
        """
        The log events matching C{predicate}, waiting up to C{timeout} seconds for
        at least one.
        """
        deadline = time.monotonic() + timeout
        while True:
            found = [e for e in logEvents(self.server.output) if predicate(e)]
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.02)

    def assertReset(self, started, kind, app="a"):
        """
        A (and only A; or C{app}) was reset once since C{started}, for C{kind}, with
        a reason.
        """
        resets = self.events(lambda e: bool(resetEvents([e], since=started)))
        self.assertEqual([(e["app"], e["kind"]) for e in resets], [(app, kind)])
        self.assertTrue(resets[0]["reason"])
        self.assertEqual(resets[0]["level"], "warn")

    def assertNoReset(self, started):
        """
        No isolate was reset since C{started} (after a moment for the log to arrive).
        """
        time.sleep(0.05)
        self.assertEqual(resetEvents(logEvents(self.server.output), since=started), [])

    def test_loopInHandler(self):
        """
        An endless loop in the handler: A gets 503, its isolate is reset for cpu.
        """
        (status, body), started = self.duringFault(lambda: self.get("/spin"))
        self.assertEqual((status, body), (503, b"the app exceeded its CPU time limit\n"))
        self.assertReset(started, "cpu")

    def test_loopAfterAwait(self):
        """
        An endless loop after an await (where V8 cannot cancel it): 503, reset for cpu.
        """
        (status, _), started = self.duringFault(lambda: self.get("/await-spin"))
        self.assertEqual(status, 503)
        self.assertReset(started, "cpu")

    def test_loopInTimer(self):
        """
        An endless loop in a setTimeout callback: 503, reset for cpu.
        """
        (status, _), started = self.duringFault(lambda: self.get("/timer-spin"))
        self.assertEqual(status, 503)
        self.assertReset(started, "cpu")

    def test_heapBomb(self):
        """
        Allocating until the heap limit: 503, reset for memory.
        """
        (status, body), started = self.duringFault(lambda: self.get("/heap-bomb"))
        self.assertEqual((status, body), (503, b"the app exceeded its memory limit\n"))
        self.assertReset(started, "memory")

    def test_arrayBuffers(self):
        """
        ArrayBuffers kept alive outside the heap (16 x 32 MiB) by an app whose
        memory_mb would allow them take the process over rss_limit_mb: the backstop
        resets that app, not B, and says so in the log. (With A's memory_mb of 16
        the app's own report, about once a second, can stop it first: which one
        does depended on timing.)
        """
        (status, _), started = self.duringFault(lambda: self.get("/buffers?n=16&mb=32", host="big.test"),
                                                host="big.test")
        self.assertEqual(status, 503)
        self.assertReset(started, "memory", app="big")
        [backstop] = self.events(lambda e: "is over the limit" in e["event"] and e["ts"] >= started - 0.001)
        self.assertEqual((backstop["app"], backstop["level"]), ("big", "error"))

    def test_timers(self):
        """
        2,000 timers armed at once all fire; A answers, nothing is reset.
        """
        (outcome, started) = self.duringFault(lambda: self.get("/timers?n=2000&ms=20"))
        self.assertEqual(outcome, (200, b"fired 2000"))
        self.assertNoReset(started)

    def test_bodyContentLength(self):
        """
        A body declared twice max_body_mb by Content-Length gets 413 before it is
        sent; the refusal is logged.
        """
        (outcome, started) = self.duringFault(lambda: sendBody(self.port, "a.test", "/body", 2 * 1024 * 1024))
        self.assertEqual(outcome[0], 413)
        self.assertTrue(self.events(lambda e: "refused with 413" in e["event"] and e["ts"] >= started - 0.001))
        self.assertNoReset(started)

    def test_bodyChunked(self):
        """
        A chunked body growing past max_body_mb gets 413 once the limit is passed.
        """
        (outcome, started) = self.duringFault(
            lambda: sendBody(self.port, "a.test", "/body", 2 * 1024 * 1024, chunked=True))
        self.assertEqual(outcome[0], 413)
        self.assertTrue(self.events(lambda e: "refused with 413" in e["event"] and e["ts"] >= started - 0.001))
        self.assertNoReset(started)

    def test_hang(self):
        """
        A handler that never answers gets 504 after timeout_ms; the isolate is kept.
        """
        (status, _), started = self.duringFault(lambda: self.get("/hang", host="slow.test"))
        self.assertEqual(status, 504)
        self.assertGreaterEqual(time.time() - started, 0.5)
        self.assertTrue(self.events(lambda e: e.get("status") == 504 and e["ts"] >= started - 0.001))
        self.assertTrue(waitServing(self.port, "slow.test"))
        self.assertNoReset(started)

    def test_flood(self):
        """
        1,000 connections at once, one request each: every one is answered 200,
        and B keeps answering.
        """
        (outcome, started) = self.duringFault(lambda: flood(self.port, "a.test", "/sleep?ms=50", 1000, timeout=20))
        counts, _ = outcome
        self.assertEqual(dict(counts), {200: 1000})
        self.assertNoReset(started)

"""
End-to-end test of multi-worker mode: a real C{twistd -n nano --workers 2}
(supervisor and two worker processes) on 127.0.0.1, logging JSON lines.
"""

import concurrent.futures
import os
import shutil
import signal
import tempfile
import time

from twisted.trial.unittest import SynchronousTestCase

from nano.test.e2e import TwistdProcess, copyApp, jsonRecords, waitUntil, writeConfig


def _records(output):
    """
    The JSON log records in twistd's output.
    """
    return jsonRecords(output.splitlines())


class WorkersTests(SynchronousTestCase):
    """
    Both workers serve one listener; a killed worker is restarted while the
    other serves on; SIGHUP reaches both; SIGTERM drains both and exits 0.
    """

    def setUp(self):
        self.directory = tempfile.mkdtemp(prefix="nano-e2e-workers-")
        self.addCleanup(shutil.rmtree, self.directory, True)
        copyApp("e2e-echo", self.directory, "echo")
        path = writeConfig(self.directory, {
            "listen": ["tcp:0:interface=127.0.0.1"],
            "admin": {"listen": "tcp:0:interface=127.0.0.1"},
            "drain_timeout_ms": 3000,
            "default_app": "echo",
            "apps": [{"name": "echo", "hostnames": ["echo.test"], "path": "echo",
                      "env": {"SECRET": "s", "GREETING": "hi"}}],
        })
        self.server = TwistdProcess(["--config", path, "--workers", "2", "--log-format", "json"], cwd=self.directory)
        self.addCleanup(self.server.stop)
        self.server.start()

    def ready(self):
        try:
            return self.server.admin("GET", "/readyz")[0] == 200
        except OSError:
            return False

    def workerPids(self):
        """
        C{{worker index: pid}} of the latest start of each worker.
        """
        pids = {}
        for record in _records(self.server.output):
            if record.get("namespace", "").startswith("nano.workers.") and "started (pid" in record.get("event", ""):
                pids[record["worker"]] = record["pid"]
        return pids

    def servedBy(self):
        """
        C{{request id: worker index}} from the access log lines.
        """
        return {r["request_id"]: r["worker"] for r in _records(self.server.output)
                if "request_id" in r and "worker" in r and r.get("status") is not None}

    def get(self, requestId):
        status, _, _, body = self.server.request(
            "GET", "/reflect", host="echo.test", headers=[("X-Request-Id", requestId), ("Connection", "close")])
        return status

    def test_workers(self):
        """
        Two workers with distinct pids both serve; SIGHUP reloads both; after a
        SIGKILL the other worker answers every request while the killed one is
        restarted (new pid, counted in the metrics); SIGTERM drains both and the
        supervisor exits 0, leaving no worker behind.
        """
        self.assertTrue(waitUntil(self.ready, timeout=30), self.server.output)
        pids = self.workerPids()
        self.assertEqual(sorted(pids), [0, 1])
        self.assertNotEqual(pids[0], pids[1])

        # Both workers take connections from the one listener.
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(self.get, ["both-%d" % (i,) for i in range(120)]))
        self.assertEqual(set(statuses), {200})
        self.assertTrue(waitUntil(lambda: len([k for k in self.servedBy() if k.startswith("both-")]) == 120))
        served = {worker for key, worker in self.servedBy().items() if key.startswith("both-")}
        self.assertEqual(served, {0, 1})

        # SIGHUP reaches every worker.
        self.server.signal(signal.SIGHUP)
        self.assertTrue(waitUntil(lambda: {r.get("worker") for r in _records(self.server.output)
                                           if r.get("event") == "reloading (SIGHUP)"} == {0, 1}),
                        self.server.output)

        # A worker killed with SIGKILL: the other serves on, it is restarted.
        os.kill(pids[1], signal.SIGKILL)
        self.assertTrue(waitUntil(lambda: "worker 1 exited" in self.server.output), self.server.output)
        statuses = [self.get("after-kill-%d" % (i,)) for i in range(5)]
        self.assertEqual(statuses, [200] * 5)
        self.assertTrue(waitUntil(lambda: self.workerPids().get(1) not in (None, pids[1]), timeout=10),
                        self.server.output)
        self.assertEqual(self.workerPids()[0], pids[0])
        self.assertTrue(waitUntil(self.ready, timeout=30), self.server.output)
        metrics = self.server.admin("GET", "/metrics")[2]
        self.assertIn('nano_worker_restarts_total{worker="1"} 1.0', metrics)
        self.assertIn('nano_worker_up{worker="1"} 1.0', metrics)

        # SIGTERM drains both workers and the supervisor exits 0.
        started = time.monotonic()
        self.assertEqual(self.server.stop(), 0, self.server.output)
        self.assertLess(time.monotonic() - started, 10)
        records = _records(self.server.output)
        drained = {r.get("worker") for r in records if r.get("event") == "nano drained"}
        self.assertEqual(drained, {0, 1})
        self.assertIn("every worker drained", [r.get("event") for r in records])
        for pid in self.workerPids().values():
            self.assertRaises(ProcessLookupError, os.kill, pid, 0)

"""
Tests for L{nano.logs} and C{--log-format json} end to end.
"""

import io
import json
import os

from twisted.logger import LogLevel
from twisted.python.failure import Failure
from twisted.trial.unittest import SynchronousTestCase

from nano.logs import JSONLinesObserver, TextLinesObserver, logFileFor
from nano.tap import Options
from nano.test.e2e import APPS, TwistdProcess


class WorkerLineTests(SynchronousTestCase):
    """
    Lines of worker processes: tagged by the worker, written as they are by the
    supervisor.
    """

    def event(self):
        return {"log_format": "hello {who}", "who": "you", "log_level": LogLevel.warn, "log_time": 0.0,
                "log_namespace": "n", "log_system": "-"}

    def test_jsonWorker(self):
        """
        A worker's JSON lines carry its index.
        """
        out = io.StringIO()
        JSONLinesObserver(out, worker=2)(self.event())
        record = json.loads(out.getvalue())
        self.assertEqual((record["worker"], record["event"], record["who"]), (2, "hello you", "you"))

    def test_textWorker(self):
        """
        A worker's text lines name it as the system; without a worker the
        event's own system shows, as in twistd's format.
        """
        out = io.StringIO()
        TextLinesObserver(out, worker=1)(self.event())
        self.assertEqual(out.getvalue(), "1970-01-01T00:00:00+0000 [worker 1] hello you\n")
        out = io.StringIO()
        TextLinesObserver(out)(self.event())
        self.assertEqual(out.getvalue(), "1970-01-01T00:00:00+0000 [-] hello you\n")

    def test_writeLines(self):
        """
        The supervisor writes lines as they came, in one write, flushed.
        """
        out = _CountingFile()
        TextLinesObserver(out).writeLines(["a [worker 0] x", "b"])
        self.assertEqual((out.getvalue(), out.flushes), ("a [worker 0] x\nb\n", 1))


class _CountingFile(io.StringIO):
    flushes = 0

    def flush(self):
        self.flushes += 1
        io.StringIO.flush(self)


class FlushTests(SynchronousTestCase):
    """
    When the observer flushes.
    """

    def test_flushEach(self):
        """
        By default every line is flushed; with C{flushEach=False} none is (a
        worker flushes on a timer).
        """
        for flushEach, expected in ((True, 2), (False, 0)):
            out = _CountingFile()
            observer = JSONLinesObserver(out, flushEach=flushEach)
            observer({"log_format": "a", "log_level": LogLevel.info})
            observer({"log_format": "b", "log_level": LogLevel.info})
            self.assertEqual((out.flushes, len(out.getvalue().splitlines())), (expected, 2))


class JSONLinesObserverTests(SynchronousTestCase):
    """
    L{JSONLinesObserver} writes one JSON object per event.
    """

    def test_fields(self):
        """
        Time, level, the formatted event, the namespace and the event's own fields
        are written; values JSON cannot hold become their repr.
        """
        out = io.StringIO()
        JSONLinesObserver(out)({
            "log_time": 0.5, "log_level": LogLevel.warn, "log_namespace": "nano.x",
            "log_format": "{app}: hello {n}", "app": "api", "n": 3, "request_id": "r1", "obj": object,
        })
        record = json.loads(out.getvalue())
        self.assertEqual(record["time"], "1970-01-01T00:00:00.500+00:00")
        self.assertEqual((record["level"], record["event"], record["namespace"]), ("warn", "api: hello 3", "nano.x"))
        self.assertEqual((record["app"], record["n"], record["request_id"]), ("api", 3, "r1"))
        self.assertEqual(record["obj"], repr(object))
        self.assertEqual(out.getvalue().count("\n"), 1)

    def test_failure(self):
        """
        A failure is written as its traceback text.
        """
        out = io.StringIO()
        try:
            1 / 0
        except ZeroDivisionError:
            failure = Failure()
        JSONLinesObserver(out)({"log_time": 1.0, "log_level": LogLevel.error, "log_format": "oops",
                                "log_failure": failure})
        self.assertIn("ZeroDivisionError", json.loads(out.getvalue())["failure"])

    def test_logFile(self):
        """
        Standard output for -n without --logfile or with --logfile=-, else the file.
        """
        import sys

        self.assertIs(logFileFor({"logfile": None, "nodaemon": True}), sys.stdout)
        self.assertIs(logFileFor({"logfile": "-", "nodaemon": False}), sys.stdout)
        path = self.mktemp()
        logfile = logFileFor({"logfile": path, "nodaemon": True})
        self.addCleanup(logfile.close)
        self.assertEqual(logfile.path, os.path.abspath(path))

    def test_badOption(self):
        """
        An unknown log format is a usage error.
        """
        from twisted.python.usage import UsageError

        self.assertRaises(UsageError, Options().parseOptions, ["--app", APPS, "--log-format", "xml"])


class JSONLogEndToEndTests(SynchronousTestCase):
    """
    C{twistd nano --log-format json} logs JSON lines, access log and console output
    included.
    """

    def test_jsonLines(self):
        """
        Every line twistd writes is a JSON object; the request's access-log event and
        its console.log event carry the app name and request id.
        """
        server = TwistdProcess(["--app", os.path.join(APPS, "e2e-echo"), "--listen", "tcp:0:interface=127.0.0.1",
                                "--log-format", "json"], env={"E2E_SECRET": "x"})
        server.start()
        self.addCleanup(server.stop)
        status, _, headers, _ = server.request("GET", "/log?msg=hello", host="x.test",
                                               headers=[("X-Request-Id", "e2e-7")])
        self.assertEqual(dict(headers).get("x-request-id"), "e2e-7")
        self.assertTrue(server.waitForOutput('"status": 200'))
        records = [json.loads(line) for line in server.output.splitlines() if line.strip()]
        access = [r for r in records if r.get("status") == 200]
        self.assertEqual((access[0]["app"], access[0]["request_id"]), ("e2e-echo", "e2e-7"))
        console = [r for r in records if "hello" in r.get("event", "") and r.get("level") == "info"
                   and "status" not in r]
        self.assertEqual(console[0]["request_id"], "e2e-7")

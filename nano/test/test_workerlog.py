"""
Tests for L{nano.workerlog}: worker output lines into supervisor log events.
"""

import io
import json
import time

from twisted.internet.task import Clock
from twisted.logger import LogLevel, Logger, formatEvent, formatEventAsClassicLogText
from twisted.trial.unittest import SynchronousTestCase

from nano.logs import JSONLinesObserver
from nano.workerlog import MAX_LINE, OutputRelay, eventFromLine


def _workerLine(**fields):
    """
    What a worker writes for one C{Logger} event (its JSON observer's line).
    """
    out = io.StringIO()
    log = Logger(namespace="nano.app", observer=JSONLinesObserver(out))
    failure = fields.pop("failure", None)
    if failure is not None:
        log.failure("handler {what} failed", failure, what="x", **fields)
    else:
        log.warn("request {method} {path} {{literal}}", method="GET", path="/a", **fields)
    return out.getvalue().rstrip("\n")


class EventTests(SynchronousTestCase):
    """
    L{eventFromLine}.
    """

    def test_jsonLine(self):
        """
        A worker's JSON line keeps its level, namespace, time, message and
        fields, and gains C{worker} and C{log_system}.
        """
        line = _workerLine(app="api", request_id="r1")
        event = eventFromLine(3, line, now=1.0)
        self.assertEqual(event["log_level"], LogLevel.warn)
        self.assertEqual(event["log_namespace"], "nano.app")
        self.assertEqual(formatEvent(event), "request GET /a {literal}")
        self.assertEqual((event["worker"], event["log_system"]), (3, "worker 3"))
        self.assertEqual((event["app"], event["request_id"], event["method"]), ("api", "r1", "GET"))
        # The worker's time (milliseconds in the line), not the supervisor's "now".
        self.assertLess(abs(event["log_time"] - time.time()), 60)

    def test_supervisorJSON(self):
        """
        Through the supervisor's JSON observer the line comes out with the same
        fields plus C{worker}.
        """
        line = _workerLine(app="api")
        out = io.StringIO()
        JSONLinesObserver(out)(eventFromLine(1, line, now=0.0))
        before, after = json.loads(line), json.loads(out.getvalue())
        self.assertEqual(after.pop("worker"), 1)
        self.assertEqual(after, before)

    def test_supervisorText(self):
        """
        twistd's text format shows the worker as the system.
        """
        text = formatEventAsClassicLogText(eventFromLine(0, _workerLine(), now=0.0))
        self.assertIn("[worker 0] request GET /a {literal}", text)

    def test_failure(self):
        """
        A logged traceback becomes C{log_failure}, which text and JSON observers
        both print.
        """
        try:
            1 / 0
        except ZeroDivisionError:
            from twisted.python.failure import Failure

            failure = Failure()
        event = eventFromLine(0, _workerLine(failure=failure), now=0.0)
        self.assertIn("ZeroDivisionError", event["log_failure"].getTraceback())
        self.assertIn("ZeroDivisionError", event["log_failure"].getErrorMessage())
        self.assertIn("ZeroDivisionError", formatEventAsClassicLogText(event))
        out = io.StringIO()
        JSONLinesObserver(out)(event)
        self.assertIn("ZeroDivisionError", json.loads(out.getvalue())["failure"])

    def test_plainLines(self):
        """
        A standard output line that is not a JSON object is info; a standard
        error line is an error; both read as written, braces included.
        """
        event = eventFromLine(2, "plain {text}", now=5.0)
        self.assertEqual((event["log_level"], formatEvent(event), event["log_time"]),
                         (LogLevel.info, "plain {text}", 5.0))
        self.assertEqual(eventFromLine(2, "[1, 2]", now=5.0)["log_format"], "[1, 2]")
        event = eventFromLine(2, "Traceback {x}", now=5.0, fromStderr=True)
        self.assertEqual((event["log_level"], formatEvent(event)), (LogLevel.error, "Traceback {x}"))

    def test_oddRecords(self):
        """
        An unknown level reads as info; a record cannot overwrite the worker
        field or inject C{log_} keys.
        """
        event = eventFromLine(1, json.dumps({"level": "loud", "event": "x", "worker": 9, "log_level": "bad",
                                             "time": "not a time"}), now=2.0)
        self.assertEqual((event["log_level"], event["worker"], event["log_time"]), (LogLevel.info, 1, 2.0))


class RelayTests(SynchronousTestCase):
    """
    L{OutputRelay}: bytes into lines into events.
    """

    def setUp(self):
        self.events = []
        self.relay = OutputRelay(4, Clock(), self.events.append)

    def messages(self):
        return [(e["log_level"], formatEvent(e)) for e in self.events]

    def test_lines(self):
        """
        Lines split across writes are joined; blank lines are skipped; the
        streams are buffered apart; invalid UTF-8 is replaced.
        """
        self.relay.dataReceived(1, b"one\ntw")
        self.relay.dataReceived(2, b"err")
        self.relay.dataReceived(1, b"o\n\n  \nthree\xff\r\n")
        self.relay.dataReceived(2, b"or\n")
        self.assertEqual(self.messages(), [
            (LogLevel.info, "one"), (LogLevel.info, "two"), (LogLevel.info, "three\ufffd"),
            (LogLevel.error, "error")])

    def test_flush(self):
        """
        What is left of an unfinished line is published when the worker exits.
        """
        self.relay.dataReceived(2, b"last words")
        self.assertEqual(self.events, [])
        self.relay.flush()
        self.relay.flush()
        self.assertEqual(self.messages(), [(LogLevel.error, "last words")])

    def test_longLine(self):
        """
        A line longer than L{MAX_LINE} is published in pieces as it arrives.
        """
        self.relay.dataReceived(1, b"x" * (MAX_LINE * 2 + 10))
        self.assertEqual([len(text) for _, text in self.messages()], [MAX_LINE, MAX_LINE])
        self.relay.dataReceived(1, b"\n")
        self.assertEqual(len(self.messages()[-1][1]), 10)


class SinkTests(SynchronousTestCase):
    """
    L{OutputRelay} with a sink: standard output lines pass through unparsed.
    """

    def test_linesToSink(self):
        """
        Whole standard output lines go to the sink as they are, one call per
        read; standard error lines are still published as events.
        """
        events, sunk = [], []
        relay = OutputRelay(2, Clock(), events.append, sink=sunk.append)
        relay.dataReceived(1, b'{"worker": 2}\r\n2026 [worker 2] text\n\tindented\npart')
        relay.dataReceived(1, b"ial\n")
        relay.dataReceived(2, b'{"level": "info"}\n')
        self.assertEqual(sunk, [['{"worker": 2}', "2026 [worker 2] text", "\tindented"], ["partial"]])
        self.assertEqual([(e["log_level"], formatEvent(e)) for e in events], [(LogLevel.error, '{"level": "info"}')])

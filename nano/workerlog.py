"""
Worker output into the supervisor's log (multi-worker mode, SPEC §10, §11).

A worker formats its log lines itself, in the supervisor's format and tagged with
its index (C{"worker": N} in JSON lines, C{[worker N]} in twistd's text format;
L{nano.logs}), and writes them, buffered, on its standard output. The supervisor
(L{OutputRelay}) cuts what it reads into whole lines and hands them to a sink, its
own log observer's L{nano.logs.LineObserver.writeLines}, which writes them into its
log file as they are. Passing lines through costs the supervisor about 1 µs per
line; parsing and re-emitting each as an event cost about 18 µs (0.2 of a core at
12,000 requests per second with the access log on, see BENCHMARKS.md).

Without a sink, and for what a worker writes on standard error (a crash before its
logging started, a traceback of the interpreter), each line is published as a
C{twisted.logger} event with the worker's index (L{eventFromLine}): a JSON object
line keeps its level, namespace, time, message and fields (a C{failure} field
becomes the event's C{log_failure}), anything else is its own message, at
C{error} level from standard error and C{info} from standard output.
"""

import datetime
import json

from twisted.logger import LogLevel, globalLogPublisher

__all__ = ["OutputRelay", "WorkerTraceback", "eventFromLine"]

# A line longer than this is published in pieces (a runaway writer must not
# grow the supervisor's buffer without bound).
MAX_LINE = 64 * 1024

_RESERVED = frozenset(["time", "level", "event", "namespace", "failure", "worker"])


class WorkerTraceback:
    """
    A traceback text a worker logged, in the place of a L{Failure} (observers
    only call L{getTraceback} and L{getErrorMessage}).
    """

    def __init__(self, text):
        self._text = text

    def getTraceback(self, *args, **kwargs):
        return self._text

    def getErrorMessage(self):
        lines = self._text.strip().splitlines()
        return lines[-1] if lines else ""

    def __repr__(self):
        return "<WorkerTraceback %s>" % (self.getErrorMessage(),)


def _escape(text):
    """
    C{text} as a C{log_format} that formats to itself.
    """
    return text.replace("{", "{{").replace("}", "}}")


def _plainEvent(worker, text, level, now):
    return {
        "log_level": level, "log_format": _escape(text), "log_namespace": "nano.worker",
        "log_system": "worker %d" % (worker,), "log_time": now, "worker": worker,
    }


def eventFromLine(worker, line, now, fromStderr=False):
    """
    The log event for one line (text without its newline) worker C{worker}
    wrote, at C{now} (used when the line carries no time).
    """
    if fromStderr:
        return _plainEvent(worker, line, LogLevel.error, now)
    try:
        record = json.loads(line)
    except ValueError:
        record = None
    if not isinstance(record, dict):
        return _plainEvent(worker, line, LogLevel.info, now)
    try:
        level = LogLevel.levelWithName(str(record.get("level", "info")))
    except Exception:  # an unknown level name: keep the line, at info
        level = LogLevel.info
    event = _plainEvent(worker, str(record.get("event", "")), level, now)
    event["log_namespace"] = str(record.get("namespace", "nano.worker"))
    when = record.get("time")
    if isinstance(when, str):
        event["log_time"] = _parseTime(when, now)
    failure = record.get("failure")
    if isinstance(failure, str):
        event["log_failure"] = WorkerTraceback(failure)
    for key, value in record.items():
        if key not in _RESERVED and not key.startswith("log_"):
            event[key] = value
    return event


def _parseTime(text, default):
    try:
        return datetime.datetime.fromisoformat(text).timestamp()
    except ValueError:
        return default


class OutputRelay:
    """
    Splits one worker's output streams into lines for the sink or the log (see
    the module docstring).
    """

    def __init__(self, worker, clock, publisher=None, sink=None):
        """
        @param worker: the worker's index.
        @param clock: what gives the time of lines that carry none.
        @param publisher: where events go (the global log publisher by default).
        @param sink: C{sink(lines)} writes whole standard output lines (texts
            without newlines) as they are, or None: every line is published as
            an event.
        """
        self.worker = worker
        self._clock = clock
        self._publish = publisher if publisher is not None else globalLogPublisher
        self._sink = sink
        self._buffers = {1: b"", 2: b""}

    def dataReceived(self, fd, data):
        """
        Bytes the worker wrote to C{fd} (1: standard output, 2: standard error).
        """
        buffer = self._buffers.get(fd, b"") + data
        *lines, rest = buffer.split(b"\n")
        while len(rest) > MAX_LINE:
            lines.append(rest[:MAX_LINE])
            rest = rest[MAX_LINE:]
        self._buffers[fd] = rest
        self._lines(fd, lines)

    def flush(self):
        """
        Publish what is left of unfinished lines (the worker exited).
        """
        for fd, rest in sorted(self._buffers.items()):
            if rest:
                self._lines(fd, [rest])
            self._buffers[fd] = b""

    def _lines(self, fd, lines):
        if not lines:
            return
        if fd == 1 and self._sink is not None:
            self._sink([line.rstrip(b"\r").decode("utf-8", "replace") for line in lines])
            return
        for raw in lines:
            line = raw.rstrip(b"\r").decode("utf-8", "replace")
            if line.strip():
                self._publish(eventFromLine(self.worker, line, self._clock.seconds(), fromStderr=fd == 2))

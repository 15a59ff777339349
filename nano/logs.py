"""
Log output for C{twistd nano --log-format json}: one JSON object per line.

Every event NANO emits through C{twisted.logger} carries its fields (C{app},
C{request_id}, C{status}, ...); this observer writes them as they are, beside
C{time} (ISO 8601, UTC), C{level}, C{event} (the formatted message) and
C{namespace}. Failures add C{failure} (the traceback text). Fields that JSON cannot
hold are written as their C{repr}.

The default (C{--log-format text}) leaves twistd's own text log alone, except in
multi-worker mode (L{nano.workers}), where every process logs through
L{TextLinesObserver}, twistd's text format written by NANO: a worker writes its
lines tagged with its index (C{"worker": N} in JSON, C{[worker N]} as the system in
text), buffered, to the pipe the supervisor reads, and the supervisor writes them
as they come into its own log file (L{LineObserver.writeLines}).
"""

import datetime
import json
import sys

from twisted.logger import ILogObserver, formatEvent, formatEventAsClassicLogText
from twisted.python.logfile import LogFile
from zope.interface import implementer

__all__ = ["JSONLinesObserver", "LineObserver", "TextLinesObserver", "logFileFor"]

_SKIP = frozenset(["log_logger", "log_source", "log_io", "log_trace", "format", "message",
                   "isError", "system", "time", "printed"])


def _jsonable(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    return repr(value)


@implementer(ILogObserver)
class LineObserver:
    """
    Writes each event as text lines (L{format}) to C{outFile}.
    """

    def __init__(self, outFile, flushEach=True, worker=None):
        """
        @param flushEach: flush after every event; a worker process, whose
            supervisor reads its lines from a pipe, flushes on a timer instead
            (L{nano.workerlink}): one write per line woke the supervisor for
            every line.
        @param worker: the index of the worker process writing, or None.
        """
        self._out = outFile
        self._flushEach = flushEach
        self._worker = worker

    def __call__(self, event):
        text = self.format(event)
        if text:
            self._out.write(text)
            if self._flushEach:
                self._out.flush()

    def format(self, event):
        raise NotImplementedError()

    def writeLines(self, lines):
        """
        Write C{lines} (texts without their newlines) another process formatted
        (a worker's, see L{nano.workerlog}) as they are, in one write.
        """
        self._out.write("\n".join(lines) + "\n")
        self._out.flush()


class TextLinesObserver(LineObserver):
    """
    twistd's text format (C{TIME [SYSTEM] message}, tracebacks indented), the
    system being C{worker N} in a worker process.
    """

    def format(self, event):
        if self._worker is not None:
            event = dict(event, log_system="worker %d" % (self._worker,))
        return formatEventAsClassicLogText(event)


class JSONLinesObserver(LineObserver):
    """
    Each event as one line of JSON (see the module docstring), with
    C{"worker": N} in a worker process.
    """

    def format(self, event):
        record = {}
        when = event.get("log_time")
        if when is not None:
            record["time"] = datetime.datetime.fromtimestamp(when, datetime.timezone.utc).isoformat(
                timespec="milliseconds")
        level = event.get("log_level")
        record["level"] = level.name if level is not None else "info"
        try:
            record["event"] = formatEvent(event)
        except Exception:  # formatEvent already guards; stay safe for odd events
            record["event"] = repr(event.get("log_format"))
        namespace = event.get("log_namespace")
        if namespace is not None:
            record["namespace"] = namespace
        failure = event.get("log_failure")
        if failure is not None:
            record["failure"] = failure.getTraceback()
        if self._worker is not None:
            record["worker"] = self._worker
        for key, value in event.items():
            if key.startswith("log_") or key in _SKIP or key in record:
                continue
            record[key] = _jsonable(value)
        return json.dumps(record, ensure_ascii=False) + "\n"


def logFileFor(serverOptions):
    """
    The file twistd would log to for these twistd options: standard output for
    C{--logfile=-} or C{-n} without C{--logfile}, else the named file (or
    C{twistd.log}), rotated as twistd rotates it.
    """
    logfile = serverOptions.get("logfile") if serverOptions is not None else "-"
    nodaemon = serverOptions.get("nodaemon") if serverOptions is not None else True
    if logfile == "-" or (not logfile and nodaemon):
        return sys.stdout
    return LogFile.fromFullPath(logfile or "twistd.log")

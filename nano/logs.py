"""
Log output for C{twistd nano --log-format json}: one JSON object per line.

Every event NANO emits through C{twisted.logger} carries its fields (C{app},
C{request_id}, C{status}, ...); this observer writes them as they are, beside
C{time} (ISO 8601, UTC), C{level}, C{event} (the formatted message) and
C{namespace}. Failures add C{failure} (the traceback text). Fields that JSON cannot
hold are written as their C{repr}.

The default (C{--log-format text}) leaves twistd's own text log alone.
"""

import datetime
import json
import sys

from twisted.logger import ILogObserver, formatEvent
from twisted.python.logfile import LogFile
from zope.interface import implementer

__all__ = ["JSONLinesObserver", "logFileFor"]

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
class JSONLinesObserver:
    """
    Writes each event as one line of JSON to C{outFile}.
    """

    def __init__(self, outFile):
        self._out = outFile

    def __call__(self, event):
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
        for key, value in event.items():
            if key.startswith("log_") or key in _SKIP or key in record:
                continue
            record[key] = _jsonable(value)
        self._out.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._out.flush()


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

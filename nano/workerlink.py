"""
A worker's tie to its supervisor (multi-worker mode, see L{nano.workers}).

The supervisor holds the write end of the worker's standard input open and
never writes to it. When it closes, the supervisor is gone (killed, crashed):
the worker then shuts down as on SIGTERM (stop accepting, drain, exit) instead
of serving on as an orphan nobody supervises.

A worker's log lines (JSON, on standard output) are flushed to the supervisor
every C{flushInterval} seconds rather than line by line: the supervisor then reads
a few large writes instead of one per request under load.

When a worker begins to shut down it writes C{draining} on its control pipe
(L{nano.workerspawn.CONTROL_FD}): if the supervisor is not draining itself (the
worker alone got a SIGTERM), it gives the worker's share of new connections to the
other workers at once (L{nano.listeners.Listener.release}).

A worker ignores SIGINT: Ctrl-C in a terminal signals the whole process group,
and the supervisor, which gets it too, drains the workers in its own order.
"""

import atexit
import io
import os
import signal

from twisted.application.service import Service
from twisted.internet import fdesc
from twisted.internet.error import ConnectionDone
from twisted.internet.interfaces import IReadDescriptor
from twisted.internet.task import LoopingCall
from twisted.logger import Logger
from zope.interface import implementer

__all__ = ["SupervisorLink", "workerOutput"]


def workerOutput(fd=1, size=64 * 1024):
    """
    A buffered text file on C{fd} (the pipe to the supervisor) for a worker's
    log lines, flushed at exit. C{sys.stdout} may not buffer at all (with
    C{PYTHONUNBUFFERED}, common in containers, it writes line by line).
    """
    raw = io.FileIO(fd, "w", closefd=False)
    out = io.TextIOWrapper(io.BufferedWriter(raw, size), encoding="utf-8", errors="backslashreplace")
    atexit.register(_flushQuietly, out)
    return out


def _flushQuietly(out):
    try:
        out.flush()
    except (OSError, ValueError):  # the supervisor is gone
        pass


@implementer(IReadDescriptor)
class _PipeWatch:
    """
    Reads (and discards) a pipe until its end; then calls C{onClosed}.
    """

    def __init__(self, fd, onClosed):
        self._fd = fd
        self._onClosed = onClosed

    def fileno(self):
        return self._fd

    def logPrefix(self):
        return "supervisor-link"

    def doRead(self):
        try:
            data = os.read(self._fd, 4096)
        except BlockingIOError:
            return None
        except OSError:
            data = b""
        if not data:
            return ConnectionDone()
        return None

    def connectionLost(self, reason):
        self._onClosed()


class SupervisorLink(Service):
    """
    Watches the supervisor's pipe (see the module docstring); once the reactor
    runs (twistd installs its signal handlers at startup) ignores SIGINT and
    every SIGTERM after the first.
    """

    _log = Logger()

    def __init__(self, reactor, fd=0, onGone=None, ignoreInterrupts=True, flush=None, flushInterval=0.05,
                 controlFd=None):
        """
        @param controlFd: the control pipe's descriptor, or None.
        @param onGone: called when the supervisor is gone (default: stop the
            reactor, which drains the worker).
        @param flush: flushes the log output (called every C{flushInterval}
            seconds and when the service stops), or None.
        """
        self._reactor = reactor
        self._fd = fd
        self._onGone = onGone
        self._ignoreInterrupts = ignoreInterrupts
        self._flush = flush
        self._flushInterval = flushInterval
        self._flusher = None
        self._controlFd = controlFd
        self._watch = None

    def startService(self):
        Service.startService(self)
        fdesc.setNonBlocking(self._fd)
        self._watch = _PipeWatch(self._fd, self._closed)
        self._reactor.addReader(self._watch)
        if self._flush is not None:
            self._flusher = LoopingCall(self._flush)
            self._flusher.clock = self._reactor
            self._flusher.start(self._flushInterval, now=False)
        if self._ignoreInterrupts:
            self._reactor.callWhenRunning(self._takeSignals)
        if self._controlFd is not None:
            self._reactor.addSystemEventTrigger("before", "shutdown", self._tell, b"draining\n")

    def _tell(self, message):
        try:
            os.write(self._controlFd, message)
        except OSError:  # the supervisor is gone
            pass

    def _takeSignals(self):
        """
        Ignore SIGINT, and SIGTERM after the first (twistd's handler would try to
        stop the stopping reactor again and log an error).
        """
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        previous = signal.getsignal(signal.SIGTERM)
        if not callable(previous):
            return
        fired = []

        def once(number, frame):
            if not fired:
                fired.append(number)
                previous(number, frame)

        signal.signal(signal.SIGTERM, once)

    def stopService(self):
        if self._watch is not None:
            watch, self._watch = self._watch, None
            self._reactor.removeReader(watch)
        if self._flusher is not None:
            self._flusher.stop()
            self._flusher = None
            self._flush()
        return Service.stopService(self)

    def _closed(self):
        if self._watch is None:
            return
        self._watch = None
        self._log.warn("the supervisor is gone: shutting down")
        if self._onGone is not None:
            self._onGone()
        elif self._reactor.running:
            self._reactor.stop()

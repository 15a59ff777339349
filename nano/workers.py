"""
Multi-worker mode (SPEC §10): C{workers: N} or C{--workers N} runs N worker
processes that serve the same listeners, supervised by the process twistd
started.

The supervisor (L{WorkerSupervisor}) never starts V8 (a process that did cannot
fork a working child, see DESIGN.md), never loads an app and never accepts a
connection. It

 - binds the main listeners (L{nano.listeners}) before twistd drops privileges,
   and passes them to each worker as inherited file descriptors;
 - starts each worker as a fresh C{twistd -n nano} process (C{spawnProcess} of
   this Python) with hidden options: C{--worker-index I}, C{--inherit FD=ENDPOINT}
   per listener and C{--worker-admin PATH}, the worker's private admin socket in
   a directory only this user can enter (L{nano.workerspawn});
 - writes each worker's log lines, which carry the worker's index, into its
   own log (L{nano.workerlog});
 - restarts a worker that exits, after a delay that doubles with each exit that
   follows a short life (L{Backoff}), and logs why;
 - forwards SIGHUP to every worker (each reloads);
 - serves the admin listener (L{nano.workeradmin}): health, readiness of every
   worker, merged metrics, and the admin API forwarded to worker 0;
 - on SIGTERM/SIGINT (L{WorkerSupervisor.stopService}): turns C{/health} to
   503, closes its copies of the listening sockets, sends SIGTERM to every worker
   (each stops accepting and drains as one NANO process does), waits for all of
   them, at most C{drain_timeout_ms} plus a margin, kills what is left, closes
   the admin listener and exits 0.

A worker exits by itself when the supervisor's end of its standard input closes
(the supervisor died; L{nano.workerlink}), and ignores SIGINT (a Ctrl-C reaches
the whole process group; the supervisor decides the order).
"""

import os
import shutil
import signal
import sys
import tempfile

import attrs
from twisted.application.service import MultiService
from twisted.internet import endpoints
from twisted.internet.defer import Deferred, gatherResults, maybeDeferred, succeed
from twisted.internet.error import ProcessExitedAlready
from twisted.internet.protocol import ProcessProtocol
from twisted.logger import Logger

from nano.listeners import bindListener
from nano.rootservice import RootService, within
from nano.workerlog import OutputRelay
from nano.workerspawn import CONTROL_FD

__all__ = ["Backoff", "WorkerSlot", "WorkerSupervisor"]


@attrs.frozen
class Backoff:
    """
    When to restart a worker that exited: C{initial} seconds after its first
    exit, then C{factor} times longer after each exit that came less than
    C{stableAfter} seconds after its start, at most C{maximum} seconds. A worker
    that ran C{stableAfter} seconds starts over from C{initial}.
    """

    initial: float = 0.5
    factor: float = 2.0
    maximum: float = 30.0
    stableAfter: float = 10.0

    def delay(self, failures):
        """
        The delay before the restart that follows C{failures} quick exits in a row
        (C{failures >= 1}).
        """
        return min(self.maximum, self.initial * self.factor ** max(0, failures - 1))


class WorkerSlot:
    """
    One of the N worker places and the process filling it.

    @ivar index: 0..N-1 (worker 0 answers the admin API).
    @ivar process: the running worker's process transport, or None.
    @ivar pid: the last worker process id, or None.
    @ivar failures: exits in a row that followed a short life.
    @ivar restarts: how many times this slot's worker was restarted.
    """

    def __init__(self, index):
        self.index = index
        self.process = None
        self.pid = None
        self.startedAt = None
        self.failures = 0
        self.restarts = 0
        self.restartCall = None
        self._waiting = []

    @property
    def running(self):
        return self.process is not None

    def whenExited(self):
        """
        A Deferred firing once no worker process runs in this slot.
        """
        if self.process is None:
            return succeed(None)
        d = Deferred()
        self._waiting.append(d)
        return d

    def exited(self):
        self.process = None
        waiting, self._waiting = self._waiting, []
        for d in waiting:
            d.callback(None)


def _describeExit(reason):
    value = reason.value
    if getattr(value, "signal", None) is not None:
        return "killed by signal %d" % (value.signal,)
    return "exit status %s" % (getattr(value, "exitCode", "?"),)


class _WorkerProtocol(ProcessProtocol):
    """
    The supervisor's end of one worker process: its output becomes log events;
    its standard input stays open (the worker exits when it closes).
    """

    def __init__(self, supervisor, slot, relay):
        self._supervisor = supervisor
        self._slot = slot
        self._relay = relay

    def childDataReceived(self, fd, data):
        if fd == CONTROL_FD:
            if b"draining" in data:
                self._supervisor._draining(self._slot, self.transport)
            return
        self._relay.dataReceived(fd, data)

    def processEnded(self, reason):
        self._relay.flush()
        self._supervisor._ended(self._slot, self.transport, reason)


class WorkerSupervisor(RootService):
    """
    The root service of C{twistd nano} with more than one worker (see the module
    docstring).

    @ivar slots: the L{WorkerSlot}s.
    @ivar listeners: the bound main listeners (L{nano.listeners.Listener}).
    @ivar draining: True once shutdown began.
    @ivar runtimeDir: the private directory of the workers' admin sockets, or None
        without an admin listener.
    """

    _log = Logger()

    def __init__(self, config, reactor, count, spawner, sharing="auto", backoff=Backoff(),
                 bind=bindListener, drainMargin=5.0, installSignals=False, stderr=None,
                 adminSiteFactory=None, publisher=None):
        """
        @param spawner: C{spawner(index, protocol, sockets, adminPath)} starts a
            worker (L{ProcessSpawner}) and returns its process transport;
            C{sockets} is C{[(socket, endpoint description), ...]}.
        @param bind: L{nano.listeners.bindListener} or a fake.
        @param drainMargin: seconds allowed beyond C{drain_timeout_ms} for the
            workers to exit before they are killed.
        @param adminSiteFactory: C{adminSiteFactory(supervisor)} builds the admin
            site (L{nano.workeradmin.SupervisorAdminSite}); None: no admin
            listener even if the config has one.
        @param publisher: where worker log events go (the global publisher when
            None).
        """
        MultiService.__init__(self)
        self.config = config
        self._reactor = reactor
        self._spawner = spawner
        self._sharing = sharing
        self._backoff = backoff
        self._bind = bind
        self._drainMargin = drainMargin
        self._installSignals = installSignals
        self._stderr = stderr if stderr is not None else sys.stderr
        self._adminSiteFactory = adminSiteFactory if config.admin is not None else None
        self._publisher = publisher
        self.slots = [WorkerSlot(i) for i in range(count)]
        self.listeners = None
        self.adminSite = None
        self.adminPort = None
        self.runtimeDir = None
        self.draining = False
        self._stopping = None

    @property
    def count(self):
        return len(self.slots)

    # -- startup ---------------------------------------------------------------

    def bindListeners(self):
        """
        Bind every main listener (once). On failure print the reason and exit 1.
        """
        if self.listeners is not None:
            return
        listeners = []
        for description in self.config.listen:
            try:
                listeners.append(self._bind(description, self.count, self._sharing))
            except OSError as e:
                for listener in listeners:
                    listener.close()
                self._stderr.write("nano: could not listen on %s: %s\n" % (description, e))
                self._stderr.flush()
                raise SystemExit(1)
        self.listeners = listeners

    def privilegedStartService(self):
        self.bindListeners()
        MultiService.privilegedStartService(self)

    def startService(self):
        self.bindListeners()
        MultiService.startService(self)
        self._installSighup()
        if self._adminSiteFactory is not None:
            self.runtimeDir = tempfile.mkdtemp(prefix="nano-workers-")
            self.adminSite = self._adminSiteFactory(self)
            d = endpoints.serverFromString(self._reactor, self.config.admin.listen).listen(self.adminSite)
            failed = []
            d.addCallbacks(self._adminUp, failed.append)
            if failed:
                # Listening failed at once (the usual case: address in use): exit 1
                # as for a main listener, before any worker starts.
                self._adminFailed(failed[0])
                for listener in self.listeners:
                    listener.close()
                shutil.rmtree(self.runtimeDir, ignore_errors=True)
                raise SystemExit(1)
            d.addErrback(self._adminFailed)
        else:
            self._announce()
        self._reactor.callWhenRunning(self._startAll)

    def _adminUp(self, port):
        self.adminPort = port
        address = port.getHost()
        self._log.info("nano admin listening on {address}",
                       address="%s:%s" % (getattr(address, "host", address), getattr(address, "port", "")))
        self._announce()

    def _adminFailed(self, failure):
        self._stderr.write("nano: could not listen on %s (admin): %s\n" % (
            self.config.admin.listen, failure.getErrorMessage()))
        self._stderr.flush()

    def _announce(self):
        for listener in self.listeners:
            self._log.info("nano listening on {address} ({workers} workers)",
                           address=listener.address(), workers=self.count)

    def adminPath(self, index):
        """
        The private admin socket of worker C{index}, or None.
        """
        if self.runtimeDir is None:
            return None
        return os.path.join(self.runtimeDir, "worker-%d.sock" % (index,))

    def _startAll(self):
        for slot in self.slots:
            if not self.draining and not slot.running and slot.restartCall is None:
                self._spawn(slot)

    def _spawn(self, slot):
        slot.restartCall = None
        adminPath = self.adminPath(slot.index)
        if adminPath is not None and os.path.exists(adminPath):
            os.unlink(adminPath)  # left by a worker that was killed
        relay = OutputRelay(slot.index, self._reactor, self._publisher,
                            sink=getattr(self.logObserver, "writeLines", None))
        protocol = _WorkerProtocol(self, slot, relay)
        try:
            sockets = [(listener.socketFor(slot.index), listener.description) for listener in self.listeners]
            process = self._spawner(slot.index, protocol, sockets, adminPath)
        except Exception:
            self._log.failure("worker {worker}: could not start", worker=slot.index)
            self._scheduleRestart(slot, "it could not start")
            return
        slot.process = process
        slot.pid = process.pid
        slot.startedAt = self._reactor.seconds()
        self._log.info("worker {worker} started (pid {pid})", worker=slot.index, pid=process.pid)

    # -- exits and restarts ----------------------------------------------------

    def _draining(self, slot, process):
        """
        A worker began to shut down on its own (someone sent it SIGTERM): while
        another worker runs, release its sockets now, so that its share of new
        connections does not wait for the end of its drain.
        """
        if slot.process is not process or self.draining:
            return
        self._log.info("worker {worker} (pid {pid}) is draining", worker=slot.index, pid=slot.pid)
        self._releaseIfCovered(slot)

    def _releaseIfCovered(self, slot):
        if any(other.running for other in self.slots if other is not slot):
            # The live workers take the dead one's share of new connections.
            for listener in self.listeners:
                listener.release(slot.index)

    def _ended(self, slot, process, reason):
        if slot.process is not process:
            return
        how = _describeExit(reason)
        lived = self._reactor.seconds() - slot.startedAt
        if self.draining:
            self._log.info("worker {worker} (pid {pid}) exited: {how}", worker=slot.index, pid=slot.pid, how=how)
            slot.exited()
            return
        slot.exited()
        self._releaseIfCovered(slot)
        if lived >= self._backoff.stableAfter:
            slot.failures = 0
        self._scheduleRestart(slot, "pid %s, %s, after %.1f s" % (slot.pid, how, lived))

    def _scheduleRestart(self, slot, why):
        slot.failures += 1
        delay = self._backoff.delay(slot.failures)
        self._log.error("worker {worker} exited ({why}); restarting in {delay:.1f} s",
                        worker=slot.index, why=why, delay=delay)
        slot.restartCall = self._reactor.callLater(delay, self._restart, slot)

    def _restart(self, slot):
        slot.restartCall = None
        if self.draining:
            return
        slot.restarts += 1
        self._spawn(slot)

    # -- signals ---------------------------------------------------------------

    def signalWorkers(self, number, exclude=()):
        """
        Send signal C{number} to every running worker but those in C{exclude}.
        """
        for slot in self.slots:
            if slot.index in exclude or slot.process is None:
                continue
            try:
                slot.process.signalProcess(number)
            except ProcessExitedAlready:
                pass

    def reload(self, reason):
        """
        Have every worker reload (SIGHUP).
        """
        self._log.info("reloading every worker ({reason})", reason=reason)
        self.signalWorkers(signal.SIGHUP)

    # -- shutdown --------------------------------------------------------------

    def stopService(self):
        """
        Drain every worker (see the module docstring); twistd waits for the
        returned Deferred.
        """
        if self._stopping is not None:
            return self._stopping
        self.draining = True
        timeout = self.config.drain_timeout_ms / 1000.0 + self._drainMargin
        self._log.info("nano shutting down: draining {n} workers (at most {s} s)", n=self.count, s=timeout)
        self._restoreSighup()
        for slot in self.slots:
            if slot.restartCall is not None:
                slot.restartCall.cancel()
                slot.restartCall = None
        for listener in self.listeners or ():
            listener.close()
        self.signalWorkers(signal.SIGTERM)
        exited = gatherResults([slot.whenExited() for slot in self.slots])
        d = within(self._reactor, exited, timeout)
        d.addCallback(self._killLeft)
        d.addBoth(self._stopAdmin)
        d.addBoth(lambda _: MultiService.stopService(self))
        d.addBoth(self._drained)
        self._stopping = d
        return d

    def _killLeft(self, clean):
        if clean:
            self._log.info("every worker drained")
            return None
        left = [slot for slot in self.slots if slot.running]
        self._log.warn("workers {workers} did not exit in time: killing them",
                       workers=[slot.index for slot in left])
        self.signalWorkers(signal.SIGKILL)
        return within(self._reactor, gatherResults([slot.whenExited() for slot in left]), 5.0)

    def _stopAdmin(self, result):
        port, self.adminPort = self.adminPort, None
        d = maybeDeferred(port.stopListening) if port is not None else succeed(None)

        def removeDir(_):
            if self.runtimeDir is not None:
                shutil.rmtree(self.runtimeDir, ignore_errors=True)

        return d.addBoth(removeDir)

    def _drained(self, result):
        """
        A drain that ran to its end exits 0 (see L{nano.service.NanoService._drained}).
        """
        if getattr(self._reactor, "_exitSignal", None) is not None:
            self._reactor._exitSignal = None
        return None

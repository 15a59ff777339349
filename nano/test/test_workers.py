"""
Tests for L{nano.workers}: the supervisor's startup, restarts with backoff, signal
forwarding, drain ordering and log relay, with fake processes and listeners on a
L{MemoryReactorClock}.
"""

import io
import os
import signal

from twisted.internet.error import ProcessDone, ProcessExitedAlready, ProcessTerminated
from twisted.internet.testing import MemoryReactorClock
from twisted.logger import LogLevel, globalLogPublisher
from twisted.python.failure import Failure
from twisted.trial.unittest import SynchronousTestCase
from twisted.web.server import Site
from twisted.web.resource import Resource

from nano.config import AdminConfig, NanoConfig
from nano.workers import Backoff, WorkerSupervisor


class FakeProcess:
    """
    A worker process transport: records signals; L{end} reports its exit.
    """

    def __init__(self, pid, protocol, journal):
        self.pid = pid
        self.protocol = protocol
        self.signals = []
        self.gone = False
        self._journal = journal
        protocol.transport = self

    def signalProcess(self, number):
        if self.gone:
            raise ProcessExitedAlready()
        self.signals.append(number)
        self._journal.append(("signal", self.pid, number))

    def end(self, exitCode=0, signalNumber=None):
        self.gone = True
        if exitCode == 0 and signalNumber is None:
            reason = ProcessDone(0)
        else:
            reason = ProcessTerminated(exitCode if signalNumber is None else None, signalNumber)
        self.protocol.processEnded(Failure(reason))


class FakeSpawner:
    """
    Records each start; can be told to fail the next ones.
    """

    def __init__(self, journal):
        self.started = []
        self.failNext = 0
        self._journal = journal
        self._pid = 100

    def __call__(self, index, protocol, sockets, adminPath):
        if self.failNext:
            self.failNext -= 1
            raise OSError("no more processes")
        self._pid += 1
        process = FakeProcess(self._pid, protocol, self._journal)
        self.started.append((index, process, sockets, adminPath))
        self._journal.append(("spawn", index, self._pid))
        return process

    def current(self, index):
        """
        The last process started for slot C{index}.
        """
        return [process for i, process, _, _ in self.started if i == index][-1]


class FakeListener:
    def __init__(self, description, slots, sharing, journal):
        self.description = description
        self.slots = slots
        self.sharing = sharing
        self.closed = False
        self._journal = journal

    def socketFor(self, slot):
        return "socket-%s-%d" % (self.description, slot if self.sharing == "reuseport" else 0)

    def release(self, slot):
        self._journal.append(("release", self.description, slot))

    def address(self):
        return self.description

    def close(self):
        self.closed = True
        self._journal.append(("close", self.description))


class _Reactor(MemoryReactorClock):
    def callFromThread(self, f, *args, **kwargs):
        f(*args, **kwargs)


class _Base(SynchronousTestCase):
    def setUp(self):
        self.journal = []
        self.reactor = _Reactor()
        self.spawner = FakeSpawner(self.journal)
        self.listeners = []
        self.events = []
        globalLogPublisher.addObserver(self.events.append)
        self.addCleanup(globalLogPublisher.removeObserver, self.events.append)
        self.stderr = io.StringIO()

    def bind(self, description, slots, sharing):
        listener = FakeListener(description, slots, sharing, self.journal)
        self.listeners.append(listener)
        return listener

    def supervisor(self, count=2, listen=("tcp:8080", "unix:/run/n.sock"), admin=None, siteFactory=None, **kw):
        config = NanoConfig(None, listen=tuple(listen), admin=admin, drain_timeout_ms=2000)
        self.service = WorkerSupervisor(config, self.reactor, count, self.spawner, bind=self.bind,
                                        stderr=self.stderr, adminSiteFactory=siteFactory,
                                        publisher=self.events.append, **kw)
        return self.service

    def start(self, service):
        service.privilegedStartService()
        service.startService()
        self.reactor.run()  # runs the callWhenRunning hooks

    def logged(self, text):
        from twisted.logger import formatEvent

        return [formatEvent(e) for e in self.events if text in formatEvent(e)]


class StartupTests(_Base):
    """
    Binding the listeners and starting the workers.
    """

    def test_bindsThenSpawnsWhenRunning(self):
        """
        Every listener is bound once, for every slot, before privileges drop; the
        workers start only once the reactor runs, each handed every listener's
        socket with its description.
        """
        service = self.supervisor(count=3, sharing="reuseport")
        service.privilegedStartService()
        self.assertEqual([(l.description, l.slots, l.sharing) for l in self.listeners],
                         [("tcp:8080", 3, "reuseport"), ("unix:/run/n.sock", 3, "reuseport")])
        service.startService()
        self.assertEqual(len(self.listeners), 2)
        self.assertEqual(self.spawner.started, [])
        self.reactor.run()
        self.assertEqual([index for index, _, _, _ in self.spawner.started], [0, 1, 2])
        index, process, sockets, adminPath = self.spawner.started[2]
        self.assertEqual(sockets, [("socket-tcp:8080-2", "tcp:8080"), ("socket-unix:/run/n.sock-2", "unix:/run/n.sock")])
        self.assertIsNone(adminPath)
        self.assertEqual([slot.pid for slot in service.slots], [101, 102, 103])
        self.assertTrue(all(slot.running for slot in service.slots))
        self.assertEqual(len(self.logged("nano listening on tcp:8080 (3 workers)")), 1)
        self.assertEqual(len(self.logged("worker 2 started (pid 103)")), 1)

    def test_bindFailure(self):
        """
        A listener that cannot be bound is reported on stderr and exits 1, after
        closing the ones already bound.
        """
        def bind(description, slots, sharing):
            if description.startswith("unix"):
                raise OSError(98, "Address already in use")
            return self.bind(description, slots, sharing)

        service = self.supervisor()
        service._bind = bind
        error = self.assertRaises(SystemExit, service.privilegedStartService)
        self.assertEqual(error.code, 1)
        self.assertIn("nano: could not listen on unix:/run/n.sock: [Errno 98] Address already in use",
                      self.stderr.getvalue())
        self.assertTrue(self.listeners[0].closed)

    def test_adminListener(self):
        """
        With an admin config the supervisor makes a private runtime directory for
        the workers' admin sockets, listens with the site the factory built, and
        removes the directory when it stops.
        """
        sites = []

        def siteFactory(supervisor):
            sites.append(Site(Resource()))
            return sites[-1]

        service = self.supervisor(admin=AdminConfig("tcp:9090:interface=127.0.0.1"), siteFactory=siteFactory)
        self.start(service)
        directory = service.runtimeDir
        self.assertTrue(os.path.isdir(directory))
        self.assertEqual(os.stat(directory).st_mode & 0o777, 0o700)
        self.assertEqual(self.reactor.tcpServers[0][1], sites[0])
        self.assertEqual(self.spawner.started[1][3], os.path.join(directory, "worker-1.sock"))
        d = service.stopService()
        for slot in service.slots:
            self.spawner.current(slot.index).end()
        self.successResultOf(d)
        self.assertFalse(os.path.exists(directory))


    def test_adminListenFailure(self):
        """
        An admin listener that cannot listen is reported and exits 1 before any
        worker starts; the main listeners and the runtime directory are gone.
        """
        from twisted.internet.error import CannotListenError

        class Reactor(_Reactor):
            def listenTCP(self, port, factory, backlog=50, interface=""):
                raise CannotListenError(interface, port, OSError(98, "Address already in use"))

        self.reactor = Reactor()
        service = self.supervisor(admin=AdminConfig("tcp:9090:interface=127.0.0.1"),
                                  siteFactory=lambda supervisor: Site(Resource()))
        service.privilegedStartService()
        error = self.assertRaises(SystemExit, service.startService)
        self.assertEqual(error.code, 1)
        self.assertIn("nano: could not listen on tcp:9090:interface=127.0.0.1 (admin)", self.stderr.getvalue())
        self.assertTrue(all(listener.closed for listener in self.listeners))
        self.assertFalse(os.path.exists(service.runtimeDir))
        self.reactor.run()
        self.assertEqual(self.spawner.started, [])


class RestartTests(_Base):
    """
    A worker that exits is restarted, with backoff.
    """

    def test_backoffDelays(self):
        """
        The delay starts at C{initial}, multiplies by C{factor} per quick exit
        and stops at C{maximum}.
        """
        backoff = Backoff(initial=0.5, factor=2.0, maximum=3.0)
        self.assertEqual([backoff.delay(n) for n in range(1, 6)], [0.5, 1.0, 2.0, 3.0, 3.0])

    def test_restartAfterDelay(self):
        """
        A worker killed after a long life is restarted C{initial} seconds later;
        the other worker is left alone; the exit is logged with the reason.
        """
        service = self.supervisor()
        self.start(service)
        self.reactor.advance(60)
        first = self.spawner.current(1)
        first.end(signalNumber=signal.SIGKILL)
        self.assertFalse(service.slots[1].running)
        self.assertTrue(service.slots[0].running)
        self.assertEqual(len(self.logged("worker 1 exited (pid 102, killed by signal 9, after 60.0 s); "
                                         "restarting in 0.5 s")), 1)
        self.reactor.advance(0.4)
        self.assertEqual(len(self.spawner.started), 2)
        self.reactor.advance(0.1)
        self.assertEqual(len(self.spawner.started), 3)
        self.assertIsNot(self.spawner.current(1), first)
        self.assertEqual((service.slots[1].pid, service.slots[1].restarts), (103, 1))
        self.assertEqual(first.signals, [])
        self.assertEqual(self.spawner.current(0).signals, [])

    def test_releaseWhileOthersRun(self):
        """
        A dead worker's sockets are released while another worker runs (the
        live ones take its share), kept when none runs.
        """
        service = self.supervisor(count=2)
        self.start(service)
        del self.journal[:]
        self.spawner.current(1).end(exitCode=1)
        self.assertEqual(self.journal, [("release", "tcp:8080", 1), ("release", "unix:/run/n.sock", 1)])
        del self.journal[:]
        self.spawner.current(0).end(exitCode=1)
        self.assertEqual(self.journal, [])

    def test_workerDrainingAlone(self):
        """
        A worker that says it is draining (someone sent it SIGTERM) has its
        sockets released at once while another worker runs; not when the
        supervisor drains them all, and not when no other worker runs.
        """
        service = self.supervisor(count=2)
        self.start(service)
        del self.journal[:]
        self.spawner.current(1).protocol.childDataReceived(3, b"draining\n")
        self.assertEqual(self.journal, [("release", "tcp:8080", 1), ("release", "unix:/run/n.sock", 1)])
        self.assertEqual(len(self.logged("worker 1 (pid 102) is draining")), 1)
        self.assertTrue(service.slots[1].running)
        self.spawner.current(1).end()
        del self.journal[:]
        self.reactor.advance(0.5)
        self.spawner.current(1).protocol.childDataReceived(3, b"draining\n")
        self.spawner.current(0).end()  # worker 1 still runs: worker 0's sockets go
        self.spawner.current(1).protocol.childDataReceived(3, b"draining\n")  # none other runs: kept
        self.assertEqual([entry for entry in self.journal if entry[0] == "release"], [
            ("release", "tcp:8080", 1), ("release", "unix:/run/n.sock", 1),
            ("release", "tcp:8080", 0), ("release", "unix:/run/n.sock", 0)])
        del self.journal[:]
        service.stopService()
        self.spawner.current(1).protocol.childDataReceived(3, b"draining\n")
        self.assertEqual([entry for entry in self.journal if entry[0] == "release"], [])

    def test_crashLoopBacksOff(self):
        """
        Exits that follow short lives double the delay; a worker that then runs
        C{stableAfter} seconds starts over from C{initial}.
        """
        service = self.supervisor(count=1, backoff=Backoff(initial=1.0, factor=2.0, maximum=4.0, stableAfter=10.0))
        self.start(service)
        delays = []
        for _ in range(4):
            self.spawner.current(0).end(exitCode=1)
            call = service.slots[0].restartCall
            delays.append(call.getTime() - self.reactor.seconds())
            self.reactor.advance(delays[-1])
        self.assertEqual(delays, [1.0, 2.0, 4.0, 4.0])
        self.reactor.advance(10)
        self.spawner.current(0).end(exitCode=1)
        self.assertEqual(service.slots[0].restartCall.getTime() - self.reactor.seconds(), 1.0)
        self.assertEqual(service.slots[0].restarts, 4)

    def test_spawnFailure(self):
        """
        A worker that cannot be started is retried with the same backoff.
        """
        self.spawner.failNext = 2
        service = self.supervisor(count=1)
        self.start(service)
        self.assertFalse(service.slots[0].running)
        self.assertEqual(len(self.logged("worker 0 exited (it could not start); restarting in 0.5 s")), 1)
        self.reactor.advance(0.5)
        self.assertFalse(service.slots[0].running)
        self.reactor.advance(1.0)
        self.assertTrue(service.slots[0].running)
        self.assertEqual(len(self.flushLoggedErrors(OSError)), 2)


class SignalTests(_Base):
    """
    SIGHUP reaches every worker.
    """

    def test_reloadForwardsSighup(self):
        """
        A reload sends SIGHUP to every running worker, skipping a worker that
        exited meanwhile and a slot waiting for its restart.
        """
        service = self.supervisor(count=3)
        self.start(service)
        self.spawner.current(2).end(exitCode=1)
        self.spawner.current(1).gone = True  # exited, not reaped yet
        service.reload("SIGHUP")
        self.assertEqual(self.spawner.current(0).signals, [signal.SIGHUP])
        self.assertEqual(self.spawner.current(1).signals, [])
        self.assertEqual(len(self.logged("reloading every worker (SIGHUP)")), 1)

    def test_signalWorkersExclude(self):
        """
        C{signalWorkers} can leave some workers out (worker 0 after an admin change).
        """
        service = self.supervisor(count=2)
        self.start(service)
        service.signalWorkers(signal.SIGHUP, exclude=(0,))
        self.assertEqual([self.spawner.current(i).signals for i in (0, 1)], [[], [signal.SIGHUP]])

    def test_sighupHandler(self):
        """
        With C{installSignals}, SIGHUP is handled (through the reactor) while the
        service runs, and the previous handler is back after it stops.
        """
        previous = signal.getsignal(signal.SIGHUP)
        self.addCleanup(signal.signal, signal.SIGHUP, previous)
        service = self.supervisor(count=1, installSignals=True)
        self.start(service)
        handler = signal.getsignal(signal.SIGHUP)
        handler(signal.SIGHUP, None)
        self.assertEqual(self.spawner.current(0).signals, [signal.SIGHUP])
        d = service.stopService()
        self.spawner.current(0).end()
        self.successResultOf(d)
        self.assertEqual(signal.getsignal(signal.SIGHUP), previous)


class DrainTests(_Base):
    """
    Shutdown: stop listening, SIGTERM every worker, wait, exit 0.
    """

    def test_order(self):
        """
        Draining turns on first, the supervisor's sockets close before any worker
        gets SIGTERM, the Deferred fires only when every worker exited, a worker
        that exits while draining is not restarted, and the exit is clean.
        """
        service = self.supervisor(count=2)
        self.start(service)
        self.reactor._exitSignal = signal.SIGTERM
        del self.journal[:]
        d = service.stopService()
        self.assertTrue(service.draining)
        self.assertEqual(self.journal, [
            ("close", "tcp:8080"), ("close", "unix:/run/n.sock"),
            ("signal", 101, signal.SIGTERM), ("signal", 102, signal.SIGTERM)])
        self.spawner.current(0).end()
        self.assertNoResult(d)
        self.reactor.advance(5)
        self.assertEqual(len(self.spawner.started), 2)
        self.spawner.current(1).end()
        self.successResultOf(d)
        self.assertIsNone(self.reactor._exitSignal)
        self.assertIs(service.stopService(), d)
        self.assertEqual(len(self.logged("every worker drained")), 1)

    def test_pendingRestartCancelled(self):
        """
        A restart that was waiting does not happen once draining began.
        """
        service = self.supervisor(count=2)
        self.start(service)
        self.spawner.current(1).end(exitCode=1)
        d = service.stopService()
        self.spawner.current(0).end()
        self.successResultOf(d)
        self.reactor.advance(60)
        self.assertEqual(len(self.spawner.started), 2)

    def test_timeoutKills(self):
        """
        Workers still running after C{drain_timeout_ms} plus the margin get
        SIGKILL; the drain ends when they are gone.
        """
        service = self.supervisor(count=2, drainMargin=1.0)
        self.start(service)
        d = service.stopService()
        self.spawner.current(0).end()
        self.reactor.advance(2.9)
        self.assertEqual(self.spawner.current(1).signals, [signal.SIGTERM])
        self.reactor.advance(0.1)
        self.assertEqual(self.spawner.current(1).signals, [signal.SIGTERM, signal.SIGKILL])
        self.assertNoResult(d)
        self.spawner.current(1).end(signalNumber=signal.SIGKILL)
        self.successResultOf(d)
        self.assertEqual(len(self.logged("workers [1] did not exit in time: killing them")), 1)


class LogRelayTests(_Base):
    """
    Worker output reaches the supervisor's log.
    """

    def test_outputRelayed(self):
        """
        What a worker writes becomes events with its index; a partial line is
        published when the worker exits.
        """
        service = self.supervisor(count=2)
        self.start(service)
        protocol = self.spawner.current(1).protocol
        protocol.childDataReceived(1, b'{"level": "warn", "event": "careful", "app": "a"}\n')
        protocol.childDataReceived(2, b"Traceback (most")
        protocol.childDataReceived(2, b" recent call last):\nboom")
        self.spawner.current(1).end(exitCode=1)
        mine = [e for e in self.events if e.get("log_system") == "worker 1"]
        self.assertEqual([(e["log_level"], e["log_format"]) for e in mine], [
            (LogLevel.warn, "careful"), (LogLevel.error, "Traceback (most recent call last):"),
            (LogLevel.error, "boom")])
        self.assertEqual(mine[0]["app"], "a")

    def test_linesPassThrough(self):
        """
        With a log observer, the lines a worker writes on standard output go
        into the supervisor's log as they are.
        """
        from nano.logs import TextLinesObserver

        out = io.StringIO()
        service = self.supervisor(count=1)
        service.logObserver = TextLinesObserver(out)
        self.start(service)
        self.spawner.current(0).protocol.childDataReceived(1, b"2026-12-01T00:00:00+0000 [worker 0] hi\n")
        self.assertEqual(out.getvalue(), "2026-12-01T00:00:00+0000 [worker 0] hi\n")

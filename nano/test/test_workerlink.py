"""
Tests for L{nano.workerlink}: a worker notices its supervisor is gone, and takes
over SIGINT and repeated SIGTERMs.
"""

import os
import signal

from twisted.internet.testing import MemoryReactor, MemoryReactorClock
from twisted.trial.unittest import SynchronousTestCase

from nano.workerlink import SupervisorLink, workerOutput


class LinkTests(SynchronousTestCase):
    """
    L{SupervisorLink}.
    """

    def setUp(self):
        self.reactor = MemoryReactor()
        self.readEnd, self.writeEnd = os.pipe()
        self.addCleanup(self._close)
        self.gone = []
        self.link = SupervisorLink(self.reactor, fd=self.readEnd, onGone=lambda: self.gone.append(True),
                                   ignoreInterrupts=False)

    def _close(self):
        for fd in (self.readEnd, self.writeEnd):
            try:
                os.close(fd)
            except OSError:
                pass

    def test_pipeClosed(self):
        """
        Data on the pipe is ignored; its end means the supervisor is gone (once).
        """
        self.link.startService()
        [watch] = self.reactor.getReaders()
        self.assertEqual(watch.fileno(), self.readEnd)
        self.assertIsNone(watch.doRead())  # nothing to read yet (non-blocking)
        os.write(self.writeEnd, b"noise")
        self.assertIsNone(watch.doRead())
        self.assertEqual(self.gone, [])
        os.close(self.writeEnd)
        reason = watch.doRead()
        self.assertIsNotNone(reason)
        watch.connectionLost(reason)
        watch.connectionLost(reason)
        self.assertEqual(self.gone, [True])

    def test_stopRemovesWatch(self):
        """
        Stopping the service stops watching; a later end of the pipe is not
        reported.
        """
        self.link.startService()
        [watch] = self.reactor.getReaders()
        self.link.stopService()
        self.assertEqual(self.reactor.getReaders(), [])
        watch.connectionLost(None)
        self.assertEqual(self.gone, [])

    def test_signals(self):
        """
        Once the reactor runs, SIGINT is ignored and only the first SIGTERM
        reaches the previous handler.
        """
        previous = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
        for number, handler in previous.items():
            self.addCleanup(signal.signal, number, handler)
        calls = []
        signal.signal(signal.SIGTERM, lambda number, frame: calls.append(number))
        link = SupervisorLink(self.reactor, fd=self.readEnd, onGone=lambda: None)
        link.startService()
        self.addCleanup(link.stopService)
        self.assertEqual(signal.getsignal(signal.SIGINT), previous[signal.SIGINT])
        for f, args, kwargs in self.reactor.whenRunningHooks:
            f(*args, **kwargs)
        self.assertEqual(signal.getsignal(signal.SIGINT), signal.SIG_IGN)
        handler = signal.getsignal(signal.SIGTERM)
        handler(signal.SIGTERM, None)
        handler(signal.SIGTERM, None)
        self.assertEqual(calls, [signal.SIGTERM])

    def test_tellsDraining(self):
        """
        When shutdown begins, the worker writes "draining" on its control pipe;
        a closed pipe is not an error.
        """
        readEnd, writeEnd = os.pipe()
        self.addCleanup(os.close, readEnd)
        link = SupervisorLink(self.reactor, fd=self.readEnd, onGone=lambda: None, ignoreInterrupts=False,
                              controlFd=writeEnd)
        link.startService()
        self.addCleanup(link.stopService)
        [(trigger, args, kwargs)] = self.reactor.triggers["before"]["shutdown"]
        trigger(*args, **kwargs)
        self.assertEqual(os.read(readEnd, 100), b"draining\n")
        os.close(writeEnd)
        trigger(*args, **kwargs)

    def test_flushTimer(self):
        """
        The log output is flushed every C{flushInterval} seconds, and once more
        when the service stops.
        """
        reactor = MemoryReactorClock()
        flushes = []
        link = SupervisorLink(reactor, fd=self.readEnd, onGone=lambda: None, ignoreInterrupts=False,
                              flush=lambda: flushes.append(reactor.seconds()), flushInterval=0.05)
        link.startService()
        reactor.advance(0.04)
        self.assertEqual(flushes, [])
        for _ in range(3):
            reactor.advance(0.05)
        self.assertEqual(len(flushes), 3)
        link.stopService()
        self.assertEqual(len(flushes), 4)
        reactor.advance(1)
        self.assertEqual(len(flushes), 4)


class OutputTests(SynchronousTestCase):
    """
    L{workerOutput}.
    """

    def test_buffered(self):
        """
        Lines are kept until flushed (or the buffer fills), whatever
        C{PYTHONUNBUFFERED} says.
        """
        readEnd, writeEnd = os.pipe()
        self.addCleanup(os.close, readEnd)
        self.addCleanup(os.close, writeEnd)
        os.set_blocking(readEnd, False)
        out = workerOutput(writeEnd, size=4096)
        out.write('{"event": "one"}\n')
        self.assertRaises(BlockingIOError, os.read, readEnd, 100)
        out.flush()
        self.assertEqual(os.read(readEnd, 100), b'{"event": "one"}\n')
        out.write("x" * 10000)
        self.assertGreater(len(os.read(readEnd, 20000)), 4000)

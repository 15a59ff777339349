"""
Tests for L{nano.rootservice}: the bounded wait and what the root services share
(the application's log observer, SIGHUP as a reload). The SIGHUP behaviour of each
root service is also tested with it (test_service, test_workers).
"""

import signal

from twisted.application.service import Application
from twisted.internet.defer import Deferred
from twisted.internet.task import Clock
from twisted.logger import ILogObserver
from twisted.trial.unittest import SynchronousTestCase

from nano.rootservice import RootService, within


class WithinTests(SynchronousTestCase):
    """
    L{within} fires with whether a Deferred fired in time.
    """

    def test_fired(self):
        """
        A Deferred that fires (even with a failure) before the time is up gives
        True at once, and the timer is cancelled.
        """
        clock = Clock()
        d = Deferred()
        result = within(clock, d, 5.0)
        self.assertNoResult(result)
        d.errback(RuntimeError("boom"))
        self.assertIs(self.successResultOf(result), True)
        self.assertEqual(clock.getDelayedCalls(), [])

    def test_late(self):
        """
        After C{seconds} without a result it gives False; firing later changes
        nothing.
        """
        clock = Clock()
        d = Deferred()
        result = within(clock, d, 5.0)
        clock.advance(5.0)
        self.assertIs(self.successResultOf(result), False)
        d.callback(None)


class _Reactor(Clock):
    def callFromThread(self, f, *args):
        f(*args)


class _Service(RootService):
    def __init__(self, installSignals):
        RootService.__init__(self)
        self._reactor = _Reactor()
        self._installSignals = installSignals
        self.reloads = []

    def reload(self, reason):
        self.reloads.append(reason)


class RootServiceTests(SynchronousTestCase):
    """
    L{RootService}: the log observer and the SIGHUP handler.
    """

    def test_logObserver(self):
        """
        With a C{logObserver}, joining an application makes it the application's
        C{ILogObserver}; without one the application has none.
        """
        def observer(event):
            pass

        service = _Service(False)
        service.logObserver = observer
        application = Application("nano")
        service.setServiceParent(application)
        self.assertIs(application.getComponent(ILogObserver), observer)
        plain = Application("plain")
        _Service(False).setServiceParent(plain)
        self.assertIsNone(plain.getComponent(ILogObserver))

    def test_sighup(self):
        """
        Installed, SIGHUP reloads (reason "SIGHUP") through the reactor; restored,
        the previous handler is back.
        """
        previous = signal.getsignal(signal.SIGHUP)
        self.addCleanup(signal.signal, signal.SIGHUP, previous)
        service = _Service(True)
        service._installSighup()
        signal.getsignal(signal.SIGHUP)(signal.SIGHUP, None)
        self.assertEqual(service.reloads, ["SIGHUP"])
        service._restoreSighup()
        self.assertEqual(signal.getsignal(signal.SIGHUP), previous)

    def test_noSignals(self):
        """
        Without C{installSignals} the SIGHUP handler is left alone.
        """
        previous = signal.getsignal(signal.SIGHUP)
        service = _Service(False)
        service._installSighup()
        self.assertEqual(signal.getsignal(signal.SIGHUP), previous)
        service._restoreSighup()
        self.assertEqual(signal.getsignal(signal.SIGHUP), previous)

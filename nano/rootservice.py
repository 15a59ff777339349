"""
What the two root services of C{twistd nano} share: L{nano.service.NanoService}
(one process serving every app) and L{nano.workers.WorkerSupervisor} (the
process that supervises worker processes).

Both become twistd's application log observer when they are given one, reload on
SIGHUP (when asked to install signal handlers; the previous handler comes back when
they stop), and bound their drains with L{within}.
"""

import signal

from twisted.application.service import MultiService
from twisted.internet.defer import Deferred
from twisted.logger import ILogObserver

__all__ = ["RootService", "within"]


def within(clock, d, seconds):
    """
    A Deferred firing with True once C{d} fires (whatever its result), or with
    False after C{seconds}, whichever comes first. C{d} is not cancelled.
    """
    result = Deferred()
    timer = clock.callLater(max(0.0, seconds), lambda: result.called or result.callback(False))

    def fired(_):
        if not result.called:
            timer.cancel()
            result.callback(True)

    d.addBoth(fired)
    return result


class RootService(MultiService):
    """
    A root service of C{twistd nano}. Subclasses set C{_reactor} and
    C{_installSignals}, define C{reload(reason)}, call L{_installSighup} when they
    start and L{_restoreSighup} when they stop.

    @ivar logObserver: a twisted.logger observer twistd should log through
        (C{--log-format json}, a worker's log lines), or None for twistd's own.
    """

    logObserver = None
    _installSignals = False
    _previousSighup = None

    def setServiceParent(self, parent):
        """
        Join twistd's application; with a C{logObserver}, make it the
        application's log observer (twistd uses an C{ILogObserver} component of the
        application instead of its own log file observer).
        """
        if self.logObserver is not None and hasattr(parent, "setComponent"):
            parent.setComponent(ILogObserver, self.logObserver)
        MultiService.setServiceParent(self, parent)

    def _installSighup(self):
        """
        Handle SIGHUP (a reload), if this service installs signal handlers.
        """
        if self._installSignals:
            self._previousSighup = signal.signal(signal.SIGHUP, self._sighup)

    def _restoreSighup(self):
        """
        Put back the SIGHUP handler L{_installSighup} replaced.
        """
        if self._installSignals and self._previousSighup is not None:
            signal.signal(signal.SIGHUP, self._previousSighup)

    def _sighup(self, number, frame):
        self._reactor.callFromThread(self.reload, "SIGHUP")

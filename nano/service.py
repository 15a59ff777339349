"""
NanoService: the root service of C{twistd nano}. It owns the app registry, the main
listeners and the isolates.

Nothing touches V8 before C{startService} (twistd forks to daemonize after
C{makeService}; a forked V8 hangs). Startup loads every app, reports each app that
failed to load (one line each, with file:line:column), then listens; apps that
loaded serve, a failed app answers 503 until it is fixed. Shutdown stops listening,
lets requests in flight and C{ctx.waitUntil} work finish (up to C{drain_timeout_ms}),
then closes every isolate.
"""

import gc
import os
import sys

from twisted.application.service import MultiService
from twisted.internet import endpoints
from twisted.internet.defer import DeferredList, gatherResults, succeed
from twisted.logger import ILogObserver, Logger

import nano.crypto  # noqa: F401 (registers the crypto.* host operations)
import nano.fetch  # noqa: F401 (registers the fetch host operations)
from nano.app import App
from nano.hostops import HostContext, opsFor
from nano.isolate.pool import IsolatePool
from nano.isolate.watchdog import Watchdog
from nano.metrics import Metrics
from nano.registry import AppRegistry
from nano.resources.site import NanoSite
from nano.resources.vhost import HostRouter

__all__ = ["NanoService", "rssLimit"]


def rssLimit(config):
    """
    The process memory backstop in bytes: C{rss_limit_mb}, else 75% of the
    machine's physical memory.
    """
    if config.rss_limit_mb is not None:
        return config.rss_limit_mb * 1024 * 1024
    try:
        return int(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") * 0.75)
    except (ValueError, OSError):
        return None


class NanoService(MultiService):
    """
    Serve every app of a L{nano.config.NanoConfig}.

    @ivar ports: the listening ports, once listening.
    @ivar ready: a Deferred that fires (with the list of ports) once every app was
        loaded or failed and the listeners are up.
    """

    _log = Logger()

    def __init__(self, config, reactor, dev=False, stderr=None, accessLog=True):
        MultiService.__init__(self)
        self.config = config
        self._reactor = reactor
        self._dev = dev
        self._stderr = stderr if stderr is not None else sys.stderr
        self.registry = AppRegistry(defaultApp=config.default_app)
        self.metrics = Metrics(appStates=self._appStates)
        self.watchdog = Watchdog(reactor, rssLimit=rssLimit(config))
        self.pool = IsolatePool(reactor, size=2, dev=dev)
        self.router = HostRouter(self.registry, reactor, dev=dev, metrics=self.metrics, accessLog=accessLog)
        limits = [config.defaults] + [app.limits for app in config.apps]
        self.site = NanoSite(self.router, reactor=reactor,
                             maxHeaderBytes=max(limit.max_header_kb for limit in limits) * 1024)
        self.ports = []
        self.ready = None
        self.draining = False

    # A twisted.logger observer twistd should log through (--log-format json), or
    # None for twistd's own.
    logObserver = None

    def setServiceParent(self, parent):
        """
        Join twistd's application; with a C{logObserver}, make it the
        application's log observer (twistd uses an C{ILogObserver} component of the
        application instead of its own log file observer).
        """
        if self.logObserver is not None and hasattr(parent, "setComponent"):
            parent.setComponent(ILogObserver, self.logObserver)
        MultiService.setServiceParent(self, parent)

    def _appStates(self):
        """
        How many apps are in each state (for the C{nano_apps} gauge).
        """
        states = {}
        for app in self.registry.apps():
            states[app.state] = states.get(app.state, 0) + 1
        return states

    def startService(self):
        MultiService.startService(self)
        loads = []
        for appConfig in self.config.apps:
            stats = self.metrics.app(appConfig.name)
            app = App(self._reactor, appConfig, dev=self._dev,
                      hostOps=opsFor(HostContext(self._reactor, appConfig, self.config, stats)),
                      watchdog=self.watchdog, pool=self.pool, stats=stats)
            self.registry.add(app)
            loads.append(app.start())
        d = DeferredList(loads, consumeErrors=True)
        d.addCallback(self._reportLoads)
        d.addCallback(lambda _: self._listen())
        d.addErrback(self._startFailed)
        self.ready = d
        return d

    def _reportLoads(self, results):
        for app in self.registry.apps():
            if app.state == "failed":
                self._stderr.write("nano: app %s failed to load: %s\n" % (app.name, app.loadError))
                self._stderr.flush()

    def _listen(self):
        # Everything alive now (Twisted, the module parsers, the apps' configs) lives
        # as long as the process: moving it out of the cyclic GC's generations keeps
        # full collections short (they walked it all: ~27 ms pauses under load).
        gc.freeze()
        # Keep bootstrapped isolates ready for cold starts, reloads and resets.
        self.pool.start()
        listening = []
        for description in self.config.listen:
            endpoint = endpoints.serverFromString(self._reactor, description)
            listening.append(endpoint.listen(self.site))

        def up(ports):
            self.ports.extend(ports)
            for port in ports:
                address = port.getHost()
                self._log.info(
                    "nano listening on {address}", address="%s:%s" % (
                        getattr(address, "host", address), getattr(address, "port", "")),
                )
            return ports

        return gatherResults(listening, consumeErrors=True).addCallback(up)

    def _startFailed(self, failure):
        self._log.failure("nano could not start", failure)
        self._stderr.write("nano: could not start: %s\n" % (failure.getErrorMessage(),))
        self._stderr.flush()
        if self._reactor.running:
            self._reactor.stop()
        return None

    def stopService(self):
        """
        Stop listening, drain requests and waitUntil work (bounded by
        C{drain_timeout_ms}), close every isolate.
        """
        self.draining = True
        stopping = [succeed(None)]
        for port in self.ports:
            stopping.append(port.stopListening())
        self.ports = []
        d = gatherResults(stopping, consumeErrors=True)
        d.addCallback(lambda _: self._drain())
        d.addBoth(self._closeApps)
        d.addBoth(lambda _: MultiService.stopService(self))
        d.addBoth(self._drained)
        return d

    def _drained(self, result):
        """
        A drain that ran to its end is a clean exit: twistd would otherwise re-raise
        the SIGTERM/SIGINT that stopped the reactor and exit with -15 (SPEC §9 wants
        exit status 0). twistd reads this after the reactor stops.
        """
        if getattr(self._reactor, "_exitSignal", None) is not None:
            self._reactor._exitSignal = None
        return result

    def _drain(self):
        waits = []
        for app in self.registry.apps():
            waits.append(app.whenIdle())
            if app.isolate is not None:
                waits.extend(app.isolate.pendingWork())
        d = gatherResults(waits, consumeErrors=True)
        timeout = self.config.drain_timeout_ms / 1000.0
        d.addTimeout(timeout, self._reactor)
        d.addErrback(lambda f: self._log.warn("drain ended after {s} s: {why}", s=timeout, why=f.getErrorMessage()))
        return d

    def _closeApps(self, result):
        for app in self.registry.apps():
            app.stop()
        self.watchdog.stop()
        self.pool.stop()
        return None

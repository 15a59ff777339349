"""
NanoService: the root service of C{twistd nano}. It owns the app registry, the
deployer (the running apps and every change to them), the main and admin
listeners, and the file watcher.

Nothing touches V8 before C{startService} (twistd forks to daemonize after
C{makeService}; a forked V8 hangs). Startup loads every app, reports each app that
failed to load (one line each, with file:line:column), then listens; apps that
loaded serve, a failed app answers 503 until it is fixed. Changes to the config
file or to an app's files, SIGHUP and C{POST /admin/reload} reload
(L{nano.deploy}).

Shutdown (SIGTERM, SIGINT) is sequenced by L{NanoService.stopService}: stop
listening on the main listeners, turn C{/health} to 503 (the admin listener stays
up until the end), close idle keep-alive connections and the others after their
current response, let the requests in flight finish, then the C{ctx.waitUntil}
work, then close every isolate. After C{drain_timeout_ms} whatever remains is
aborted. The process then exits with status 0.
"""

import gc
import os
import sys

from twisted.application.service import MultiService
from twisted.internet import endpoints
from twisted.internet.defer import fail, gatherResults, maybeDeferred, succeed
from twisted.logger import Logger

import nano.crypto  # noqa: F401 (registers the crypto.* host operations)
import nano.fetch  # noqa: F401 (registers the fetch host operations)
import nano.streams.compression  # noqa: F401 (registers the compression.* host operations)
from nano.admin import AdminSite, MetricsResource
from nano.app import App
from nano.deploy import DeployError, Deployer
from nano.hostops import HostContext, opsFor
from nano.isolate.pool import IsolatePool
from nano.isolate.watchdog import Watchdog
from nano.listeners import adoptListeners
from nano.metrics import Metrics
from nano.registry import AppRegistry
from nano.resources.site import NanoSite
from nano.resources.vhost import HostRouter
from nano.rootservice import RootService, within
from nano.watcher import Watcher

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


def _maxHeaderBytes(config):
    """
    The largest request head any app of C{config} accepts.
    """
    limits = [config.defaults] + [app.limits for app in config.apps]
    return max(limit.max_header_kb for limit in limits) * 1024


def _describe(address):
    return "%s:%s" % (getattr(address, "host", address), getattr(address, "port", ""))


class NanoService(RootService):
    """
    Serve every app of a L{nano.config.NanoConfig}.

    @ivar ports: the main listening ports, once listening.
    @ivar adminPort: the admin listening port, or None.
    @ivar ready: a Deferred that fires (with the list of ports) once every app was
        loaded or failed and the listeners are up.
    @ivar draining: True once shutdown began.
    """

    _log = Logger()

    def __init__(self, config, reactor, dev=False, stderr=None, accessLog=True, installSignals=False,
                 overrides=(), environ=None, isolateFactory=None, inherited=(), watchdog=None, metrics=None):
        """
        @param installSignals: handle SIGHUP (reload); twistd's SIGTERM and SIGINT
            handling stops the reactor, which runs L{stopService}.
        @param overrides: restart-only settings given on the command line (see
            L{nano.deploy.Deployer}).
        @param environ: where C{from_env} and C{token_env} are read on reload
            (default C{os.environ}).
        @param isolateFactory: what L{nano.app.App} builds isolates with (tests
            give L{nano.testing.FakeIsolate}); the real isolate when None.
        @param inherited: C{[(fd, endpoint description), ...]}: listening
            sockets a supervisor passed down (a worker of L{nano.workers}); when
            given they are the main listeners, adopted instead of the config's
            C{listen}.
        @param watchdog: the L{Watchdog} (made from the config when None).
        @param metrics: the L{Metrics} (made when None).
        """
        MultiService.__init__(self)
        self._reactor = reactor
        self._dev = dev
        self._stderr = stderr if stderr is not None else sys.stderr
        self._installSignals = installSignals
        self._isolateFactory = isolateFactory
        self._inherited = list(inherited)
        self.registry = AppRegistry(defaultApp=config.default_app)
        self.metrics = metrics if metrics is not None else Metrics(appStates=self._appStates)
        self.watchdog = watchdog if watchdog is not None else Watchdog(reactor, rssLimit=rssLimit(config))
        self.pool = IsolatePool(reactor, size=2, dev=dev)
        self.router = HostRouter(self.registry, reactor, dev=dev, metrics=self.metrics, accessLog=accessLog)
        self.site = NanoSite(self.router, reactor=reactor, maxHeaderBytes=_maxHeaderBytes(config))
        baseDir = os.path.dirname(config.path) if config.path is not None else os.getcwd()
        self.deployer = Deployer(reactor, config, self.registry, self._makeApp, baseDir, environ,
                                 overrides=overrides)
        self.deployer.onChanged = self._changed
        self.adminSite = None
        if config.admin is not None:
            self.adminSite = AdminSite(self.deployer, lambda: self.draining, config.admin.token,
                                       MetricsResource(self.metrics), reactor)
        self.watcher = None
        self.ports = []
        self.adminPort = None
        self.ready = None
        self.draining = False
        self._stopping = None

    @property
    def config(self):
        """
        The config in effect (changes with every reload).
        """
        return self.deployer.config

    def _makeApp(self, appConfig, config):
        extra = {} if self._isolateFactory is None else {"isolateFactory": self._isolateFactory}
        return App(self._reactor, appConfig, dev=self._dev,
                   hostOps=opsFor(HostContext(self._reactor, appConfig, config, self.metrics.app(appConfig.name))),
                   watchdog=self.watchdog, pool=self.pool,
                   stats=self.metrics.app(appConfig.name), **extra)

    # -- startup ---------------------------------------------------------------

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
        self._startWatching()
        self._installSighup()
        d = self.deployer.start()
        d.addCallback(self._reportLoads)
        d.addCallback(lambda _: self._listen())
        d.addErrback(self._startFailed)
        self.ready = d
        return d

    def _reportLoads(self, results):
        for name, error in results:
            if error is not None:
                self._stderr.write("nano: app %s failed to load: %s\n" % (name, error))
                self._stderr.flush()

    def _listen(self):
        # Everything alive now (Twisted, the module parsers, the apps' configs) lives
        # as long as the process: moving it out of the cyclic GC's generations keeps
        # full collections short (they walked it all: ~27 ms pauses under load).
        gc.freeze()
        if self.draining:
            return []
        # Keep bootstrapped isolates ready for cold starts, reloads and resets.
        self.pool.start()
        listening = []
        if self._inherited:
            inherited, self._inherited = self._inherited, []
            try:
                listening.extend(succeed(port) for port in adoptListeners(self._reactor, inherited, self.site))
            except Exception as e:
                listening.append(fail(e))
        else:
            for description in self.config.listen:
                endpoint = endpoints.serverFromString(self._reactor, description)
                listening.append(endpoint.listen(self.site))
        if self.adminSite is not None:
            admin = endpoints.serverFromString(self._reactor, self.config.admin.listen)
            listening.append(admin.listen(self.adminSite))

        def up(ports):
            if self.adminSite is not None:
                self.adminPort = ports.pop()
                self._log.info("nano admin listening on {address}", address=_describe(self.adminPort.getHost()))
            self.ports.extend(ports)
            for port in ports:
                self._log.info("nano listening on {address}", address=_describe(port.getHost()))
            return ports

        return gatherResults(listening, consumeErrors=True).addCallback(up)

    def _startFailed(self, failure):
        self._log.failure("nano could not start", failure)
        error = failure.value
        message = getattr(error, "subFailure", failure).getErrorMessage()
        self._stderr.write("nano: could not start: %s\n" % (message,))
        self._stderr.flush()
        if self._reactor.running:
            self._reactor.stop()
        return None

    # -- reloading -------------------------------------------------------------

    def _watched(self):
        config = self.config
        files = [config.path] if config.path is not None else []
        return files, [app.path for app in config.apps]

    def _startWatching(self):
        watch = self.config.watch
        if not watch.enabled:
            return
        self.watcher = Watcher(
            self._reactor, self._fileReload, watch.debounce_ms / 1000.0, method=watch.method,
            pollInterval=watch.poll_interval_ms / 1000.0,
        )
        self.watcher.watch(*self._watched())
        self.watcher.start()

    def _changed(self):
        # Connections accepted from now on read heads as large as any app accepts.
        self.site.maxHeaderBytes = _maxHeaderBytes(self.config)
        if self.watcher is not None:
            self.watcher.watch(*self._watched())

    def reload(self, reason):
        """
        Reload (see L{nano.deploy.Deployer.reload}); errors are logged there.

        @return: a Deferred firing with the L{nano.deploy.ReloadResult}, or None
            when the reload was refused.
        """
        self._log.info("reloading ({reason})", reason=reason)
        d = self.deployer.reload()

        def failed(failure):
            if not failure.check(DeployError):
                self._log.failure("reload failed", failure)
            return None

        return d.addErrback(failed)

    def _fileReload(self):
        self.reload("files changed")

    # -- shutdown --------------------------------------------------------------

    def _allApps(self):
        apps = self.deployer.apps() + self.deployer.draining() + self.registry.retired()
        seen, unique = set(), []
        for app in apps:
            if id(app) not in seen:
                seen.add(id(app))
                unique.append(app)
        return unique

    def stopService(self):
        """
        The ordered drain (see the module docstring), bounded by
        C{drain_timeout_ms}; twistd waits for the returned Deferred.
        """
        if self._stopping is not None:
            return self._stopping
        self.draining = True
        timeout = self.config.drain_timeout_ms / 1000.0
        started = self._reactor.seconds()
        self._log.info("nano shutting down: draining connections (at most {s} s)", s=timeout)
        self._restoreSighup()
        if self.watcher is not None:
            self.watcher.stop()
        self.deployer.close()
        stopping = [succeed(None)] + [maybeDeferred(port.stopListening) for port in self.ports]
        self.ports = []
        d = gatherResults(stopping, consumeErrors=True)
        d.addBoth(lambda _: self._drain(timeout - (self._reactor.seconds() - started)))
        d.addBoth(self._closeApps)
        d.addBoth(self._stopAdmin)
        d.addBoth(lambda _: MultiService.stopService(self))
        d.addBoth(self._drained)
        self._stopping = d
        return d

    def _drain(self, timeout):
        connections = self.site.drain()

        def pendingWork(_):
            work = []
            for app in self._allApps():
                isolate = app.isolate
                if isolate is not None and not isolate.closed:
                    work.extend(isolate.pendingWork())
            return gatherResults(work, consumeErrors=True)

        everything = gatherResults([app.whenIdle() for app in self._allApps()], consumeErrors=True)
        everything.addCallback(pendingWork)
        everything.addBoth(lambda _: connections)
        d = within(self._reactor, everything, timeout)

        def ended(clean):
            if clean:
                self._log.info("nano drained")
                return
            inflight = sum(app.inflight for app in self._allApps())
            self._log.warn(
                "drain timed out after {s:.1f} s: closing {n} connections ({inflight} requests in flight)",
                s=timeout, n=len(self.site.channels), inflight=inflight,
            )
            self.site.abortAll()

        return d.addCallback(ended)

    def _closeApps(self, result):
        for app in self._allApps():
            app.stop()
        self.watchdog.stop()
        self.pool.stop()
        return None

    def _stopAdmin(self, result):
        port, self.adminPort = self.adminPort, None
        if port is None:
            return None
        return maybeDeferred(port.stopListening)

    def _drained(self, result):
        """
        A drain that ran to its end is a clean exit: twistd would otherwise re-raise
        the SIGTERM/SIGINT that stopped the reactor and exit with -15 (SPEC §9 wants
        exit status 0). twistd reads this after the reactor stops.
        """
        if getattr(self._reactor, "_exitSignal", None) is not None:
            self._reactor._exitSignal = None
        return result

"""
One deployed app: its config, its isolate and its state.

States: C{"loading"} (the isolate is being created and the modules evaluated),
C{"ready"}, C{"failed"} (the load failed; C{loadError} says why), C{"draining"} and
C{"stopped"}. A request that arrives while the app loads waits for the load.
When the isolate dies (CPU or memory limit, crash) the app starts a fresh one and
the next request is served by it.
"""

from twisted.internet.defer import Deferred, fail, succeed
from twisted.logger import Logger

from nano.isolate.modules import ModuleLoadError, loadModuleGraph
from nano.isolate.runtime import Isolate, LoadError
from nano.metrics import AppStats

__all__ = ["App", "AppUnavailable"]


class AppUnavailable(Exception):
    """
    The app cannot take requests (failed to load, or draining).

    @ivar status: the HTTP status to answer with (503).
    """

    def __init__(self, message, status=503):
        Exception.__init__(self, message)
        self.status = status


class App:
    """
    One app version.

    @ivar config: its L{nano.config.AppConfig}.
    @ivar state: see the module docstring.
    @ivar loadError: the load error text when C{state == "failed"}.
    @ivar requests: requests served (any status).
    @ivar errors: requests answered with a 5xx.
    @ivar inflight: requests between arrival and the end of their response.
    """

    _log = Logger()

    def __init__(self, reactor, config, dev=False, isolateFactory=Isolate, hostOps=None, watchdog=None,
                 pool=None, stats=None):
        """
        @param hostOps: the asynchronous host operations the app's isolates may
            call (see L{nano.hostops}); none when None.
        @param watchdog: the process's L{nano.isolate.watchdog.Watchdog} (each
            isolate makes its own when None).
        @param pool: the process's L{nano.isolate.pool.IsolatePool}, or None.
        @param stats: the app's L{nano.metrics.AppStats}: isolate starts and
            resets for CPU and memory limits are counted there.
        """
        self._reactor = reactor
        self.config = config
        self.name = config.name
        self._dev = dev
        self._isolateFactory = isolateFactory
        self._hostOps = hostOps
        self._watchdog = watchdog
        self._pool = pool
        self._stats = stats if stats is not None else AppStats()
        self.isolate = None
        self.state = "stopped"
        self.loadError = None
        self.loadedAt = None
        self.requests = 0
        self.errors = 0
        self.inflight = 0
        self._waiting = []
        self._idle = []

    def start(self, reason="cold"):
        """
        Build the module graph and load a fresh isolate (counted as an isolate
        start for C{reason}: C{"cold"}, C{"reload"} or C{"recycle"}).

        @return: a Deferred firing with this app when it is ready, or failing with
            L{LoadError} (the app's state is then C{"failed"}).
        """
        self.state = "loading"
        started = self._reactor.seconds()
        try:
            graph = loadModuleGraph(self.config.path, self.config.main)
        except ModuleLoadError as e:
            return self._failed(LoadError(str(e)))
        isolate = self._isolateFactory(
            self._reactor, self.name, dev=self._dev, cpuLimit=self.config.limits.cpu_ms / 1000.0,
            hostOps=self._hostOps, watchdog=self._watchdog, pool=self._pool, onReset=self._stats.limitExceeded,
        )
        self._stats.isolateStarted(reason)
        self.isolate = isolate
        memory = self.config.limits.memory_mb * 1024 * 1024
        d = isolate.load(graph, self.config.envJSON(), memoryLimit=memory)

        def ready(_):
            self.state = "ready"
            self.loadError = None
            self.loadedAt = self._reactor.seconds()
            self._log.info(
                "app {app} ready in {ms:.1f} ms", app=self.name, ms=(self.loadedAt - started) * 1000
            )
            waiting, self._waiting = self._waiting, []
            for w in waiting:
                w.callback(isolate)
            return self

        def failed(failure):
            failure.trap(LoadError)
            return self._failed(failure.value)

        d.addCallbacks(ready, failed)
        return d

    def _failed(self, error):
        self.state = "failed"
        self.loadError = str(error)
        self._log.error("app {app} failed to load: {error}", app=self.name, error=self.loadError)
        waiting, self._waiting = self._waiting, []
        for w in waiting:
            w.errback(AppUnavailable("app %s failed to load: %s" % (self.name, self.loadError)))
        return fail(error)

    def readyIsolate(self):
        """
        The isolate, if the app is ready and its isolate alive (the fast path);
        else None (use L{acquire}).
        """
        isolate = self.isolate
        if self.state == "ready" and isolate is not None and not isolate.closed:
            return isolate
        return None

    def acquire(self):
        """
        The isolate to send a request to, once the app is ready.

        @return: a Deferred firing with an L{Isolate}, or failing with
            L{AppUnavailable}.
        """
        if self.state == "ready":
            if self.isolate is not None and not self.isolate.closed:
                return succeed(self.isolate)
            self._restart()
        if self.state == "loading":
            d = Deferred()
            self._waiting.append(d)
            return d
        if self.state == "draining":
            return fail(AppUnavailable("app %s is draining" % (self.name,)))
        if self.state == "failed":
            return fail(AppUnavailable("app %s failed to load: %s" % (self.name, self.loadError)))
        return fail(AppUnavailable("app %s is not running" % (self.name,)))

    def _restart(self):
        self._log.warn("app {app}: starting a fresh isolate", app=self.name)
        d = self.start("recycle")
        d.addErrback(lambda f: None)

    def isolateFailed(self, isolate, failure):
        """
        Called when a request failed because its isolate died: the next request
        gets a fresh isolate.
        """
        if failure.kind in ("cpu", "memory") and isolate is self.isolate:
            isolate.close()

    def requestStarted(self):
        self.inflight += 1
        self.requests += 1

    def requestFinished(self, status):
        self.inflight -= 1
        if status >= 500:
            self.errors += 1
        if self.inflight == 0 and self._idle:
            idle, self._idle = self._idle, []
            for d in idle:
                d.callback(None)

    def whenIdle(self):
        """
        A Deferred that fires once no request is in flight.
        """
        if self.inflight == 0:
            return succeed(None)
        d = Deferred()
        self._idle.append(d)
        return d

    def stop(self):
        """
        Close the isolate.
        """
        self.state = "stopped"
        if self.isolate is not None:
            self.isolate.close()
        waiting, self._waiting = self._waiting, []
        for w in waiting:
            w.errback(AppUnavailable("app %s stopped" % (self.name,)))



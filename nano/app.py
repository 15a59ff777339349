"""
One deployed app: its config, its isolate and its state.

States: C{"loading"} (the isolate is being created and the modules evaluated),
C{"ready"}, C{"idle"} (configured but not loaded: its isolate starts on the next
request), C{"failed"} (the load failed; C{loadError} says why), C{"draining"} and
C{"stopped"}. A request that arrives while the app loads waits for the load.
When the isolate dies (CPU or memory limit, crash) the app starts a fresh one and
the next request is served by it.

With C{idle_unload_s} set the app loads lazily: starting it only checks its module
graph (syntax and imports, so a broken app is still reported at once) and leaves it
C{"idle"}; its first request starts the isolate. Once no request has been in flight
and no C{ctx.waitUntil} work has been pending for C{idle_unload_s} seconds, the
isolate closes (its timers with it) and the app is C{"idle"} again. The request that
starts an idle app's isolate is a cold start: when it has been answered, one event
(C{"app {app} cold start: ..."}) gives the time from its arrival to the end of its
response (C{cold_start_ms}; for a response that is not streamed, when the status
line, headers and body were written) and how long the isolate took to load
(C{load_ms}).

L{App.drain} retires a version (replaced, removed, or the server shuts down): new
requests get 503 with C{Retry-After}, the requests in flight finish, then the
C{ctx.waitUntil} work, and the isolate closes, at the latest after the drain
timeout.
"""

from twisted.internet.defer import Deferred, fail, gatherResults, succeed
from twisted.logger import Logger

from nano.isolate.graphcache import sharedGraphCache
from nano.isolate.modules import ModuleLoadError
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
    @ivar stats: the app name's L{nano.metrics.AppStats} (kept across versions).
    """

    _log = Logger()

    def __init__(self, reactor, config, dev=False, isolateFactory=Isolate, hostOps=None, watchdog=None,
                 pool=None, stats=None, graphs=None):
        """
        @param hostOps: the asynchronous host operations the app's isolates may
            call (see L{nano.hostops}); none when None.
        @param watchdog: the process's L{nano.isolate.watchdog.Watchdog} (each
            isolate makes its own when None).
        @param pool: the process's L{nano.isolate.pool.IsolatePool}, or None.
        @param stats: the app's L{nano.metrics.AppStats}: each isolate that loaded
            is counted there by reason (C{"cold"}, C{"reload"}: the version replaced
            another, C{"recycle"}: after a reset), and so is each reset by limit,
            with its time.
        @param graphs: the L{nano.isolate.graphcache.GraphCache} module graphs come
            from (the process's shared one when None): a graph checked at start is
            not parsed again at the cold start, unless the files changed.
        """
        self._reactor = reactor
        self.config = config
        self.name = config.name
        self._dev = dev
        self._isolateFactory = isolateFactory
        self._hostOps = hostOps
        self._watchdog = watchdog
        self._pool = pool
        self.stats = self._stats = stats if stats is not None else AppStats()
        self._graphs = graphs if graphs is not None else sharedGraphCache()
        self._idleAfter = config.limits.idle_unload_s
        self._idleCall = None
        self._lastActive = None
        self._startReason = "cold"
        self._coldArrival = None
        self._coldLoad = None
        self.isolate = None
        self.state = "stopped"
        self.loadError = None
        self.loadedAt = None
        self.requests = 0
        self.errors = 0
        self.inflight = 0
        self.fingerprint = None
        self._waiting = []
        self._idle = []
        self._drained = None

    def start(self, reason="cold"):
        """
        Build the module graph and load a fresh isolate (for a lazily loaded app,
        only check the module graph and become C{"idle"}).

        @param reason: why the isolate starts (counted in the app's stats).
        @return: a Deferred firing with this app when it is ready (or idle), or
            failing with L{LoadError} (the app's state is then C{"failed"}).
        """
        if self._idleAfter is not None and self.isolate is None and self.state == "stopped":
            try:
                self._graphs.load(self.config.path, self.config.main)
            except ModuleLoadError as e:
                return self._failed(LoadError(str(e)))
            self.state = "idle"
            self._startReason = reason
            return succeed(self)
        return self._load(reason)

    def _load(self, reason):
        self.state = "loading"
        started = self._reactor.seconds()
        try:
            graph = self._graphs.load(self.config.path, self.config.main)
        except ModuleLoadError as e:
            return self._failed(LoadError(str(e)))
        isolate = self._isolateFactory(
            self._reactor, self.name, dev=self._dev, cpuLimit=self.config.limits.cpu_ms / 1000.0,
            hostOps=self._hostOps, watchdog=self._watchdog, pool=self._pool, onReset=self._isolateReset,
            onStats=self._isolateStats,
        )
        self.isolate = isolate
        memory = self.config.limits.memory_mb * 1024 * 1024
        d = isolate.load(graph, self.config.envJSON(), memoryLimit=memory)

        def ready(_):
            self.state = "ready"
            self.loadError = None
            self.loadedAt = self._reactor.seconds()
            if self._coldArrival is not None:
                self._coldLoad = self.loadedAt - started
            self._log.info(
                "app {app} ready in {ms:.1f} ms", app=self.name, ms=(self.loadedAt - started) * 1000,
                reason=reason,
            )
            self._stats.isolateStarted(reason)
            waiting, self._waiting = self._waiting, []
            for w in waiting:
                w.callback(isolate)
            self._touch()
            return self

        def failed(failure):
            failure.trap(LoadError)
            return self._failed(failure.value)

        d.addCallbacks(ready, failed)
        return d

    def _isolateReset(self, kind):
        self._stats.isolateReset(kind, self._reactor.seconds())

    def _isolateStats(self, heapBytes, externalBytes):
        self._stats.heapBytes = heapBytes
        self._stats.externalBytes = externalBytes

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
        if self.state == "ready" and (self.isolate is None or self.isolate.closed):
            self._restart()
        elif self.state == "idle":
            reason, self._startReason = self._startReason, "cold"
            self._load(reason).addErrback(lambda f: None)
        if self.state == "ready":
            return succeed(self.isolate)
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
        d = self._load("recycle")
        d.addErrback(lambda f: None)

    def isolateFailed(self, isolate, failure):
        """
        Called when a request failed because its isolate died: the next request
        gets a fresh isolate.
        """
        if failure.kind in ("cpu", "memory") and isolate is self.isolate:
            isolate.close()

    def requestStarted(self):
        """
        A request arrived (before L{acquire}); the first one to arrive while the
        app is idle is its cold start.
        """
        if self.state == "idle" and self._coldArrival is None:
            self._coldArrival = self._reactor.seconds()
            self._coldLoad = None
        self.inflight += 1
        self.requests += 1

    def requestFinished(self, status):
        """
        A request's response ended (or the request ended without one) with
        C{status}.
        """
        if self._coldArrival is not None:
            self._coldStartAnswered(status)
        self.inflight -= 1
        if status >= 500:
            self.errors += 1
        if self.inflight == 0:
            self._touch()
            if self._idle:
                idle, self._idle = self._idle, []
                for d in idle:
                    d.callback(None)

    def _coldStartAnswered(self, status):
        arrival, self._coldArrival = self._coldArrival, None
        load, self._coldLoad = self._coldLoad, None
        self._log.info(
            "app {app} cold start: first request answered in {cold_start_ms:.2f} ms",
            app=self.name, cold_start_ms=(self._reactor.seconds() - arrival) * 1000,
            load_ms=None if load is None else load * 1000, status=status,
        )

    # -- idle unload -------------------------------------------------------------

    def _touch(self):
        """
        The app was just active: (re)arm the idle check when idle unload is on.
        """
        if self._idleAfter is None:
            return
        self._lastActive = self._reactor.seconds()
        if self._idleCall is None:
            self._idleCall = self._reactor.callLater(self._idleAfter, self._idleCheck)

    def _idleCheck(self):
        self._idleCall = None
        if self.state != "ready":
            return
        isolate = self.isolate
        quietFor = self._reactor.seconds() - self._lastActive
        if quietFor < self._idleAfter or self.inflight or (isolate is not None and isolate.pendingWork()):
            self._idleCall = self._reactor.callLater(max(self._idleAfter - quietFor, 1.0), self._idleCheck)
            return
        self._log.info("app {app} unloaded after {s} s idle", app=self.name, s=self._idleAfter)
        self.isolate = None
        self.state = "idle"
        if isolate is not None:
            isolate.close()

    def whenIdle(self):
        """
        A Deferred that fires once no request is in flight.
        """
        if self.inflight == 0:
            return succeed(None)
        d = Deferred()
        self._idle.append(d)
        return d

    def drain(self, timeout):
        """
        Take no new request (they get 503 with C{Retry-After}), let the requests in
        flight finish (streamed responses included), then the isolate's
        C{ctx.waitUntil} work, then close the isolate; after C{timeout} seconds
        close it anyway (what is still running fails). Calling it again returns the
        same outcome.

        @return: a Deferred firing with True when everything finished in time,
            False when the timeout cut it short.
        """
        if self._drained is not None:
            return _follow(self._drained)
        self._drained = drained = Deferred()
        self.state = "draining"
        waiting, self._waiting = self._waiting, []
        for w in waiting:
            w.errback(AppUnavailable("app %s is draining" % (self.name,)))

        def finish(clean):
            if drained.called:
                return
            if timer.active():
                timer.cancel()
            if not clean:
                self._log.warn(
                    "app {app}: drain timed out after {s} s with {n} requests in flight",
                    app=self.name, s=timeout, n=self.inflight,
                )
            self.stop()
            drained.callback(clean)

        timer = self._reactor.callLater(timeout, finish, False)

        def pendingWork(_):
            isolate = self.isolate
            work = list(isolate.pendingWork()) if isolate is not None and not isolate.closed else []
            return gatherResults(work, consumeErrors=True)

        idle = self.whenIdle()
        idle.addCallback(pendingWork)
        idle.addBoth(lambda _: finish(True))
        return _follow(drained)

    def stop(self):
        """
        Close the isolate.
        """
        self.state = "stopped"
        if self._idleCall is not None and self._idleCall.active():
            self._idleCall.cancel()
        self._idleCall = None
        if self.isolate is not None:
            self.isolate.close()
        waiting, self._waiting = self._waiting, []
        for w in waiting:
            w.errback(AppUnavailable("app %s stopped" % (self.name,)))




def _follow(d):
    """
    A new Deferred with C{d}'s result, leaving C{d}'s own result untouched (several
    callers can wait for one drain).
    """
    follower = Deferred()

    def relay(result):
        follower.callback(result)
        return result

    d.addCallback(relay)
    return follower

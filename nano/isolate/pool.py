"""
Bootstrapping isolates, and a pool of isolates bootstrapped ahead of time.

Bootstrapping an isolate (creating the V8 context and evaluating the runtime
prelude) costs about 11 ms, most of it the prelude's evaluation on the isolate's own
thread; loading a small app afterwards costs about 1 ms. L{IsolatePool} keeps a few
bootstrapped isolates ready, so starting an app (cold start, reload, or a reset after
a limit) pays only for the app's own modules. The isolates it keeps ready are warmed
(L{Bootstrapped.warm}): the runtime code of a request is compiled before an app's
first request needs it. The pool refills itself one isolate at
a time after each take, so a burst of cold starts never has more than one bootstrap
in progress on top of the isolates asked for.

Takes that find no isolate ready wait for a bootstrap (at most C{maxBootstraps} run
for them at once). When such a burst is over, one event says how many takes waited,
how many bootstraps ran at most at once (the refill included) and how long the
burst lasted.
"""

import collections
import os

import attrs
from twisted.internet.defer import Deferred, succeed
from twisted.logger import Logger
from twisted.python.failure import Failure

from nano.isolate.engine import JSError, V8Context
from nano.isolate.prelude import buildPrelude

__all__ = ["Bootstrapped", "BootstrapError", "IsolatePool", "bootstrap", "USER_AGENT"]

# navigator.userAgent, as on Cloudflare Workers: libraries detect the runtime by it
# (Hono's getRuntimeKey() and env(c) adapter, SDKs choosing their fetch-based client),
# and an app written for Workers must take the same branch here.
USER_AGENT = "Cloudflare-Workers"
_SETUP_TIMEOUT = 10.0


class BootstrapError(Exception):
    """
    The runtime prelude failed to evaluate (a bug in NANO, never in an app).
    """


@attrs.define
class Bootstrapped:
    """
    A V8 context with the runtime prelude evaluated and the bridge installed.

    @ivar context: the L{V8Context}.
    @ivar dispatch: the JS function that takes a batch of messages.
    @ivar register: the JS function that registers an app module.
    @ivar early: drained messages that arrived before an isolate adopted the
        context (its C{onDrain} is pointed at this list until then).
    @ivar inbound: the isolate's inbound buffer (a L{SharedMemory} Python writes
        bytes for JS into), or None.
    """

    context: V8Context
    dispatch: object
    register: object
    early: list = attrs.Factory(list)
    inbound: object = None

    def warm(self):
        """
        Run one throwaway request through the runtime's request path (the prelude's
        "warm" message) so that V8 compiles that code now rather than during an
        app's first request. Its messages are ignored by the isolate that adopts
        this context.
        """
        self.context.post(self.dispatch, '[["warm"]]')

    def close(self):
        self.context.close()


def bootstrap(reactor, dev=False):
    """
    Create a V8 context, evaluate the runtime prelude in it, then collect its
    garbage (L{V8Context.collectGarbage}: the prelude's evaluation leaves about 0.4
    MiB of garbage and spare heap pages per isolate, which the isolate would
    otherwise keep).

    @return: a Deferred firing with a L{Bootstrapped}, or failing with
        L{BootstrapError}.
    """
    early = []
    context = V8Context(reactor, early.append)
    data = {
        "seed": os.urandom(32).hex(),
        "userAgent": USER_AGENT,
        "timeOrigin": reactor.seconds() * 1000.0,
        "dev": dev,
    }

    def setup(internal):
        dispatch = context.getItem(internal, "dispatch")
        drain = context.getItem(internal, "drain")
        setDoorbell = context.getItem(internal, "setDoorbell")
        register = context.getItem(internal, "register")
        inboundBuffer = context.getItem(internal, "inboundBuffer")
        context.free(internal)
        context.installBridge(drain)
        box = []

        def gotInbound(memory):
            context.keep(memory)
            box.append(memory)
            return context.call(setDoorbell, context.makeDoorbell(), timeout=_SETUP_TIMEOUT)

        d = context.call(inboundBuffer, timeout=_SETUP_TIMEOUT)
        d.addCallback(gotInbound)
        d.addCallback(lambda _: context.collectGarbage())
        return d.addCallback(lambda _: Bootstrapped(context, dispatch, register, early, box[0]))

    def failed(failure):
        context.close()
        failure.trap(JSError)
        raise BootstrapError("the runtime prelude failed: %s" % (failure.value,))

    d = context.prepare()
    d.addCallback(lambda _: context.eval(buildPrelude(data), timeout=_SETUP_TIMEOUT))
    d.addCallback(setup)
    d.addErrback(failed)
    return d


class IsolatePool:
    """
    Bootstrapped isolates kept ready.

    @ivar size: how many are kept ready.
    @ivar ready: the number ready now.
    """

    _log = Logger()

    def __init__(self, reactor, size=2, dev=False, bootstrap=bootstrap, refillDelay=0.05, maxBootstraps=4):
        self._reactor = reactor
        self._maxBootstraps = maxBootstraps
        self._running = 0
        self._queued = collections.deque()
        self._refillDelay = refillDelay
        self.size = size
        self._dev = dev
        self._bootstrap = bootstrap
        self._ready = []
        self._filling = False
        self._stopped = False
        self._refill = None
        self._inProgress = None
        # The burst of takes that waited for a bootstrap: [start, takes, peak].
        self._burst = None

    @property
    def ready(self):
        return len(self._ready)

    def start(self):
        """
        Begin filling the pool.
        """
        self._stopped = False
        self._scheduleFill()

    def take(self):
        """
        A bootstrapped isolate: a ready one at once when there is one, else one
        bootstrapped now. The pool refills behind.

        @return: a Deferred firing with a L{Bootstrapped}.
        """
        if self._ready:
            bootstrapped = self._ready.pop()
            self._scheduleFill()
            return succeed(bootstrapped)
        d = Deferred()
        self._queued.append(d)
        if self._burst is None:
            self._burst = [self._reactor.seconds(), 0, 0]
        self._burst[1] += 1
        self._runQueued()
        return d

    @property
    def waiting(self):
        """
        How many takes wait for a bootstrap to start.
        """
        return len(self._queued)

    def _runQueued(self):
        while self._queued and self._running < self._maxBootstraps:
            waiter = self._queued.popleft()
            self._running += 1
            burst = self._burst
            if burst is not None:
                burst[2] = max(burst[2], self._running + (1 if self._filling else 0))
            started = self._bootstrap(self._reactor, self._dev)
            started.addBoth(self._bootstrapped, waiter)

    def _bootstrapped(self, result, waiter):
        self._running -= 1
        if isinstance(result, Failure):
            waiter.errback(result)
        else:
            waiter.callback(result)
        self._runQueued()
        if not self._queued:
            if self._running == 0 and self._burst is not None:
                self._burstOver()
            self._scheduleFill()

    def _burstOver(self):
        started, takes, peak = self._burst
        self._burst = None
        self._log.info(
            "isolate pool: {takes} isolate starts waited for a bootstrap, at most {peak} bootstraps "
            "at once, for {ms:.1f} ms",
            takes=takes, peak=peak, ms=(self._reactor.seconds() - started) * 1000,
        )

    def _scheduleFill(self):
        if self._stopped or self._filling or self._refill is not None or len(self._ready) >= self.size:
            return
        # Bootstrapping competes for the CPU with the app that just took an isolate
        # (measured: a hello app's modules took 4.5 ms to evaluate beside a
        # refill, 1 ms without): refill a little later.
        self._refill = self._reactor.callLater(self._refillDelay, self._fill)

    def _fill(self):
        self._refill = None
        if self._stopped or self._filling or len(self._ready) >= self.size:
            return
        self._filling = True

        def done(bootstrapped):
            self._filling = False
            self._inProgress = None
            if self._stopped:
                bootstrapped.close()
                return
            # Isolates kept ready are warmed (not those bootstrapped for a take that
            # waits: warming them would only delay that take).
            bootstrapped.warm()
            self._ready.append(bootstrapped)
            self._scheduleFill()

        def failed(failure):
            self._filling = False
            self._inProgress = None
            self._log.failure("could not bootstrap an isolate for the pool", failure)

        self._inProgress = self._bootstrap(self._reactor, self._dev)
        self._inProgress.addCallbacks(done, failed)

    def stop(self):
        """
        Close the isolates kept ready and stop refilling.
        """
        self._stopped = True
        if self._refill is not None and self._refill.active():
            self._refill.cancel()
        self._refill = None
        ready, self._ready = self._ready, []
        for bootstrapped in ready:
            bootstrapped.close()

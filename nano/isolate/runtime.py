"""
One app isolate: bootstrap the runtime prelude, load the app's module graph, and run
requests through the bridge.

Messages to JS are queued and sent once per reactor turn as one JSON batch (one
asynchronous crossing); messages from JS arrive as drained JSON batches (one crossing
back per batch, see L{nano.isolate.engine}). Timers armed by JS run on the reactor.
"""

import collections
import json

from twisted.internet.defer import Deferred, succeed
from twisted.logger import Logger
from zope.interface import implementer

from nano.isolate.engine import IsolateClosed, JSError, JSOutOfMemory, JSTerminated
from nano.interfaces import IIsolate
from nano.isolate.bridge import Inbound, JSBytes, dumps, parseFrame
from nano.isolate.errors import (
    STREAMED, IsolateFailure, LoadError, ResponseStart, ScriptError, describeJSError, moduleLoadError,
)
from nano.isolate.hostcalls import HostCalls
from nano.isolate.hosttimers import HostTimers
from nano.isolate.pool import USER_AGENT, BootstrapError, bootstrap
from nano.isolate.watchdog import Watchdog

# The outcome types live in nano.isolate.errors; they are re-exported here for the
# HTTP side, which only talks to Isolate.
__all__ = ["USER_AGENT", "Isolate", "LoadError", "ResponseStart", "ScriptError", "IsolateFailure", "STREAMED",
           "describeJSError"]

_SETUP_TIMEOUT = 10.0
_REQUEST_IDS = 4096
def _loadTimeout():
    return LoadError("the app did not finish loading in %d s" % (_SETUP_TIMEOUT,))


_LIMIT_MESSAGES = {
    "cpu": "the app exceeded its CPU time limit",
    "memory": "the app exceeded its memory limit",
    "stuck": "the app's isolate stopped answering",
}


@implementer(IIsolate)
class Isolate:
    """
    One V8 isolate running one app.

    @ivar appName: the app's name (for logs).
    @ivar inflight: how many requests are waiting for their response start.
    """

    _log = Logger()

    def __init__(self, reactor, appName, dev=False, onLog=None, cpuLimit=None, hostOps=None, watchdog=None,
                 pool=None, onReset=None, onStats=None):
        """
        @param onLog: C{onLog(level, text, requestId)} for every console message and
            uncaught error (level C{"error"}); C{requestId} is the X-Request-Id of
            the request the message belongs to (its sink's C{requestId}), or None;
            defaults to twisted.logger.
        @param cpuLimit: seconds of CPU one uninterrupted stretch of JS may use
            before the isolate is reset (closed; its requests fail with
            L{IsolateFailure}); see L{nano.isolate.watchdog}.
        @param watchdog: the process's L{Watchdog} (one of its own when None).
        @param pool: an L{IsolatePool} to take a bootstrapped isolate from (else
            one is bootstrapped for this isolate).
        @param hostOps: the asynchronous host operations JS may call
            (C{nano.hostCall}): a mapping of names to functions, see
            L{nano.isolate.hostcalls}.
        @param onStats: C{onStats(heapBytes, externalBytes)} each time JS reported
            its live heap and ArrayBuffer memory (see L{requestStats}).
        @param onReset: C{onReset(kind)} each time this isolate is reset for a
            limit (C{"cpu"} or C{"memory"}), after the reset is logged.
        """
        self._reactor = reactor
        self._onReset = onReset
        self._memoryLimit = None
        self._onStats = onStats
        self.heapBytes = None
        self.externalBytes = None
        self.appName = appName
        self._dev = dev
        self._onLog = onLog or self._defaultLog
        self._context = None
        self._dispatchFn = None
        self._outbox = []
        self._flushCall = None
        self._requests = {}
        self._nextId = 0
        self._timers = HostTimers(reactor, self._fireTimer)
        self._loaded = None
        self._settled = {}
        self.cpuLimit = cpuLimit
        self._pool = pool
        self._watchdog = watchdog if watchdog is not None else Watchdog(reactor)
        self._hostCalls = HostCalls(appName, hostOps or {}, self._send, lambda: self._payloads)
        self._payloads = ()
        self._inbound = None
        self._streams = {}
        self._credits = {}
        self._bodies = {}
        # Internal request id -> the request's X-Request-Id, for log events (kept for
        # the most recent requests: console output can come after the response).
        self._requestIds = collections.OrderedDict()
        self.inflight = 0
        self.closed = False

    def _defaultLog(self, level, text, requestId):
        emit = getattr(self._log, level, self._log.info)
        emit("{app}: {text}", app=self.appName, text=text, request_id=requestId)

    # -- loading ---------------------------------------------------------------

    def load(self, graph, envJSON, memoryLimit=None):
        """
        Create the isolate, run the prelude, evaluate the app's modules.

        @param graph: a L{nano.isolate.modules.ModuleGraph}.
        @param envJSON: the app's env as JSON text.
        @return: a Deferred firing with None when the app is ready, failing with
            L{LoadError}.
        """
        self._loaded = Deferred()
        if self._pool is not None:
            d = self._pool.take()
        else:
            d = bootstrap(self._reactor, self._dev)

        def adopt(bootstrapped):
            if self.closed:
                bootstrapped.close()
                raise LoadError("the isolate was closed while it loaded")
            self._context = context = bootstrapped.context
            self._dispatchFn = bootstrapped.dispatch
            self._registerFn = bootstrapped.register
            context.onPostError = self._dispatchFailed
            if bootstrapped.inbound is not None:
                self._inbound = Inbound(bootstrapped.inbound, context.write, context.completed)
            context.onDrain = self._onDrain
            for early in bootstrapped.early:
                self._onDrain(early)
            if memoryLimit:
                context.setMemoryLimit(memoryLimit)
                self._memoryLimit = memoryLimit

        def bootstrapFailed(failure):
            failure.trap(BootstrapError)
            raise LoadError(str(failure.value))

        d.addCallbacks(adopt, bootstrapFailed)
        for path, source in graph.modules:
            d.addCallback(lambda _, path=path, source=source: self._evalModule(path, source))
        d.addCallback(lambda _: self._sendLoad(graph.entry, envJSON))
        d.addErrback(self._loadFailed)
        return d

    def _sendLoad(self, entry, envJSON):
        """
        Evaluate the app's modules (one dispatch); a load still running after the
        setup timeout (a top-level endless loop) is terminated.
        """
        self._send(["load", entry, envJSON, self._reactor.seconds() * 1000.0])
        loaded = self._loaded
        timer = self._reactor.callLater(_SETUP_TIMEOUT, self._loadTimedOut)
        loaded.addBoth(lambda result: (timer.cancel() if timer.active() else None, result)[1])
        return loaded

    def _loadTimedOut(self):
        d, self._loaded = self._loaded, None
        if d is not None:
            d.errback(_loadTimeout())

    def _evalModule(self, path, source):
        context = self._context
        wrapped = "[%s, %s\n]" % (json.dumps(path), source)

        def failed(failure):
            failure.trap(JSError)
            raise moduleLoadError(path, failure.value)

        def register(pair):
            # Posted, not awaited: the isolate runs tasks in the order they were
            # posted, so the module is registered before the next module's script
            # and the "load" message run (one reactor round trip less per module;
            # a failure is reported like any posted message's). The pair's handle
            # lives until the context closes.
            context.post(self._registerFn, pair)

        d = context.eval(wrapped, timeout=_SETUP_TIMEOUT)
        d.addCallbacks(register, failed)
        return d

    def _loadFailed(self, failure):
        self.close()
        if failure.check(LoadError):
            return failure
        if failure.check(JSTerminated):
            raise _loadTimeout()
        if failure.check(JSError):
            raise LoadError(describeJSError(failure.value))
        return failure

    # -- requests ----------------------------------------------------------------

    def fetch(self, method, url, headers, body, sink):
        """
        Run the app's fetch handler for one request.

        @param headers: flat list C{[name, value, name, value, ...]} (str).
        @param body: C{bytes}, None, or L{STREAMED} (the body is sent later with
            L{bodyChunk} and L{bodyEnd}, as JS asks for it through the sink's
            C{bodyPulled}).
        @param sink: gets exactly one call: C{sink.gotResponse(ResponseStart)} or
            C{sink.gotError(error)} with a L{ScriptError} or L{IsolateFailure}
            (unless the request is cancelled first).
        @return: the request id (for L{cancel}).
        """
        if self.closed:
            sink.gotError(IsolateFailure("closed", "the isolate is closed"))
            return None
        self._nextId += 1
        rid = self._nextId
        self._requests[rid] = sink
        self.inflight += 1
        requestIds = self._requestIds
        requestIds[rid] = getattr(sink, "requestId", None)
        if len(requestIds) > _REQUEST_IDS:
            requestIds.popitem(last=False)
        if body is STREAMED:
            payload = 1
            self._bodies[rid] = sink
        else:
            payload = None if not body else JSBytes(body)
        self._send(["req", rid, method, url, headers, payload])
        return rid

    def cancel(self, rid):
        """
        Tell JS the client of request C{rid} went away (aborts C{request.signal}).
        """
        if self._requests.pop(rid, None) is not None:
            self.inflight -= 1
        self._streams.pop(rid, None)
        self._credits.pop(rid, None)
        self._bodies.pop(rid, None)
        if not self.closed:
            self._send(["cancel", rid])

    def whenSettled(self, rid):
        """
        A Deferred that fires when the request's C{ctx.waitUntil} work has settled
        (at once when there is none pending).
        """
        d = self._settled.get(rid)
        return d if d is not None else succeed(None)

    # -- the bridge ------------------------------------------------------------------

    def _send(self, message):
        self._outbox.append(message)
        if self._flushCall is None:
            self._flushCall = self._reactor.callLater(0, self._flush)

    def _flush(self, alone=None, times=0):
        """
        Send the queued messages to JS as one batch (one task), then, if given, the
        message text C{alone} C{times} more times, each as a task of its own.
        """
        self._flushCall = None
        if self._credits:
            credits, self._credits = self._credits, {}
            for rid, nbytes in credits.items():
                self._outbox.append(["credit", rid, nbytes])
        if self.closed or not (self._outbox or times):
            return
        try:
            if self._outbox:
                batch, self._outbox = self._outbox, []
                inbound = self._inbound
                callId = self._context.post(self._dispatchFn, dumps(batch, inbound))
                if inbound is not None:
                    inbound.sent(callId)
            for _ in range(times):
                self._context.post(self._dispatchFn, alone)
        except IsolateClosed:
            return
        self._watchdog.watch(self)

    # -- what the watchdog reads -------------------------------------------------

    def cpuTime(self):
        """
        CPU seconds this isolate's thread has used.
        """
        return self._context.cpuTime() if self._context is not None else 0.0

    def boundaries(self):
        """
        How many times this isolate's thread came back to Python.
        """
        return self._context.boundaries if self._context is not None else 0

    def requestStats(self):
        """
        Ask JS for its heap and ArrayBuffer sizes (answered by L{_op_stats}), with
        the memory limit: JS collects its garbage before it answers with figures over
        that limit, so only live memory counts against C{memory_mb} (streamed chunks
        already sent are garbage that V8 may keep for a while).
        """
        if not self.closed and self._context is not None:
            self._send(["stats", self._memoryLimit])

    def _op_stats(self, live, external):
        self.heapBytes = live
        self.externalBytes = external
        if self._onStats is not None:
            self._onStats(live, external)
        limit = self._memoryLimit
        if limit is not None and live + external > limit:
            # V8's heap limit does not count ArrayBuffers: memory_mb covers both.
            self.runaway("memory", "the app's heap and ArrayBuffers use %d MiB, over its memory limit of %d MiB" % (
                (live + external) // 2**20, limit // 2**20))

    def memoryLimitReached(self):
        return self._context is not None and self._context.memoryLimitReached()

    def stuckFor(self):
        """
        Seconds the oldest message batch sent to JS has waited for its turn to end.
        """
        return self._context.oldestPostAge() if self._context is not None and not self.closed else 0.0

    def hasPendingWork(self):
        """
        True while requests, streams, timers, host calls or C{ctx.waitUntil} work
        are in flight, or messages wait to be sent.
        """
        return bool(self._requests or self._streams or self._timers or self._settled
                    or self._outbox or len(self._hostCalls))

    def runaway(self, kind, reason=None):
        """
        The watchdog found JS running away (C{"cpu"}) or over a memory limit
        (C{"memory"}): reset the isolate.

        @param reason: what the log says (else the limit's usual wording).
        """
        self._reset(kind, reason)

    def _reset(self, kind, reason=None):
        """
        Reset the isolate for a limit: one warning that names the app, the reason
        and the C{kind}; C{onReset(kind)}; then every request in flight fails with
        an L{IsolateFailure} of that kind and the isolate closes. Nothing happens
        when it is closed already (the first reset wins).
        """
        if self.closed:
            return
        message = _LIMIT_MESSAGES[kind]
        self._log.warn("app {app}: isolate reset: {reason}", app=self.appName, reason=reason or message, kind=kind)
        if self._onReset is not None:
            self._onReset(kind)
        self._fatal(kind, message)

    def _dispatchFailed(self, error):
        """
        A posted message failed in JS. A failure while the isolate is over its heap
        limit is that limit (V8 reports it as out of memory, as a terminated
        execution, or as an exception with no value); another termination is a
        runaway.
        """
        if isinstance(error, IsolateClosed) or self.closed:
            return
        if isinstance(error, JSOutOfMemory) or self.memoryLimitReached():
            self._reset("memory")
        elif isinstance(error, JSTerminated):
            self._reset("cpu")
        else:
            self._log.error("dispatch to {app} failed: {error}", app=self.appName, error=str(error))

    def _onDrain(self, data):
        if self.closed:
            return
        try:
            if not isinstance(data, str):
                # Payloads stay in V8 memory for this call: each handler copies what
                # it keeps (a streamed chunk may go straight to its socket).
                messages, self._payloads, frameId = parseFrame(memoryview(data), copy=False)
                if frameId is not None:
                    # Copied out: JS may reuse the frame's buffer.
                    self._send(["frame_free", frameId])
            else:
                messages = json.loads(data)
        except ValueError:
            self._log.error("undecodable drain from {app}: {text!r}", app=self.appName, text=bytes(data[:200]) if not isinstance(data, str) else data[:200])
            return
        try:
            for message in messages:
                handler = getattr(self, "_op_" + message[0], None)
                if handler is None:
                    self._log.error("unknown message from {app}: {op}", app=self.appName, op=message[0])
                    continue
                handler(*message[1:])
        finally:
            self._payloads = ()

    def _payload(self, index):
        """
        The bytes a message of the current drain attached (C{nano.attachBytes}), as a
        memoryview valid only while the drain is handled (copy what you keep).
        """
        return self._payloads[index]

    def _op_loaded(self):
        d, self._loaded = self._loaded, None
        if d is not None:
            d.callback(None)

    def _op_load_error(self, text):
        d, self._loaded = self._loaded, None
        if d is not None:
            d.errback(LoadError(text))

    def _op_res(self, rid, status, statusText, headers, kind, body):
        sink = self._requests.pop(rid, None)
        if sink is None:
            return
        self.inflight -= 1
        pairs = tuple(zip(headers[0::2], headers[1::2]))
        if kind == 3:
            self._streams[rid] = sink
            sink.gotResponse(ResponseStart(status, statusText, pairs, None, True))
            return
        if kind == 1:
            data = body.encode("utf-8", "surrogatepass")
        elif kind == 2:
            data = bytes(self._payloads[body])
        else:
            data = b""
        sink.gotResponse(ResponseStart(status, statusText, pairs, data))

    def _op_chunk(self, rid, index):
        sink = self._streams.get(rid)
        if sink is not None:
            sink.bodyChunk(self._payloads[index])

    def _op_end(self, rid):
        sink = self._streams.pop(rid, None)
        self._credits.pop(rid, None)
        if sink is not None:
            sink.bodyEnd()

    def _op_abort(self, rid, short, full):
        sink = self._streams.pop(rid, None)
        self._credits.pop(rid, None)
        if sink is not None:
            sink.bodyFailed(ScriptError("stream", short, full))

    def grant(self, rid, nbytes):
        """
        Let JS read C{nbytes} more bytes of request C{rid}'s streamed body (grants
        made in one reactor turn leave as one message).
        """
        if self.closed or rid not in self._streams:
            return
        credits = self._credits
        if rid in credits:
            credits[rid] += nbytes
        else:
            credits[rid] = nbytes
            if self._flushCall is None:
                self._flushCall = self._reactor.callLater(0, self._flush)

    def bodyChunk(self, rid, data):
        """
        A chunk of request C{rid}'s streamed body.
        """
        if rid in self._bodies and not self.closed:
            self._send(["body", rid, JSBytes(data)])

    def bodyEnd(self, rid):
        """
        Request C{rid}'s streamed body is complete.
        """
        if self._bodies.pop(rid, None) is not None and not self.closed:
            self._send(["body_end", rid])

    def bodyError(self, rid, message):
        """
        Request C{rid}'s streamed body failed: its JS stream errors with a TypeError.
        """
        if self._bodies.pop(rid, None) is not None and not self.closed:
            self._send(["body_error", rid, message])

    def _op_body_pull(self, rid, received, desired):
        sink = self._bodies.get(rid)
        if sink is not None:
            sink.bodyPulled(received, desired)

    def _op_body_cancel(self, rid):
        sink = self._bodies.pop(rid, None)
        if sink is not None:
            sink.bodyCancelled()

    def cancelStream(self, rid, reason):
        """
        Cancel request C{rid}'s streamed body in JS (its sink hears nothing more).
        """
        self._credits.pop(rid, None)
        if self._streams.pop(rid, None) is not None and not self.closed:
            self._send(["stream_cancel", rid, reason])

    def _op_err(self, rid, kind, short, full):
        sink = self._requests.pop(rid, None)
        if sink is None:
            return
        self.inflight -= 1
        sink.gotError(ScriptError(kind, short, full))

    def _op_wait(self, rid):
        if rid not in self._settled:
            self._settled[rid] = Deferred()

    def pendingWork(self):
        """
        Deferreds of every request whose C{ctx.waitUntil} work is still running.
        """
        return list(self._settled.values())

    def _op_settled(self, rid):
        d = self._settled.pop(rid, None)
        if d is not None:
            d.callback(None)

    def _op_log(self, level, text, rid):
        self._onLog(level, text, self._requestIds.get(rid) if rid is not None else None)

    def _op_error(self, text, rid):
        self._onLog("error", "uncaught " + text, self._requestIds.get(rid) if rid is not None else None)

    def _op_timer_set(self, tid, delay, count=1):
        self._timers.set(tid, delay, count)

    def _op_timer_clear(self, tid):
        self._timers.clear(tid)

    def _op_call(self, callId, op, args, rid):
        self._hostCalls.start(callId, op, args, rid)

    def _op_call_cancel(self, callId):
        self._hostCalls.cancel(callId)

    def _fireTimer(self, tid, count=1):
        """
        Timer C{tid} is due: one "timer" message, or C{count} of them, each posted as
        a task of its own so that JS runs its microtasks between the callbacks.
        """
        if count <= 1:
            self._send(["timer", tid])
        else:
            self._flush('[["timer",%d]]' % (tid,), count)

    def _fatal(self, kind, message):
        """The isolate cannot go on: fail every request in flight and close it."""
        self._closeWith(IsolateFailure(kind, message))

    # -- lifecycle -------------------------------------------------------------------

    def close(self):
        """
        Close the isolate: drop its timers, fail its requests in flight, free V8.
        """
        self._closeWith(IsolateFailure("closed", "the isolate was closed"))

    def _closeWith(self, failure):
        if self.closed:
            return
        self.closed = True
        self._timers.clearAll()
        self._hostCalls.cancelAll()
        if self._flushCall is not None and self._flushCall.active():
            self._flushCall.cancel()
        self._flushCall = None
        if self._context is not None:
            self._context.close()
        requests, self._requests = self._requests, {}
        self.inflight = 0
        for sink in requests.values():
            sink.gotError(failure)
        streams, self._streams = self._streams, {}
        self._bodies = {}
        for sink in streams.values():
            sink.bodyFailed(failure)
        settled, self._settled = self._settled, {}
        for d in settled.values():
            d.callback(None)

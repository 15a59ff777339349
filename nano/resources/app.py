"""
The app leaf: turns a twisted.web request into one message to the app's isolate and
writes the reply.

Statuses NANO writes itself: 500 (the handler threw or returned something that is
not a Response; short text body, stack in the log, and in the body with C{--dev}),
503 (the app is draining, failed to load, or its isolate was reset by a CPU or memory
limit; with C{Retry-After}), 504 (no response headers within C{timeout_ms}), 400 (a
request whose Host or target cannot form a URL).
"""

import collections
import itertools
import os
import re

from twisted.logger import Logger
from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET
from zope.interface import implementer

from nano.app import AppUnavailable
from nano.interfaces import IResponseSink
from nano.metrics import AppStats
from nano.isolate.runtime import STREAMED, IsolateFailure, ScriptError
from nano.resources.errors import writeJSONError, writeTextError
from nano.streams.producer import BodyProducer

__all__ = ["AppResource", "requestURL"]

# Hop-by-hop and framing headers: NANO frames the body itself.
_SKIP = frozenset(["content-length", "transfer-encoding", "connection", "keep-alive"])
_SWEEP_INTERVAL = 0.05
_HOST_OK = re.compile(rb"^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._~!$&'()*+,;=%-]+)(?::[0-9]{1,5})?$")


class BadTarget(Exception):
    """
    The request's Host or target cannot form a URL.
    """


_prefixes = {}


def _prefix(scheme, host):
    """
    C{"http://host"} for a Host header value, validated once per distinct value
    (a small cache: clients send few distinct Hosts).

    @raise BadTarget: for a malformed Host.
    """
    key = (scheme, host)
    prefix = _prefixes.get(key)
    if prefix is None:
        if not _HOST_OK.match(host):
            raise BadTarget("malformed Host header")
        # Hosts are case-insensitive; the URL parser would lowercase it too.
        prefix = scheme + host.lower().decode("latin-1")
        if len(_prefixes) > 4096:
            _prefixes.clear()
        _prefixes[key] = prefix
    return prefix


def requestURL(request):
    """
    The full URL the client asked for: scheme, the real Host (as sent, lowercased,
    port kept), path and query.

    @raise BadTarget: for a malformed Host header or request target.
    """
    uri = request.uri
    if uri[:1] != b"/":
        lower = uri[:8].lower()
        if lower.startswith(b"http://") or lower.startswith(b"https://"):
            return uri.decode("latin-1")
        raise BadTarget("the request target must start with /")
    scheme = "https://" if request.isSecure() else "http://"
    host = request.getHeader(b"host")
    if host is None or host == b"":
        address = request.getHost()
        return "%s%s:%d%s" % (
            scheme, getattr(address, "host", "localhost"), getattr(address, "port", 80), uri.decode("latin-1"))
    return _prefix(scheme, host) + uri.decode("latin-1")


_ID_OK = re.compile(rb"^[\x21-\x7e]{1,200}$")
_idPrefix = os.urandom(6).hex()
_idCounter = itertools.count(1)


def requestIdOf(request):
    """
    The request's id: its C{X-Request-Id} header when that is 1 to 200 printable
    ASCII characters, else a new id unique to this process's lifetime.
    """
    given = request.getHeader(b"x-request-id")
    if given is not None and _ID_OK.match(given):
        return given.decode("ascii")
    return "%s%x" % (_idPrefix, next(_idCounter))


def _headerList(request):
    """
    Every request header as a flat list C{[name, value, ...]}: names lowercased,
    repeated headers kept in arrival order.
    """
    flat = []
    append = flat.append
    raw = getattr(request.requestHeaders, "_rawHeaders", None)
    if raw is None:
        items = ((name.lower(), values) for name, values in request.requestHeaders.getAllRawHeaders())
    else:
        # Reading the store directly skips a generator and a re-encoding per header.
        items = raw.items()
    for name, values in items:
        lname = name.decode("latin-1").lower()
        for value in values:
            append(lname)
            append(value.decode("latin-1"))
    return flat


class AppResource(Resource):
    """
    The leaf resource of one app.
    """

    isLeaf = True
    _log = Logger()

    def __init__(self, app, reactor, dev=False, metrics=None, accessLog=True):
        Resource.__init__(self)
        self.app = app
        self._reactor = reactor
        self._dev = dev
        self.stats = metrics.app(app.name) if metrics is not None else AppStats()
        self.accessLog = accessLog
        self._deadlines = collections.deque()
        self._sweepCall = None
        self._timeout = app.config.limits.timeout_ms / 1000.0

    def _watchDeadline(self, state):
        """
        Requests are checked against their wall deadline by one sweep every
        C{_SWEEP_INTERVAL} seconds (cheaper than a timer per request); a request past
        its deadline gets 504.
        """
        state.deadline = state.started + self._timeout
        self._deadlines.append(state)
        if self._sweepCall is None:
            self._sweepCall = self._reactor.callLater(_SWEEP_INTERVAL, self._sweep)

    def _sweep(self):
        self._sweepCall = None
        now = self._reactor.seconds()
        deadlines = self._deadlines
        while deadlines:
            state = deadlines[0]
            if state.done or state.gone or state.producer is not None:
                deadlines.popleft()
            elif state.deadline <= now:
                deadlines.popleft()
                state.timedOut()
            else:
                break
        if deadlines:
            # Requests finish out of order: drop finished ones behind the head too.
            if len(deadlines) > 64:
                self._deadlines = collections.deque(
                    s for s in deadlines if not (s.done or s.gone or s.producer is not None))
            self._sweepCall = self._reactor.callLater(_SWEEP_INTERVAL, self._sweep)

    def render(self, request):
        app = self.app
        request.defaultContentType = None
        started = self._reactor.seconds()
        app.requestStarted()
        self.stats.requestStarted()
        state = _RequestState(self, request, started, requestIdOf(request))
        try:
            url = requestURL(request)
        except BadTarget as e:
            state.fail(400, str(e), json=True)
            return NOT_DONE_YET
        if request.bodyStream is not None:
            body = STREAMED
            state.bodyStream = request.bodyStream
        else:
            content = request.content
            body = None
            if content is not None:
                body = content.read() or None
        method = request.method.decode("latin-1")
        headers = _headerList(request)
        request.nanoState = state
        self._watchDeadline(state)
        isolate = app.readyIsolate()
        if isolate is not None:
            state.send(isolate, method, url, headers, body)
        else:
            d = app.acquire()
            d.addCallback(state.send, method, url, headers, body)
            d.addErrback(lambda f: state.gotError(f.value))
            d.addErrback(state.bug)
        return NOT_DONE_YET


@implementer(IResponseSink)
class _RequestState:
    """
    One request between arrival and finish.
    """

    _log = Logger()

    def __init__(self, resource, request, started, requestId=None):
        self.requestId = requestId if requestId is not None else requestIdOf(request)
        self.resource = resource
        self.app = resource.app
        self.request = request
        self.started = started
        self.isolate = None
        self.rid = None
        self.deadline = None
        self.done = False
        self.gone = False
        self.producer = None
        self.status = None
        self.bodyStream = None

    def send(self, isolate, method, url, headers, body):
        if self.done or self.gone:
            return
        self.isolate = isolate
        self.rid = isolate.fetch(method, url, headers, body, self)
        if self.bodyStream is not None:
            self.bodyStream.attach(isolate, self.rid)

    def bodyPulled(self, received, desired):
        if self.bodyStream is not None:
            self.bodyStream.pulled(received, desired)

    def bodyCancelled(self):
        if self.bodyStream is not None:
            self.bodyStream.discard()

    def _finish(self, status):
        self.done = True
        self.app.requestFinished(status)
        resource = self.resource
        resource.stats.requestFinished(status, resource._reactor.seconds() - self.started)
        request = self.request
        # request.nanoState -> state -> request is a reference cycle: left to the
        # cyclic GC it made gen-2 collections of 60-100 ms under load.
        request.nanoState = None
        if not self.resource.accessLog:
            return
        self._log.info(
            "{method} {host}{path} -> {status} ({duration_ms:.1f} ms, {bytes} bytes)",
            app=self.app.name,
            method=request.method.decode("latin-1"),
            host=(request.getHeader(b"host") or b"").decode("latin-1"),
            path=request.uri.decode("latin-1"),
            status=status,
            bytes=request.sentLength,
            duration_ms=(self.resource._reactor.seconds() - self.started) * 1000,
            request_id=self.requestId,
        )

    def gotResponse(self, response):
        if self.done or self.gone:
            return
        request = self.request
        status = response.status
        reason = response.statusText.encode("latin-1", "replace") if response.statusText else None
        headers = [pair for pair in response.headers if pair[0] not in _SKIP]
        # The app's own X-Request-Id (Hono's requestId middleware, ...) is its answer:
        # a second value would make the header a list the client cannot use.
        if not any(name == "x-request-id" for name, _ in headers):
            headers.append(("x-request-id", self.requestId))
        if response.streamed:
            self._startStream(status, reason, headers)
            return
        request.writeWhole(status, reason, headers, response.body)
        self._finish(status)
        self.request = None

    def _startStream(self, status, reason, headers):
        """
        Send the headers now and the body chunk by chunk as JS produces it
        (chunked encoding on HTTP/1.1), paced by the transport (L{BodyProducer}).
        A response that has no body (HEAD, 1xx, 204, 304) cancels the stream.
        """
        request = self.request
        request.setResponseCode(status, reason)
        responseHeaders = request.responseHeaders
        for name, value in headers:
            if "\r" in value or "\n" in value or "\r" in name or "\n" in name:
                continue
            responseHeaders.addRawHeader(name.encode("latin-1"), value.encode("latin-1", "replace"))
        isolate, rid = self.isolate, self.rid
        if request.method == b"HEAD" or status in (204, 304) or status < 200:
            isolate.cancelStream(rid, "the response has no body")
            request.write(b"")
            self._finish(status)
            request.finish()
            self.request = None
            return
        self.status = status
        self.producer = BodyProducer(
            request, lambda nbytes: isolate.grant(rid, nbytes), lambda: isolate.cancel(rid))
        self.producer.start()

    def bodyChunk(self, data):
        if self.producer is not None and not self.done:
            self.producer.write(data)

    def bodyEnd(self):
        producer = self.producer
        if producer is None or self.done:
            return
        self._finish(self.status)
        producer.finish()
        self.request = None

    def bodyFailed(self, error):
        producer = self.producer
        if producer is None or self.done:
            return
        if isinstance(error, ScriptError):
            self._log.error("app {app}: response stream failed: {error}", app=self.app.name, error=error.full)
        else:
            self._log.error("app {app}: response stream failed: {error}", app=self.app.name, error=str(error))
        self._finish(self.status)
        self.app.errors += 1
        producer.abort()
        self.request = None

    def gotError(self, error):
        if self.done or self.gone:
            return
        if isinstance(error, ScriptError):
            self._log.error(
                "app {app}: {kind}: {error}", app=self.app.name, kind=error.kind, error=error.full,
            )
            self.fail(500, error.full if self.resource._dev else error.short)
        elif isinstance(error, IsolateFailure):
            self.app.isolateFailed(self.isolate, error)
            self.fail(503, str(error), retry=True)
        elif isinstance(error, AppUnavailable):
            self.fail(error.status, str(error), retry=True)
        else:
            self._log.error("app {app}: request failed: {error!r}", app=self.app.name, error=error)
            self.fail(500, "internal error")

    def fail(self, status, text, retry=False, json=False):
        if self.done or self.gone:
            return
        extra = [(b"x-request-id", self.requestId.encode("ascii"))]
        if retry:
            extra.append((b"retry-after", b"1"))
        request = self.request
        if json:
            writeJSONError(request, status, {"error": text}, extra)
        else:
            writeTextError(request, status, text, extra)
        self._finish(status)
        self.request = None

    def timedOut(self):
        if self.done or self.gone or self.producer is not None:
            return
        if self.isolate is not None and self.rid is not None:
            self.isolate.cancel(self.rid)
        self.resource.stats.limitExceeded("wall")
        self.fail(504, "the app did not respond within %d ms" % (self.app.config.limits.timeout_ms,))

    def refused(self, status):
        """
        The request was refused while its body arrived (over the app's body limit,
        answered by L{NanoRequest}): the app's handler is cancelled.
        """
        if self.done or self.gone:
            return
        self._abandon(status)
        self.resource.stats.limitExceeded("body")

    def clientGone(self):
        """
        The connection closed before the response was finished: JS sees the
        request's signal abort and its response stream (if any) cancelled.
        """
        if self.done or self.gone:
            return
        self._abandon(499)

    def _abandon(self, status):
        """
        Stop answering: the request counts as finished with C{status}, is let go,
        and the app's work on it stops (its response stream cancelled, or its
        handler when no response has started streaming).
        """
        self.gone = True
        self.app.requestFinished(status)
        self.resource.stats.requestFinished(status, self.resource._reactor.seconds() - self.started)
        self.request.nanoState = None
        self.request = None
        if self.producer is not None:
            self.producer.stopProducing()
        elif self.isolate is not None and self.rid is not None:
            self.isolate.cancel(self.rid)

    def bug(self, failure):
        self._log.failure("app {app}: error while answering", failure, app=self.app.name)

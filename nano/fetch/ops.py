"""
The host operations behind C{fetch()} in JS (C{57_fetch.js}): one HTTP request
per call, its body streamed back with flow control.

Operations (see L{nano.hostops}):

  - C{fetch} C{[handle, method, url, headers, bodyBase64OrNull, redirect, hop,
    started, window]}: send one request (one hop: JS follows redirects). Fails
    with a TypeError for a refused destination (egress policy, logged with the
    app's name), the subrequest cap, a URL that is not http(s), an unreachable
    server, or no response headers within the app's C{timeout_ms}. Otherwise
    returns C{{status, statusText, headers, body}}: C{headers} a flat
    C{[name, value, ...]} list (lowercase names, repeated names and every
    C{Set-Cookie} kept separate), C{body} C{"stream"} (the body follows as
    C{fetch_chunk}/C{fetch_end}/C{fetch_error} messages for C{handle}, see
    L{nano.fetch.body}) or C{"none"} (no body: HEAD, 204, 304, or a redirect
    that JS will follow, whose body is read and dropped here). C{window} is how
    many bytes JS accepts before it grants more; C{null} means the whole body
    is wanted (then it is capped at the app's C{max_body_mb}).
  - C{fetch_credit} C{[handle, nbytes]}: JS accepts that many more bytes.
  - C{fetch_cancel} C{[handle]}: JS gave up on the body: the connection is closed.

C{hop} is 0 for the request fetch() was called with and counts the redirects
after it; only hop 0 takes a subrequest credit (L{nano.fetch.subrequests}).
C{started} is how many incoming requests the isolate has started.
"""

from twisted.internet.error import ConnectError, ConnectionRefusedError, DNSLookupError
from twisted.internet.protocol import Protocol
from twisted.logger import Logger
from twisted.web.client import ResponseNeverReceived, ResponseFailed

from nano.fetch.body import BodyStream
from nano.fetch.client import Fetcher, HeaderTimeout
from nano.fetch.decoding import decoderFor
from nano.fetch.egress import EgressPolicy, EgressRefused
from nano.fetch.subrequests import SubrequestBudget, SubrequestLimit
from nano.isolate.hostcalls import HostCallError, b64decode

__all__ = ["FetchOps", "fetchOps"]

_REDIRECTS = frozenset([301, 302, 303, 307, 308])
_NULL_BODY = frozenset([101, 103, 204, 205, 304])
_REDIRECT_MODES = ("follow", "manual", "error")
# The most of a followed redirect's body read (and dropped) to keep its
# connection; a bigger one closes the connection instead.
_DISCARD_LIMIT = 64 * 1024


class _Discard(Protocol):
    """
    Reads a body nobody wants; closes the connection when it is too big.
    """

    def __init__(self, limit):
        self._left = limit

    def dataReceived(self, data):
        self._left -= len(data)
        if self._left < 0 and self.transport is not None:
            self.transport.stopProducing()
            self.transport = None

    def connectionLost(self, reason):
        pass


class _IsolateState:
    """
    Per isolate: the subrequest budget and the bodies streaming to it.
    """

    def __init__(self, budget):
        self.budget = budget
        self.bodies = {}

    def close(self):
        bodies, self.bodies = self.bodies, {}
        for body in bodies.values():
            body.cancel()


def _stringPairs(headers):
    if not isinstance(headers, list) or len(headers) % 2 or not all(isinstance(h, str) for h in headers):
        raise HostCallError("TypeError", "fetch: malformed header list")
    return list(zip(headers[0::2], headers[1::2]))


class FetchOps:
    """
    The fetch operations of one app.

    @param appName: for logs.
    @param fetcher: the app's L{Fetcher}.
    @param clock: for timeouts and the subrequest budget.
    @param subrequests: the cap per incoming request.
    @param lifetime: seconds a request's subrequest credits last.
    @param bufferLimit: the most bytes of a body read whole (C{window} null).
    @param stats: the app's L{nano.metrics.AppStats} (C{fetched(status)} for every
        response, 0 for a request that got none), or None.
    """

    _log = Logger()

    def __init__(self, appName, fetcher, clock, subrequests, lifetime, bufferLimit, stats=None):
        self._appName = appName
        self._stats = stats
        self._fetcher = fetcher
        self._clock = clock
        self._subrequests = subrequests
        self._lifetime = lifetime
        self._bufferLimit = bufferLimit

    def ops(self):
        """
        The operation table.
        """
        return {"fetch": self.fetch, "fetch_credit": self.credit, "fetch_cancel": self.cancel}

    def _state(self, call):
        state = call.scope.data.get("fetch")
        if state is None:
            state = _IsolateState(SubrequestBudget(self._subrequests, self._lifetime, self._clock))
            call.scope.data["fetch"] = state
            call.scope.onClose(state.close)
        return state

    def fetch(self, call):
        try:
            handle, method, url, headers, body, redirect, hop, started, window = call.args
        except ValueError:
            raise HostCallError("TypeError", "fetch: expected 9 arguments")
        if not (isinstance(method, str) and isinstance(url, str) and redirect in _REDIRECT_MODES
                and isinstance(hop, int) and (window is None or isinstance(window, int))):
            raise HostCallError("TypeError", "fetch: malformed arguments")
        pairs = _stringPairs(headers)
        if not (url.startswith("http://") or url.startswith("https://")):
            raise HostCallError("TypeError", "fetch: only http: and https: URLs reach the network, not %s"
                                % (url.split(":", 1)[0] + ":",))
        state = self._state(call)
        if hop == 0:
            try:
                state.budget.charge(call.requestId, started)
            except SubrequestLimit as e:
                self._log.warn("app {app}: fetch {url} refused: {why}", app=self._appName, url=url, why=str(e))
                raise HostCallError("TypeError", "fetch: too many subrequests: %s" % (e,))
        data = None if body is None else b64decode(body)
        d = self._fetcher.request(method, url, pairs, data)
        d.addCallbacks(self._gotResponse, self._failed, (call, state, handle, method, redirect, window),
                       errbackArgs=(url,))
        return d

    def _gotResponse(self, result, call, state, handle, method, redirect, window):
        response, contentEncoding = result
        status = response.code
        if self._stats is not None:
            self._stats.fetched(status)
        headers = []
        for name, values in response.headers.getAllRawHeaders():
            lower = name.decode("latin-1").lower()
            for value in values:
                headers.append(lower)
                headers.append(value.decode("latin-1"))
        head = {"status": status, "statusText": response.phrase.decode("latin-1"), "headers": headers,
                "body": "none"}
        followed = (redirect == "follow" and status in _REDIRECTS
                    and response.headers.hasHeader(b"location"))
        if followed or status in _NULL_BODY or method.upper() == "HEAD":
            response.deliverBody(_Discard(_DISCARD_LIMIT))
            return head
        stream = BodyStream(handle, call.emit, decoderFor(contentEncoding), self._clock, credit=window,
                            limit=self._bufferLimit if window is None else None,
                            idleTimeout=self._fetcher.timeout,
                            onDone=lambda: state.bodies.pop(handle, None))
        state.bodies[handle] = stream
        head["body"] = "stream"
        response.deliverBody(stream)
        return head

    def _failed(self, failure, url):
        if self._stats is not None:
            self._stats.fetched(0)
        if failure.check(EgressRefused):
            self._log.warn("app {app}: fetch {url} refused by the egress policy: {why}",
                           app=self._appName, url=url, why=str(failure.value))
            raise HostCallError("TypeError", "fetch %s refused by the egress policy: %s" % (url, failure.value))
        if failure.check(HeaderTimeout):
            raise HostCallError("TypeError", "fetch %s: %s" % (url, failure.value))
        if failure.check(DNSLookupError):
            raise HostCallError("TypeError", "fetch %s: could not resolve the host name" % (url,))
        if failure.check(ConnectionRefusedError):
            raise HostCallError("TypeError", "fetch %s: connection refused" % (url,))
        if failure.check(ConnectError):
            raise HostCallError("TypeError", "fetch %s: could not connect: %s" % (url, failure.value))
        if failure.check(ResponseNeverReceived, ResponseFailed):
            reasons = getattr(failure.value, "reasons", None) or []
            why = reasons[0].getErrorMessage() if reasons else "no response"
            raise HostCallError("TypeError", "fetch %s: the connection failed before a complete response "
                                "(%s)" % (url, why))
        return failure

    def credit(self, call):
        handle, nbytes = (call.args + [None, None])[:2]
        if not isinstance(nbytes, int) or nbytes < 0:
            raise HostCallError("TypeError", "fetch_credit: expected a byte count")
        body = self._state(call).bodies.get(handle)
        if body is not None:
            body.grant(nbytes)
        return None

    def cancel(self, call):
        body = self._state(call).bodies.pop(call.args[0] if call.args else None, None)
        if body is not None:
            body.cancel()
        return None


def fetchOps(context):
    """
    The fetch family of host operations for one app (registered in
    L{nano.hostops.FAMILIES} by L{nano.fetch}).

    The app's C{egress} config replaces the top-level one when given. The header
    and body-idle timeouts are the app's C{timeout_ms}; bodies read whole are
    capped at its C{max_body_mb}.
    """
    app = context.app
    limits = app.limits
    egress = getattr(app, "egress", None)
    if egress is None and context.config is not None:
        egress = context.config.egress
    timeout = limits.timeout_ms / 1000.0
    fetcher = Fetcher(context.reactor, EgressPolicy.fromConfig(egress), timeout=timeout)
    ops = FetchOps(app.name, fetcher, context.reactor, limits.subrequests, 2 * timeout,
                   limits.max_body_mb * 1024 * 1024, getattr(context, "stats", None))
    return ops.ops()

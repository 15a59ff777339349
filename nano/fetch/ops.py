"""
The host operations behind C{fetch()} in JS (C{57_fetch.js}, C{57_fetch_body.js}):
one HTTP request per call, its bodies streamed both ways with flow control.

Operations (see L{nano.hostops}):

  - C{fetch} C{[handle, method, url, headers, body, redirect, hop, started,
    window]}: send one request (one hop: JS follows redirects). C{body} is null,
    the whole body as base64 text, or C{true}: the body is a JS stream sent with
    the C{fetch_body_*} operations below, as Python asks for it
    (L{nano.fetch.upload}). Fails with a TypeError for a refused destination
    (egress policy, logged with the app's name), the subrequest cap, a URL that
    is not http(s), an unreachable server, a failed request body, or no
    response headers within the app's C{timeout_ms} (for a streamed request
    body, counted from its last progress). Otherwise returns C{{status,
    statusText, headers, body, readLimit}}: C{headers} a flat C{[name, value,
    ...]} list (lowercase names, repeated names and every C{Set-Cookie} kept
    separate), C{body} C{"stream"} (the body follows as
    C{fetch_chunk}/C{fetch_end}/C{fetch_error} messages for C{handle}, see
    L{nano.fetch.body}) or C{"none"} (no body: HEAD, 204, 304, or a redirect
    that JS will follow, whose body is read and dropped here). C{window} is how
    many bytes JS accepts before it grants more. C{readLimit} is the app's
    C{max_body_mb} in bytes: the most JS reads of this body when it reads it
    whole (C{text()}, C{arrayBuffer()}, ...); a body read as a stream has no cap.
  - C{fetch_credit} C{[handle, nbytes]}: JS accepts that many more bytes.
  - C{fetch_cancel} C{[handle]}: JS gave up on the body: the connection is closed.
  - C{fetch_body_write} C{[handle, data]}: the next chunk of a streamed request
    body: the index of bytes attached to the drain (C{nano.attachBytes}), or
    base64 text. JS sends chunks only within the credit Python granted with
    C{["fetch_body_pull", handle, nbytes]} messages.
  - C{fetch_body_close} C{[handle]}: the streamed request body is complete.
  - C{fetch_body_error} C{[handle, message]}: the request body's stream failed:
    the request is aborted (the server never sees a complete body).

C{hop} is 0 for the request fetch() was called with and counts the redirects
after it; only hop 0 takes a subrequest credit (L{nano.fetch.subrequests}).
C{started} is how many incoming requests the isolate has started.
"""

from twisted.internet.error import ConnectError, ConnectionRefusedError, DNSLookupError
from twisted.internet.protocol import Protocol
from twisted.logger import Logger
from twisted.python.failure import Failure
from twisted.web._newclient import RequestGenerationFailed, RequestTransmissionFailed, WrongBodyLength
from twisted.web.client import ResponseNeverReceived, ResponseFailed

from nano.fetch.body import BodyStream
from nano.fetch.client import Fetcher, HeaderTimeout
from nano.fetch.decoding import decoderFor
from nano.fetch.egress import EgressPolicy, EgressRefused
from nano.fetch.subrequests import SubrequestBudget, SubrequestLimit
from nano.fetch.upload import UploadFailed, UploadProducer
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
    Per isolate: the subrequest budget, the response bodies streaming to it and
    the request bodies streaming from it.
    """

    def __init__(self, budget):
        self.budget = budget
        self.bodies = {}
        self.uploads = {}

    def close(self):
        bodies, self.bodies = self.bodies, {}
        for body in bodies.values():
            body.cancel()
        uploads, self.uploads = self.uploads, {}
        for upload in uploads.values():
            upload.fail("fetch: the isolate closed")


def _stringPairs(headers):
    if not isinstance(headers, list) or len(headers) % 2 or not all(isinstance(h, str) for h in headers):
        raise HostCallError("TypeError", "fetch: malformed header list")
    return list(zip(headers[0::2], headers[1::2]))


def _declaredLength(pairs):
    """
    The request's C{Content-Length} when it has exactly one valid value, else None.

    @raise HostCallError: a TypeError for a value that is not a byte count.
    """
    values = [value.strip() for name, value in pairs if name.lower() == "content-length"]
    if not values:
        return None
    if len(set(values)) != 1 or not values[0].isdigit() or not values[0].isascii():
        raise HostCallError("TypeError", "fetch: the Content-Length header %r is not a byte count"
                            % (", ".join(values),))
    return int(values[0])


class FetchOps:
    """
    The fetch operations of one app.

    @param appName: for logs.
    @param fetcher: the app's L{Fetcher}.
    @param clock: for timeouts and the subrequest budget.
    @param subrequests: the cap per incoming request.
    @param lifetime: seconds a request's subrequest credits last.
    @param readLimit: the most bytes JS reads of a response body it reads whole
        (JS enforces it; a body read as a stream is not capped).
    @param stats: the app's L{nano.metrics.AppStats} (C{fetched(status)} for every
        response, 0 for a request that got none), or None.
    """

    _log = Logger()

    def __init__(self, appName, fetcher, clock, subrequests, lifetime, readLimit, stats=None):
        self._appName = appName
        self._stats = stats
        self._fetcher = fetcher
        self._clock = clock
        self._subrequests = subrequests
        self._lifetime = lifetime
        self._readLimit = readLimit

    def ops(self):
        """
        The operation table.
        """
        return {"fetch": self.fetch, "fetch_credit": self.credit, "fetch_cancel": self.cancel,
                "fetch_body_write": self.bodyWrite, "fetch_body_close": self.bodyClose,
                "fetch_body_error": self.bodyError}

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
        if not (type(handle) is int and isinstance(method, str) and isinstance(url, str) and redirect in _REDIRECT_MODES
                and isinstance(hop, int) and isinstance(window, int) and window > 0
                and (body is None or body is True or isinstance(body, str))):
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
        upload = None
        if body is True:
            upload = UploadProducer(handle, call.emit, _declaredLength(pairs),
                                    onDone=lambda: state.uploads.pop(handle, None))
            state.uploads[handle] = upload
            data = upload
        else:
            data = None if body is None else b64decode(body)
        d = self._fetcher.request(method, url, pairs, data)
        if upload is not None:
            d.addBoth(self._uploadOver, upload)
        d.addCallbacks(self._gotResponse, self._failed, (call, state, handle, method, redirect, window),
                       errbackArgs=(url,))
        return d

    @staticmethod
    def _uploadOver(result, upload):
        """
        The request has its answer (or failed): a request body still streaming is
        not wanted any more.
        """
        if isinstance(result, Failure):
            upload.cancel("fetch: the request failed before its body was sent")
        else:
            upload.cancel("fetch: the server answered before the whole request body was sent")
        return result

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
                            idleTimeout=self._fetcher.timeout,
                            onDone=lambda: state.bodies.pop(handle, None))
        state.bodies[handle] = stream
        head["body"] = "stream"
        head["readLimit"] = self._readLimit
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
        if failure.check(RequestGenerationFailed):
            reasons = failure.value.reasons or []
            inner = reasons[0] if reasons else failure
            if inner.check(UploadFailed):
                raise HostCallError("TypeError", "fetch %s: the request body stream failed: %s"
                                    % (url, inner.value))
            if inner.check(WrongBodyLength):
                raise HostCallError("TypeError", "fetch %s: the request body's length does not match its "
                                    "Content-Length header" % (url,))
            raise HostCallError("TypeError", "fetch %s: the request could not be sent: %s"
                                % (url, inner.getErrorMessage()))
        if failure.check(RequestTransmissionFailed):
            raise HostCallError("TypeError", "fetch %s: the connection failed while sending the request body"
                                % (url,))
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

    def _upload(self, call, op, count):
        if len(call.args) != count:
            raise HostCallError("TypeError", "%s: expected %d arguments" % (op, count))
        return self._state(call).uploads.get(call.args[0])

    def bodyWrite(self, call):
        upload = self._upload(call, "fetch_body_write", 2)
        data = call.args[1]
        if type(data) is int and 0 <= data < len(call.attachments):
            data = call.attachments[data]
        elif isinstance(data, str):
            data = b64decode(data)
        else:
            raise HostCallError("TypeError", "fetch_body_write: expected attached bytes or base64 data")
        if upload is not None:
            upload.write(data)
        return None

    def bodyClose(self, call):
        upload = self._upload(call, "fetch_body_close", 1)
        if upload is not None:
            upload.close()
        return None

    def bodyError(self, call):
        upload = self._upload(call, "fetch_body_error", 2)
        if upload is not None:
            upload.fail(str(call.args[1]))
        return None


def fetchOps(context):
    """
    The fetch family of host operations for one app (registered in
    L{nano.hostops.FAMILIES} by L{nano.fetch}).

    The app's C{egress} config replaces the top-level one when given. The header
    and body-idle timeouts are the app's C{timeout_ms}; JS caps response bodies
    it reads whole at its C{max_body_mb}.
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

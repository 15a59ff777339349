"""
The main listener's C{Site}, C{HTTPChannel} and C{Request}.

A request whose body is over the app's C{max_body_mb} is refused with 413 as soon as
that is known (from Content-Length, or while a chunked body arrives), without reading
the rest, and the connection closes.

The hot path is trimmed where twisted.web does work NANO does not need (measured
with py-spy under wrk, see BENCHMARKS.md): the channel asks the kernel for its local
address once per connection instead of once per request, the C{Date} header is
formatted once per second, a request goes straight to its app's leaf (the host router
has no resource tree to walk), and a whole response is written with one
C{transport.write}.

The site knows its open connections, so that shutdown can drain them
(L{NanoSite.drain}): idle keep-alive connections close at once, busy ones close
after their current response (which says C{connection: close}), and what is left
at the drain timeout is aborted (L{NanoSite.abortAll}).
"""

import time

from twisted.internet.defer import Deferred, succeed
from twisted.logger import Logger
from twisted.python.failure import Failure
from twisted.web.http import HTTPChannel, datetimeToString
from twisted.web.server import Request, Site, version as _serverVersion

from nano.resources.errors import rawErrorResponse
from nano.streams.consumer import BodyConsumer

__all__ = ["NanoChannel", "NanoRequest", "NanoSite", "SMALL_BODY"]

# Request bodies of a known length up to this size are read whole before the app sees
# the request (the JS body stream's own high-water mark); longer ones, and chunked
# ones, stream.
SMALL_BODY = 256 * 1024

_NO_BODY = frozenset([204, 304])
_date = [0, b""]


def _httpDate():
    """
    The current time as an HTTP date, formatted at most once per second.
    """
    now = int(time.time())
    if _date[0] != now:
        _date[0] = now
        _date[1] = datetimeToString(now)
    return _date[1]


class NanoChannel(HTTPChannel):
    """
    An HTTP/1.1 channel that remembers its local address and whether its transport is
    TLS (twisted.web asks the transport again for every request: a C{getsockname}
    system call each time), and answers oversized request heads with 431/414.
    """

    _log = Logger()

    _localAddress = None
    _secure = None
    # The header block limit (request line and headers), set from the site: the
    # largest max_header_kb of the apps. A longer block, or a single longer line,
    # gets 431 (414 for a request line); each app's own limit is checked once its
    # Host is known (NanoRequest.gotLength).
    totalHeadersSize = 64 * 1024
    MAX_LENGTH = 64 * 1024

    def connectionMade(self):
        site = self.site
        limit = getattr(site, "maxHeaderBytes", None)
        if limit is not None:
            self.totalHeadersSize = self.MAX_LENGTH = limit
        HTTPChannel.connectionMade(self)
        if site is not None and hasattr(site, "channelOpened"):
            site.channelOpened(self)

    def lineReceived(self, line):
        if self._receivedHeaderSize + len(line) > self.totalHeadersSize:
            self.refuse(431, b"Request Header Fields Too Large", "the request header block is too large")
            return
        HTTPChannel.lineReceived(self, line)

    def lineLengthExceeded(self, line):
        if self._receivedHeaderSize == 0:
            self.refuse(414, b"URI Too Long", "the request line is too long")
        else:
            self.refuse(431, b"Request Header Fields Too Large", "a request header line is too long")

    def refuse(self, status, reason, message):
        """
        Answer a request NANO cannot read (limits on the request head) and close
        the connection.
        """
        self._log.info("refused a request with {status}: {why}", status=status, why=message)
        self.transport.write(rawErrorResponse(status, reason, {"error": message}))
        self.dataReceived = self.lineReceived = lambda data: None
        self.loseConnection()

    def getHost(self):
        address = self._localAddress
        if address is None:
            address = self._localAddress = HTTPChannel.getHost(self)
        return address

    def isSecure(self):
        secure = self._secure
        if secure is None:
            secure = self._secure = HTTPChannel.isSecure(self)
        return secure

    def connectionLost(self, reason):
        HTTPChannel.connectionLost(self, reason)
        site = self.site
        if site is not None and hasattr(site, "channelClosed"):
            site.channelClosed(self)

    def closeWhenDone(self):
        """
        Close now if no request is in progress, else after the current response
        (and tell the client so with C{connection: close} if its response has not
        started).
        """
        if not self.requests:
            self.loseConnection()
            return
        self.persistent = False
        for request in self.requests:
            if not request.startedWriting:
                request.responseHeaders.setRawHeaders(b"connection", [b"close"])

    # -- reading paced by a streamed request body (nano.streams.consumer) --------

    _readingPaused = False

    def pauseReading(self):
        """
        Stop reading from the connection (JS is not reading the request body).
        """
        self._readingPaused = True
        self._networkProducer.pauseProducing()

    def resumeReading(self):
        """
        Read from the connection again, unless the channel itself paused it (its
        send buffer is full).
        """
        self._readingPaused = False
        if not self._waitingForTransport:
            self._networkProducer.resumeProducing()

    def resumeProducing(self):
        HTTPChannel.resumeProducing(self)
        if self._readingPaused:
            self._networkProducer.pauseProducing()


class NanoRequest(Request):
    """
    A request to an app: it enforces the app's body limit while the body arrives,
    and streams a body into JS as it arrives.

    A request with a body (a Content-Length over L{SMALL_BODY}, or chunked) is handed
    to its app as soon as its headers are in; its body then flows through
    L{bodyStream} (a L{BodyConsumer}). Smaller bodies of known length are read whole
    first. If the response is complete before the body, the rest of the
    body is read and dropped before the request finishes, so the connection can
    carry its next request.

    @ivar bodyStream: the L{BodyConsumer} of a streamed body, else None.
    """

    _log = Logger()
    _bodyLimit = None
    _received = 0
    _refused = False
    _finishAfterBody = False
    nanoApp = None
    nanoState = None
    bodyStream = None

    def gotLength(self, length):
        if getattr(self.channel.site, "draining", False):
            # A request that arrived on a kept-alive connection after shutdown
            # began is served, and its connection closes after the response.
            self.channel.persistent = False
            self.responseHeaders.setRawHeaders(b"connection", [b"close"])
        router = getattr(self.channel.site, "router", None)
        app = router.appFor(self) if router is not None else None
        self.nanoApp = app
        if app is not None and self.channel._receivedHeaderSize > app.config.limits.max_header_kb * 1024:
            self.nanoApp = None
            self._refused = True
            self.channel.refuse(431, b"Request Header Fields Too Large", "the request header block is too large")
            return
        if app is None or length == 0 or (length is not None and length <= SMALL_BODY
                                           and length <= app.config.limits.max_body_mb * 1024 * 1024):
            # No body, or a small one of known length: read it whole and hand the
            # request to the app in one message (streaming it costs a round trip to
            # JS per chunk: a 64 KiB upload took 0.9 ms of CPU streamed).
            Request.gotLength(self, length)
            return
        self._bodyLimit = app.config.limits.max_body_mb * 1024 * 1024
        self._appName = app.name
        if length is not None and length > self._bodyLimit:
            self._refuse()
            return
        channel = self.channel
        self.bodyStream = BodyConsumer(channel)
        self.method, self.uri, self.clientproto = channel._command, channel._path, channel._version
        self.path = self.uri.split(b"?", 1)[0]
        self.args = {}
        self.process()

    def handleContentChunk(self, data):
        if self._refused:
            return
        self._received += len(data)
        if self._bodyLimit is not None and self._received > self._bodyLimit:
            self._refuse()
            return
        if self.bodyStream is not None:
            self.bodyStream.write(data)
        else:
            Request.handleContentChunk(self, data)

    def _refuse(self):
        """
        The body is over the app's limit: answer 413 and close the connection (or,
        when the response already started, abort it); the JS body stream errors.
        """
        self._refused = True
        self._log.info(
            "app {app}: request body over {limit} bytes refused with 413",
            app=self._appName, limit=self._bodyLimit,
        )
        if self.bodyStream is not None:
            self.bodyStream.fail("the request body is over the app's limit of %d bytes" % (self._bodyLimit,))
        transport = self.channel.transport
        state = self.nanoState
        if self.startedWriting:
            abort = getattr(transport, "abortConnection", None)
            (abort or transport.loseConnection)()
        else:
            transport.write(
                rawErrorResponse(413, b"Payload Too Large", {
                    "error": "request body too large", "limit_bytes": self._bodyLimit,
                })
            )
            self.channel.loseConnection()
        # Nothing more may be written for this request.
        self._disconnected = True
        if state is not None:
            state.refused(413)
        elif self.nanoApp is not None:
            # Refused from its Content-Length, before the app's leaf saw it.
            stats = self.channel.site.router.statsFor(self.nanoApp)
            stats.requestStarted()
            stats.requestFinished(413, 0.0)
            stats.limitExceeded("body")

    def connectionLost(self, reason):
        """
        Tell the app leaf (if it is still answering) that the client went away.
        """
        state = self.nanoState
        Request.connectionLost(self, reason)
        if state is not None and not self.finished:
            state.clientGone()

    def requestReceived(self, command, path, version):
        """
        The whole request arrived. A request without a streamed body is handed to its
        app now (without twisted.web's query and form parsing: apps parse their own
        URL and body); a streamed body ends.
        """
        if self._refused:
            return
        if self.bodyStream is not None:
            self.bodyStream.finish()
            if self._finishAfterBody:
                Request.finish(self)
            return
        if self.content is not None:
            self.content.seek(0, 0)
        self.method, self.uri, self.clientproto = command, path, version
        self.path = path.split(b"?", 1)[0]
        self.args = {}
        self.process()

    def finish(self):
        """
        Finish the response; if the body is still arriving, drop the rest of it and
        finish once it is in.
        """
        stream = self.bodyStream
        if stream is not None and not stream.done and not self._disconnected:
            self._finishAfterBody = True
            stream.discard()
            return
        Request.finish(self)

    def process(self):
        """
        Hand the request to its app's leaf (or the unknown-host answer). Unlike
        twisted.web's C{process}, no resource tree is walked and the path is not
        split into C{postpath}: app leaves read C{uri}.
        """
        site = self.site = self.channel.site
        headers = self.responseHeaders
        headers.setRawHeaders(b"server", [_serverVersion])
        headers.setRawHeaders(b"date", [_httpDate()])
        try:
            self.render(site.router.leafFor(self))
        except BaseException:
            self.processingFailed(Failure())

    def writeWhole(self, status, reason, pairs, body):
        """
        Write a complete response in one transport write and finish the request.

        @param status: the status code (C{int}).
        @param reason: the reason phrase (C{bytes}) or None for the standard one.
        @param pairs: header pairs C{(name, value)} of C{str} (lowercase names,
            values already validated by the JS C{Headers} class); a pair containing
            CR or LF is dropped. NANO's own C{server}, C{date} and, when the
            connection will not be kept alive, C{connection} headers come first;
            C{content-length} is set here.
        @param body: C{bytes}; not sent for HEAD, 1xx, 204 and 304.
        """
        if self._disconnected or self.finished:
            return
        self.setResponseCode(status, reason)
        parts = [self.clientproto, b" %d " % (status,), self.code_message, b"\r\n"]
        for name, values in self.responseHeaders.getAllRawHeaders():
            for value in values:
                parts.extend((name, b": ", value, b"\r\n"))
        lines = []
        for name, value in pairs:
            if "\r" in value or "\n" in value or "\r" in name or "\n" in name:
                continue
            lines.append("%s: %s\r\n" % (name, value))
        text = "".join(lines)
        parts.append(text.encode("latin-1", "replace"))
        noBody = status in _NO_BODY or status < 200
        if not noBody:
            parts.append(b"content-length: %d\r\n" % (len(body),))
        parts.append(b"\r\n")
        if body and not noBody and self.method != b"HEAD":
            parts.append(body)
            self.sentLength = len(body)
        self.startedWriting = 1
        self.channel.transport.write(b"".join(parts))
        self.finish()


class NanoSite(Site):
    """
    The main listener's site: the root is the L{nano.resources.vhost.HostRouter}.
    """

    requestFactory = NanoRequest
    # HTTP/1.1 only: twisted.web's default protocol factory wraps the channel in a
    # proxy that can switch to HTTP/2 after TLS ALPN; NANO does not offer HTTP/2.
    protocol = NanoChannel

    def __init__(self, router, reactor=None, maxHeaderBytes=64 * 1024):
        """
        @param maxHeaderBytes: the largest request head (request line and headers)
            any app accepts.
        """
        Site.__init__(self, router, reactor=reactor)
        self.router = router
        self.maxHeaderBytes = maxHeaderBytes
        self.noisy = False
        self.channels = set()
        self.draining = False
        self._closed = []

    def channelOpened(self, channel):
        self.channels.add(channel)
        if self.draining:
            channel.closeWhenDone()

    def channelClosed(self, channel):
        self.channels.discard(channel)
        if not self.channels and self._closed:
            waiting, self._closed = self._closed, []
            for d in waiting:
                d.callback(None)

    def drain(self):
        """
        Close idle connections now and the others after their current response.

        @return: a Deferred that fires once every connection is closed.
        """
        self.draining = True
        for channel in list(self.channels):
            channel.closeWhenDone()
        if not self.channels:
            return succeed(None)
        d = Deferred()
        self._closed.append(d)
        return d

    def abortAll(self):
        """
        Abort every connection still open (at the drain timeout).
        """
        for channel in list(self.channels):
            transport = channel.transport
            if transport is not None:
                transport.abortConnection()

    def log(self, request):
        """
        Access logging is done per request by the app leaf (with the app name).
        """

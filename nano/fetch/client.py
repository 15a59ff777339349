"""
Outbound HTTP for one app: one treq L{HTTPClient} (and cookie jar) per request,
on the injected reactor, over an L{Agent} whose connections obey the app's egress
policy (L{nano.fetch.connect}) and share the app's connection pool.

What treq adds that fetch() must not have is undone by a thin agent under it
(L{_RequestAgent}, one per request). treq parses and re-encodes the URL with
hyperlink, which rejects IPv6 literals and percent-encodes some characters the
WHATWG URL serializer leaves as they are: the agent sends the URL exactly as JS
serialised it (WHATWG serialisations are ASCII, with spaces and controls already
percent-encoded). treq's client always stacks a
C{ContentDecoderAgent} for gzip, which appends C{Accept-Encoding: gzip} to the
request and decodes gzip bodies itself while dropping C{Content-Encoding} from the
response. Fetch decodes in L{nano.fetch.decoding} (gzip, deflate, br, with bounded
pieces) and leaves the response headers as the server sent them, as browsers do;
so the agent sends the C{Accept-Encoding} fetch chose and hides
C{Content-Encoding} from the decoder, to put it back afterwards. Redirects are not
followed here (C{57_fetch.js} follows them, one request per hop) and cookies are
never shared: the jar of a request is new and thrown away with it.
"""

from http.cookiejar import CookieJar

from treq.client import HTTPClient
from twisted.internet.defer import Deferred, succeed
from twisted.python.failure import Failure
from twisted.web.client import Agent, HTTPConnectionPool
from twisted.web.http_headers import Headers
from twisted.web.iweb import IAgent, IBodyProducer
from zope.interface import implementer

from nano.fetch.connect import CheckedEndpointFactory

__all__ = ["ACCEPT_ENCODING", "Fetcher", "HeaderTimeout"]

# What fetch() asks for when the app did not set Accept-Encoding (browsers send
# the same list).
ACCEPT_ENCODING = b"gzip, deflate, br"

# Request headers the app may not set: the connection's business, or computed.
_DROPPED = frozenset([
    b"host", b"connection", b"keep-alive", b"proxy-connection", b"te", b"trailer",
    b"transfer-encoding", b"upgrade", b"content-length",
])


def _forTreq(url):
    """
    The URL as treq is given it. treq parses and re-encodes URLs with hyperlink,
    which rejects IPv6 literals; the agent under treq sends the URL JS serialised
    instead, byte for byte, so for treq an IPv6 literal is replaced by a name.
    """
    scheme, sep, rest = url.partition("://")
    if rest.startswith("["):
        end = rest.find("]")
        return scheme + sep + "ipv6-literal.invalid" + rest[end + 1:]
    return url


class HeaderTimeout(Exception):
    """
    The server did not send the response headers in time.
    """


@implementer(IBodyProducer)
class _BytesProducer:
    """
    A request body that is all there at once.
    """

    def __init__(self, data):
        self._data = data
        self.length = len(data)

    def startProducing(self, consumer):
        consumer.write(self._data)
        return succeed(None)

    def pauseProducing(self):
        pass

    def resumeProducing(self):
        pass

    def stopProducing(self):
        pass


@implementer(IAgent)
class _RequestAgent:
    """
    The agent under treq's client for one request (see the module docstring).

    @ivar contentEncoding: the response's C{Content-Encoding} values, once it came.
    """

    def __init__(self, agent, acceptEncoding, url):
        self._agent = agent
        self._acceptEncoding = acceptEncoding
        self._url = url
        self.contentEncoding = []

    def request(self, method, uri, headers=None, bodyProducer=None):
        headers = headers.copy() if headers is not None else Headers()
        headers.setRawHeaders(b"accept-encoding", self._acceptEncoding)
        d = self._agent.request(method, self._url, headers, bodyProducer)
        d.addCallback(self._hide)
        return d

    def _hide(self, response):
        self.contentEncoding = response.headers.getRawHeaders(b"content-encoding", [])
        response.headers.removeHeader(b"content-encoding")
        return response


class Fetcher:
    """
    The outbound HTTP client of one app.

    @param reactor: the reactor (connections, timers).
    @param policy: the app's L{nano.fetch.egress.EgressPolicy}.
    @param agentFactory: C{agentFactory()} makes the L{IAgent} a request goes
        through; default an L{Agent} with the egress-checking endpoints and the
        app's pool. Tests pass one from L{treq.testing}.
    @param timeout: seconds to wait for the response headers (for a streamed
        request body, counted from its last progress).
    @param resolver: an L{IHostnameResolver} (default C{reactor.nameResolver}).
    @param tlsPolicy: the L{IPolicyForHTTPS} (default: browser-like
        verification against the system's trust roots).
    """

    def __init__(self, reactor, policy, agentFactory=None, timeout=30.0, resolver=None, tlsPolicy=None):
        self._reactor = reactor
        self.policy = policy
        self.timeout = timeout
        self._pool = None
        if agentFactory is None:
            self._pool = HTTPConnectionPool(reactor, persistent=True)
            self._pool.maxPersistentPerHost = 16
            # Idle pooled connections close after a minute: the pool outlives a
            # replaced app version until then.
            self._pool.cachedConnectionTimeout = 60
            self._pool.retryAutomatically = False
            endpoints = CheckedEndpointFactory(reactor, policy, resolver=resolver, tlsPolicy=tlsPolicy,
                                               connectTimeout=timeout)
            agentFactory = lambda: Agent.usingEndpointFactory(reactor, endpoints, pool=self._pool)
        self._agentFactory = agentFactory

    def request(self, method, url, headers, body=None):
        """
        Send one request (no redirects followed).

        @param method: the method (str).
        @param url: the absolute http(s) URL (str, as serialised by the WHATWG URL
            parser).
        @param headers: a list of C{(name, value)} str pairs; connection headers
            (C{Host}, C{Connection}, C{Content-Length}, ...) are dropped, and
            C{Accept-Encoding} defaults to L{ACCEPT_ENCODING}.
        @param body: the request body: bytes, None, or an L{IBodyProducer} that
            streams it (an L{nano.fetch.upload.UploadProducer}; its
            C{onActivity} is set here, so that the timeout counts from the body's
            last progress instead of from the start).
        @return: a Deferred firing with C{(response, contentEncoding)}: the
            L{IResponse} (its body not yet read) and the response's
            C{Content-Encoding} values (the header is put back on the response
            too), or failing with L{HeaderTimeout}, L{EgressRefused} or the
            connection's error. Cancelling it closes the connection.
        """
        twistedHeaders = Headers()
        acceptEncoding = None
        for name, value in headers:
            raw = name.lower().encode("latin-1")
            if raw in _DROPPED:
                continue
            encoded = value.encode("latin-1")
            if raw == b"accept-encoding":
                acceptEncoding = (acceptEncoding or []) + [encoded]
                continue
            twistedHeaders.addRawHeader(raw, encoded)
        agent = _RequestAgent(self._agentFactory(), acceptEncoding or [ACCEPT_ENCODING], url.encode("ascii"))
        client = HTTPClient(agent, cookiejar=CookieJar())
        producer = None
        streamed = IBodyProducer.providedBy(body)
        if streamed:
            producer = body
        elif body is not None and (body or method.upper() not in ("GET", "HEAD")):
            producer = _BytesProducer(body)
        elif method.upper() in ("POST", "PUT", "PATCH"):
            producer = _BytesProducer(b"")
        inner = client.request(method, _forTreq(url), headers=twistedHeaders, data=producer, allow_redirects=False,
                               unbuffered=True, reactor=self._reactor)
        timedOut = []

        def cancel(_):
            inner.cancel()

        outer = Deferred(cancel)

        def timeUp():
            uploading = streamed and producer.state in ("producing", "paused")
            timedOut.append("the request body made no progress for %g s" % (self.timeout,) if uploading
                            else "no response within %g s" % (self.timeout,))
            inner.cancel()

        timer = self._reactor.callLater(self.timeout, timeUp)
        if streamed:
            def activity():
                if timer.active():
                    timer.reset(self.timeout)
            producer.onActivity = activity

        def done(result):
            if timer.active():
                timer.cancel()
            if streamed:
                producer.onActivity = None
            if isinstance(result, Failure):
                if timedOut:
                    result = Failure(HeaderTimeout(timedOut[0]))
                if not outer.called:
                    outer.errback(result)
                return None
            # treq's gzip decoder leaves an empty Content-Encoding behind when there
            # was none: put back exactly what the server sent.
            result.headers.removeHeader(b"content-encoding")
            if agent.contentEncoding:
                result.headers.setRawHeaders(b"content-encoding", agent.contentEncoding)
            outer.callback((result, [v.decode("latin-1") for v in agent.contentEncoding]))
            return None

        inner.addBoth(done)
        return outer

    def close(self):
        """
        Close the pooled connections.

        @return: a Deferred that fires once they are closed.
        """
        if self._pool is None:
            return succeed(None)
        return self._pool.closeCachedConnections()


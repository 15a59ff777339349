"""
Tests for L{nano.fetch.client}, over treq's in-memory agent
(L{treq.testing.RequestTraversalAgent}) and a twisted.web resource.
"""

import gzip

from treq.testing import RequestTraversalAgent
from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase
from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET

from twisted.web.iweb import IAgent, IBodyProducer
from zope.interface.verify import verifyObject

from nano.fetch.client import Fetcher, HeaderTimeout, _BytesProducer, _RequestAgent
from nano.fetch.egress import EgressPolicy
from nano.fetch.upload import WINDOW, UploadProducer


class Upstream(Resource):
    """
    Records each request; answers by path.
    """

    isLeaf = True

    def __init__(self):
        Resource.__init__(self)
        self.requests = []

    def render(self, request):
        headers = {k.decode().lower(): [x.decode() for x in v] for k, v in request.requestHeaders.getAllRawHeaders()}
        self.requests.append((request.method.decode(), request.uri.decode(), headers, request.content.read()))
        if request.path == b"/gzip":
            request.setHeader(b"content-encoding", b"gzip")
            return gzip.compress(b"compressed")
        if request.path == b"/cookies":
            request.responseHeaders.setRawHeaders(b"set-cookie", [b"a=1; Path=/", b"b=2"])
            return b""
        if request.path == b"/never":
            return NOT_DONE_YET
        return b"ok"


def readBody(response):
    chunks = []
    from twisted.internet.protocol import Protocol

    class Collect(Protocol):
        def dataReceived(self, data):
            chunks.append(data)
    response.deliverBody(Collect())
    return chunks


class FetcherTests(SynchronousTestCase):
    """
    L{Fetcher.request} sends one request through a fresh treq client.
    """

    def setUp(self):
        self.upstream = Upstream()
        self.agent = RequestTraversalAgent(self.upstream)
        self.clock = Clock()
        self.fetcher = Fetcher(self.clock, EgressPolicy(), agentFactory=lambda: self.agent, timeout=10)

    def request(self, *args, **kwargs):
        d = self.fetcher.request(*args, **kwargs)
        self.agent.flush()
        return d

    def test_interfaces(self):
        """
        The agent under treq and the request body producer provide their
        interfaces.
        """
        verifyObject(IAgent, _RequestAgent(self.agent, [b"gzip"], b"http://x.test/"))
        verifyObject(IBodyProducer, _BytesProducer(b"abc"))

    def test_methodHeadersBody(self):
        """
        The method, headers (repeats kept) and body reach the server; headers the
        connection owns are dropped; Accept-Encoding defaults to what browsers send.
        """
        response, coding = self.successResultOf(self.request(
            "PATCH", "http://upstream.test/p?q=1",
            [("X-A", "1"), ("x-a", "2"), ("Host", "evil.test"), ("Connection", "upgrade"),
             ("Content-Length", "99"), ("Transfer-Encoding", "chunked")], b"payload"))
        self.assertEqual(response.code, 200)
        method, uri, headers, body = self.upstream.requests[0]
        self.assertEqual((method, uri, body), ("PATCH", "/p?q=1", b"payload"))
        self.assertEqual(headers["x-a"], ["1", "2"])
        self.assertEqual(headers["host"], ["upstream.test"])
        self.assertEqual(headers["content-length"], ["7"])
        self.assertEqual(headers["accept-encoding"], ["gzip, deflate, br"])
        self.assertNotIn("upgrade", headers.get("connection", []))
        self.assertNotIn("transfer-encoding", headers)

    def test_urlVerbatim(self):
        """
        The URL goes out as JS serialised it: characters WHATWG leaves alone are not
        re-encoded, and IPv6 literals work (treq alone rejects them).
        """
        self.successResultOf(self.request("GET", "http://upstream.test/a|b^c?q=`x`", []))
        self.successResultOf(self.request("GET", "http://[::1]:8080/v6", []))
        self.assertEqual([r[1] for r in self.upstream.requests], ["/a|b^c?q=`x`", "/v6"])
        self.assertEqual(self.upstream.requests[1][2]["host"], ["[::1]:8080"])

    def test_acceptEncodingFromApp(self):
        """
        An app's own Accept-Encoding is sent as it is (and only it).
        """
        self.successResultOf(self.request("GET", "http://upstream.test/", [("Accept-Encoding", "identity")]))
        self.assertEqual(self.upstream.requests[0][2]["accept-encoding"], ["identity"])

    def test_emptyPost(self):
        """
        A POST without a body is sent with Content-Length: 0.
        """
        self.successResultOf(self.request("POST", "http://upstream.test/", []))
        self.assertEqual(self.upstream.requests[0][2]["content-length"], ["0"])

    def test_contentEncodingKept(self):
        """
        A gzip body is not decoded by treq: the body arrives as sent and
        Content-Encoding stays on the response (fetch decodes it itself).
        """
        response, coding = self.successResultOf(self.request("GET", "http://upstream.test/gzip", []))
        self.assertEqual(coding, ["gzip"])
        self.assertEqual(response.headers.getRawHeaders(b"content-encoding"), [b"gzip"])
        chunks = readBody(response)
        self.agent.flush()
        self.assertEqual(gzip.decompress(b"".join(chunks)), b"compressed")

    def test_noContentEncoding(self):
        """
        A response without Content-Encoding does not get one.
        """
        response, coding = self.successResultOf(self.request("GET", "http://upstream.test/", []))
        self.assertEqual((coding, response.headers.hasHeader(b"content-encoding")), ([], False))

    def test_setCookieSeparate(self):
        """
        Every Set-Cookie value stays separate, and no cookie jar carries them into
        the next request.
        """
        response, _ = self.successResultOf(self.request("GET", "http://upstream.test/cookies", []))
        self.assertEqual(response.headers.getRawHeaders(b"set-cookie"), [b"a=1; Path=/", b"b=2"])
        self.successResultOf(self.request("GET", "http://upstream.test/again", []))
        self.assertNotIn("cookie", self.upstream.requests[1][2])

    def test_headerTimeout(self):
        """
        No response headers within the timeout: L{HeaderTimeout}.
        """
        d = self.request("GET", "http://upstream.test/never", [])
        self.assertNoResult(d)
        self.clock.advance(10)
        self.assertIn("10 s", str(self.failureResultOf(d, HeaderTimeout).value))

    def test_cancel(self):
        """
        Cancelling the request fails it with CancelledError and stops its timer.
        """
        d = self.request("GET", "http://upstream.test/never", [])
        d.cancel()
        self.failureResultOf(d)
        self.assertEqual(self.clock.getDelayedCalls(), [])

    def test_streamedBody(self):
        """
        A streamed body (an L{UploadProducer}) is sent chunked as it is written;
        the response comes once it is complete.
        """
        pulls = []
        upload = UploadProducer(1, pulls.append)
        d = self.request("POST", "http://upstream.test/up", [("Content-Type", "text/plain")], upload)
        self.assertEqual(pulls, [["fetch_body_pull", 1, WINDOW]])
        upload.write(b"hello ")
        upload.write(b"world")
        self.agent.flush()
        self.assertNoResult(d)
        upload.close()
        self.agent.flush()
        response, _ = self.successResultOf(d)
        method, uri, headers, body = self.upstream.requests[0]
        self.assertEqual((method, body, headers["transfer-encoding"]), ("POST", b"hello world", ["chunked"]))

    def test_streamedBodyWithLength(self):
        """
        A streamed body of a declared length is sent with that Content-Length; a
        body shorter than that fails the request.
        """
        upload = UploadProducer(1, lambda message: None, length=5)
        d = self.request("PUT", "http://upstream.test/up", [("Content-Length", "5")], upload)
        upload.write(b"12345")
        upload.close()
        self.agent.flush()
        self.successResultOf(d)
        self.assertEqual(self.upstream.requests[0][2]["content-length"], ["5"])
        self.assertEqual(self.upstream.requests[0][3], b"12345")
        short = UploadProducer(2, lambda message: None, length=5)
        d = self.request("PUT", "http://upstream.test/up", [], short)
        short.write(b"123")
        short.close()
        self.agent.flush()
        self.failureResultOf(d)

    def test_streamedBodyTimeout(self):
        """
        While a streamed body makes progress the timeout is pushed back; a body
        that stalls fails with a HeaderTimeout that says so.
        """
        upload = UploadProducer(1, lambda message: None)
        d = self.request("POST", "http://upstream.test/never", [], upload)
        for _ in range(3):
            self.clock.advance(8)
            upload.write(b"x")
        self.assertNoResult(d)
        self.clock.advance(10)
        self.assertEqual(str(self.failureResultOf(d, HeaderTimeout).value),
                         "the request body made no progress for 10 s")

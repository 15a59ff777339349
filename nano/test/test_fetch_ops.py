"""
Tests for L{nano.fetch.ops} (and the family registration in L{nano.fetch}).
"""

import base64

from treq.testing import RequestTraversalAgent
from twisted.internet.defer import fail
from twisted.internet.error import ConnectionRefusedError
from twisted.internet.task import Clock
from twisted.internet.testing import MemoryReactorClock
from twisted.trial.unittest import SynchronousTestCase
from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET

import nano.fetch
from nano import hostops
from nano.config import AppConfig, EgressConfig, Limits, NanoConfig
from nano.fetch.client import Fetcher
from nano.fetch.egress import EgressPolicy
from nano.fetch.ops import FetchOps, fetchOps
from nano.hostops import HostContext
from nano.isolate.bridge import JSBytes
from nano.metrics import AppStats
from nano.isolate.hostcalls import HostCall, HostCallError, HostScope


class Upstream(Resource):
    isLeaf = True

    def __init__(self):
        Resource.__init__(self)
        self.partial = []
        self.bodies = []

    def render(self, request):
        if request.path == b"/echo":
            self.bodies.append(request.content.read())
            return b"echoed"
        if request.path == b"/partial":
            request.write(b"abc")
            self.partial.append(request)
            return NOT_DONE_YET
        if request.path == b"/redirect":
            request.setResponseCode(302)
            request.setHeader(b"location", b"/target")
            return b"redirect body"
        if request.path == b"/empty":
            request.setResponseCode(204)
            return b""
        request.responseHeaders.setRawHeaders(b"set-cookie", [b"a=1", b"b=2"])
        return b"body of " + request.path


class _Refusing:
    """
    An agent whose connections are refused.
    """

    def request(self, method, uri, headers=None, bodyProducer=None):
        return fail(ConnectionRefusedError())


class FetchOpsTests(SynchronousTestCase):
    """
    The C{fetch}, C{fetch_credit} and C{fetch_cancel} operations.
    """

    def setUp(self):
        self.clock = Clock()
        self.upstream = Upstream()
        self.agent = RequestTraversalAgent(self.upstream)
        fetcher = Fetcher(self.clock, EgressPolicy(), agentFactory=lambda: self.agent, timeout=5)
        self.stats = AppStats()
        self.ops = FetchOps("app", fetcher, self.clock, subrequests=2, lifetime=60, readLimit=1024,
                            stats=self.stats).ops()
        self.scope = HostScope()
        self.sent = []

    def call(self, op, args, rid=1):
        return HostCall("app", rid, args, self.emit, self.scope)

    def emit(self, message):
        """
        What the operations send, with the bytes for JS (L{JSBytes}) as bytes.
        """
        self.sent.append([x.data if isinstance(x, JSBytes) else x for x in message])

    def fetch(self, url, method="GET", redirect="follow", hop=0, started=1, window=1 << 20, handle=1, body=None,
              headers=("x-a", "1")):
        d = self.ops["fetch"](self.call("fetch", [handle, method, url, list(headers), body, redirect, hop,
                                                   started, window]))
        self.agent.flush()
        return d

    def body(self, handle=1):
        return b"".join(m[2] for m in self.sent if m[0] == "fetch_chunk" and m[1] == handle)

    def test_response(self):
        """
        The head comes back with lowercase header names (Set-Cookie values kept
        apart) and the body follows as chunks and an end for the handle.
        """
        head = self.successResultOf(self.fetch("http://up.test/x"))
        self.assertEqual((head["status"], head["statusText"], head["body"], head["readLimit"]),
                         (200, "OK", "stream", 1024))
        pairs = list(zip(head["headers"][0::2], head["headers"][1::2]))
        self.assertIn(("set-cookie", "a=1"), pairs)
        self.assertIn(("set-cookie", "b=2"), pairs)
        self.assertEqual(self.body(), b"body of /x")
        self.assertEqual(self.sent[-1], ["fetch_end", 1])
        self.assertEqual(self.stats.fetches, {200: 1})

    def test_followedRedirectBodyDropped(self):
        """
        A redirect that JS will follow comes back without a body; in manual mode
        its body is streamed.
        """
        head = self.successResultOf(self.fetch("http://up.test/redirect"))
        self.assertEqual((head["status"], head["body"]), (302, "none"))
        self.assertEqual(self.sent, [])
        head = self.successResultOf(self.fetch("http://up.test/redirect", redirect="manual", handle=2))
        self.assertEqual(head["body"], "stream")
        self.assertEqual(self.body(2), b"redirect body")

    def test_nullBody(self):
        """
        HEAD and 204 responses have no body.
        """
        self.assertEqual(self.successResultOf(self.fetch("http://up.test/empty"))["body"], "none")
        self.assertEqual(self.successResultOf(self.fetch("http://up.test/x", method="HEAD"))["body"], "none")

    def test_requestBody(self):
        """
        A base64 body is decoded and sent; bad base64 is a TypeError.
        """
        self.successResultOf(self.fetch("http://up.test/x", method="POST", body=base64.b64encode(b"hi").decode()))
        error = self.assertRaises(HostCallError, self.fetch, "http://up.test/x", method="POST", body="*not*")
        self.assertEqual(error.name, "TypeError")

    def test_creditAndCancel(self):
        """
        With a window, a body is sent as far as the window allows; more flows with
        credit; cancelling drops the body and nothing more is sent for it.
        """
        self.successResultOf(self.fetch("http://up.test/partial", window=2))
        self.assertEqual(self.body(), b"abc")
        stream = self.scope.data["fetch"].bodies[1]
        self.assertEqual(stream.state, "paused")
        self.ops["fetch_credit"](self.call("fetch_credit", [1, 100]))
        self.assertEqual(stream.state, "reading")
        self.ops["fetch_cancel"](self.call("fetch_cancel", [1]))
        self.assertEqual((stream.state, self.scope.data["fetch"].bodies), ("done", {}))
        request = self.upstream.partial[0]
        if not request._disconnected:
            request.write(b"more")
            request.finish()
        self.agent.flush()
        self.assertEqual(self.body(), b"abc")
        self.assertNotIn(["fetch_end", 1], self.sent)

    def test_networkErrorCounted(self):
        """
        A request that gets no response is a TypeError, counted as status 0.
        """
        ops = FetchOps("app", Fetcher(self.clock, EgressPolicy(), agentFactory=lambda: _Refusing(), timeout=5),
                       self.clock, 2, 60, 1024, stats=self.stats).ops()
        d = ops["fetch"](self.call("fetch", [1, "GET", "http://up.test/", [], None, "follow", 0, 1, 100]))
        error = self.failureResultOf(d, HostCallError).value
        self.assertEqual((error.name, error.message), ("TypeError", "fetch http://up.test/: connection refused"))
        self.assertEqual(self.stats.fetches, {0: 1})

    def test_badArguments(self):
        """
        Malformed arguments, non-http(s) URLs and a bad credit are TypeErrors.
        """
        for args in ([1, 2], [1, "GET", "http://up.test/", ["odd"], None, "follow", 0, 1, 100],
                     [1, "GET", "http://up.test/", [], None, "sideways", 0, 1, 100],
                     [1, "GET", "http://up.test/", [], None, "follow", 0, 1, None],
                     [1, "GET", "http://up.test/", [], None, "follow", 0, 1, 0],
                     [1, "POST", "http://up.test/", [], 42, "follow", 0, 1, 100],
                     [1, "POST", "http://up.test/", ["content-length", "-1"], True, "follow", 0, 1, 100],
                     [1, "GET", "file:///etc/passwd", [], None, "follow", 0, 1, 100]):
            error = self.assertRaises(HostCallError, self.ops["fetch"], self.call("fetch", args))
            self.assertEqual(error.name, "TypeError")
        self.assertRaises(HostCallError, self.ops["fetch_credit"], self.call("fetch_credit", [1, -5]))
        for op, args in (("fetch_body_write", [1]), ("fetch_body_write", [1, 5]), ("fetch_body_write", [1, "*"]),
                         ("fetch_body_close", []), ("fetch_body_error", [1])):
            error = self.assertRaises(HostCallError, self.ops[op], self.call(op, args))
            self.assertEqual(error.name, "TypeError")

    def test_subrequestCap(self):
        """
        The third fetch of a request (limit 2) is a TypeError; redirect hops are
        free.
        """
        self.successResultOf(self.fetch("http://up.test/1"))
        self.successResultOf(self.fetch("http://up.test/2", hop=1))
        self.successResultOf(self.fetch("http://up.test/3"))
        error = self.assertRaises(HostCallError, self.fetch, "http://up.test/4")
        self.assertEqual(error.name, "TypeError")
        self.assertIn("too many subrequests", error.message)

    def upload(self, handle, *ops):
        for op, args in ops:
            self.ops[op](self.call(op, [handle] + args))
        self.agent.flush()

    def test_streamedRequestBody(self):
        """
        A body given as C{true} is asked for with fetch_body_pull once the request
        is under way and written as fetch_body_write chunks arrive; the response
        comes once fetch_body_close ended it.
        """
        d = self.fetch("http://up.test/echo", method="POST", body=True)
        self.assertEqual(self.sent, [["fetch_body_pull", 1, 256 * 1024]])
        self.upload(1, ("fetch_body_write", [base64.b64encode(b"stream").decode()]),
                    ("fetch_body_write", [base64.b64encode(b"ed").decode()]))
        self.assertNoResult(d)
        self.upload(1, ("fetch_body_close", []))
        self.assertEqual(self.successResultOf(d)["status"], 200)
        self.assertEqual(self.upstream.bodies, [b"streamed"])
        self.assertEqual(self.scope.data["fetch"].uploads, {})

    def test_streamedRequestBodyFails(self):
        """
        fetch_body_error aborts the request: fetch fails with a TypeError that
        carries the stream's message, and the server never sees a complete body.
        """
        d = self.fetch("http://up.test/echo", method="POST", body=True)
        self.upload(1, ("fetch_body_write", [base64.b64encode(b"part").decode()]),
                    ("fetch_body_error", ["RangeError: broken"]))
        error = self.failureResultOf(d, HostCallError).value
        self.assertEqual((error.name, error.message), ("TypeError", "fetch http://up.test/echo: the request body "
                                                       "stream failed: RangeError: broken"))
        self.assertEqual(self.upstream.bodies, [])

    def test_streamedRequestBodyLength(self):
        """
        A streamed body with a Content-Length header is sent with that length; a
        stream that ends short of it is a TypeError that says so.
        """
        d = self.fetch("http://up.test/echo", method="PUT", body=True, headers=["content-length", "4"])
        self.upload(1, ("fetch_body_write", [base64.b64encode(b"four").decode()]), ("fetch_body_close", []))
        self.successResultOf(d)
        self.assertEqual(self.upstream.bodies, [b"four"])
        d = self.fetch("http://up.test/echo", method="PUT", body=True, headers=["content-length", "4"], handle=2)
        self.upload(2, ("fetch_body_write", [base64.b64encode(b"two").decode()]), ("fetch_body_close", []))
        error = self.failureResultOf(d, HostCallError).value
        self.assertEqual(error.message, "fetch http://up.test/echo: the request body's length does not match "
                         "its Content-Length header")

    def test_uploadOfFailedRequest(self):
        """
        When the request fails before its body was asked for, the upload is
        dropped and JS is told to cancel its stream.
        """
        ops = FetchOps("app", Fetcher(self.clock, EgressPolicy(), agentFactory=lambda: _Refusing(), timeout=5),
                       self.clock, 2, 60, 1024).ops()
        d = ops["fetch"](self.call("fetch", [3, "POST", "http://up.test/", [], True, "follow", 0, 1, 100]))
        self.failureResultOf(d, HostCallError)
        self.assertEqual(self.sent, [["fetch_body_cancel", 3, "fetch: the request failed before its body was sent"]])
        self.assertEqual(self.scope.data["fetch"].uploads, {})

    def test_scopeCloseCancelsBodies(self):
        """
        When the isolate closes, its bodies still streaming are cancelled, and its
        request bodies still uploading fail their requests.
        """
        self.successResultOf(self.fetch("http://up.test/partial", window=1))
        body = self.scope.data["fetch"].bodies[1]
        d = self.fetch("http://up.test/echo", method="POST", body=True, handle=2)
        upload = self.scope.data["fetch"].uploads[2]
        self.scope.close()
        self.assertEqual((body.state, upload.state), ("done", "done"))
        self.failureResultOf(d, HostCallError)


class FamilyTests(SynchronousTestCase):
    """
    L{fetchOps} builds the family for an app from its config.
    """

    def test_registered(self):
        """
        Importing L{nano.fetch} registers the family once.
        """
        self.assertEqual(hostops.FAMILIES.count(nano.fetch.fetchOps), 1)

    def test_ops(self):
        """
        The family offers the six operations; the app's egress config replaces
        the top-level one.
        """
        app = AppConfig("a", (), "/tmp", limits=Limits(subrequests=3, timeout_ms=2000),
                        egress=EgressConfig(True, ()))
        config = NanoConfig(path=None, egress=EgressConfig(False, ()), apps=(app,))
        ops = fetchOps(HostContext(MemoryReactorClock(), app, config))
        self.assertEqual(sorted(ops), ["fetch", "fetch_body_close", "fetch_body_error", "fetch_body_write",
                                       "fetch_cancel", "fetch_credit"])
        fetchOpsObject = ops["fetch"].__self__
        self.assertEqual(fetchOpsObject._fetcher.policy, EgressPolicy(True, (), ()))
        self.assertEqual(fetchOpsObject._fetcher.timeout, 2.0)
        other = AppConfig("b", (), "/tmp")
        ops = fetchOps(HostContext(MemoryReactorClock(), other, config))
        self.assertEqual(ops["fetch"].__self__._fetcher.policy, EgressPolicy())

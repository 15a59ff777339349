"""
Tests for L{nano.resources.app}, L{nano.resources.vhost} and L{nano.resources.site}
with real twisted.web requests on a L{DummyChannel} and a L{FakeIsolate}.
"""

import json
import os
import tempfile
from io import BytesIO

import attrs
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport
from twisted.trial.unittest import SynchronousTestCase
from twisted.web.test.requesthelper import DummyChannel
from zope.interface.verify import verifyObject

from nano.app import App
from nano.config import singleAppConfig
from nano.interfaces import IIsolate, IResponseSink
from nano.isolate.runtime import IsolateFailure, ScriptError
from nano.registry import AppRegistry
from nano.resources.app import AppResource, _RequestState, requestURL
from nano.resources.site import SMALL_BODY, NanoRequest, NanoSite
from nano.resources.vhost import HostRouter
from nano.testing import FakeIsolate


def _appConfig(**limits):
    directory = os.path.join(tempfile.mkdtemp(prefix="nano-test-"), "app")
    os.makedirs(directory)
    with open(os.path.join(directory, "index.js"), "w") as f:
        f.write("export default {fetch() {}}\n")
    config = singleAppConfig(directory).apps[0]
    if limits:
        config = attrs.evolve(config, limits=attrs.evolve(config.limits, **limits))
    return attrs.evolve(config, hostnames=("a.test",))


def _readyApp(clock, **limits):
    app = App(clock, _appConfig(**limits))
    app.isolate = FakeIsolate()
    app.state = "ready"
    return app


def _request(method=b"GET", uri=b"/path?q=1", host=b"a.test", headers=(), body=b""):
    channel = DummyChannel()
    request = NanoRequest(channel, False)
    request.testTransport = channel.transport
    request.method = method
    request.uri = uri
    request.path = uri.split(b"?")[0]
    request.clientproto = b"HTTP/1.1"
    if host is not None:
        request.requestHeaders.setRawHeaders(b"host", [host])
    for name, value in headers:
        request.requestHeaders.addRawHeader(name, value)
    request.content = BytesIO(body)
    return request


def _written(request):
    return request.testTransport.written.getvalue()


class InterfaceTests(SynchronousTestCase):
    """
    The implementations provide their interfaces.
    """

    def test_fakeIsolate(self):
        """
        L{FakeIsolate} provides L{IIsolate}.
        """
        self.assertTrue(verifyObject(IIsolate, FakeIsolate()))

    def test_requestState(self):
        """
        The leaf's per-request state is an L{IResponseSink}.
        """
        clock = Clock()
        state = _RequestState(AppResource(_readyApp(clock), clock), _request(), 0)
        self.assertTrue(verifyObject(IResponseSink, state))


class RequestURLTests(SynchronousTestCase):
    """
    L{requestURL} rebuilds the URL the client asked for.
    """

    def test_hostAndQuery(self):
        """
        Scheme, the Host as sent (lowercased, port kept), path and query.
        """
        self.assertEqual(requestURL(_request(uri=b"/a/b?x=1", host=b"A.Test:8080")), "http://a.test:8080/a/b?x=1")

    def test_absoluteForm(self):
        """
        An absolute-form target is used as it is.
        """
        self.assertEqual(requestURL(_request(uri=b"http://b.test/x")), "http://b.test/x")

    def test_badHost(self):
        """
        A Host with spaces or slashes cannot form a URL.
        """
        from nano.resources.app import BadTarget

        self.assertRaises(BadTarget, requestURL, _request(host=b"a b/c"))


class AppResourceTests(SynchronousTestCase):
    """
    L{AppResource} turns requests into isolate messages and writes the replies.
    """

    def setUp(self):
        self.clock = Clock()
        self.app = _readyApp(self.clock, timeout_ms=1000)
        self.resource = AppResource(self.app, self.clock, accessLog=False)

    def render(self, **kw):
        request = _request(**kw)
        self.resource.render(request)
        return request

    def test_messageToIsolate(self):
        """
        Method, full URL, every header (repeats kept, names lowercased) and the body
        reach the isolate.
        """
        self.render(method=b"POST", headers=[(b"X-A", b"1"), (b"X-A", b"2")], body=b"data")
        (method, url, headers, body, sink), = self.app.isolate.requests.values()
        self.assertEqual((method, url, body), ("POST", "http://a.test/path?q=1", b"data"))
        pairs = list(zip(headers[0::2], headers[1::2]))
        self.assertIn(("x-a", "1"), pairs)
        self.assertIn(("x-a", "2"), pairs)
        self.assertEqual(self.app.inflight, 1)

    def test_response(self):
        """
        Status, reason, every header (framing headers dropped) and the body with its
        length are written; the request finishes.
        """
        request = self.render()
        self.app.isolate.respond(1, 201, [("set-cookie", "a=1"), ("set-cookie", "b=2"),
                                          ("transfer-encoding", "chunked")], b"made", "Created")
        out = _written(request)
        self.assertTrue(out.startswith(b"HTTP/1.1 201 Created\r\n"), out)
        head, body = out.split(b"\r\n\r\n", 1)
        lines = head.split(b"\r\n")[1:]
        self.assertEqual([line for line in lines if line.startswith(b"set-cookie:")],
                         [b"set-cookie: a=1", b"set-cookie: b=2"])
        self.assertNotIn(b"transfer-encoding: chunked", lines)
        self.assertIn(b"content-length: 4", lines)
        self.assertEqual(body, b"made")
        self.assertTrue(request.finished)
        self.assertEqual((self.app.inflight, self.app.requests, self.app.errors), (0, 1, 0))

    def test_scriptError(self):
        """
        A script error is a 500 with the short message only (the stack stays in the
        log unless --dev).
        """
        request = self.render()
        self.app.isolate.fail(1, ScriptError("exception", "TypeError: bad", "TypeError: bad\n    at f (index.js:1:1)"))
        out = _written(request)
        self.assertIn(b" 500 ", out.split(b"\r\n")[0])
        self.assertTrue(out.endswith(b"TypeError: bad\n"))
        self.assertEqual(self.app.errors, 1)
        self.flushLoggedErrors()

    def test_scriptErrorDev(self):
        """
        With --dev the 500 body has the stack.
        """
        resource = AppResource(self.app, self.clock, dev=True, accessLog=False)
        request = _request()
        resource.render(request)
        self.app.isolate.fail(1, ScriptError("exception", "TypeError: bad", "TypeError: bad\n    at f (index.js:1:1)"))
        self.assertIn(b"at f (index.js:1:1)", _written(request))

    def test_isolateFailure(self):
        """
        A request failed by a dying isolate gets 503 with Retry-After.
        """
        request = self.render()
        self.app.isolate.fail(1, IsolateFailure("cpu", "the app exceeded its CPU time limit"))
        self.assertIn(b" 503 ", _written(request).split(b"\r\n")[0])
        self.assertEqual(request.responseHeaders.getRawHeaders(b"retry-after"), [b"1"])

    def test_wallTimeout(self):
        """
        No response within timeout_ms is a 504; the isolate hears the cancellation
        and a late reply is ignored.
        """
        request = self.render()
        self.clock.advance(0.9)
        self.assertFalse(request.finished)
        self.clock.advance(0.2)
        self.assertIn(b" 504 ", _written(request).split(b"\r\n")[0])
        self.assertEqual(self.app.isolate.cancelled, [1])

    def test_clientGone(self):
        """
        A client that disconnects cancels its request in the isolate.
        """
        request = self.render()
        request.connectionLost(Exception("gone"))
        self.assertEqual(self.app.isolate.cancelled, [1])
        self.assertEqual(self.app.inflight, 0)

    def test_badHost(self):
        """
        A Host that cannot form a URL is a 400 JSON error.
        """
        request = self.render(host=b"bad host")
        out = _written(request)
        self.assertIn(b" 400 ", out.split(b"\r\n")[0])
        self.assertEqual(json.loads(out.split(b"\r\n\r\n", 1)[1]), {"error": "malformed Host header"})

    def test_failedApp(self):
        """
        An app that failed to load answers 503 naming the load error.
        """
        self.app.state = "failed"
        self.app.loadError = "index.js:1:2: SyntaxError: x"
        request = self.render()
        out = _written(request)
        self.assertIn(b" 503 ", out.split(b"\r\n")[0])
        self.assertIn(b"index.js:1:2: SyntaxError: x", out)


class StreamedResponseTests(SynchronousTestCase):
    """
    A response whose body is a JS stream goes out chunk by chunk.
    """

    def setUp(self):
        self.clock = Clock()
        self.app = _readyApp(self.clock, timeout_ms=1000)
        self.resource = AppResource(self.app, self.clock, accessLog=False)

    def start(self, method=b"GET", status=200):
        request = _request(method=method)
        self.resource.render(request)
        sink = self.app.isolate.respondStreamed(1, status, [("content-type", "text/event-stream")])
        return request, sink

    def test_chunks(self):
        """
        Headers go out at once (chunked, no length), each chunk as it comes, and the
        request finishes when the stream ends; the app counts it in flight until then.
        """
        request, sink = self.start()
        self.assertIn(b"Transfer-Encoding: chunked", _written(request))
        self.assertIn(b"content-type: text/event-stream", _written(request).lower())
        self.assertEqual(self.app.isolate.granted[1], 1024 * 1024)
        self.assertEqual(self.app.inflight, 1)
        sink.bodyChunk(b"data: 1\n\n")
        self.assertTrue(_written(request).endswith(b"9\r\ndata: 1\n\n\r\n"))
        sink.bodyEnd()
        self.assertTrue(request.finished)
        self.assertTrue(_written(request).endswith(b"0\r\n\r\n"))
        self.assertEqual((self.app.inflight, self.app.errors), (0, 0))

    def test_noWallTimeoutWhileStreaming(self):
        """
        Once the headers are out, the wall limit (time to response headers) no
        longer applies.
        """
        request, sink = self.start()
        self.clock.advance(5)
        self.assertFalse(request.finished)
        self.assertNotIn(b"504", _written(request))

    def test_clientGone(self):
        """
        A client that disconnects mid-stream cancels the request in JS once (its
        signal aborts and its stream is cancelled).
        """
        request, sink = self.start()
        request.connectionLost(Exception("gone"))
        self.assertEqual(self.app.isolate.cancelled, [1])
        self.assertEqual(self.app.inflight, 0)

    def test_failed(self):
        """
        A stream that fails midway aborts the connection (no terminating chunk) and
        is logged with the app name.
        """
        request, sink = self.start()
        sink.bodyChunk(b"part")
        sink.bodyFailed(ScriptError("stream", "TypeError: bad chunk", "TypeError: bad chunk\n  at x"))
        self.assertFalse(request.finished)
        self.assertNotIn(b"0\r\n\r\n", _written(request))
        self.assertTrue(request.testTransport.disconnected)
        self.assertEqual((self.app.inflight, self.app.errors), (0, 1))

    def test_head(self):
        """
        A HEAD request gets the headers; the JS stream is cancelled unread.
        """
        request, sink = self.start(method=b"HEAD")
        self.assertTrue(request.finished)
        self.assertEqual(self.app.isolate.streamCancels, [(1, "the response has no body")])
        self.assertEqual(self.app.isolate.granted, {})


class HostRouterTests(SynchronousTestCase):
    """
    L{HostRouter} routes by Host.
    """

    def test_unknownHost(self):
        """
        An unknown host gets 404 JSON naming the (normalized) host.
        """
        clock = Clock()
        router = HostRouter(AppRegistry(), clock)
        request = _request(host=b"Nobody.Test:81")
        router.getChildWithDefault(b"path", request).render(request)
        out = _written(request)
        self.assertIn(b" 404 ", out.split(b"\r\n")[0])
        self.assertEqual(json.loads(out.split(b"\r\n\r\n", 1)[1]), {"error": "no app for host", "host": "nobody.test"})

    def test_appLeaf(self):
        """
        A known host gets that app's leaf (one leaf per app, reused).
        """
        clock = Clock()
        registry = AppRegistry()
        app = _readyApp(clock)
        registry.add(app)
        router = HostRouter(registry, clock)
        leaf = router.getChildWithDefault(b"x", _request(host=b"A.TEST"))
        self.assertIsInstance(leaf, AppResource)
        self.assertIs(leaf.app, app)
        self.assertIs(router.getChildWithDefault(b"y", _request()), leaf)

    def test_routedAgainAfterReplace(self):
        """
        A request routed when its headers arrived to a version that has been
        replaced since (its body was still arriving) reaches the new version; a
        request for a removed, draining app gets its 503 with Retry-After.
        """
        clock = Clock()
        registry = AppRegistry()
        old, new = _readyApp(clock), _readyApp(clock)
        registry.add(old)
        router = HostRouter(registry, clock)
        request = _request()
        request.nanoApp = registry.match(b"a.test")
        registry.add(new)
        old.state = "draining"
        self.assertIs(router.leafFor(request).app, new)
        registry.retire(new.name)
        new.state = "draining"
        request = _request()
        request.nanoApp = new
        leaf = router.leafFor(request)
        self.assertIs(leaf.app, new)
        leaf.render(request)
        out = _written(request)
        self.assertIn(b" 503 ", out.split(b"\r\n")[0])
        self.assertIn(b"retry-after: 1", out.lower())


class _Transport(StringTransport):
    def abortConnection(self):
        self.aborted = True
        self.loseConnection()


class BodyLimitTests(SynchronousTestCase):
    """
    L{NanoRequest} refuses bodies over the app's max_body_mb while they arrive.
    """

    def setUp(self):
        clock = Clock()
        registry = AppRegistry()
        self.app = _readyApp(clock, max_body_mb=1)
        registry.add(self.app)
        self.site = NanoSite(HostRouter(registry, clock), reactor=clock)
        self.channel = self.site.buildProtocol(None)
        self.transport = _Transport()
        self.channel.makeConnection(self.transport)

    def test_contentLength(self):
        """
        A Content-Length over the limit is refused with 413 at once and the
        connection closes; the app never sees the request.
        """
        self.channel.dataReceived(b"POST / HTTP/1.1\r\nHost: a.test\r\nContent-Length: 1048577\r\n\r\nxx")
        out = self.transport.value()
        self.assertTrue(out.startswith(b"HTTP/1.1 413 Payload Too Large\r\n"), out)
        self.assertIn(b'"limit_bytes": 1048576', out)
        self.assertTrue(self.transport.disconnecting)
        self.assertEqual(self.app.isolate.requests, {})

    def test_chunked(self):
        """
        A chunked body is counted as it arrives and refused when it passes the limit:
        413, the JS body stream errors, the handler is cancelled and nothing more is
        forwarded.
        """
        self.channel.dataReceived(b"POST / HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\n\r\n")
        self.channel.dataReceived(b"100000\r\n" + b"x" * 0x100000 + b"\r\n")
        self.assertEqual(self.transport.value(), b"")
        self.channel.dataReceived(b"1\r\ny\r\n")
        self.assertIn(b"413", self.transport.value())
        self.channel.dataReceived(b"3e8\r\n" + b"z" * 1000 + b"\r\n")
        chunks = self.app.isolate.bodies[1]
        self.assertEqual(sum(len(c) for c in chunks[:-1]), 0x100000)
        self.assertEqual(chunks[-1][0], "error")
        self.assertEqual(self.app.isolate.cancelled, [1])
        self.assertEqual(self.app.inflight, 0)


class StreamedBodyTests(SynchronousTestCase):
    """
    A request body reaches the isolate as it arrives, paced by what JS asks for.
    """

    def setUp(self):
        clock = Clock()
        registry = AppRegistry()
        self.app = _readyApp(clock)
        registry.add(self.app)
        self.site = NanoSite(HostRouter(registry, clock), reactor=clock)
        self.channel = self.site.buildProtocol(None)
        self.transport = _Transport()
        self.channel.makeConnection(self.transport)

    def post(self, length, data=b""):
        self.channel.dataReceived(
            b"POST /up HTTP/1.1\r\nHost: a.test\r\nContent-Length: %d\r\n\r\n" % (length,) + data)

    def test_earlyDispatch(self):
        """
        The request reaches the app once its headers are in; the body follows chunk
        by chunk, then its end.
        """
        from nano.isolate.runtime import STREAMED

        rest = b"e" * SMALL_BODY
        self.post(4 + len(rest), b"abcd")
        ((method, url, headers, body, sink),) = self.app.isolate.requests.values()
        self.assertEqual((method, url, body), ("POST", "http://a.test/up", STREAMED))
        self.assertEqual(self.app.isolate.bodies[1], [b"abcd"])
        self.channel.dataReceived(rest)
        self.assertEqual(self.app.isolate.bodies[1], [b"abcd", rest, None])

    def test_smallBodyWhole(self):
        """
        A body of known length up to SMALL_BODY is read whole, and the request
        reaches the app in one message with it.
        """
        self.post(SMALL_BODY, b"x" * 1000)
        self.assertEqual(self.app.isolate.requests, {})
        self.channel.dataReceived(b"y" * (SMALL_BODY - 1000))
        ((method, url, headers, body, sink),) = self.app.isolate.requests.values()
        self.assertEqual(body, b"x" * 1000 + b"y" * (SMALL_BODY - 1000))

    def test_backpressure(self):
        """
        Once more than the stream's window was sent without JS asking for more, the
        connection stops being read; JS asking for more resumes it.
        """
        self.post(1024 * 1024, b"x" * (300 * 1024))
        self.assertEqual(self.transport.producerState, "paused")
        sink = self.app.isolate.requests[1][4]
        sink.bodyPulled(200 * 1024, 50 * 1024)
        self.assertEqual(self.transport.producerState, "paused")
        sink.bodyPulled(300 * 1024, 256 * 1024)
        self.assertEqual(self.transport.producerState, "producing")

    def test_responseBeforeBody(self):
        """
        A response complete before the body is written at once; the rest of the body
        is read and dropped, the request finishes when it is in, and the connection
        serves the next request.
        """
        self.post(SMALL_BODY + 6, b"ab")
        self.app.isolate.respond(1, 200, [], b"early")
        self.assertIn(b"early", self.transport.value())
        self.channel.dataReceived(b"c" * (SMALL_BODY + 4))
        self.assertEqual(self.app.isolate.bodies[1], [b"ab"])
        self.channel.dataReceived(b"GET /next HTTP/1.1\r\nHost: a.test\r\n\r\n")
        self.assertEqual([r[1] for r in self.app.isolate.requests.values()], ["http://a.test/next"])

    def test_bodyCancelled(self):
        """
        When JS cancels its body stream, the rest of the body is dropped and reading
        goes on.
        """
        self.post(1024 * 1024, b"x" * (300 * 1024))
        sink = self.app.isolate.requests[1][4]
        sink.bodyCancelled()
        self.assertEqual(self.transport.producerState, "producing")
        self.channel.dataReceived(b"y" * 1000)
        self.assertEqual(len(self.app.isolate.bodies[1]), 1)


class MetricsTests(SynchronousTestCase):
    """
    The app leaf counts requests, durations and limits in the app's stats.
    """

    def setUp(self):
        from nano.metrics import Metrics

        self.clock = Clock()
        self.metrics = Metrics()
        registry = AppRegistry()
        self.app = _readyApp(self.clock, timeout_ms=1000, max_body_mb=1)
        registry.add(self.app)
        self.site = NanoSite(HostRouter(registry, self.clock, metrics=self.metrics), reactor=self.clock)
        self.channel = self.site.buildProtocol(None)
        self.transport = _Transport()
        self.channel.makeConnection(self.transport)
        self.stats = self.metrics.app(self.app.name)

    def get(self):
        self.channel.dataReceived(b"GET / HTTP/1.1\r\nHost: a.test\r\n\r\n")

    def test_counted(self):
        """
        A request is in flight until answered, then counted with its status and
        duration.
        """
        self.get()
        self.assertEqual(self.stats.inflight, 1)
        self.clock.advance(0.02)
        self.app.isolate.respond(1, 201, [], b"x")
        self.assertEqual((self.stats.inflight, self.stats.requests), (0, {201: 1}))
        buckets, total = self.stats.histogram()
        self.assertAlmostEqual(total, 0.02)

    def test_wall(self):
        """
        A 504 counts as a wall limit exceeded.
        """
        self.get()
        self.clock.advance(1.1)
        self.assertEqual(self.stats.requests, {504: 1})
        self.assertEqual(self.stats.limits["wall"], 1)

    def test_bodyFromLength(self):
        """
        A body refused from its Content-Length counts as a 413 and a body limit.
        """
        self.channel.dataReceived(b"POST / HTTP/1.1\r\nHost: a.test\r\nContent-Length: 2000000\r\n\r\n")
        self.assertEqual((self.stats.requests, self.stats.limits["body"], self.stats.inflight), ({413: 1}, 1, 0))


class RequestIdTests(SynchronousTestCase):
    """
    Every request has an id: the client's X-Request-Id when it is sane, else a new
    one; it is returned in the response and given to log events.
    """

    def setUp(self):
        self.clock = Clock()
        self.app = _readyApp(self.clock)
        self.resource = AppResource(self.app, self.clock, accessLog=True)

    def idOf(self, value):
        headers = [] if value is None else [(b"X-Request-Id", value)]
        request = _request(headers=headers)
        self.resource.render(request)
        rid = max(self.app.isolate.requests)
        sink = self.app.isolate.requests[rid][4]
        self.app.isolate.respond(rid, 200, [], b"ok")
        return sink.requestId, _written(request)

    def test_honoured(self):
        """
        A printable X-Request-Id is kept and returned.
        """
        requestId, out = self.idOf(b"abc-123")
        self.assertEqual(requestId, "abc-123")
        self.assertIn(b"x-request-id: abc-123\r\n", out)

    def test_appsOwn(self):
        """
        An X-Request-Id the app's response sets is sent alone: NANO adds its id only to
        responses that have none.
        """
        request = _request(headers=[(b"X-Request-Id", b"client-1")])
        self.resource.render(request)
        rid = max(self.app.isolate.requests)
        self.app.isolate.respond(rid, 200, [("x-request-id", "from-app")], b"ok")
        lines = _written(request).split(b"\r\n\r\n", 1)[0].split(b"\r\n")
        self.assertEqual([line for line in lines if line.lower().startswith(b"x-request-id:")],
                         [b"x-request-id: from-app"])

    def test_replaced(self):
        """
        A missing, huge or control-character X-Request-Id is replaced by a new,
        distinct id.
        """
        ids = [self.idOf(value)[0] for value in (None, b"x" * 5000, b"a\x01b", b"a b")]
        self.assertEqual(len(set(ids)), 4)
        for requestId in ids:
            self.assertRegex(requestId, "^[0-9a-f]+$")

    def test_accessLog(self):
        """
        The access log event has the app, method, host, path, status, bytes,
        duration and request id.
        """
        from twisted.logger import globalLogPublisher

        events = []
        globalLogPublisher.addObserver(events.append)
        self.addCleanup(globalLogPublisher.removeObserver, events.append)
        self.idOf(b"req-1")
        (event,) = [e for e in events if e.get("request_id") == "req-1"]
        self.assertEqual((event["app"], event["method"], event["host"], event["path"], event["status"], event["bytes"]),
                         (self.app.name, "GET", "a.test", "/path?q=1", 200, 2))
        self.assertIn("duration_ms", event)


class AppHeaderLimitTests(SynchronousTestCase):
    """
    An app's own max_header_kb applies once its Host is known.
    """

    def test_appLimit(self):
        """
        A head within the site's limit but over the app's gets 431 and never reaches
        the app.
        """
        clock = Clock()
        registry = AppRegistry()
        app = _readyApp(clock, max_header_kb=1)
        registry.add(app)
        site = NanoSite(HostRouter(registry, clock), reactor=clock, maxHeaderBytes=64 * 1024)
        channel = site.buildProtocol(None)
        transport = _Transport()
        channel.makeConnection(transport)
        channel.dataReceived(b"GET / HTTP/1.1\r\nHost: a.test\r\nX-Big: " + b"v" * 2000 + b"\r\n\r\n")
        self.assertTrue(transport.value().startswith(b"HTTP/1.1 431 "), transport.value())
        self.assertEqual(app.isolate.requests, {})

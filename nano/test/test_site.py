"""
Tests for L{nano.resources.site}: the trimmed channel and request of the main
listener, driven with raw HTTP bytes over a L{StringTransport}.
"""

from twisted.internet.testing import StringTransport
from twisted.trial.unittest import SynchronousTestCase
from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET

from nano.resources import site as sitemodule
from nano.resources.site import NanoRequest, NanoSite


class _Leaf(Resource):
    """
    Answers every request with C{writeWhole} and the values it was given.
    """

    isLeaf = True

    def __init__(self, status=200, pairs=(), body=b"hello"):
        Resource.__init__(self)
        self.status = status
        self.pairs = pairs
        self.body = body
        self.seen = []

    def render(self, request):
        self.seen.append(request)
        request.writeWhole(self.status, None, list(self.pairs), self.body)
        return NOT_DONE_YET


class _Router:
    def __init__(self, leaf):
        self.leaf = leaf

    def appFor(self, request):
        return None

    def leafFor(self, request):
        return self.leaf


class _CountingTransport(StringTransport):
    hostCalls = 0

    def getHost(self):
        self.hostCalls += 1
        return StringTransport.getHost(self)


def _serve(leaf, data, **siteArgs):
    """
    Feed C{data} to a fresh channel of a L{NanoSite} (made with C{siteArgs})
    routing to C{leaf}; return the channel and its transport.
    """
    site = NanoSite(_Router(leaf), **siteArgs)
    channel = site.buildProtocol(None)
    transport = _CountingTransport()
    channel.makeConnection(transport)
    channel.dataReceived(data)
    return channel, transport


def _parse(raw):
    """
    Split raw HTTP responses into (status line, header lines, body) triples by
    content-length.
    """
    responses = []
    while raw:
        head, rest = raw.split(b"\r\n\r\n", 1)
        lines = head.split(b"\r\n")
        length = 0
        for line in lines[1:]:
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        responses.append((lines[0], lines[1:], rest[:length]))
        raw = rest[length:]
    return responses


class WriteWholeTests(SynchronousTestCase):
    """
    L{NanoRequest.writeWhole} writes a complete response in one write.
    """

    def test_response(self):
        """
        Status line, NANO's server and date headers, the app's headers in order
        (repeats kept), content-length and the body.
        """
        leaf = _Leaf(201, [("x-a", "1"), ("set-cookie", "a=1"), ("set-cookie", "b=2")], b"made")
        _, transport = _serve(leaf, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        ((status, headers, body),) = _parse(transport.value())
        self.assertEqual(status, b"HTTP/1.1 201 Created")
        names = [line.split(b":", 1)[0].lower() for line in headers]
        self.assertEqual(names[:2], [b"server", b"date"])
        self.assertEqual(headers[2:], [b"x-a: 1", b"set-cookie: a=1", b"set-cookie: b=2", b"content-length: 4"])
        self.assertEqual(body, b"made")
        self.assertTrue(leaf.seen[0].finished)

    def test_injectionDropped(self):
        """
        A header whose name or value contains CR or LF is not written (it could
        otherwise split the response).
        """
        leaf = _Leaf(200, [("x-ok", "1"), ("x-bad", "a\r\nx-evil: 1"), ("x-bad\n", "2"), ("x-cr", "a\rb")])
        _, transport = _serve(leaf, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        ((_, headers, _),) = _parse(transport.value())
        self.assertIn(b"x-ok: 1", headers)
        self.assertFalse([line for line in headers if b"evil" in line or b"x-bad" in line or b"x-cr" in line])

    def test_head(self):
        """
        A HEAD response has the headers, the length of the body it would have had,
        and no body.
        """
        leaf = _Leaf(200, [], b"12345")
        _, transport = _serve(leaf, b"HEAD / HTTP/1.1\r\nHost: a\r\n\r\n")
        out = transport.value()
        self.assertIn(b"content-length: 5\r\n", out)
        self.assertTrue(out.endswith(b"\r\n\r\n"))

    def test_noBodyStatus(self):
        """
        204 and 304 responses carry neither a body nor a content-length.
        """
        for status in (204, 304):
            _, transport = _serve(_Leaf(status, [], b"ignored"), b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            out = transport.value()
            self.assertNotIn(b"content-length", out.lower())
            self.assertTrue(out.endswith(b"\r\n\r\n"), out)

    def test_keepAlive(self):
        """
        Two requests on one connection get two complete responses, and the
        connection stays open.
        """
        _, transport = _serve(_Leaf(), b"GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n")
        self.assertEqual([r[2] for r in _parse(transport.value())], [b"hello", b"hello"])
        self.assertFalse(transport.disconnecting)

    def test_connectionClose(self):
        """
        A client that asks to close gets C{connection: close} and the connection
        closes after the response.
        """
        _, transport = _serve(_Leaf(), b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        ((_, headers, _),) = _parse(transport.value())
        self.assertIn(b"connection: close", [line.lower() for line in headers])
        self.assertTrue(transport.disconnecting)


class ChannelTests(SynchronousTestCase):
    """
    L{NanoChannel} asks the transport for its local address once per connection.
    """

    def test_hostCached(self):
        """
        However many requests a connection carries, C{getHost} reaches the
        transport once, and every request still sees the address.
        """
        leaf = _Leaf()
        _, transport = _serve(leaf, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n" * 3)
        self.assertEqual(transport.hostCalls, 1)
        self.assertEqual([r.getHost() for r in leaf.seen], [transport.getHost()] * 3)


class DateTests(SynchronousTestCase):
    """
    The date header is formatted once per second.
    """

    def test_perSecond(self):
        """
        Within one second the same bytes are reused; the next second formats anew.
        """
        now = [1000000000.2]
        self.patch(sitemodule.time, "time", lambda: now[0])
        first = sitemodule._httpDate()
        now[0] = 1000000000.9
        self.assertIs(sitemodule._httpDate(), first)
        now[0] = 1000000001.0
        second = sitemodule._httpDate()
        self.assertEqual(first, b"Sun, 09 Sep 2001 01:46:40 GMT")
        self.assertEqual(second, b"Sun, 09 Sep 2001 01:46:41 GMT")


class _Pending(Resource):
    """
    Holds every request until the test answers it.
    """

    isLeaf = True

    def __init__(self):
        Resource.__init__(self)
        self.requests = []

    def render(self, request):
        self.requests.append(request)
        return NOT_DONE_YET


class ConnectionTrackingTests(SynchronousTestCase):
    """
    L{NanoSite} knows its open connections and drains them.
    """

    def setUp(self):
        self.leaf = _Pending()
        self.site = NanoSite(_Router(self.leaf))

    def connect(self):
        channel = self.site.buildProtocol(None)
        channel.makeConnection(StringTransport())
        return channel

    def test_tracked(self):
        """
        A connection is tracked from connectionMade to connectionLost.
        """
        channel = self.connect()
        self.assertEqual(self.site.channels, {channel})
        channel.connectionLost(None)
        self.assertEqual(self.site.channels, set())

    def test_drain(self):
        """
        Idle connections close at once; a busy one closes after its response,
        which says connection: close; the drain fires once all are gone.
        """
        idle, busy = self.connect(), self.connect()
        busy.dataReceived(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        d = self.site.drain()
        self.assertTrue(idle.transport.disconnecting)
        self.assertFalse(busy.transport.disconnecting)
        idle.connectionLost(None)
        self.assertNoResult(d)
        self.leaf.requests[0].writeWhole(200, None, [], b"ok")
        self.assertIn(b"connection: close\r\n", busy.transport.value().lower())
        self.assertTrue(busy.transport.disconnecting)
        busy.connectionLost(None)
        self.successResultOf(d)

    def test_drainEmpty(self):
        """
        Without connections the drain is done at once; a connection accepted
        afterwards (before the port closed) is closed when idle.
        """
        self.successResultOf(self.site.drain())
        late = self.connect()
        self.assertTrue(late.transport.disconnecting)

    def test_abortAll(self):
        """
        L{NanoSite.abortAll} aborts every open connection.
        """
        channel = self.connect()
        channel.dataReceived(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        self.site.abortAll()
        self.assertTrue(channel.transport.disconnected)


class HeaderLimitTests(SynchronousTestCase):
    """
    Oversized request heads get 431 (414 for a request line) and the connection
    closes; the app never sees them.
    """

    def serve(self, data, limit=1024):
        leaf = _Leaf()
        _, transport = _serve(leaf, data, maxHeaderBytes=limit)
        return leaf, transport

    def test_block(self):
        """
        Many headers adding up past the limit: 431.
        """
        headers = b"".join(b"X-%d: %s\r\n" % (i, b"v" * 50) for i in range(40))
        leaf, transport = self.serve(b"GET / HTTP/1.1\r\nHost: a\r\n" + headers + b"\r\n")
        self.assertTrue(transport.value().startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n"))
        self.assertTrue(transport.disconnecting)
        self.assertEqual(leaf.seen, [])

    def test_longHeaderLine(self):
        """
        One header line past the limit: 431.
        """
        leaf, transport = self.serve(b"GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + b"v" * 2000 + b"\r\n\r\n")
        self.assertTrue(transport.value().startswith(b"HTTP/1.1 431 "), transport.value())
        self.assertEqual(leaf.seen, [])

    def test_longRequestLine(self):
        """
        A request line past the limit: 414.
        """
        leaf, transport = self.serve(b"GET /" + b"a" * 2000 + b" HTTP/1.1\r\nHost: a\r\n\r\n")
        self.assertTrue(transport.value().startswith(b"HTTP/1.1 414 URI Too Long\r\n"), transport.value())
        self.assertEqual(leaf.seen, [])

    def test_withinLimit(self):
        """
        A head within the limit is served.
        """
        leaf, transport = self.serve(b"GET / HTTP/1.1\r\nHost: a\r\nX-Ok: " + b"v" * 500 + b"\r\n\r\n")
        self.assertTrue(transport.value().startswith(b"HTTP/1.1 200 OK"))

    def test_malformed(self):
        """
        A malformed request line gets 400.
        """
        leaf, transport = self.serve(b"NONSENSE\r\n\r\n")
        self.assertTrue(transport.value().startswith(b"HTTP/1.1 400 "), transport.value())
        self.assertEqual(leaf.seen, [])


class WriteChunkTests(SynchronousTestCase):
    """
    L{NanoRequest.writeChunk} writes streamed chunks straight to an idle socket, and
    through the transport's buffer otherwise.
    """

    def startedRequest(self, transport):
        """
        A GET request on a new channel connected to C{transport}, its 200 status
        and headers written; return it.
        """
        channel = NanoSite(_Router(_Leaf())).buildProtocol(None)
        channel.makeConnection(transport)
        request = NanoRequest(channel, False)
        request.method = b"GET"
        request.clientproto = b"HTTP/1.1"
        channel.requests.append(request)
        request.setResponseCode(200)
        request.write(b"")
        return request

    def test_buffered(self):
        """
        Without a socket (or with a backlog) the chunk is copied into the
        transport's buffer, framed as a chunk.
        """
        transport = StringTransport()
        request = self.startedRequest(transport)
        before = len(transport.value())
        request.writeChunk(memoryview(b"hello"))
        self.assertEqual(transport.value()[before:], b"5\r\nhello\r\n")
        self.assertEqual(request.sentLength, 5)

    def test_directToSocket(self):
        """
        With an idle transport the chunk goes to the socket with one sendmsg, and
        what the socket did not take is buffered in order.
        """
        class Sock:
            def __init__(self, take):
                self.take = take
                self.sent = []

            def sendmsg(self, pieces):
                data = b"".join(bytes(p) for p in pieces)
                self.sent.append(data[:self.take])
                return min(self.take, len(data))

        transport = StringTransport()
        transport.dataBuffer = b""
        transport.offset = 0
        transport._tempDataBuffer = []
        request = self.startedRequest(transport)
        headers = transport.value()
        transport.socket = Sock(take=4)
        request.writeChunk(memoryview(b"abcdef"))
        self.assertEqual(transport.socket.sent, [b"6\r\na"])
        self.assertEqual(transport.value()[len(headers):], b"bcdef\r\n")

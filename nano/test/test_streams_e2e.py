"""
End-to-end tests of streamed bodies: a real C{twistd -n nano} serving the
C{e2e-stream} app, spoken to over real sockets on 127.0.0.1.
"""

import http.client
import json
import os
import socket
import time

from twisted.trial.unittest import SynchronousTestCase

from nano.test.e2e import APPS, TwistdProcess, readUntil, writeConfig


def _startServer(testCase):
    """
    Start a twistd serving the C{e2e-stream} app at C{s.test} (bodies up to 1
    MiB) for C{testCase}, stopped when the test ends; return it.
    """
    directory = os.path.abspath(testCase.mktemp())
    os.makedirs(directory)
    config = writeConfig(directory, {
        "listen": ["tcp:0:interface=127.0.0.1"], "admin": None,
        "apps": [{"name": "stream", "hostnames": ["s.test"], "path": os.path.join(APPS, "e2e-stream"),
                  "limits": {"max_body_mb": 1}}],
    })
    server = TwistdProcess(["--config", config])
    server.start()
    testCase.addCleanup(server.stop)
    return server


class StreamedResponseTests(SynchronousTestCase):
    """
    Responses whose body is a ReadableStream.
    """

    def setUp(self):
        self.server = _startServer(self)

    def connect(self, path, method=b"GET", extra=b""):
        sock = socket.create_connection(("127.0.0.1", self.server.port))
        self.addCleanup(sock.close)
        sock.sendall(method + b" " + path + b" HTTP/1.1\r\nHost: s.test\r\n" + extra + b"\r\n")
        return sock

    def stats(self):
        return json.loads(self.server.request("GET", "/stats", host="s.test")[3])

    def test_firstChunkAtOnce(self):
        """
        Headers and the first event leave as soon as the app produces them (well
        under 50 ms), before the later events exist; the body ends with the last
        chunk of chunked encoding.
        """
        started = time.monotonic()
        sock = self.connect(b"/sse")
        first = readUntil(sock, b"data: 0", timeout=5.0)
        latency = time.monotonic() - started
        self.assertIn(b"Transfer-Encoding: chunked", first)
        self.assertNotIn(b"data: 1", first)
        self.assertLess(latency, 0.05)
        rest = readUntil(sock, b"0\r\n\r\n", timeout=5.0)
        self.assertIn(b"data: 2", rest)
        self.assertGreater(time.monotonic() - started, 0.5)

    def test_slowReader(self):
        """
        A client that stops reading stops the app's pull() calls: once the window
        and the socket buffers are full, the count stays put while the client
        waits, and moves again when it reads.
        """
        sock = self.connect(b"/endless")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        readUntil(sock, b"\r\n\r\n", timeout=5.0)
        time.sleep(0.5)
        first = self.stats()["pulls"]
        time.sleep(0.5)
        second = self.stats()["pulls"]
        self.assertEqual(first, second)
        self.assertLess(second, 400)
        sock.settimeout(5)
        received = 0
        while received < 8 * 1024 * 1024:
            received += len(sock.recv(1 << 20))
        time.sleep(0.2)
        self.assertGreater(self.stats()["pulls"], second)

    def test_disconnect(self):
        """
        A client that goes away mid-stream cancels the JS stream (its cancel runs
        with an AbortError) and aborts the request's signal.
        """
        sock = self.connect(b"/endless")
        readUntil(sock, b"\r\n\r\n", timeout=5.0)
        sock.close()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            stats = self.stats()
            if stats["cancels"] and stats["aborts"]:
                break
            time.sleep(0.05)
        self.assertEqual((stats["cancels"], stats["aborts"]), (["AbortError"], 1))

    def test_failMidway(self):
        """
        A stream that errors after some bytes aborts the connection: the client
        sees a truncated body (no last chunk), never a complete one, and the error
        is logged with the app name.
        """
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=5)
        conn.request("GET", "/fail-midway", headers={"Host": "s.test"})
        response = conn.getresponse()
        self.assertEqual(response.status, 200)
        # The connection is aborted (a reset, or a close before the last chunk).
        self.assertRaises((http.client.IncompleteRead, ConnectionResetError), response.read)
        self.assertTrue(self.server.waitForOutput("RangeError: the source broke"))
        self.assertIn("stream", self.server.output)

    def test_notBytes(self):
        """
        A chunk that is not a Uint8Array aborts the response with a TypeError in
        the log.
        """
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=5)
        conn.request("GET", "/not-bytes", headers={"Host": "s.test"})
        response = conn.getresponse()
        self.assertRaises((http.client.IncompleteRead, ConnectionResetError), response.read)
        self.assertTrue(self.server.waitForOutput("must produce Uint8Array chunks"))


    def test_contentEncoding(self):
        """
        As on Cloudflare Workers, a body whose Content-Encoding is gzip or br leaves
        compressed that way (chunked), whether the app gave text or a stream; other
        encodings and encodeBody "manual" bodies leave as they are; HEAD gets the
        headers only.
        """
        import gzip

        import brotli

        text = b"encode me " * 300

        def get(query, method="GET"):
            conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
            conn.request(method, "/encoded?" + query, headers={"Host": "s.test"})
            response = conn.getresponse()
            body = response.read()
            conn.close()
            return response.getheader("content-encoding"), response.getheader("transfer-encoding"), body

        encoding, framing, body = get("e=gzip&kind=text")
        self.assertEqual((encoding, framing, gzip.decompress(body)), ("gzip", "chunked", text))
        encoding, _, body = get("e=br&kind=text")
        self.assertEqual((encoding, brotli.decompress(body)), ("br", text))
        encoding, _, body = get("e=gzip&kind=stream")
        self.assertEqual((encoding, gzip.decompress(body)), ("gzip", text))
        self.assertEqual(get("e=deflate&kind=text")[::2], ("deflate", text))
        encoding, _, body = get("kind=manual")
        self.assertEqual((encoding, gzip.decompress(body)), ("gzip", text))
        self.assertEqual(get("e=gzip&kind=text", method="HEAD")[::2], ("gzip", b""))


class StreamedRequestTests(SynchronousTestCase):
    """
    Request bodies stream into the app.
    """

    def setUp(self):
        self.server = _startServer(self)

    def test_echoThroughTransform(self):
        """
        A chunked upload comes back unchanged through a TransformStream.
        """
        payload = os.urandom(600 * 1024)
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)

        def chunks():
            for i in range(0, len(payload), 50000):
                yield payload[i:i + 50000]

        conn.request("POST", "/echo", body=chunks(), headers={"Host": "s.test"}, encode_chunked=True)
        response = conn.getresponse()
        self.assertEqual((response.status, response.read()), (200, payload))

    def test_chunkedOverLimit(self):
        """
        A chunked body over max_body_mb gets 413 while it arrives, and the app's
        read of it fails.
        """
        sock = socket.create_connection(("127.0.0.1", self.server.port))
        self.addCleanup(sock.close)
        sock.sendall(b"POST /length HTTP/1.1\r\nHost: s.test\r\nTransfer-Encoding: chunked\r\n\r\n")
        block = b"x" * 65536
        try:
            for _ in range(20):
                sock.sendall(b"10000\r\n" + block + b"\r\n")
        except OSError:
            pass
        reply = readUntil(sock, b"}", timeout=5)
        self.assertTrue(reply.startswith(b"HTTP/1.1 413 "), reply[:100])

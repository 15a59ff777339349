"""
End-to-end tests of streamed C{fetch()} bodies: a real C{twistd -n nano} whose app
(C{apps/e2e-proxy}) proxies requests to a real twisted.web upstream
(L{nano.test.fetch_upstream}) on 127.0.0.1, streaming uploads to it and its
responses back, with backpressure both ways and without buffering whole bodies.
"""

import hashlib
import http.client
import json
import socket
import threading
import time

from twisted.trial.unittest import SynchronousTestCase

from nano.test.e2e import startSharedServer, startSharedUpstream, waitUntil

_MiB = 1 << 20
_shared = {}


def _start():
    if "server" in _shared:
        return _shared["server"], _shared["upstream"]
    port = startSharedUpstream()
    base = "http://127.0.0.1:%d" % (port,)
    egress = {"allow": ["127.0.0.1/32"]}
    config = {
        "listen": ["tcp:0:interface=127.0.0.1"],
        "admin": None,
        "apps": [
            {"name": "proxy", "hostnames": ["proxy.test"], "path": "app", "egress": egress,
             "env": {"UPSTREAM": base}, "limits": {"max_body_mb": 100, "timeout_ms": 5000}},
            {"name": "small", "hostnames": ["small.test"], "path": "app", "egress": egress,
             "env": {"UPSTREAM": base}, "limits": {"max_body_mb": 2, "timeout_ms": 5000}},
        ],
    }
    server = startSharedServer({"e2e-proxy": "app"}, config, prefix="nano-fetch-stream-e2e-")
    _shared.update(server=server, upstream=base)
    return server, base


def _rss(pid):
    """
    The resident set size of process C{pid}, in bytes.
    """
    with open("/proc/%d/status" % (pid,)) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS for %d" % (pid,))


class _PeakRSS:
    """
    Samples a process's RSS every 20 ms while in a C{with} block.
    """

    def __init__(self, pid):
        self._pid = pid
        self.peak = 0
        self._stop = threading.Event()

    def _run(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, _rss(self._pid))

    def __enter__(self):
        self.peak = _rss(self._pid)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def _pattern(size):
    """
    C{size} bytes that are not all alike (so a mix-up would show in the hash).
    """
    block = hashlib.sha256(b"nano").digest() * (_MiB // 32)
    whole, rest = divmod(size, len(block))
    return block * whole + block[:rest]


class StreamingProxyTests(SynchronousTestCase):
    """
    An app that proxies with fetch() streams bodies both ways.
    """

    def setUp(self):
        self.server, self.upstream = _start()

    def get(self, path, host="proxy.test"):
        status, _, _, body = self.server.request("GET", path, host=host)
        self.assertEqual(status, 200, body)
        return json.loads(body)

    def stats(self):
        return self.get("/p1/stats")

    def send(self, method, path, chunks, length=None, host="proxy.test"):
        """
        One request whose body is sent from the iterable C{chunks} (chunked when
        C{length} is None); returns (status, headers, sha256 and length of the
        response body), reading the body as it comes.
        """
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        headers = {"Host": host}
        if length is not None:
            headers["Content-Length"] = str(length)
        conn.request(method, path, body=chunks, headers=headers, encode_chunked=length is None)
        response = conn.getresponse()
        digest = hashlib.sha256()
        total = 0
        while True:
            block = response.read(256 * 1024)
            if not block:
                break
            digest.update(block)
            total += len(block)
        conn.close()
        return response.status, dict(response.getheaders()), digest.hexdigest(), total

    def test_proxyBothWays(self):
        """
        return fetch(url, request) streams a 50 MB upload to the upstream and the
        upstream's 50 MB answer back (the app's max_body_mb is 100); the twistd
        process grows by far less than one body while doing so, and the upstream
        got the client's Content-Length.
        """
        data = _pattern(50 * _MiB)
        self.stats()  # the app is loaded and its first fetch made
        pid = self.server.process.pid
        before = _rss(pid)
        chunks = (data[i:i + 256 * 1024] for i in range(0, len(data), 256 * 1024))
        with _PeakRSS(pid) as peak:
            status, headers, digest, total = self.send("POST", "/p1/mirror", chunks, length=len(data))
        self.assertEqual((status, total, digest), (200, len(data), hashlib.sha256(data).hexdigest()))
        growth = peak.peak - before
        self.assertLess(growth, 25 * _MiB, "twistd grew by %.1f MiB" % (growth / _MiB,))
        result = json.loads(self.server.request("PUT", "/p1/upload", host="proxy.test", body=b"abcdef")[3])
        self.assertEqual((result["method"], result["length"], result["contentLength"]), ("PUT", 6, "6"))

    def test_uploadBackpressure(self):
        """
        While the upstream reads nothing of a proxied 50 MB upload, NANO stops
        reading it from the client (the client gets only a few MiB out: socket
        buffers and windows), and twistd does not grow by the body; once the
        upstream reads, the whole body arrives.
        """
        size = 50 * _MiB
        block = b"s" * (256 * 1024)
        sent = [0]
        outcome = []
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)

        def body():
            while sent[0] < size:
                sent[0] += len(block)
                yield block

        def client():
            conn.request("POST", "/p1/upload", body=body(), headers={
                "Host": "proxy.test", "Content-Length": str(size), "X-Stall-Ms": "1500", "X-Discard": "1"})
            outcome.append(json.loads(conn.getresponse().read()))

        self.stats()
        pid = self.server.process.pid
        before = _rss(pid)
        thread = threading.Thread(target=client, daemon=True)
        with _PeakRSS(pid) as peak:
            thread.start()
            time.sleep(1.0)
            stalled = sent[0]
            thread.join(30)
        conn.close()
        self.assertLess(stalled, 24 * _MiB)
        self.assertEqual(outcome, [{"length": size}])
        self.assertLess(peak.peak - before, 25 * _MiB)

    def test_proxyInitDictionary(self):
        """
        fetch(url, {method, headers, body: request.body, duplex: 'half'}) streams
        the upload; a chunked upload goes on chunked.
        """
        data = _pattern(3 * _MiB + 17)
        chunks = (data[i:i + 100000] for i in range(0, len(data), 100000))
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        conn.request("POST", "/p2/upload", body=chunks, headers={"Host": "proxy.test"}, encode_chunked=True)
        response = conn.getresponse()
        result = json.loads(response.read())
        conn.close()
        self.assertEqual(response.status, 200)
        self.assertEqual((result["length"], result["sha256"], result["chunked"], result["method"]),
                         (len(data), hashlib.sha256(data).hexdigest(), "chunked", "POST"))

    def test_backpressure(self):
        """
        While the app does not read a fetched 1 GiB body, the upstream is held
        back by TCP (it wrote only a few MiB: socket buffers plus the window), and
        cancelling the body closes the upstream connection.
        """
        lost = self.stats()["lost"]
        result = self.get("/hold?mb=1024&ms=700")
        self.assertGreater(result["first"], 0)
        self.assertLess(result["written"], 48 * _MiB)
        self.assertTrue(waitUntil(lambda: self.stats()["lost"] > lost))

    def test_streamPastBodyLimit(self):
        """
        In an app whose max_body_mb is 2, an 8 MiB body read as a stream arrives
        whole; read whole with arrayBuffer() it is a TypeError naming the limit,
        and the upstream connection is closed.
        """
        self.assertEqual(self.get("/stream?path=/huge?mb=8", host="small.test"), {"length": 8 * _MiB})
        lost = self.stats()["lost"]
        result = self.get("/read?path=/huge?mb=64", host="small.test")
        self.assertEqual(result["name"], "TypeError")
        self.assertIn("larger than 2 MiB (the app's max_body_mb)", result["message"])
        self.assertTrue(waitUntil(lambda: self.stats()["lost"] > lost))

    def test_badUpstreamBodies(self):
        """
        An upstream that resets the connection mid-body, or cuts a chunked body
        short, errors the body's stream with a TypeError after the bytes that did
        arrive.
        """
        result = self.get("/stream?path=/reset-mid")
        self.assertEqual(result["name"], "TypeError")
        self.assertIn("failed while reading the body", result["message"])
        self.assertLess(result["length"], 10 * _MiB)
        result = self.get("/stream?path=/truncated")
        self.assertEqual((result["name"], result["length"]), ("TypeError", len(b"partial")))
        self.assertIn("closed before the end of the body", result["message"])

    def test_requestStreamFails(self):
        """
        A request body stream that errors aborts the upstream request (the
        upstream never gets a whole body) and fetch() rejects with a TypeError
        whose cause is the stream's error.
        """
        before = self.stats()
        result = self.get("/bodyerror")
        self.assertEqual(result, {"name": "TypeError", "message": "fetch: the request body stream failed: "
                                  "RangeError: the generator broke",
                                  "cause": "RangeError: the generator broke"})
        self.assertTrue(waitUntil(lambda: self.stats()["cut"] > before["cut"]))
        self.assertEqual(self.stats()["uploads"], before["uploads"])

    def test_abortAfterHeaders(self):
        """
        Aborting the signal after the headers errors the body's stream with the
        signal's reason and closes the upstream connection.
        """
        lost = self.stats()["lost"]
        self.assertEqual(self.get("/abortbody"), {"name": "RangeError", "message": "stopped by the app",
                                                  "cause": None})
        self.assertTrue(waitUntil(lambda: self.stats()["lost"] > lost))

    def test_clientDisconnects(self):
        """
        A client that goes away while the app proxies a streamed 1 GiB upstream
        body makes NANO close the upstream connection.
        """
        lost = self.stats()["lost"]
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=10) as sock:
            sock.sendall(b"GET /p1/huge?mb=1024 HTTP/1.1\r\nHost: proxy.test\r\n\r\n")
            received = 0
            while received < 2 * _MiB:
                block = sock.recv(65536)
                self.assertTrue(block)
                received += len(block)
        self.assertTrue(waitUntil(lambda: self.stats()["lost"] > lost))

"""
End-to-end tests: a real C{twistd -n nano} subprocess with a multi-app config,
spoken to over real sockets on 127.0.0.1.
"""

import hashlib
import hmac
import http.client
import json
import os
import shutil
import tempfile

from twisted.trial.unittest import SynchronousTestCase

from nano.test.e2e import APPS, TwistdProcess, startSharedServer, writeConfig


def _headers(pairs, name):
    return [v for n, v in pairs if n.lower() == name]


_shared = {}


def _sharedServer():
    """
    The multi-app twistd shared by every L{MultiAppTests} test (trial has no class
    fixtures): started on first use, stopped when the test process exits.
    """
    if "server" not in _shared:
        config = {
            "listen": ["tcp:0:interface=127.0.0.1"],
            "admin": None,
            "apps": [
                {"name": "echo", "hostnames": ["echo.test", "*.wild.test", "[::1]"], "path": "e2e-echo",
                 "env": {"GREETING": "hi", "NUMBER": 42, "FLAGS": {"beta": True}, "SECRET": {"from_env": "E2E_SECRET"}},
                 "limits": {"max_body_mb": 1, "timeout_ms": 1000}},
                {"name": "broken", "hostnames": ["broken.test"], "path": "e2e-broken"},
                {"name": "sw", "hostnames": ["sw.test"], "path": "e2e-sw"},
            ],
        }
        apps = {name: name for name in ("e2e-echo", "e2e-broken", "e2e-sw")}
        _shared["server"] = startSharedServer(apps, config, env={"E2E_SECRET": "s3cret"})
    return _shared["server"]


class MultiAppTests(SynchronousTestCase):
    """
    One twistd serving several apps (one of them broken), shared by these tests.
    """

    def setUp(self):
        self.server = _sharedServer()

    def get(self, path, host="echo.test", **kw):
        return self.server.request("GET", path, host=host, **kw)

    def test_routesByHost(self):
        """
        The Host header picks the app; the service-worker form serves too.
        """
        status, _, _, body = self.get("/nothing")
        self.assertEqual((status, body), (404, b"not found: /nothing"))
        status, _, _, body = self.get("/x", host="sw.test")
        self.assertEqual((status, body), (200, b"service worker says hi /x"))

    def test_hostCaseAndPort(self):
        """
        Host matching ignores case and the port; a wildcard matches subdomains; an
        IPv6 literal with a port matches its bracketed hostname.
        """
        for host in ("ECHO.Test:8080", "a.wild.test", "x.y.wild.test", "[::1]:9000"):
            status, _, _, body = self.get("/reflect", host=host)
            self.assertEqual(status, 200, host)
            self.assertEqual(json.loads(body)["method"], "GET")
        status, _, _, _ = self.get("/reflect", host="wild.test")
        self.assertEqual(status, 404)

    def test_unknownHost(self):
        """
        An unknown, empty or missing Host gets 404 JSON naming the host.
        """
        status, _, headers, body = self.get("/", host="nobody.test:81")
        self.assertEqual(status, 404)
        self.assertEqual(_headers(headers, "content-type"), ["application/json"])
        self.assertEqual(json.loads(body), {"error": "no app for host", "host": "nobody.test"})
        status, _, _, body = self.get("/", host="")
        self.assertEqual((status, json.loads(body)["host"]), (404, ""))
        raw = self.server.rawRequest(b"GET / HTTP/1.0\r\n\r\n")
        self.assertIn(b" 404 ", raw.split(b"\r\n")[0])
        self.assertIn(b'"host": ""', raw)

    def test_requestReachesJS(self):
        """
        Method, full URL (real Host, path, query), every header including repeated
        ones, the body and the frozen env reach the handler.
        """
        status, _, _, body = self.server.request(
            "POST", "/reflect?a=1&b=%20", host="Echo.test:8080",
            headers=[("X-Rep", "one"), ("X-Rep", "two"), ("Content-Type", "text/plain")],
            body=b"payload \xc3\xa9",
        )
        self.assertEqual(status, 200)
        data = json.loads(body)
        self.assertEqual(data["method"], "POST")
        self.assertEqual(data["url"], "http://echo.test:8080/reflect?a=1&b=%20")
        headers = dict(data["headers"])
        self.assertEqual(headers["x-rep"], "one, two")
        self.assertEqual(headers["content-type"], "text/plain")
        self.assertEqual(data["body"], "payload \u00e9")
        self.assertEqual(data["env"], {"GREETING": "hi", "NUMBER": 42, "FLAGS": {"beta": True}, "frozen": True})

    def test_responseHeaders(self):
        """
        Status, standard reason phrase and every response header (several Set-Cookie,
        repeated names) reach the client.
        """
        status, reason, headers, body = self.get("/cookies")
        self.assertEqual((status, reason, body), (201, "Created", b"cookies"))
        self.assertEqual(_headers(headers, "set-cookie"), ["a=1; Path=/", "b=2; Path=/"])
        self.assertEqual(", ".join(_headers(headers, "x-multi")), "one, two")
        self.assertEqual(_headers(headers, "content-type"), ["text/plain;charset=UTF-8"])

    def test_bodyTypes(self):
        """
        Uint8Array, DataView and URLSearchParams bodies arrive as bytes with the
        right content type; a 204 has no body.
        """
        status, _, headers, body = self.get("/bytes")
        self.assertEqual((status, body), (200, bytes([0, 1, 2, 253, 254, 255])))
        self.assertEqual(_headers(headers, "content-length"), ["6"])
        self.assertEqual(self.get("/dataview")[3], b"hi")
        status, _, headers, body = self.get("/params")
        self.assertEqual(body, b"a=1&b=x+y")
        self.assertEqual(_headers(headers, "content-type"), ["application/x-www-form-urlencoded;charset=UTF-8"])
        status, _, _, body = self.get("/empty")
        self.assertEqual((status, body), (204, b""))

    def test_head(self):
        """
        HEAD gets the headers (with the length of the body GET would send) and no body.
        """
        status, _, headers, body = self.server.request("HEAD", "/bytes", host="echo.test")
        self.assertEqual((status, body), (200, b""))
        self.assertEqual(_headers(headers, "content-length"), ["6"])

    def test_keepAlive(self):
        """
        Several requests share one connection; module state persists across them.
        """
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        try:
            first = json.loads(self.server.request("GET", "/reflect", host="echo.test", connection=conn)[3])
            second = json.loads(self.server.request("GET", "/reflect", host="echo.test", connection=conn)[3])
        finally:
            conn.close()
        self.assertGreater(second["counter"], first["counter"])

    def test_handlerThrows(self):
        """
        A handler that throws gets 500 text/plain naming the error, without the stack;
        the stack is logged with the app name.
        """
        status, _, headers, body = self.get("/throw")
        self.assertEqual(status, 500)
        self.assertEqual(_headers(headers, "content-type"), ["text/plain; charset=utf-8"])
        self.assertEqual(body, b"TypeError: handler exploded\n")
        self.assertTrue(self.server.waitForOutput("at Object.fetch"), self.server.output[-2000:])
        self.assertIn("app echo: exception", self.server.output)

    def test_badReturnValues(self):
        """
        Returning undefined or a string is a 500 naming what was returned.
        """
        status, _, _, body = self.get("/undefined")
        self.assertEqual((status, body), (500, b"the fetch handler returned undefined, expected a Response\n"))
        status, _, _, body = self.get("/string")
        self.assertEqual((status, body), (500, b"the fetch handler returned a string, expected a Response\n"))

    def test_bodyLimit(self):
        """
        A body over max_body_mb is refused with 413: from Content-Length before it is
        read, and while a chunked body arrives.
        """
        big = b"x" * (1024 * 1024 + 1)
        raw = self.server.rawRequest(
            b"POST /reflect HTTP/1.1\r\nHost: echo.test\r\nContent-Length: %d\r\n\r\n" % (len(big),)
        )
        self.assertIn(b"HTTP/1.1 413 ", raw)
        chunk = b"y" * 65536
        chunked = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(20)) + b"0\r\n\r\n"
        raw = self.server.rawRequest(
            b"POST /reflect HTTP/1.1\r\nHost: echo.test\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked
        )
        self.assertIn(b"HTTP/1.1 413 ", raw)
        status, _, _, body = self.server.request("POST", "/reflect", host="echo.test", body=b"z" * 1000)
        self.assertEqual(status, 200)
        self.assertEqual(len(json.loads(body)["body"]), 1000)

    def test_crypto(self):
        """
        crypto.subtle works in a served app: its host operations (inline and in the
        thread pool) are registered for every app, and non-extractable keys stay
        unexported.
        """
        status, _, _, body = self.server.request("POST", "/crypto", host="echo.test", body=b"payload")
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body), {
            "hmac": hmac.new(b"key", b"payload", hashlib.sha256).hexdigest(),
            "verified": True, "rsa": 1024, "refused": "InvalidAccessError"})

    def test_consoleLogging(self):
        """
        console.log and console.error become log lines with the app name.
        """
        self.assertEqual(self.get("/log")[3], b"logged")
        self.assertTrue(self.server.waitForOutput("hello from the app"), self.server.output[-2000:])
        lines = [l for l in self.server.output.splitlines() if "hello from the app" in l]
        self.assertIn("echo", lines[0])
        self.assertTrue(self.server.waitForOutput("an error line"))

    def test_timers(self):
        """
        A response produced by a timer arrives; an error thrown in a timer callback is
        logged and the isolate keeps serving.
        """
        self.assertEqual(self.get("/timer")[:1] + (self.get("/timer")[3],), (200, b"timer fired"))
        self.assertEqual(self.get("/timer-throws")[0], 200)
        self.assertTrue(self.server.waitForOutput("boom in a timer"), self.server.output[-2000:])
        self.assertEqual(self.get("/timer")[3], b"timer fired")

    def test_wallTimeout(self):
        """
        No response within timeout_ms is a 504.
        """
        status, _, _, body = self.get("/slow")
        self.assertEqual(status, 504)
        self.assertIn(b"did not respond within 1000 ms", body)

    def test_brokenApp(self):
        """
        An app with a syntax error is reported at startup with file:line:column; it
        answers 503 while the other apps serve.
        """
        self.assertIn("nano: app broken failed to load: index.js:4:", self.server.output)
        status, _, headers, body = self.get("/", host="broken.test")
        self.assertEqual(status, 503)
        self.assertIn(b"SyntaxError", body)
        self.assertEqual(_headers(headers, "retry-after"), ["1"])
        self.assertEqual(self.get("/x", host="sw.test")[0], 200)


class SingleAppTests(SynchronousTestCase):
    """
    C{twistd -n nano --app DIR --listen ...} serves one app for every Host.
    """

    def test_everyHost(self):
        """
        Any Host (or none) reaches the single app.
        """
        server = TwistdProcess(["--app", os.path.join(APPS, "e2e-sw"), "--listen", "tcp:0:interface=127.0.0.1"])
        server.start()
        try:
            for host in ("a.example", "other.test:99", None):
                status, _, _, body = server.request("GET", "/p", host=host)
                self.assertEqual((status, body), (200, b"service worker says hi /p"))
        finally:
            self.assertEqual(server.stop(), 0)


class StartupErrorTests(SynchronousTestCase):
    """
    Bad configs stop twistd before it listens, with one line per problem.
    """

    def test_badConfig(self):
        """
        A config with several problems prints each (file, JSON path, what was
        expected) and exits non-zero.
        """
        directory = tempfile.mkdtemp(prefix="nano-e2e-")
        self.addCleanup(shutil.rmtree, directory, True)
        path = writeConfig(directory, {"listen": ["tcp:0"], "apps": [{"name": "Bad Name", "path": "nowhere", "hostnmes": []}]})
        server = TwistdProcess(["--config", path])
        server.start(expectListening=False)
        code = server.wait()
        self.assertNotEqual(code, 0)
        self.assertIn("config.json: apps[0].name", server.output)
        self.assertIn("apps[0].hostnmes", server.output)
        self.assertIn("hostnames", server.output)

    def test_malformedJSON(self):
        """
        Malformed JSON is reported with line and column.
        """
        directory = tempfile.mkdtemp(prefix="nano-e2e-")
        self.addCleanup(shutil.rmtree, directory, True)
        path = os.path.join(directory, "config.json")
        with open(path, "w") as f:
            f.write('{\n  "apps": [\n    {"name": "x",}\n  ]\n}\n')
        server = TwistdProcess(["--config", path])
        server.start(expectListening=False)
        self.assertNotEqual(server.wait(), 0)
        self.assertIn("line 3", server.output)


class PluginTests(SynchronousTestCase):
    """
    The installed package provides the twistd plugin.
    """

    def test_listedByTwistd(self):
        """
        C{twistd --help} lists the nano command, and C{twistd nano --help} documents
        the options.
        """
        import subprocess

        from nano.test.e2e import twistdCommand

        out = subprocess.run(twistdCommand() + ["--help"], capture_output=True, text=True).stdout
        self.assertRegex(out, r"\n\s+nano\s+Serve Cloudflare-Workers-style")
        out = subprocess.run(twistdCommand() + ["nano", "--help"], capture_output=True, text=True).stdout
        for option in ("--config", "--app", "--listen", "--port", "--dev", "--no-access-log"):
            self.assertIn(option, out)

"""
The files under examples/ work: every app is served by a real C{twistd nano} and
answers as the documentation says, the reference config loads, and the deployment
files hold together (nginx and Caddy really proxy to a real twistd when they are
installed). The documentation site shows only these files (docs/src/components/
Example.astro), so a page's code cannot rot without a test failing here.
"""

import atexit
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

from twisted.trial.unittest import SkipTest, SynchronousTestCase

from nano.config import parseConfig
from nano.test.e2e import TwistdProcess, readUntil, startSharedUpstream, writeConfig

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                        "examples")
JS = os.path.join(EXAMPLES, "js")
DEPLOY = os.path.join(EXAMPLES, "deploy")

_shared = {}


def _freePort():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _upstream():
    """
    The upstream HTTP server of the fetch tests (one per test process).
    """
    if "upstream" not in _shared:
        _shared["upstream"] = startSharedUpstream()
    return _shared["upstream"]


def _jsServer():
    """
    One twistd serving examples/js/config.json (shared by the tests).
    """
    if "js" not in _shared:
        port = _upstream()
        server = TwistdProcess(["--config", os.path.join(JS, "config.json"),
                                "--listen", "tcp:0:interface=127.0.0.1"],
                               env={"UPSTREAM_URL": "http://127.0.0.1:%d/" % (port,)})
        _shared["js"] = server
        atexit.register(server.stop)
        server.start()
    return _shared["js"]


def _json(response):
    status, _, _, body = response
    return status, json.loads(body)


class QuickStartTests(SynchronousTestCase):
    """
    examples/config.json, the README's quick start, serves its two apps.
    """

    def test_quickStart(self):
        """
        The hello and api apps answer on their hostnames.
        """
        server = TwistdProcess(["--config", os.path.join(EXAMPLES, "config.json"),
                                "--listen", "tcp:0:interface=127.0.0.1"])
        server.start()
        try:
            status, _, _, body = server.request("GET", "/", host="hello.localhost")
            self.assertEqual((status, body), (200, b"Hello from the hello app!\n"))
            self.assertEqual(_json(server.request("GET", "/hello?name=you", host="api.localhost")),
                             (200, {"hello": "you"}))
            self.assertEqual(_json(server.request("GET", "/", host="eu.api.localhost")),
                             (200, {"service": "example-api", "version": "1.0.0", "region": "local"}))
            status, body = _json(server.request("POST", "/echo", host="api.localhost", body=b'{"a": [1]}'))
            self.assertEqual((status, body["received"]), (200, {"a": [1]}))
        finally:
            self.assertEqual(server.stop(), 0)

    def test_referenceConfig(self):
        """
        examples/reference/config.json, the config reference's full example, is
        valid.
        """
        path = os.path.join(EXAMPLES, "reference", "config.json")
        with open(path) as f:
            config = parseConfig(f.read(), path, {"NANO_ADMIN_TOKEN": "t", "API_DB_PASSWORD": "p"})
        self.assertEqual([app.name for app in config.apps], ["hello", "api"])


class JavaScriptExampleTests(SynchronousTestCase):
    """
    The apps of examples/js/, shown on the JavaScript API pages, answer as the
    pages say.
    """

    def get(self, app, path, **kw):
        return _jsServer().request(kw.pop("method", "GET"), path, host=app + ".localhost", **kw)

    def test_fetchInspect(self):
        """
        The request carries the full URL, method, headers and body.
        """
        status, body = _json(self.get("fetch", "/inspect?q=1", method="POST", body=b"data",
                                      headers=[("User-Agent", "docs-test")]))
        self.assertEqual(status, 200)
        self.assertEqual(body["method"], "POST")
        self.assertRegex(body["url"], r"^http://fetch\.localhost(:\d+)?/inspect\?q=1$")
        self.assertEqual((body["agent"], body["body"]), ("docs-test", "data"))

    def test_fetchCookies(self):
        """
        Several Set-Cookie headers reach the client.
        """
        status, _, headers, body = self.get("fetch", "/cookies")
        self.assertEqual((status, body), (200, b"2 cookies\n"))
        self.assertEqual([v for n, v in headers if n.lower() == "set-cookie"],
                         ["session=abc; Path=/; HttpOnly", "theme=dark; Path=/"])

    def test_fetchUpstream(self):
        """
        Outbound fetch() reaches the upstream with the JSON body.
        """
        self.assertEqual(_json(self.get("fetch", "/upstream")),
                         (200, {"status": 200, "sawBody": '{"hello":"upstream"}'}))

    def test_fetchRedirect(self):
        """
        Response.redirect gives the status and an absolute Location.
        """
        status, _, headers, _ = self.get("fetch", "/old")
        self.assertEqual(status, 301)
        self.assertRegex(dict((n.lower(), v) for n, v in headers)["location"], r"/inspect$")

    def test_encoding(self):
        """
        URLPattern, TextEncoder/TextDecoder, atob/btoa and URLSearchParams.
        """
        self.assertEqual(_json(self.get("encoding", "/users/42/settings")), (200, {"id": 42, "tab": "settings"}))
        self.assertEqual(_json(self.get("encoding", "/users/7")), (200, {"id": 7, "tab": "profile"}))
        self.assertEqual(_json(self.get("encoding", "/bytes?text=%C3%A9t%C3%A9")),
                         (200, {"length": 3, "bytes": 5, "same": True}))
        self.assertEqual(_json(self.get("encoding", "/basic")), (200, {"user": "aladdin", "password": "opensesame"}))
        self.assertEqual(self.get("encoding", "/search?b=2&a=1")[3], b"a=1&b=2&seen=1")

    def test_crypto(self):
        """
        A UUID and 16 random bytes, different each time.
        """
        first = _json(self.get("crypto", "/"))[1]
        second = _json(self.get("crypto", "/"))[1]
        self.assertRegex(first["id"], r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
        self.assertRegex(first["token"], r"^[0-9a-f]{32}$")
        self.assertNotEqual(first, second)

    def test_streamsHeld(self):
        """
        The first half of /held arrives before /release lets the second go.
        """
        server = _jsServer()
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(b"GET /held HTTP/1.1\r\nHost: streams.localhost\r\nConnection: close\r\n\r\n")
            data = readUntil(sock, b"first\n")
            self.assertNotIn(b"second", data)
            self.assertEqual(self.get("streams", "/release")[3], b"released\n")
            self.assertIn(b"second\n", readUntil(sock, b"second\n", data))

    def test_cryptoSubtle(self):
        """
        crypto.subtle gives the SHA-256 digest and an HMAC that verifies, equal
        to Python's.
        """
        import hashlib
        import hmac

        self.assertEqual(_json(self.get("crypto", "/digest?text=abc")),
                         (200, {"sha256": hashlib.sha256(b"abc").hexdigest()}))
        expected = hmac.new(b"an example key, kept in the config", b"hi", hashlib.sha256).hexdigest()
        self.assertEqual(_json(self.get("crypto", "/sign?message=hi")),
                         (200, {"signature": expected, "valid": True}))

    def test_streamsProduce(self):
        """
        A pull-based ReadableStream is the response body, sent chunked.
        """
        status, _, headers, body = self.get("streams", "/count")
        self.assertEqual((status, body), (200, b"".join(b"line %d\n" % i for i in range(1, 6))))
        self.assertIn(("Transfer-Encoding", "chunked"), headers)

    def test_streamsTransform(self):
        """
        The request body is piped through a TransformStream into the response.
        """
        self.assertEqual(self.get("streams", "/upper", method="POST", body="héllo wörld".encode())[3],
                         "HÉLLO WÖRLD".encode())

    def test_streamsCompress(self):
        """
        CompressionStream("gzip") output is valid gzip.
        """
        import gzip

        status, _, _, body = self.get("streams", "/report.gz")
        self.assertEqual((status, gzip.decompress(body)), (200, b"id,name\n1,ada\n2,grace\n"))

    def test_streamsIterate(self):
        """
        A request body can be read with for await.
        """
        self.assertEqual(_json(self.get("streams", "/lines", method="POST", body=b"a\nb\n" * 1000)),
                         (200, {"lines": 2000}))

    def test_blob(self):
        """
        A multipart upload is parsed into fields and Files; a Blob is a body.
        """
        boundary = "XyZ"
        body = ("--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nnotes\r\n"
                "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n"
                "Content-Type: text/plain\r\n\r\nhello file\r\n--XyZ--\r\n").encode()
        status, result = _json(self.get("blob", "/upload", method="POST", body=body,
                                        headers=[("Content-Type", "multipart/form-data; boundary=" + boundary)]))
        self.assertEqual((status, result), (200, {
            "title": "notes", "file": {"name": "a.txt", "type": "text/plain", "size": 10}, "text": "hello file"}))
        status, _, headers, body = self.get("blob", "/report")
        headers = dict((n.lower(), v) for n, v in headers)
        self.assertEqual((status, body, headers["content-type"], headers["x-first-line"]),
                         (200, b"id,name\n1,ada\n", "text/csv", "id,name"))

    def test_events(self):
        """
        Listeners run in order, once-listeners once; AbortSignal.any follows the
        timeout.
        """
        self.assertEqual(_json(self.get("events", "/events")), (200, {"seen": [1, "once", 2]}))
        self.assertEqual(_json(self.get("events", "/abort")), (200, {"aborted": True, "reason": "TimeoutError"}))

    def test_timers(self):
        """
        setInterval ticks, the microtask runs before the timer, and waitUntil work
        finishes after the response.
        """
        self.assertEqual(_json(self.get("timers", "/ticks")),
                         (200, {"ticks": [0, 1, 2], "order": ["sync", "microtask", "timer"]}))
        before = _json(self.get("timers", "/count"))[1]["background"]
        self.assertEqual(self.get("timers", "/later")[0], 202)
        deadline = time.monotonic() + 5
        while _json(self.get("timers", "/count"))[1]["background"] == before and time.monotonic() < deadline:
            time.sleep(0.02)
        self.assertEqual(_json(self.get("timers", "/count"))[1]["background"], before + 1)

    def test_console(self):
        """
        console output reaches the server log with the app's name, formatted.
        """
        server = _jsServer()
        self.assertEqual(self.get("console", "/")[3], b"logged\n")
        self.assertTrue(server.waitForOutput("TypeError: example error"), server.output)
        output = server.output
        self.assertIn("user 7 has 2 roles", output)
        self.assertIn("user: { id: 7, roles: [ 'admin', 'dev' ], profile: { city: 'Lyon' } }", output)
        self.assertRegex(output, r"console.*deprecated endpoint /")


def _nginxConfig(example, prefix, listenPort, upstreamPort):
    """
    examples/deploy/nginx.conf inside a minimal main context, on test ports.
    """
    server = example.replace("server 127.0.0.1:8080;", "server 127.0.0.1:%d;" % (upstreamPort,))
    server = server.replace("listen 80;", "listen 127.0.0.1:%d;" % (listenPort,))
    temp = os.path.join(prefix, "tmp")
    return ("pid %s/nginx.pid;\nerror_log %s/error.log;\nevents {}\nhttp {\n"
            "access_log off;\nclient_body_temp_path %s/body;\nproxy_temp_path %s/proxy;\n"
            "fastcgi_temp_path %s/f;\nuwsgi_temp_path %s/u;\nscgi_temp_path %s/s;\n%s}\n"
            % (prefix, prefix, temp, temp, temp, temp, temp, server))


def _proxiedApps(directory):
    for name in ("hello", "api"):
        shutil.copytree(os.path.join(EXAMPLES, name), os.path.join(directory, name))
    shutil.copytree(os.path.join(JS, "streams"), os.path.join(directory, "streams"))
    return writeConfig(directory, {
        "listen": ["tcp:0:interface=127.0.0.1"], "admin": None,
        "apps": [{"name": "hello", "hostnames": ["hello.example.com"], "path": "hello",
                  "env": {"GREETING": "behind a proxy"}},
                 {"name": "api", "hostnames": ["api.example.com"], "path": "api"},
                 {"name": "streams", "hostnames": ["streams.example.com"], "path": "streams"}]})


def _get(port, path, host, body=None):
    request = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), data=body, headers={"Host": host})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read()


def _waitForPort(port, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("nothing listens on port %d" % (port,))


class DeploymentTests(SynchronousTestCase):
    """
    examples/deploy/: systemd unit, nginx and Caddy configs, Kubernetes manifests.
    """

    def proxied(self):
        """
        Start a twistd serving two apps on *.example.com, for a proxy to stand
        in front of; return it.
        """
        directory = tempfile.mkdtemp(prefix="nano-proxy-")
        self.addCleanup(shutil.rmtree, directory, True)
        server = TwistdProcess(["--config", _proxiedApps(directory)], cwd=directory)
        server.start()
        self.addCleanup(server.stop)
        return server

    def assertProxies(self, port):
        """
        Through the proxy on C{port}: two hostnames reach their apps, a POST body
        included, and a streamed response passes through as it is produced (its
        first chunk arrives while the app still holds the rest back).
        """
        self.assertEqual(_get(port, "/", "hello.example.com"), (200, b"Hello from behind a proxy!\n"))
        status, body = _get(port, "/echo", "api.example.com", body=b'{"n": 1}')
        self.assertEqual((status, json.loads(body)["received"]), (200, {"n": 1}))
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"GET /held HTTP/1.1\r\nHost: streams.example.com\r\nConnection: close\r\n\r\n")
            data = readUntil(sock, b"first\n")
            self.assertIn(b"first\n", data)
            self.assertNotIn(b"second", data)
            self.assertEqual(_get(port, "/release", "streams.example.com"), (200, b"released\n"))
            data = readUntil(sock, b"second\n", data)
        self.assertTrue(data.startswith(b"HTTP/1.1 200"), data[:40])
        self.assertIn(b"second\n", data)

    def test_systemdUnit(self):
        """
        The unit runs twistd in the foreground, reloads with SIGHUP, stops with
        SIGTERM and waits longer than the default drain.
        """
        with open(os.path.join(DEPLOY, "nano.service")) as f:
            text = f.read()
        settings = dict(re.findall(r"^(\w+)=(.*)$", text, re.M))
        self.assertRegex(settings["ExecStart"], r"twistd --nodaemon --pidfile= nano --config \S+\.json$")
        self.assertEqual(settings["ExecReload"], "/bin/kill -HUP $MAINPID")
        self.assertEqual(settings["KillSignal"], "SIGTERM")
        self.assertGreater(int(settings["TimeoutStopSec"]), 30)
        self.assertEqual(settings["Type"], "simple")

    def test_systemdAnalyzeVerify(self):
        """
        The unit passes C{systemd-analyze verify} (with ExecStart pointing at this
        environment's twistd, which the check wants to exist).
        """
        import shutil
        import subprocess
        import sys

        analyze = shutil.which("systemd-analyze")
        if analyze is None:
            raise SkipTest("systemd-analyze is not installed")
        twistd = os.path.join(os.path.dirname(sys.executable), "twistd")
        with open(os.path.join(DEPLOY, "nano.service")) as f:
            text = f.read().replace("/srv/nano/venv/bin/twistd", twistd)
        directory = self.mktemp()
        os.makedirs(directory)
        unit = os.path.join(directory, "nano.service")
        with open(unit, "w") as f:
            f.write(text)
        result = subprocess.run([analyze, "verify", unit], capture_output=True, text=True, timeout=60)
        self.assertEqual((result.returncode, result.stderr.strip()), (0, ""))

    def test_nginx(self):
        """
        nginx with the example's server block proxies to twistd nano, Host
        preserved, unbuffered.
        """
        nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
        if nginx is None:
            raise SkipTest("nginx is not installed (apt-get install nginx)")
        with open(os.path.join(DEPLOY, "nginx.conf")) as f:
            example = f.read()
        for directive in ("proxy_buffering off;", "proxy_request_buffering off;", "proxy_set_header Host $host;"):
            self.assertIn(directive, example)
        prefix = tempfile.mkdtemp(prefix="nano-nginx-")
        self.addCleanup(shutil.rmtree, prefix, True)
        os.mkdir(os.path.join(prefix, "tmp"))
        server = self.proxied()
        port = _freePort()
        conf = os.path.join(prefix, "nginx.conf")
        with open(conf, "w") as f:
            f.write(_nginxConfig(example, prefix, port, server.port))
        process = subprocess.Popen([nginx, "-p", prefix, "-c", conf, "-g", "daemon off;"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.addCleanup(lambda: (process.send_signal(signal.SIGQUIT), process.wait(10)))
        _waitForPort(port)
        self.assertProxies(port)

    def test_caddy(self):
        """
        Caddy with the example's site block proxies to twistd nano.
        """
        caddy = shutil.which("caddy")
        if caddy is None:
            raise SkipTest("caddy is not installed (apt-get install caddy)")
        with open(os.path.join(DEPLOY, "Caddyfile")) as f:
            example = f.read()
        self.assertIn("flush_interval -1", example)
        server = self.proxied()
        port = _freePort()
        text = example.replace("*.example.com, example.com {", "http://*.example.com:%d {" % (port,))
        text = text.replace("127.0.0.1:8080", "127.0.0.1:%d" % (server.port,))
        home = tempfile.mkdtemp(prefix="nano-caddy-")
        self.addCleanup(shutil.rmtree, home, True)
        path = os.path.join(home, "Caddyfile")
        with open(path, "w") as f:
            f.write("{\n\tadmin off\n\tauto_https off\n}\n" + text)
        env = dict(os.environ, HOME=home, XDG_DATA_HOME=home, XDG_CONFIG_HOME=home)
        process = subprocess.Popen([caddy, "run", "--config", path, "--adapter", "caddyfile"], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.addCleanup(lambda: (process.terminate(), process.wait(10)))
        _waitForPort(port)
        self.assertProxies(port)

    def test_kubernetes(self):
        """
        The manifests parse; the ConfigMap's config is valid (with the apps where
        the image puts them); ports and probes match the config.
        """
        try:
            import yaml
        except ImportError:
            raise SkipTest("PyYAML is not installed")
        with open(os.path.join(DEPLOY, "kubernetes.yaml")) as f:
            documents = {d["kind"]: d for d in yaml.safe_load_all(f)}
        self.assertEqual(sorted(documents), ["ConfigMap", "Deployment", "Service"])
        text = documents["ConfigMap"]["data"]["config.json"]
        root = tempfile.mkdtemp(prefix="nano-k8s-")
        self.addCleanup(shutil.rmtree, root, True)
        for name in ("hello", "api"):
            shutil.copytree(os.path.join(EXAMPLES, name), os.path.join(root, "apps", name))
        config = parseConfig(text, os.path.join(root, "config.json"), {"NANO_ADMIN_TOKEN": "t"})
        container = documents["Deployment"]["spec"]["template"]["spec"]["containers"][0]
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        self.assertEqual(config.listen, ("tcp:%d" % ports["http"],))
        self.assertEqual(config.admin.listen, "tcp:%d" % ports["admin"])
        self.assertEqual(container["readinessProbe"]["httpGet"], {"path": "/readyz", "port": "admin"})
        self.assertEqual(container["livenessProbe"]["httpGet"], {"path": "/healthz", "port": "admin"})
        grace = documents["Deployment"]["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
        self.assertGreater(grace * 1000, config.drain_timeout_ms)
        self.assertEqual(container["command"][-1], "/srv/nano/config.json")

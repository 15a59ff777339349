"""
Tests for L{nano.admin}: the admin listener's resources over in-memory HTTP
(L{treq.testing.StubTreq}) with a real deployer on fake isolates.
"""

import json

from treq.testing import StubTreq
from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase
from twisted.web.resource import Resource

from nano.admin import AdminSite
from nano.deploy import Deployer
from nano.registry import AppRegistry
from nano.test.lifecycle import ControlledIsolate, Fixture

_URL = "http://admin.test"


class _Base(SynchronousTestCase):
    token = None

    def setUp(self):
        self.fixture = Fixture(self.mktemp())
        self.clock = Clock()
        for name in ("a", "b"):
            self.fixture.app(name)
        self.fixture.app("bad", "BROKEN")
        self.document = {"apps": [
            {"name": "a", "hostnames": ["a.test"], "path": "a"},
            {"name": "b", "hostnames": ["b.test"], "path": "b"}]}
        self.fixture.write(self.document)
        self.registry = AppRegistry()
        self.deployer = Deployer(self.clock, self.fixture.load(), self.registry,
                                 self.fixture.factory(self.clock), self.fixture.base, environ={})
        self.successResultOf(self.deployer.start())
        self.draining = False
        self.metrics = None
        self.makeClient()

    def makeClient(self):
        self.site = AdminSite(self.deployer, lambda: self.draining, self.token, self.metrics, self.clock)
        self.client = StubTreq(self.site.resource)

    def call(self, method, path, body=None, token=None, raw=None):
        """
        One request; return C{(status, headers, parsed JSON or text)}.
        """
        headers = {}
        if token is not None:
            headers[b"authorization"] = [b"Bearer " + token.encode()]
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        d = self.client.request(method, _URL + path, headers=headers, data=data)
        self.client.flush()
        response = self.successResultOf(d)
        content = self.successResultOf(self.client.content(response))
        kind = (response.headers.getRawHeaders(b"content-type") or [b""])[0]
        if kind.startswith(b"application/json") and content:
            payload = json.loads(content)
        else:
            payload = content.decode()
        return response.code, response.headers, payload


class HealthTests(_Base):
    """
    /health, /healthz, /readyz and /metrics.
    """

    def test_health(self):
        """
        200 ok while serving, 503 draining once shutdown began, on both paths.
        """
        for path in ("/health", "/healthz"):
            self.assertEqual(self.call("GET", path)[::2], (200, {"status": "ok"}))
        self.draining = True
        for path in ("/health", "/healthz"):
            self.assertEqual(self.call("GET", path)[::2], (503, {"status": "draining"}))

    def test_readyz(self):
        """
        Ready only when every configured app is loaded, and not while draining.
        """
        self.assertEqual(self.call("GET", "/readyz")[::2], (200, {"status": "ready"}))
        self.deployer.get("b").state = "failed"
        self.assertEqual(self.call("GET", "/readyz")[::2],
                         (503, {"status": "not ready", "apps": {"b": "failed"}}))
        self.draining = True
        self.assertEqual(self.call("GET", "/readyz")[0], 503)

    def test_metricsPlaceholder(self):
        """
        /metrics answers 200 plain text until collectors are plugged in.
        """
        status, headers, text = self.call("GET", "/metrics")
        self.assertEqual(status, 200)
        self.assertTrue(headers.getRawHeaders(b"content-type")[0].startswith(b"text/plain"))
        self.assertTrue(text.startswith("#"))

    def test_metricsPluggable(self):
        """
        A metrics resource given to the site is served at /metrics.
        """
        class Metrics(Resource):
            isLeaf = True

            def render_GET(self, request):
                return b"nano_apps 2\n"

        self.metrics = Metrics()
        self.makeClient()
        self.assertEqual(self.call("GET", "/metrics")[2], "nano_apps 2\n")

    def test_prometheus(self):
        """
        L{MetricsResource} serves a L{nano.metrics.Metrics} in the Prometheus text
        format.
        """
        from nano.admin import MetricsResource
        from nano.metrics import Metrics

        metrics = Metrics(appStates=lambda: {"ready": 2})
        metrics.app("a").isolateStarted("reload")
        self.metrics = MetricsResource(metrics)
        self.makeClient()
        status, headers, text = self.call("GET", "/metrics")
        self.assertEqual(status, 200)
        self.assertTrue(headers.getRawHeaders(b"content-type")[0].startswith(b"text/plain; version="))
        self.assertIn('nano_apps{state="ready"} 2.0', text)
        self.assertIn('nano_isolate_starts_total{app="a",reason="reload"} 1.0', text)

    def test_unknownPathAndMethod(self):
        """
        Unknown paths are JSON 404s; a method a resource lacks is a JSON 405 with
        Allow.
        """
        for path in ("/nothing", "//", "/admin/nothing", "/admin/apps/a/extra"):
            status, _, body = self.call("GET", path)
            self.assertEqual((status, body["error"]), (404, "not found"), path)
        status, headers, body = self.call("DELETE", "/health")
        self.assertEqual((status, body["error"]), (405, "method not allowed"))
        self.assertEqual(headers.getRawHeaders(b"allow"), [b"GET, HEAD"])
        status, headers, _ = self.call("HEAD", "/admin/reload")
        self.assertEqual((status, headers.getRawHeaders(b"allow")), (405, [b"POST"]))
        self.assertEqual(self.call("HEAD", "/health")[0], 200)


class AuthTests(_Base):
    """
    With a token, /admin/* needs it; health does not.
    """

    token = "s3cret-token"

    def test_missingAndWrong(self):
        """
        No token or a wrong one is 401 with WWW-Authenticate, and changes nothing.
        """
        for token in (None, "wrong", "s3cret-token-but-longer"):
            status, headers, body = self.call("DELETE", "/admin/apps/a", token=token)
            self.assertEqual((status, body["error"]), (401, "unauthorized"))
            self.assertEqual(headers.getRawHeaders(b"www-authenticate"), [b'Bearer realm="nano"'])
        self.assertEqual(self.call("GET", "/admin", token=None)[0], 401)
        self.assertEqual(self.deployer.get("a").state, "ready")

    def test_right(self):
        """
        The right token is accepted; health, readiness and metrics need none.
        """
        self.assertEqual(self.call("GET", "/admin/apps", token=self.token)[0], 200)
        for path in ("/health", "/healthz", "/readyz", "/metrics"):
            self.assertEqual(self.call("GET", path)[0], 200)


class StatusPageTests(_Base):
    """
    C{GET /}: the operator status page (its rendering is tested in
    L{nano.test.test_status}).
    """

    def test_page(self):
        """
        An HTML page, not cached, with a policy that lets the browser load nothing
        but its inline style, listing every app with its state, the server state
        and the uptime since the site was created.
        """
        self.clock.advance(125)
        self.deployer.get("a").requestStarted()
        status, headers, text = self.call("GET", "/")
        self.assertEqual(status, 200)
        self.assertEqual(headers.getRawHeaders(b"content-type"), [b"text/html; charset=utf-8"])
        self.assertEqual(headers.getRawHeaders(b"cache-control"), [b"no-store"])
        policy = headers.getRawHeaders(b"content-security-policy")[0]
        self.assertIn(b"default-src 'none'", policy)
        self.assertIn(b"style-src 'unsafe-inline'", policy)
        self.assertTrue(text.startswith("<!DOCTYPE html>"), text[:40])
        self.assertIn('<td class="name">a</td><td class="state ready">ready</td>', text)
        self.assertIn("<code>b.test</code>", text)
        self.assertIn('<span class="badge serving">serving</span>', text)
        self.assertIn("<dt>Uptime</dt><dd>2 min 5 s</dd>", text)
        self.assertIn("<dt>In flight</dt><dd>1</dd>", text)
        self.draining = True
        self.assertIn('<span class="badge draining">draining</span>', self.call("GET", "/")[2])

    def test_failedApp(self):
        """
        A failed app's load error is on the page, escaped.
        """
        app = self.deployer.get("b")
        app.state = "failed"
        app.loadError = "index.js:1:1: SyntaxError: <b>&"
        text = self.call("GET", "/")[2]
        self.assertIn("<pre>index.js:1:1: SyntaxError: &lt;b&gt;&amp;</pre>", text)

    def test_lastReset(self):
        """
        An isolate reset shows on the page and in the JSON with its kind and time.
        """
        self.clock.advance(1000)
        ControlledIsolate.instances[0].onReset("cpu")
        self.clock.advance(30)
        self.assertIn('cpu <time datetime="1970-01-01T00:16:40Z"', self.call("GET", "/")[2])
        self.assertIn("30 s ago", self.call("GET", "/")[2])
        info = self.call("GET", "/admin/apps/a")[2]
        self.assertEqual(info["last_reset"], {"kind": "cpu", "at": "1970-01-01T00:16:40.000Z"})

    def test_methods(self):
        """
        HEAD answers like GET without a body; other methods are a JSON 405.
        """
        status, headers, text = self.call("HEAD", "/")
        self.assertEqual((status, text), (200, ""))
        status, headers, body = self.call("POST", "/")
        self.assertEqual((status, body["error"]), (405, "method not allowed"))
        self.assertEqual(headers.getRawHeaders(b"allow"), [b"GET, HEAD"])


class StatusPageAuthTests(_Base):
    """
    With a token, the status page needs it like C{/admin/*}.
    """

    token = "s3cret-token"

    def test_token(self):
        """
        Without the token, or with a wrong one, C{/} is a 401 that shows nothing
        of the apps; with it, the page.
        """
        for token in (None, "wrong"):
            status, headers, body = self.call("GET", "/", token=token)
            self.assertEqual((status, body["error"]), (401, "unauthorized"))
            self.assertEqual(headers.getRawHeaders(b"www-authenticate"), [b'Bearer realm="nano"'])
            self.assertNotIn("a.test", json.dumps(body))
        status, _, text = self.call("GET", "/", token=self.token)
        self.assertEqual(status, 200)
        self.assertIn("<code>a.test</code>", text)


class AppsTests(_Base):
    """
    /admin/apps and /admin/apps/{name}.
    """

    def test_list(self):
        """
        GET lists every app with its state, counters and limits, no env values.
        """
        self.deployer.get("a").requestStarted()
        status, _, body = self.call("GET", "/admin/apps")
        self.assertEqual(status, 200)
        self.assertEqual([a["name"] for a in body["apps"]], ["a", "b"])
        first = body["apps"][0]
        self.assertEqual((first["state"], first["inflight"], first["requests"], first["errors"]),
                         ("ready", 1, 1, 0))
        self.assertEqual(first["hostnames"], ["a.test"])
        self.assertEqual(first["limits"]["cpu_ms"], 30000)
        self.assertEqual(first["loaded_at"], "1970-01-01T00:00:00.000Z")
        self.assertEqual(set(first), {"name", "hostnames", "path", "main", "state", "loaded_at", "load_error",
                                      "requests", "errors", "inflight", "heap_bytes", "external_bytes", "isolate_starts", "last_reset",
                                      "limits", "env"})
        self.assertEqual((first["isolate_starts"], first["last_reset"]), (1, None))
        self.assertEqual(self.call("GET", "/admin/apps/")[2], body)

    def test_getOne(self):
        """
        GET one app; an unknown one is 404.
        """
        self.assertEqual(self.call("GET", "/admin/apps/b")[2]["name"], "b")
        status, _, body = self.call("GET", "/admin/apps/zz")
        self.assertEqual(body, {"error": "no such app", "details": ['no app named "zz"']})
        self.assertEqual(status, 404)

    def test_post(self):
        """
        POST adds an app: 201, Location, the app; it is saved to the file.
        """
        self.fixture.app("c")
        status, headers, body = self.call("POST", "/admin/apps", {"name": "c", "hostnames": ["c.test"], "path": "c"})
        self.assertEqual((status, body["name"], body["state"]), (201, "c", "ready"))
        self.assertEqual(headers.getRawHeaders(b"location"), [b"/admin/apps/c"])
        self.assertEqual(self.fixture.read()["apps"][-1]["name"], "c")
        self.assertEqual(self.registry.match("c.test").name, "c")

    def test_postErrors(self):
        """
        Malformed JSON and field errors are 400, a clash 409, a load failure 422
        with the load error.
        """
        status, _, body = self.call("POST", "/admin/apps", raw=b'{"name": ')
        self.assertEqual((status, body["error"]), (400, "malformed JSON"))
        self.assertIn("line 1, column 10", body["details"][0])
        status, _, body = self.call("POST", "/admin/apps", raw=b"\xff")
        self.assertEqual((status, body["error"]), (400, "malformed JSON"))
        status, _, body = self.call("POST", "/admin/apps", {"name": "c", "path": "a", "colour": "red"})
        self.assertEqual((status, body["error"]), (400, "invalid app"))
        self.assertIn("colour: unknown key", body["details"][0])
        status, _, body = self.call("POST", "/admin/apps", raw=b'{"name": "c", "name": "d", "path": "a"}')
        self.assertEqual(body["details"], ["name: duplicate key"])
        self.assertEqual(self.call("POST", "/admin/apps", {"name": "a", "path": "a"})[0], 409)
        status, _, body = self.call("POST", "/admin/apps", {"name": "c", "path": "a", "hostnames": ["b.test"]})
        self.assertEqual((status, body["details"]), (409, ['hostname "b.test" is already used by app "b"']))
        status, _, body = self.call("POST", "/admin/apps", {"name": "c", "path": "bad"})
        self.assertEqual((status, body["error"]), (422, "app failed to load"))
        self.assertIn("BROKEN on purpose", body["details"][0])
        self.assertEqual(self.fixture.read(), self.document)

    def test_putAndDelete(self):
        """
        PUT replaces (200), DELETE answers 202 and the app drains; then 404.
        """
        status, _, body = self.call("PUT", "/admin/apps/a", {"path": "a", "hostnames": ["new-a.test"]})
        self.assertEqual((status, body["hostnames"]), (200, ["new-a.test"]))
        self.assertEqual(self.call("PUT", "/admin/apps/zz", {"path": "a"})[0], 404)
        self.assertEqual(self.call("PUT", "/admin/apps/a", {"name": "b", "path": "a"})[0], 400)
        self.assertEqual(self.call("PUT", "/admin/apps/a", {"path": "bad"})[0], 422)
        status, _, body = self.call("DELETE", "/admin/apps/a")
        self.assertEqual((status, body["name"]), (202, "a"))
        self.assertEqual(self.call("DELETE", "/admin/apps/a")[0], 404)
        self.assertEqual([a["name"] for a in self.fixture.read()["apps"]], ["b"])

    def test_shuttingDown(self):
        """
        Changes are refused with 503 once the deployer is closed.
        """
        self.deployer.close()
        status, _, body = self.call("DELETE", "/admin/apps/a")
        self.assertEqual((status, body["error"]), (503, "the server is shutting down"))


class ReloadTests(_Base):
    """
    POST /admin/reload.
    """

    def test_reload(self):
        """
        200 with what changed.
        """
        self.fixture.app("c")
        self.document["apps"].append({"name": "c", "path": "c"})
        self.fixture.write(self.document)
        status, _, body = self.call("POST", "/admin/reload")
        self.assertEqual((status, body), (200, {"added": ["c"], "removed": [], "changed": [],
                                                "unchanged": ["a", "b"]}))

    def test_invalid(self):
        """
        An invalid config is 400 with every problem.
        """
        self.fixture.write('{"apps": 1, "workers": 0}')
        status, _, body = self.call("POST", "/admin/reload")
        self.assertEqual((status, body["error"]), (400, "invalid config"))
        self.assertEqual(len(body["details"]), 2)

    def test_failedApp(self):
        """
        An app that fails to load is 422 naming it, with the summary.
        """
        self.document["apps"][1]["path"] = "bad"
        self.fixture.write(self.document)
        status, _, body = self.call("POST", "/admin/reload")
        self.assertEqual((status, body["changed"], body["failed"][0]["name"]), (422, [], "b"))
        self.assertIn("app b: index.js:1:1", body["details"][0])

    def test_whileLoading(self):
        """
        A reload asked for while a change is loading waits for it.
        """
        ControlledIsolate.held = []
        self.fixture.app("c")
        pending = self.client.request("POST", _URL + "/admin/apps", data=b'{"name": "c", "path": "c"}')
        reload = self.client.request("POST", _URL + "/admin/reload")
        self.client.flush()
        self.assertNoResult(pending)
        self.assertNoResult(reload)
        ControlledIsolate.held.pop().callback(None)
        self.client.flush()
        self.assertEqual(self.successResultOf(pending).code, 201)
        response = self.successResultOf(reload)
        body = json.loads(self.successResultOf(self.client.content(response)))
        self.assertEqual(body["unchanged"], ["a", "b", "c"])

"""
End-to-end tests of the app lifecycle with a real C{twistd -n nano}: per-app env
and isolation, hot reload (file edits, config rewrites, SIGHUP), the admin
listener and API with write-back, and graceful shutdown with requests in flight.
Configs use short debounce and drain timeouts to keep these quick.
"""

import concurrent.futures
import http.client
import json
import os
import shutil
import signal
import socket
import tempfile
import time

from twisted.trial.unittest import SynchronousTestCase

from nano.test.e2e import TwistdProcess, copyApp, waitUntil, writeConfig

_SECRET_A = "a-secret-7d1f0c9e"
_SECRET_B = "b-secret-52aa41b3"
_GREETING_A = "greeting-of-a-93be"


class _ServerTestCase(SynchronousTestCase):
    """
    Starts one twistd per test in a fresh directory holding copies of the apps.
    """

    def startServer(self, apps, copies, extra=None, env=None, args=()):
        """
        @param apps: the config's C{apps}.
        @param copies: C{{directory name: test app name}} to copy in.
        """
        self.directory = tempfile.mkdtemp(prefix="nano-e2e-life-")
        self.addCleanup(shutil.rmtree, self.directory, True)
        for target, source in copies.items():
            copyApp(source, self.directory, target)
        self.config = {
            "listen": ["tcp:0:interface=127.0.0.1"],
            "admin": {"listen": "tcp:0:interface=127.0.0.1"},
            "drain_timeout_ms": 3000,
            "watch": {"debounce_ms": 50},
            "apps": apps,
        }
        self.config.update(extra or {})
        self.configPath = writeConfig(self.directory, self.config)
        self.server = TwistdProcess(["--config", self.configPath] + list(args), env=env, cwd=self.directory)
        self.addCleanup(self.server.stop)
        self.server.start()
        return self.server

    def rewrite(self, config=None):
        writeConfig(self.directory, config or self.config)

    def get(self, host, path="/"):
        return self.server.request("GET", path, host=host)

    def json(self, host, path):
        status, _, _, body = self.get(host, path)
        self.assertEqual(status, 200, body)
        return json.loads(body)

    def editSource(self, app, old, new):
        path = os.path.join(self.directory, app, "index.js")
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace(old, new))


class EnvTests(_ServerTestCase):
    """
    Every kind of env value arrives, frozen; no app can reach another's env.
    """

    def setUp(self):
        self.startServer([
            {"name": "a", "hostnames": ["a.test"], "path": "a", "env": {
                "GREETING": _GREETING_A, "NUM": 42, "FLOAT": 1.5, "BOOL": True, "NONE": None,
                "OBJ": {"nested": {"deep": [1, "x"]}}, "ARR": [1, {"k": "v"}],
                "SECRET": {"from_env": "E2E_SECRET_A"}}},
            {"name": "b", "hostnames": ["b.test"], "path": "b",
             "env": {"SECRET": {"from_env": "E2E_SECRET_B"}}},
            {"name": "probe", "hostnames": ["probe.test"], "path": "probe", "env": {"OWN": "mine"}},
        ], {"a": "life-env", "b": "life-env", "probe": "life-probe"},
            env={"E2E_SECRET_A": _SECRET_A, "E2E_SECRET_B": _SECRET_B})

    def test_kinds(self):
        """
        Strings, numbers, booleans, null, objects, arrays and from_env secrets
        arrive as parsed JSON; the env is frozen all the way down, and writes
        throw TypeError.
        """
        data = self.json("a.test", "/env")
        self.assertEqual(data["env"], {
            "GREETING": _GREETING_A, "NUM": 42, "FLOAT": 1.5, "BOOL": True, "NONE": None,
            "OBJ": {"nested": {"deep": [1, "x"]}}, "ARR": [1, {"k": "v"}], "SECRET": _SECRET_A})
        self.assertEqual(data["kinds"], {
            "GREETING": "string", "NUM": "number", "FLOAT": "number", "BOOL": "boolean", "NONE": "null",
            "OBJ": "object", "ARR": "array", "SECRET": "string"})
        self.assertTrue(data["deepFrozen"])
        self.assertEqual((data["assignTop"], data["assignNested"], data["pushArray"]),
                         ("TypeError", "TypeError", "TypeError"))
        self.assertEqual(self.json("b.test", "/env")["env"], {"SECRET": _SECRET_B})

    def test_isolation(self):
        """
        The probe walks its whole global object graph (finding a control string
        planted in it) and finds neither other app's secret nor its greeting.
        """
        reverse = lambda s: s[::-1]  # noqa: E731
        status, _, _, body = self.server.request(
            "GET", "/", host="probe.test",
            headers=[("X-Needles", ",".join(reverse(s) for s in (_SECRET_A, _SECRET_B, _GREETING_A))),
                     ("X-Control", reverse("control-3b9d"))])
        self.assertEqual(status, 200, body)
        data = json.loads(body)
        self.assertEqual(data["found"], [])
        self.assertEqual(data["controlFound"], "globalThis.__probeControl.list.0(map value)(set value)")
        self.assertGreater(data["visited"], 1000)
        self.assertEqual(data["env"], {"OWN": "mine"})


class ReloadTests(_ServerTestCase):
    """
    Hot reload of source files and config, SIGHUP, and bad rewrites.
    """

    def setUp(self):
        self.startServer([
            {"name": "a", "hostnames": ["a.test"], "path": "a", "env": {"GREETING": "one"}},
            {"name": "b", "hostnames": ["b.test"], "path": "b"},
        ], {"a": "life-env", "b": "life-env"})

    def test_sourceEdit(self):
        """
        Editing an app's source changes what it serves (a new isolate); the other
        app keeps its isolate.
        """
        before = self.json("b.test", "/state")
        self.assertEqual(self.get("a.test")[3], b"v1 one")
        self.editSource("a", '"v1 "', '"v2 "')
        self.assertTrue(waitUntil(lambda: self.get("a.test")[3] == b"v2 one"), self.server.output[-3000:])
        self.assertEqual(self.json("b.test", "/state")["instance"], before["instance"])
        self.assertIn("reload: added [], removed [], changed ['a']", self.server.output)

    def test_envChange(self):
        """
        Changing an app's env in the config gives it a new isolate with the new
        env; the other app is untouched.
        """
        a, b = self.json("a.test", "/state"), self.json("b.test", "/state")
        self.config["apps"][0]["env"] = {"GREETING": "two"}
        self.rewrite()
        self.assertTrue(waitUntil(lambda: self.json("a.test", "/state")["greeting"] == "two"),
                        self.server.output[-3000:])
        self.assertNotEqual(self.json("a.test", "/state")["instance"], a["instance"])
        later = self.json("b.test", "/state")
        self.assertEqual(later["instance"], b["instance"])
        self.assertEqual(later["counter"], b["counter"] + 1)

    def test_addAndRemove(self):
        """
        An app added to the config serves; removing it lets its request in
        flight finish while new requests get 503 with Retry-After, then its host
        is unknown.
        """
        copyApp("life-env", self.directory, "c")
        self.config["apps"].append({"name": "c", "hostnames": ["c.test"], "path": "c"})
        self.rewrite()
        self.assertTrue(waitUntil(lambda: self.get("c.test")[0] == 200))
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            slow = pool.submit(self.get, "c.test", "/slow?ms=1500")
            time.sleep(0.3)
            del self.config["apps"][2]
            self.rewrite()
            self.assertTrue(waitUntil(lambda: self.get("c.test")[0] == 503))
            status, _, headers, _ = self.get("c.test")
            self.assertIn(("Retry-After", "1"), headers)
            self.assertEqual(slow.result()[::3], (200, b"slow done 1500"))
        self.assertTrue(waitUntil(lambda: self.get("c.test")[0] == 404))
        self.assertEqual(self.get("a.test")[0], 200)

    def test_badRewrites(self):
        """
        A syntax error, a duplicate hostname, a missing app directory and a file
        truncated mid-write each log their errors and change nothing; the next
        valid file applies.
        """
        good = json.dumps(self.config["apps"][0])
        bad = [
            '{"apps": [' + good + ',]}',
            json.dumps(dict(self.config, apps=[self.config["apps"][0],
                                               dict(self.config["apps"][1], hostnames=["a.test"])])),
            json.dumps(dict(self.config, apps=[dict(self.config["apps"][0], path="nowhere")])),
        ]
        complete = json.dumps(dict(self.config, apps=[dict(self.config["apps"][0], env={"GREETING": "fixed"}),
                                                      self.config["apps"][1]]))
        bad.append(complete[: len(complete) // 2])
        expected = ["line 1", 'hostname "a.test" is already used by app "a"', '"nowhere" does not exist',
                    "config.json: line 1"]
        for text, message in zip(bad, expected):
            with open(self.configPath, "w") as f:
                f.write(text)
            self.assertTrue(self.server.waitForOutput(message), (message, self.server.output[-3000:]))
            self.assertEqual(self.get("a.test")[3], b"v1 one")
            self.assertEqual(self.get("b.test")[0], 200)
        with open(self.configPath, "w") as f:
            f.write(complete)
        self.assertTrue(waitUntil(lambda: self.get("a.test")[3] == b"v1 fixed"), self.server.output[-3000:])
        self.assertIn("invalid config, keeping the running one", self.server.output)

    def test_brokenSource(self):
        """
        An app edited into a syntax error keeps serving its running version; the
        error is logged with file:line:column.
        """
        self.editSource("a", "export default {", "export default {{")
        self.assertTrue(self.server.waitForOutput("the new version failed to load, the running one stays"),
                        self.server.output[-3000:])
        self.assertIn("index.js:", self.server.output)
        self.assertEqual(self.get("a.test")[3], b"v1 one")


class SighupTests(_ServerTestCase):
    """
    With watching off, SIGHUP reloads.
    """

    def test_sighup(self):
        """
        An edit is not picked up until SIGHUP.
        """
        self.startServer([{"name": "a", "hostnames": ["a.test"], "path": "a"}], {"a": "life-env"},
                         extra={"watch": {"enabled": False}})
        self.editSource("a", '"v1 "', '"v3 "')
        time.sleep(0.3)
        self.assertEqual(self.get("a.test")[3], b"v1 ")
        self.server.signal(signal.SIGHUP)
        self.assertTrue(waitUntil(lambda: self.get("a.test")[3] == b"v3 "), self.server.output[-3000:])
        self.assertIn("reloading (SIGHUP)", self.server.output)


class AdminTests(_ServerTestCase):
    """
    The admin listener with a token, and changes that survive a restart.
    """

    token = "admin-token-e2e"

    def setUp(self):
        self.startServer(
            [{"name": "a", "hostnames": ["a.test"], "path": "a"}], {"a": "life-env", "extra": "life-env"},
            extra={"admin": {"listen": "tcp:0:interface=127.0.0.1", "token_env": "E2E_ADMIN_TOKEN"}},
            env={"E2E_ADMIN_TOKEN": self.token})

    def test_health(self):
        """
        Health and readiness need no token.
        """
        self.assertEqual(self.server.admin("GET", "/healthz")[::2], (200, {"status": "ok"}))
        self.assertEqual(self.server.admin("GET", "/readyz")[::2], (200, {"status": "ready"}))
        self.assertEqual(self.server.admin("GET", "/metrics")[0], 200)

    def test_statusPage(self):
        """
        C{GET /} is the HTML status page, behind the token: it lists the app with
        its state and hostname, and the server serving.
        """
        self.assertEqual(self.server.admin("GET", "/")[0], 401)
        status, headers, text = self.server.admin("GET", "/", token=self.token)
        self.assertEqual(status, 200)
        self.assertEqual(dict(headers)["Content-Type"], "text/html; charset=utf-8")
        self.assertIn('<td class="name">a</td><td class="state ready">ready</td>', text)
        self.assertIn("<code>a.test</code>", text)
        self.assertIn('<span class="badge serving">serving</span>', text)

    def test_roundTrip(self):
        """
        Without the token: 401. With it: add an app (201, served, written to the
        file), replace it, survive a restart, delete it (202, then 404).
        """
        self.assertEqual(self.server.admin("GET", "/admin/apps")[0], 401)
        self.assertEqual(self.server.admin("GET", "/admin/apps", token="nope")[0], 401)
        body = {"name": "extra", "hostnames": ["extra.test"], "path": "extra", "env": {"GREETING": "added"}}
        status, _, app = self.server.admin("POST", "/admin/apps", body, token=self.token)
        self.assertEqual((status, app["state"]), (201, "ready"))
        self.assertEqual(self.get("extra.test")[3], b"v1 added")
        with open(self.configPath) as f:
            self.assertEqual(json.load(f)["apps"][1], body)
        status, _, app = self.server.admin("PUT", "/admin/apps/extra", dict(body, env={"GREETING": "replaced"}),
                                           token=self.token)
        self.assertEqual(status, 200)
        self.assertEqual(self.get("extra.test")[3], b"v1 replaced")
        status, _, result = self.server.admin("POST", "/admin/reload", token=self.token)
        self.assertEqual((status, result["unchanged"]), (200, ["a", "extra"]))
        # A restart reads the written file.
        self.assertEqual(self.server.stop(), 0)
        self.server = TwistdProcess(["--config", self.configPath], env={"E2E_ADMIN_TOKEN": self.token},
                                    cwd=self.directory)
        self.addCleanup(self.server.stop)
        self.server.start()
        self.assertEqual(self.get("extra.test")[3], b"v1 replaced")
        status, _, app = self.server.admin("DELETE", "/admin/apps/extra", token=self.token)
        # Nothing was in flight: it may have drained before the answer was written.
        self.assertEqual(status, 202)
        self.assertIn(app["state"], ("draining", "stopped"))
        self.assertTrue(waitUntil(lambda: self.get("extra.test")[0] == 404))
        self.assertEqual(self.server.admin("DELETE", "/admin/apps/extra", token=self.token)[0], 404)
        with open(self.configPath) as f:
            self.assertEqual([a["name"] for a in json.load(f)["apps"]], ["a"])

    def test_refusals(self):
        """
        Malformed JSON, unknown fields, a clash and a load failure are refused
        with 400, 400, 409 and 422.
        """
        with open(os.path.join(self.directory, "extra", "index.js"), "w") as f:
            f.write("export default {\n")
        call = lambda body=None, raw=None: self.server.admin(  # noqa: E731
            "POST", "/admin/apps", body, token=self.token, raw=raw)
        self.assertEqual(call(raw=b"{nope")[0], 400)
        status, _, error = call({"name": "x", "path": "a", "colour": 1})
        self.assertEqual((status, error["error"]), (400, "invalid app"))
        self.assertEqual(call({"name": "x", "path": "a", "hostnames": ["a.test"]})[0], 409)
        status, _, error = call({"name": "x", "path": "extra"})
        self.assertEqual((status, error["error"]), (422, "app failed to load"))
        self.assertIn("index.js:", error["details"][0])


class ShutdownTests(_ServerTestCase):
    """
    SIGTERM drains: requests in flight finish, new connections are refused, the
    process exits 0; a request that never ends is cut at the drain timeout.
    """

    def setUp(self):
        self.startServer([{"name": "a", "hostnames": ["a.test"], "path": "a",
                           "limits": {"timeout_ms": 60000}}], {"a": "life-env"},
                         extra={"drain_timeout_ms": 1500})

    def test_inFlight(self):
        """
        Ten 1 s requests in flight at SIGTERM all complete with 200; meanwhile
        /health says 503 and new connections are refused; exit status 0.
        """
        with concurrent.futures.ThreadPoolExecutor(10) as pool:
            futures = [pool.submit(self.get, "a.test", "/slow?ms=1000") for _ in range(10)]
            time.sleep(0.3)
            self.server.signal(signal.SIGTERM)
            self.assertTrue(waitUntil(lambda: self._refused(), timeout=2))
            self.assertEqual(self.server.admin("GET", "/health")[::2], (503, {"status": "draining"}))
            results = [f.result() for f in futures]
        self.assertEqual([r[0] for r in results], [200] * 10)
        self.assertEqual(self.server.wait(10), 0)
        self.assertIn("nano drained", self.server.output)

    def _refused(self):
        try:
            socket.create_connection(("127.0.0.1", self.server.port), timeout=1).close()
        except ConnectionRefusedError:
            return True
        return False

    def test_waitUntil(self):
        """
        Pending ctx.waitUntil work finishes before the exit.
        """
        self.assertEqual(self.get("a.test", "/wait?ms=500")[0], 200)
        self.server.signal(signal.SIGTERM)
        self.assertEqual(self.server.wait(10), 0)
        self.assertIn("waitUntil work finished", self.server.output)

    def test_neverEnds(self):
        """
        A request that never ends: the process exits at the drain timeout.
        """
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        conn.request("GET", "/forever", headers={"Host": "a.test"})
        time.sleep(0.3)
        started = time.monotonic()
        self.server.signal(signal.SIGTERM)
        self.assertEqual(self.server.wait(10), 0)
        elapsed = time.monotonic() - started
        self.assertGreater(elapsed, 1.3)
        self.assertLess(elapsed, 4.0)
        self.assertIn("drain timed out", self.server.output)
        self.assertRaises((http.client.HTTPException, OSError), conn.getresponse)
        conn.close()

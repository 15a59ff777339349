"""
Tests for L{nano.config}: config.json parsed into frozen values, with every
problem reported by file and JSON path.
"""

import json
import operator
import os

from attrs.exceptions import FrozenInstanceError
from twisted.trial.unittest import SynchronousTestCase

from nano.config import (
    DEFAULT_ADMIN_LISTEN, AdminConfig, AppConfig, ConfigError, ConfigProblem,
    EgressConfig, Limits, WatchConfig, appFromJSON, appToJSON, configToJSON, endpointProblem,
    isLoopbackEndpoint, loadConfig, parseConfig, singleAppConfig,
)


class ConfigTestsMixin:
    """
    A temporary config directory holding C{apps/api} (with C{index.js}) and
    C{apps/web}, and helpers to parse a config document placed in it.
    """

    def setUp(self):
        self.base = os.path.abspath(self.mktemp())
        for name in ("api", "web"):
            os.makedirs(os.path.join(self.base, "apps", name))
        with open(os.path.join(self.base, "apps", "api", "index.js"), "w") as f:
            f.write("export default {fetch() {}};\n")
        self.configPath = os.path.join(self.base, "config.json")

    def parse(self, document, environ=None):
        """
        Parse C{document} (a JSON-able value, or JSON text) as the config file.
        """
        text = document if isinstance(document, str) else json.dumps(document)
        return parseConfig(text, self.configPath, environ or {})

    def problems(self, document, environ=None):
        """
        The C{(jsonPath, message)} pairs that parsing C{document} reports.
        """
        error = self.assertRaises(ConfigError, self.parse, document, environ)
        for problem in error.problems:
            self.assertEqual(problem.path, self.configPath)
        return [(p.jsonPath, p.message) for p in error.problems]

    def app(self, **overrides):
        """
        A valid app object for C{apps/api}, with C{overrides} applied.
        """
        app = {"name": "api", "path": "apps/api"}
        app.update(overrides)
        return app


class TopLevelTests(ConfigTestsMixin, SynchronousTestCase):
    """
    Top-level keys, their defaults and shorthands.
    """

    def test_defaults(self):
        """
        An empty object gives the SPEC §2 defaults: listen tcp:8080, the
        loopback admin listener, one worker, a 30 s drain, default limits,
        no egress exceptions, no apps and no default app.
        """
        config = self.parse({})
        self.assertEqual(config.path, self.configPath)
        self.assertEqual(config.listen, ("tcp:8080",))
        self.assertEqual(config.admin, AdminConfig(DEFAULT_ADMIN_LISTEN, None, None))
        self.assertEqual(config.workers, 1)
        self.assertEqual(config.drain_timeout_ms, 30000)
        self.assertEqual(config.defaults, Limits(
            cpu_ms=30000, timeout_ms=30000, memory_mb=128, max_body_mb=100,
            subrequests=50, idle_unload_s=None, max_header_kb=64))
        self.assertEqual(config.egress, EgressConfig(False, ()))
        self.assertEqual((config.apps, config.default_app), ((), None))
        self.assertEqual(config.watch, WatchConfig(True, "auto", 300, 1000))

    def test_specExample(self):
        """
        The SPEC §2 example parses: hostnames kept, path resolved, env
        resolved (from_env included), limits are defaults plus overrides.
        """
        config = self.parse({
            "listen": ["tcp:8080"],
            "admin": {"listen": "tcp:8081:interface=127.0.0.1",
                      "token_env": "NANO_ADMIN_TOKEN"},
            "workers": 2, "drain_timeout_ms": 5000,
            "defaults": {"cpu_ms": 1000, "timeout_ms": 30000, "memory_mb": 128,
                         "max_body_mb": 100, "subrequests": 50, "idle_unload_s": 300},
            "egress": {"allow_private": False, "allow": []},
            "apps": [{"name": "api",
                      "hostnames": ["api.example.com", "*.api.example.com"],
                      "path": "apps/api", "main": "index.js",
                      "env": {"GREETING": "hi", "FLAGS": {"beta": True},
                              "DB_PASSWORD": {"from_env": "API_DB_PASSWORD"}},
                      "limits": {"cpu_ms": 200, "memory_mb": 64}}],
        }, {"NANO_ADMIN_TOKEN": "tok", "API_DB_PASSWORD": "s3cret"})
        self.assertEqual(config.admin.token, "tok")
        self.assertEqual((config.workers, config.drain_timeout_ms), (2, 5000))
        [app] = config.apps
        self.assertEqual(app.name, "api")
        self.assertEqual(app.hostnames, ("api.example.com", "*.api.example.com"))
        self.assertEqual(app.path, os.path.join(self.base, "apps", "api"))
        self.assertEqual(app.main, "index.js")
        self.assertEqual(dict(app.env), {"GREETING": "hi", "FLAGS": {"beta": True},
                                         "DB_PASSWORD": "s3cret"})
        self.assertEqual(app.limits, Limits(cpu_ms=200, memory_mb=64,
                                            idle_unload_s=300))

    def test_portShorthand(self):
        """
        C{port: N} means C{listen: ["tcp:N"]}.
        """
        self.assertEqual(self.parse({"port": 9000}).listen, ("tcp:9000",))

    def test_portAndListen(self):
        """
        Giving both C{port} and C{listen} is an error reported at whichever
        comes second in the document.
        """
        self.assertEqual(self.problems('{"listen": ["tcp:1"], "port": 2}'), [
            ("port", '"port" and "listen" cannot both be given ("port": N is '
                     'shorthand for "listen": ["tcp:N"])')])
        self.assertEqual(self.problems('{"port": 2, "listen": ["tcp:1"]}')[0][0],
                         "listen")

    def test_portRange(self):
        """
        C{port} is an integer from 1 to 65535; anything else names the range.
        """
        for bad, shown in [(0, "0"), (65536, "65536"), ("80", '"80"'),
                           (80.0, "80.0"), (True, "true")]:
            self.assertEqual(self.problems({"port": bad}), [
                ("port", f"expected an integer from 1 to 65535, got {shown}")])

    def test_listenValid(self):
        """
        Twisted endpoint strings for tcp, tcp6, unix and ssl are accepted
        without touching anything (the ssl key file need not exist).
        """
        listen = ["tcp:0:interface=127.0.0.1", "tcp6:8080:interface=\\:\\:1",
                  "unix:/nonexistent/dir/nano.sock:mode=660",
                  "ssl:8443:privateKey=/nonexistent/key.pem"]
        self.assertEqual(self.parse({"listen": listen}).listen, tuple(listen))

    def test_listenInvalid(self):
        """
        Each bad endpoint string is reported at its index with the reason and
        an example of what was expected.
        """
        problems = self.problems({"listen": [
            "http:80", "tcp:http", "tcp:80:interface=eth0", "tcp:80:color=red", 8]})
        suffix = ('; expected e.g. "tcp:8080", "tcp:8080:interface=127.0.0.1" '
                  'or "unix:/run/nano.sock"')
        self.assertEqual(problems, [
            ("listen[0]", 'invalid endpoint "http:80": unknown endpoint type '
             '"http" (known types: tcp, tcp6, ssl, unix)' + suffix),
            ("listen[1]", 'invalid endpoint "tcp:http": port must be an integer '
             'from 0 to 65535, got "http"' + suffix),
            ("listen[2]", 'invalid endpoint "tcp:80:interface=eth0": interface '
             'must be an IP address or localhost, got "eth0"' + suffix),
            ("listen[3]", 'invalid endpoint "tcp:80:color=red": unknown option '
             '"color" for a tcp endpoint (expected one of: port, interface, '
             'backlog)' + suffix),
            ("listen[4]", "expected an endpoint string, got 8"),
        ])

    def test_listenNotAList(self):
        """
        C{listen} must be a non-empty array.
        """
        expected = 'expected a non-empty list of endpoint strings like ["tcp:8080"]'
        self.assertEqual(self.problems({"listen": "tcp:80"}),
                         [("listen", expected + ', got "tcp:80"')])
        self.assertEqual(self.problems({"listen": []}),
                         [("listen", expected + ", got an array")])

    def test_workersAndDrain(self):
        """
        C{workers} is 1..64 and C{drain_timeout_ms} 0..3600000.
        """
        self.assertEqual(self.parse({"workers": 64, "drain_timeout_ms": 0}).workers, 64)
        self.assertEqual(self.parse({"rss_limit_mb": 2048}).rss_limit_mb, 2048)
        self.assertIsNone(self.parse({"rss_limit_mb": None}).rss_limit_mb)
        self.assertEqual(self.problems({"rss_limit_mb": 10}),
                         [("rss_limit_mb", "expected null or an integer from 64 to 4194304, got 10")])
        self.assertEqual(self.problems({"workers": 0, "drain_timeout_ms": -1}), [
            ("workers", "expected an integer from 1 to 64, got 0"),
            ("drain_timeout_ms", "expected an integer from 0 to 3600000, got -1")])

    def test_topLevelNotObject(self):
        """
        A document that is not an object is one problem without a JSON path,
        and str() then shows just the file and the message.
        """
        error = self.assertRaises(ConfigError, self.parse, [])
        self.assertEqual(str(error), f"{self.configPath}: expected an object, "
                         "got an array")

    def test_unknownKeySuggestion(self):
        """
        An unknown key is an error suggesting the closest known key, or
        listing the known keys when nothing is close.
        """
        self.assertEqual(self.problems({"workrs": 2, "zzz": 1}), [
            ("workrs", 'unknown key (did you mean "workers"?)'),
            ("zzz", "unknown key (expected one of: listen, port, admin, "
             "workers, drain_timeout_ms, rss_limit_mb, defaults, egress, apps, "
             "default_app, watch)")])

    def test_unknownKeyNested(self):
        """
        Unknown keys inside apps, limits, admin and egress are reported with
        their full path.
        """
        problems = self.problems({
            "apps": [self.app(hostnmes=["a.com"], limits={"cpu": 1})],
            "admin": {"tokenenv": "X"}, "egress": {"allowed": []}})
        self.assertEqual(problems, [
            ("apps[0].hostnmes", 'unknown key (did you mean "hostnames"?)'),
            ("apps[0].limits.cpu", 'unknown key (did you mean "cpu_ms"?)'),
            ("admin.tokenenv", 'unknown key (did you mean "token_env"?)'),
            ("egress.allowed", 'unknown key (did you mean "allow"?)')])


class JSONSyntaxTests(ConfigTestsMixin, SynchronousTestCase):
    """
    Malformed documents and duplicate keys.
    """

    def test_malformed(self):
        """
        Malformed JSON is one problem giving line and column.
        """
        error = self.assertRaises(ConfigError, parseConfig,
                                  '{\n  "port": 1\n  "workers": 2}', "config.json")
        self.assertEqual(str(error),
                         "config.json: line 3, column 3: Expecting ',' delimiter")

    def test_nonStandardConstants(self):
        """
        NaN and Infinity, which Python's json accepts, are rejected.
        """
        self.assertEqual(self.problems('{"apps": [], "x": NaN}'),
                         [("", "NaN is not valid JSON")])

    def test_duplicateKeys(self):
        """
        A key repeated inside one object is an error at its second occurrence,
        at the top level, in apps, and in nested env values alike.
        """
        text = ('{"workers": 1, "workers": 2, "apps": [{"name": "api", '
                '"path": "apps/api", "env": {"A": 1, "A": 2, "B": {"x": 1, "x": 1}}}]}')
        self.assertEqual(self.problems(text), [
            ("workers", "duplicate key"),
            ("apps[0].env.A", "duplicate key"),
            ("apps[0].env.B.x", "duplicate key")])

    def test_documentOrder(self):
        """
        Every problem is collected and they come out in document order, even
        when checked out of order (default_app before apps, defaults after).
        """
        problems = self.problems({
            "default_app": "nope",
            "apps": [self.app(limits={"cpu_ms": 0}), {"name": "x"}],
            "workers": 99,
            "defaults": {"memory_mb": 1}})
        self.assertEqual([path for path, _ in problems], [
            "default_app", "apps[0].limits.cpu_ms", "apps[1]", "workers",
            "defaults.memory_mb"])

    def test_errorString(self):
        """
        C{str(ConfigError)} gives one C{file: path: message} line per problem.
        """
        error = ConfigError([ConfigProblem("c.json", "apps[2].hostnames[0]", "bad"),
                             ConfigProblem("c.json", "", "worse")])
        self.assertEqual(str(error), "c.json: apps[2].hostnames[0]: bad\nc.json: worse")


class AppTests(ConfigTestsMixin, SynchronousTestCase):
    """
    The C{apps} entries.
    """

    def test_hostnameDefaultsToName(self):
        """
        Without C{hostname} or C{hostnames} an app answers to its name.
        """
        [app] = self.parse({"apps": [self.app()]}).apps
        self.assertEqual(app.hostnames, ("api",))

    def test_hostnameShorthand(self):
        """
        C{hostname} is shorthand for a one-element C{hostnames}, lowercased.
        """
        [app] = self.parse({"apps": [self.app(hostname="API.Example.COM")]}).apps
        self.assertEqual(app.hostnames, ("api.example.com",))

    def test_hostnameAndHostnames(self):
        """
        C{hostname} and C{hostnames} together are an error.
        """
        app = self.app(hostname="a.com", hostnames=["b.com"])
        self.assertEqual(self.problems({"apps": [app]}), [
            ("apps[0].hostnames", '"hostname" and "hostnames" cannot both be given')])

    def test_hostnamesNormalised(self):
        """
        Hostnames are lowercased; one leading wildcard, IPv4 and bracketed
        IPv6 literals (compressed) are accepted; an empty list is allowed.
        """
        app = self.app(hostnames=["*.Example.com", "[0:0::1]", "10.0.0.1", "a_b.local"])
        self.assertEqual(self.parse({"apps": [app]}).apps[0].hostnames,
                         ("*.example.com", "[::1]", "10.0.0.1", "a_b.local"))
        self.assertEqual(self.parse({"apps": [self.app(hostnames=[])]}).apps[0].hostnames, ())

    def test_hostnameInvalid(self):
        """
        Non-strings, ports, misplaced wildcards, bad characters and unbracketed
        IPv6 are errors naming the entry.
        """
        problems = self.problems({"apps": [self.app(hostnames=[
            42, "a.com:8080", "a.*.com", "*", "bad host", "::1", "a..com", "-a.com"])]})
        wildcard = 'a wildcard is only allowed as one leading "*."'
        self.assertEqual([p[0] for p in problems],
                         [f"apps[0].hostnames[{i}]" for i in range(8)])
        self.assertEqual(problems[0][1], "expected a hostname string, got 42")
        self.assertEqual(problems[1][1], 'invalid hostname "a.com:8080": hostnames '
                         'must not include a port (IPv6 literals go in brackets, '
                         'like "[::1]")')
        self.assertEqual(problems[2][1], f'invalid hostname "a.*.com": {wildcard}')
        self.assertEqual(problems[3][1], f'invalid hostname "*": {wildcard}')
        for _, message in problems[4:]:
            self.assertIn("bad label" if "::" not in message else "port", message)

    def test_duplicateHostnamesAcrossApps(self):
        """
        A hostname may belong to one app only, compared case-insensitively.
        """
        apps = [self.app(hostnames=["API.example.com"]),
                {"name": "web", "path": "apps/web",
                 "hostnames": ["x.com", "api.EXAMPLE.com"]}]
        self.assertEqual(self.problems({"apps": apps}), [
            ("apps[1].hostnames[1]",
             'hostname "api.example.com" is already used by app "api"')])

    def test_duplicateHostnameWithinApp(self):
        """
        The same hostname twice in one app is an error.
        """
        self.assertEqual(self.problems({"apps": [self.app(hostnames=["a.com", "A.com"])]}),
                         [("apps[0].hostnames[1]", 'hostname "a.com" is listed twice')])

    def test_names(self):
        """
        Names match [a-z0-9][a-z0-9-]* (at most 63) and are unique.
        """
        expected = ("expected an app name of lowercase letters, digits and "
                    "hyphens (at most 63, starting with a letter or digit), got ")
        apps = [self.app(name="Api"), self.app(name="-a"), self.app(name="a" * 64),
                self.app(hostname="one"), self.app(hostname="two")]
        self.assertEqual(self.problems({"apps": apps}), [
            ("apps[0].name", expected + '"Api"'),
            ("apps[1].name", expected + '"-a"'),
            ("apps[2].name", expected + '"' + "a" * 56 + "..."),
            ("apps[4].name", 'app name "api" is already used by apps[3]')])

    def test_requiredKeys(self):
        """
        C{name} and C{path} are required; apps must be objects in an array.
        """
        self.assertEqual(self.problems({"apps": [{}, 3]}), [
            ("apps[0]", 'missing required key "name"'),
            ("apps[0]", 'missing required key "path"'),
            ("apps[1]", "expected an object, got 3")])
        self.assertEqual(self.problems({"apps": {}}),
                         [("apps", "expected an array of apps, got an object")])

    def test_relativePath(self):
        """
        Relative app paths resolve against the config file's directory, not
        the working directory.
        """
        cwd = os.getcwd()
        os.chdir("/")
        self.addCleanup(os.chdir, cwd)
        [app] = self.parse({"apps": [self.app(path="./apps/../apps/web")]}).apps
        self.assertEqual(app.path, os.path.join(self.base, "apps", "web"))

    def test_pathMissingOrNotDirectory(self):
        """
        C{path} must be an existing directory at load time.
        """
        apps = [self.app(path="apps/none"),
                {"name": "web", "path": "apps/api/index.js"}]
        self.assertEqual(self.problems({"apps": apps}), [
            ("apps[0].path", '"apps/none" does not exist (resolved to '
             f'{self.base}/apps/none)'),
            ("apps[1].path", '"apps/api/index.js" is not a directory (resolved '
             f'to {self.base}/apps/api/index.js)')])

    def test_main(self):
        """
        C{main} must name an existing file inside the app directory.
        """
        apps = [self.app(main="missing.js"),
                {"name": "b", "path": "apps/api", "main": "../web"},
                {"name": "c", "path": "apps/api", "main": "/etc/passwd"}]
        self.assertEqual(self.problems({"apps": apps}), [
            ("apps[0].main", f'"missing.js" is not a file in {self.base}/apps/api'),
            ("apps[1].main", '"../web" is outside the app directory (expected a '
             "path relative to it)"),
            ("apps[2].main", '"/etc/passwd" is outside the app directory '
             "(expected a path relative to it)")])

    def test_defaultApp(self):
        """
        C{default_app} must name one of the apps.
        """
        config = self.parse({"apps": [self.app()], "default_app": "api"})
        self.assertEqual(config.default_app, "api")
        self.assertIs(config.appNamed("api"), config.apps[0])
        self.assertEqual(self.problems({"apps": [self.app()], "default_app": "web"}),
                         [("default_app", 'no app named "web" (apps: api)')])


class EnvTests(ConfigTestsMixin, SynchronousTestCase):
    """
    App C{env} values and C{from_env} secrets.
    """

    def test_values(self):
        """
        Env values are passed as parsed JSON; C{envJSON} renders them.
        """
        env = {"S": "x", "N": 1.5, "B": False, "Z": None, "L": [1, {"a": 2}]}
        [app] = self.parse({"apps": [self.app(env=env)]}).apps
        self.assertEqual(dict(app.env), env)
        self.assertEqual(json.loads(app.envJSON()), env)

    def test_readOnly(self):
        """
        The config objects are frozen and the env mapping is read-only.
        """
        [app] = self.parse({"apps": [self.app(env={"A": 1})]}).apps
        self.assertRaises(FrozenInstanceError, setattr, app, "name", "x")
        self.assertRaises(TypeError, operator.setitem, app.env, "A", 2)

    def test_fromEnv(self):
        """
        C{{"from_env": VAR}} is replaced by the variable's value, which stays
        out of the repr; C{env_spec} keeps the reference.
        """
        [app] = self.parse({"apps": [self.app(env={"PW": {"from_env": "SECRET"}})]},
                           {"SECRET": "hunter2"}).apps
        self.assertEqual(app.env["PW"], "hunter2")
        self.assertEqual(dict(app.env_spec), {"PW": {"from_env": "SECRET"}})
        self.assertNotIn("hunter2", repr(app))

    def test_fromEnvMissing(self):
        """
        A missing variable is an error naming the env entry's JSON path.
        """
        app = self.app(env={"PW": {"from_env": "NOPE"}})
        self.assertEqual(self.problems({"apps": [app]}), [
            ("apps[0].env.PW", 'environment variable "NOPE" is not set')])

    def test_fromEnvMalformed(self):
        """
        A C{from_env} object with other keys or a bad variable name is an
        error; so are env keys that are not variable names.
        """
        app = self.app(env={"A": {"from_env": "X", "b": 1}, "B": {"from_env": 3},
                            "not-a-name": 1})
        self.assertEqual(self.problems({"apps": [app]}, {"X": "1"}), [
            ("apps[0].env.A", 'an object with "from_env" must have no other keys'),
            ("apps[0].env.B.from_env", "expected an environment variable name, got 3"),
            ("apps[0].env.not-a-name",
             "expected a variable name matching [A-Za-z_][A-Za-z0-9_]*")])


class LimitsTests(ConfigTestsMixin, SynchronousTestCase):
    """
    C{defaults} and per-app C{limits}.
    """

    def test_merge(self):
        """
        An app's limits are the built-in defaults, then C{defaults}, then the
        app's own C{limits}; C{idle_unload_s} may be null.
        """
        config = self.parse({
            "defaults": {"cpu_ms": 1000, "idle_unload_s": 60},
            "apps": [self.app(limits={"memory_mb": 64, "idle_unload_s": None,
                                      "max_header_kb": 16})]})
        self.assertEqual(config.defaults, Limits(cpu_ms=1000, idle_unload_s=60))
        self.assertEqual(config.apps[0].limits, Limits(
            cpu_ms=1000, memory_mb=64, idle_unload_s=None, max_header_kb=16))

    def test_wrongTypes(self):
        """
        Booleans, floats, strings, zero, negatives and too-large values are
        errors naming the path and the accepted range.
        """
        problems = self.problems({"defaults": {
            "cpu_ms": True, "timeout_ms": 1.0, "memory_mb": "64", "max_body_mb": 0,
            "subrequests": -1, "idle_unload_s": 86401, "max_header_kb": 2048}})
        self.assertEqual(problems, [
            ("defaults.cpu_ms", "expected an integer from 1 to 300000, got true"),
            ("defaults.timeout_ms", "expected an integer from 1 to 3600000, got 1.0"),
            ("defaults.memory_mb", 'expected an integer from 8 to 4096, got "64"'),
            ("defaults.max_body_mb", "expected an integer from 1 to 4096, got 0"),
            ("defaults.subrequests", "expected an integer from 0 to 10000, got -1"),
            ("defaults.idle_unload_s",
             "expected null or an integer from 1 to 86400, got 86401"),
            ("defaults.max_header_kb", "expected an integer from 1 to 1024, got 2048")])

    def test_limitsNotObject(self):
        """
        C{limits} must be an object.
        """
        self.assertEqual(self.problems({"apps": [self.app(limits=[1])]}),
                         [("apps[0].limits", "expected an object, got an array")])


class AdminEgressTests(ConfigTestsMixin, SynchronousTestCase):
    """
    The C{admin} and C{egress} sections.
    """

    def test_adminNull(self):
        """
        C{"admin": null} disables the admin listener.
        """
        self.assertIsNone(self.parse({"admin": None}).admin)

    def test_adminLocalNeedsNoToken(self):
        """
        Loopback interfaces, localhost and unix sockets need no token.
        """
        for listen in ["tcp:9:interface=127.0.0.2", "tcp6:9:interface=\\:\\:1",
                       "tcp:9:interface=localhost", "unix:/tmp/admin.sock"]:
            self.assertEqual(self.parse({"admin": {"listen": listen}}).admin,
                             AdminConfig(listen, None, None))

    def test_adminPublicNeedsToken(self):
        """
        An admin listener beyond loopback needs C{token_env}, whose variable
        must be set and non-empty; the token is read at load time.
        """
        self.assertEqual(self.problems({"admin": {"listen": "tcp:9"}}), [
            ("admin.listen", 'admin listener "tcp:9" is reachable beyond '
             'loopback, so a token is required: set "token_env" to an '
             "environment variable holding it")])
        admin = {"listen": "tcp:9:interface=0.0.0.0", "token_env": "TOK"}
        self.assertEqual(self.parse({"admin": admin}, {"TOK": "t"}).admin.token, "t")
        self.assertEqual(self.problems({"admin": admin}, {"TOK": ""}), [
            ("admin.token_env", 'environment variable "TOK" is empty')])
        self.assertEqual(self.problems({"admin": admin}), [
            ("admin.token_env", 'environment variable "TOK" is not set')])

    def test_egress(self):
        """
        Egress entries are normalised hostnames, wildcards, addresses and
        networks; host bits in a network or bad names are errors.
        """
        egress = self.parse({"egress": {"allow_private": True, "allow": [
            "API.example.com", "*.internal", "10.0.0.0/8", "[::1]", "fd00::/8"]}}).egress
        self.assertEqual(egress, EgressConfig(True, (
            "api.example.com", "*.internal", "10.0.0.0/8", "::1", "fd00::/8")))
        self.assertEqual(self.problems({"egress": {"allow_private": 1,
                                                   "allow": ["10.0.0.1/8", "a b", 7]}}), [
            ("egress.allow_private", "expected true or false, got 1"),
            ("egress.allow[0]", 'invalid host or network "10.0.0.1/8": not a valid '
             "IP address or network: 10.0.0.1/8 has host bits set"),
            ("egress.allow[1]", 'invalid host or network "a b": bad label "a b": '
             "labels are 1 to 63 letters, digits, hyphens or underscores, not "
             "starting or ending with a hyphen, separated by single dots"),
            ("egress.allow[2]", "expected a host or network string, got 7")])

    def test_appEgress(self):
        """
        An app may have its own egress policy (replacing the top-level one for
        it), validated like the top-level one and written back by L{appToJSON}.
        """
        config = self.parse({"apps": [{"name": "a", "path": "apps/api", "egress": {"allow": ["10.0.0.0/8"]}},
                                      {"name": "b", "path": "apps/web"}]})
        self.assertEqual(config.apps[0].egress, EgressConfig(False, ("10.0.0.0/8",)))
        self.assertIsNone(config.apps[1].egress)
        self.assertEqual(appToJSON(config.apps[0])["egress"], {"allow_private": False, "allow": ["10.0.0.0/8"]})
        self.assertNotIn("egress", appToJSON(config.apps[1]))
        self.assertEqual(self.problems({"apps": [{"name": "a", "path": "apps/api", "egress": {"allow": [1]}}]}),
                         [("apps[0].egress.allow[0]", "expected a host or network string, got 1")])


class WatchTests(ConfigTestsMixin, SynchronousTestCase):
    """
    The C{watch} section (hot reload).
    """

    def test_watch(self):
        """
        Every field can be set; the others keep their defaults.
        """
        self.assertEqual(self.parse({"watch": {"enabled": False}}).watch,
                         WatchConfig(False, "auto", 300, 1000))
        self.assertEqual(
            self.parse({"watch": {"method": "poll", "debounce_ms": 50,
                                  "poll_interval_ms": 100}}).watch,
            WatchConfig(True, "poll", 50, 100))

    def test_watchProblems(self):
        """
        Wrong types, unknown methods, out-of-range numbers and unknown keys
        are reported with their path.
        """
        self.assertEqual(self.problems({"watch": {
            "enabled": "yes", "method": "fanotify", "debounce_ms": 0,
            "poll_interval_ms": 10, "debounce": 1}}), [
            ("watch.enabled", 'expected true or false, got "yes"'),
            ("watch.method", 'expected one of "auto", "inotify", "poll", '
             'got "fanotify"'),
            ("watch.debounce_ms", "expected an integer from 10 to 60000, got 0"),
            ("watch.poll_interval_ms", "expected an integer from 50 to 600000, "
             "got 10"),
            ("watch.debounce", 'unknown key (did you mean "debounce_ms"?)')])
        self.assertEqual(self.problems({"watch": False}), [
            ("watch", "expected an object, got false")])

    def test_roundTrip(self):
        """
        configToJSON writes the watch section back.
        """
        config = self.parse({"watch": {"method": "inotify", "debounce_ms": 20}})
        self.assertEqual(self.parse(json.dumps(configToJSON(config))), config)


class EndpointTests(SynchronousTestCase):
    """
    L{endpointProblem} and L{isLoopbackEndpoint}.
    """

    def test_endpointProblem(self):
        """
        Valid strings give None; bad ones a reason.
        """
        self.assertIsNone(endpointProblem("unix:/x.sock:lockfile=0:mode=600"))
        self.assertIn('unknown endpoint type "systemd"', endpointProblem("systemd:INET"))
        self.assertIn("a unix endpoint needs a address", endpointProblem("unix"))
        self.assertIn("too many arguments", endpointProblem("tcp:1:2:3:4"))
        self.assertIn("lone backslash", endpointProblem("tcp:80\\"))

    def test_isLoopbackEndpoint(self):
        """
        Only unix sockets and loopback interfaces count as local.
        """
        self.assertTrue(isLoopbackEndpoint("unix:/x"))
        self.assertTrue(isLoopbackEndpoint("tcp:1:interface=127.0.0.1"))
        self.assertFalse(isLoopbackEndpoint("tcp:1"))
        self.assertFalse(isLoopbackEndpoint("tcp:1:interface=10.0.0.1"))
        self.assertFalse(isLoopbackEndpoint("tcp6:1"))


class RenderAndLoadTests(ConfigTestsMixin, SynchronousTestCase):
    """
    L{configToJSON}, L{appFromJSON}, L{loadConfig} and L{singleAppConfig}.
    """

    def document(self):
        return {
            "listen": ["tcp:8080"],
            "admin": {"listen": "tcp:8081", "token_env": "TOK"},
            "defaults": {"cpu_ms": 500},
            "egress": {"allow": ["10.0.0.0/8"]},
            "apps": [self.app(hostnames=["a.com"], main="index.js",
                              env={"PW": {"from_env": "SECRET"}, "J": [1]},
                              limits={"cpu_ms": 500, "memory_mb": 64}),
                     {"name": "web", "path": "apps/web"}],
            "default_app": "web"}

    def test_roundTrip(self):
        """
        configToJSON gives a document that parses back into an equal config
        and contains neither the admin token nor env secrets.
        """
        environ = {"TOK": "admintoken", "SECRET": "hunter2"}
        config = self.parse(self.document(), environ)
        rendered = configToJSON(config)
        text = json.dumps(rendered)
        self.assertNotIn("hunter2", text)
        self.assertNotIn("admintoken", text)
        self.assertEqual(rendered["apps"][0]["env"]["PW"], {"from_env": "SECRET"})
        self.assertEqual(rendered["apps"][0]["limits"], {"memory_mb": 64})
        reparsed = self.parse(text, environ)
        self.assertEqual(reparsed, config)
        self.assertEqual(hash(reparsed), hash(config))

    def test_relativePaths(self):
        """
        With C{relativePaths} app paths are written relative to the config
        directory.
        """
        config = self.parse(self.document(), {"TOK": "t", "SECRET": "s"})
        rendered = configToJSON(config, relativePaths=True)
        self.assertEqual([a["path"] for a in rendered["apps"]], ["apps/api", "apps/web"])

    def test_appFromJSON(self):
        """
        appFromJSON validates one app object with paths relative to it.
        """
        app = appFromJSON({"name": "api", "path": "apps/api"}, self.base,
                          Limits(cpu_ms=5), {})
        self.assertEqual(app, AppConfig("api", ("api",), os.path.join(
            self.base, "apps", "api"), limits=Limits(cpu_ms=5)))
        error = self.assertRaises(ConfigError, appFromJSON,
                                  {"name": "api", "path": "apps/api", "hostnames": [1]},
                                  self.base, Limits(), {})
        self.assertEqual(str(error), "app: hostnames[0]: expected a hostname "
                         "string, got 1")

    def test_loadConfig(self):
        """
        loadConfig reads the file; a missing file is a ConfigError.
        """
        with open(self.configPath, "w") as f:
            f.write('\ufeff{"port": 1234}')
        self.assertEqual(loadConfig(self.configPath, {}).listen, ("tcp:1234",))
        missing = os.path.join(self.base, "nope.json")
        error = self.assertRaises(ConfigError, loadConfig, missing)
        self.assertEqual(str(error), f"{missing}: cannot read the config file: "
                         "No such file or directory")

    def test_singleAppConfig(self):
        """
        Single-app mode: one app named after its directory (sanitised), no
        hostnames, made the default app; bad arguments are ConfigErrors.
        """
        weird = os.path.join(self.base, "My_Cool App!")
        os.mkdir(weird)
        config = singleAppConfig(weird, listen=("tcp:0",), admin=None)
        self.assertEqual(config.apps, (AppConfig("my-cool-app", (), weird),))
        self.assertEqual((config.default_app, config.listen, config.admin),
                         ("my-cool-app", ("tcp:0",), None))
        error = self.assertRaises(ConfigError, singleAppConfig,
                                  os.path.join(self.base, "none"), ("nope:1",))
        self.assertEqual([(p.path, p.jsonPath) for p in error.problems],
                         [("command line", "--app"), ("command line", "--listen")])

"""
Tests for L{nano.tap}: options and how they shape the config.
"""

import json
import os

from twisted.python import usage
from twisted.trial.unittest import SynchronousTestCase

from nano.config import AdminConfig, ConfigError
from nano.tap import Options, loadFromOptions, overridesFromOptions


class _ConfigTestCase(SynchronousTestCase):
    """
    A temporary directory (C{self.base}) with an app in C{app/} and C{config.json}
    (C{self.configPath}) holding the class's C{config}.
    """

    config = None

    def setUp(self):
        self.base = os.path.abspath(self.mktemp())
        os.makedirs(os.path.join(self.base, "app"))
        with open(os.path.join(self.base, "app", "index.js"), "w") as f:
            f.write("export default {fetch() {}}\n")
        self.configPath = os.path.join(self.base, "config.json")
        with open(self.configPath, "w") as f:
            json.dump(self.config, f)

    def options(self, *argv):
        options = Options()
        options.parseOptions(list(argv))
        return options


class AdminOptionTests(_ConfigTestCase):
    """
    C{--admin ENDPOINT}.
    """

    config = {"admin": {"listen": "tcp:9:interface=0.0.0.0", "token_env": "TOK"},
              "apps": [{"name": "app", "path": "app"}]}

    def test_singleAppDefault(self):
        """
        Single-app mode has no admin listener unless asked for.
        """
        options = self.options("--app", os.path.join(self.base, "app"))
        self.assertIsNone(loadFromOptions(options, {}).admin)
        self.assertEqual(overridesFromOptions(options), ())

    def test_singleAppAdmin(self):
        """
        C{--admin} turns it on; the token comes from NANO_ADMIN_TOKEN; beyond
        loopback a token is required.
        """
        app = os.path.join(self.base, "app")
        options = self.options("--app", app, "--admin", "tcp:0:interface=127.0.0.1")
        self.assertEqual(loadFromOptions(options, {}).admin, AdminConfig("tcp:0:interface=127.0.0.1"))
        self.assertEqual(overridesFromOptions(options), ("admin",))
        options = self.options("--app", app, "--admin", "tcp:0")
        error = self.assertRaises(ConfigError, loadFromOptions, options, {})
        self.assertIn("command line: --admin: admin listener 'tcp:0' is reachable beyond loopback", str(error))
        admin = loadFromOptions(options, {"NANO_ADMIN_TOKEN": "t"}).admin
        self.assertEqual((admin.listen, admin.token_env, admin.token), ("tcp:0", "NANO_ADMIN_TOKEN", "t"))

    def test_configOverride(self):
        """
        In multi-app mode C{--admin} replaces the listener, keeping the config's
        token; C{none} turns the listener off.
        """
        options = self.options("--config", self.configPath, "--admin", "tcp:7")
        admin = loadFromOptions(options, {"TOK": "secret"}).admin
        self.assertEqual((admin.listen, admin.token), ("tcp:7", "secret"))
        options = self.options("--config", self.configPath, "--admin", "none", "--port", "1")
        self.assertIsNone(loadFromOptions(options, {"TOK": "secret"}).admin)
        self.assertEqual(overridesFromOptions(options), ("listen", "admin"))

    def test_badEndpoint(self):
        """
        A malformed endpoint is a config error naming the option.
        """
        options = self.options("--config", self.configPath, "--admin", "tcp:notaport")
        error = self.assertRaises(ConfigError, loadFromOptions, options, {"TOK": "x"})
        self.assertIn("command line: --admin: invalid endpoint", str(error))

    def test_usage(self):
        """
        Options still need --config or --app.
        """
        self.assertRaises(usage.UsageError, self.options, "--admin", "tcp:1")


class WorkersOptionTests(_ConfigTestCase):
    """
    C{--workers N} and the worker processes' internal options.
    """

    config = {"workers": 3, "listen": ["tcp:0:interface=127.0.0.1"], "admin": None,
              "apps": [{"name": "app", "path": "app"}]}

    def test_ranges(self):
        """
        C{--workers} is 1..64; C{--worker-sockets} shared or reuseport;
        C{--inherit} FD=ENDPOINT.
        """
        for bad in (["--workers", "0"], ["--workers", "65"], ["--worker-sockets", "magic"],
                    ["--inherit", "x=tcp:1"], ["--inherit", "3=nope:1"], ["--worker-index", "-1"]):
            self.assertRaises(usage.UsageError, self.options, "--config", self.configPath, *bad)
        options = self.options("--config", self.configPath, "--inherit", "3=tcp:80", "--inherit", "4=unix:/s")
        self.assertEqual(options["inherit"], [(3, "tcp:80"), (4, "unix:/s")])
        self.assertEqual(options["worker-sockets"], "auto")

    def test_supervisorOrNot(self):
        """
        The config's C{workers} picks a supervisor; C{--workers} overrides it
        either way.
        """
        from nano.service import NanoService
        from nano.tap import makeService
        from nano.workers import WorkerSupervisor

        service = makeService(self.options("--config", self.configPath))
        self.assertIsInstance(service, WorkerSupervisor)
        self.assertEqual(service.count, 3)
        service = makeService(self.options("--config", self.configPath, "--workers", "2"))
        self.assertEqual(service.count, 2)
        self.assertIsInstance(makeService(self.options("--config", self.configPath, "--workers", "1")), NanoService)

    def test_workerProcess(self):
        """
        A worker (C{--worker-index}) is a NanoService adopting the inherited
        sockets, with its admin site on the private socket without a token, and
        the admin setting kept across reloads.
        """
        from nano.service import NanoService
        from nano.tap import makeService

        service = makeService(self.options("--config", self.configPath, "--worker-index", "1",
                                           "--inherit", "3=tcp:0", "--worker-admin", "/tmp/d:x/worker-1.sock"))
        self.assertIsInstance(service, NanoService)
        self.assertEqual(service.config.admin, AdminConfig("unix:/tmp/d\\:x/worker-1.sock"))
        self.assertEqual(service._inherited, [(3, "tcp:0")])
        self.assertIn("admin", service.deployer._overrides)
        self.assertEqual([type(child).__name__ for child in service], ["SupervisorLink"])
        self.assertEqual(type(service.logObserver).__name__, "TextLinesObserver")
        self.assertEqual(service.logObserver._worker, 1)

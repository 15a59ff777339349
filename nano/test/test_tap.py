"""
Tests for L{nano.tap}: options and how they shape the config.
"""

import json
import os

from twisted.python import usage
from twisted.trial.unittest import SynchronousTestCase

from nano.config import AdminConfig, ConfigError
from nano.tap import Options, loadFromOptions, overridesFromOptions


class AdminOptionTests(SynchronousTestCase):
    """
    C{--admin ENDPOINT}.
    """

    def setUp(self):
        self.base = os.path.abspath(self.mktemp())
        os.makedirs(os.path.join(self.base, "app"))
        with open(os.path.join(self.base, "app", "index.js"), "w") as f:
            f.write("export default {fetch() {}}\n")
        self.configPath = os.path.join(self.base, "config.json")
        with open(self.configPath, "w") as f:
            json.dump({"admin": {"listen": "tcp:9:interface=0.0.0.0", "token_env": "TOK"},
                       "apps": [{"name": "app", "path": "app"}]}, f)

    def options(self, *argv):
        options = Options()
        options.parseOptions(list(argv))
        return options

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

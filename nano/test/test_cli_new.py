"""
Tests for L{nano.cli.new}: C{nano new DIR} scaffolds an app.
"""

import json
import os

from twisted.trial.unittest import SynchronousTestCase

from nano.test.test_cli import _run, _tempdir


class NewTests(SynchronousTestCase):
    """
    C{nano new DIR} scaffolds an app.
    """

    def test_scaffold(self):
        """
        DIR gets an index.js exporting a fetch handler; the config entry is
        printed, named after the directory.
        """
        directory = os.path.join(_tempdir(self), "My App")
        status, out, err = _run(["new", directory])
        self.assertEqual((status, err), (0, ""))
        with open(os.path.join(directory, "index.js")) as f:
            self.assertIn("export default {\n  async fetch(request, env, ctx) {", f.read())
        entry = json.loads(out[out.index("{"):])
        self.assertEqual(entry, {"name": "my-app", "hostnames": ["my-app.localhost"],
                                 "path": directory, "env": {"APP_NAME": "my-app"}})

    def test_refusesNonEmpty(self):
        """
        An existing non-empty directory is refused (status 1) and left alone.
        """
        directory = _tempdir(self)
        with open(os.path.join(directory, "keep.txt"), "w") as f:
            f.write("x")
        status, out, err = _run(["new", directory])
        self.assertEqual((status, out), (1, ""))
        self.assertIn("is not empty", err)
        self.assertEqual(os.listdir(directory), ["keep.txt"])

    def test_emptyDirectory(self):
        """
        An existing empty directory is filled.
        """
        directory = _tempdir(self)
        self.assertEqual(_run(["new", directory, "--name", "x"])[0], 0)
        self.assertEqual(os.listdir(directory), ["index.js"])

    def test_addToConfig(self):
        """
        With --config, the app is added to the config file (created if
        missing), with its path relative to the file; a second app too.
        """
        base = _tempdir(self)
        config = os.path.join(base, "config.json")
        self.assertEqual(_run(["new", os.path.join(base, "one"), "--config", config])[0], 0)
        status, out, err = _run(["new", os.path.join(base, "two"), "--config", config,
                                 "--hostname", "two.example.com"])
        self.assertEqual((status, err), (0, ""))
        with open(config) as f:
            document = json.load(f)
        self.assertEqual([(a["name"], a["path"], a["hostnames"]) for a in document["apps"]],
                         [("one", "one", ["one.localhost"]), ("two", "two", ["two.example.com"])])
        self.assertEqual(_run(["check", config])[0], 0)

    def test_clash(self):
        """
        An app whose name clashes with one in the config is refused: the config
        is unchanged and the new directory removed.
        """
        base = _tempdir(self)
        config = os.path.join(base, "config.json")
        _run(["new", os.path.join(base, "one"), "--config", config])
        with open(config) as f:
            before = f.read()
        status, _, err = _run(["new", os.path.join(base, "other"), "--name", "one", "--config", config])
        self.assertEqual(status, 1)
        self.assertIn('app name "one" is already used', err)
        with open(config) as f:
            self.assertEqual(f.read(), before)
        self.assertFalse(os.path.exists(os.path.join(base, "other")))

"""
Tests for L{nano.cli.check}: C{nano check} validates as the server does.
"""

import json
import os

from twisted.trial.unittest import SynchronousTestCase

from nano.test.e2e import writeConfig
from nano.test.test_cli import EXAMPLES, _run, _tempdir


class CheckTests(SynchronousTestCase):
    """
    C{nano check} validates as the server does.
    """

    def test_valid(self):
        """
        A valid config is printed resolved (JSON, absolute app paths, every
        default filled in) and the status is 0.
        """
        status, out, err = _run(["check", os.path.join(EXAMPLES, "config.json")])
        self.assertEqual((status, err), (0, ""))
        resolved = json.loads(out)
        self.assertEqual([app["name"] for app in resolved["apps"]], ["hello", "api"])
        self.assertEqual(resolved["apps"][0]["path"], os.path.join(EXAMPLES, "hello"))
        self.assertEqual(resolved["defaults"]["memory_mb"], 128)

    def test_problems(self):
        """
        Every problem of an invalid config is printed, one per line with its
        JSON path, and the status is 1.
        """
        directory = _tempdir(self)
        path = writeConfig(directory, {"listen": ["tcp:8080"], "workerz": 2,
                                       "apps": [{"name": "Bad", "path": "."},
                                                {"name": "ok", "path": "nowhere"}]})
        status, out, err = _run(["check", path])
        self.assertEqual((status, out), (1, ""))
        lines = err.splitlines()
        self.assertEqual(len(lines), 3, err)
        self.assertIn('workerz: unknown key (did you mean "workers"?)', lines[0])
        self.assertIn("apps[0].name", lines[1])
        self.assertIn("apps[1].path", lines[2])

    def test_missingFile(self):
        """
        A missing file is a problem like any other.
        """
        status, _, err = _run(["check", "/nonexistent/config.json"])
        self.assertEqual(status, 1)
        self.assertIn("cannot read the config file", err)

    def test_appSyntaxError(self):
        """
        An app whose source does not parse is reported with the app's place in
        the config and the file, line and column; --no-apps skips that check.
        """
        directory = _tempdir(self)
        os.mkdir(os.path.join(directory, "app"))
        with open(os.path.join(directory, "app", "index.js"), "w") as f:
            f.write("export default {\n  fetch() { return new Response( }\n};\n")
        path = writeConfig(directory, {"apps": [{"name": "a", "path": "app"}]})
        status, out, err = _run(["check", path])
        self.assertEqual((status, out), (1, ""))
        self.assertRegex(err, r"config\.json: apps\[0\] \(a\): index\.js:2:\d+: SyntaxError")
        status, out, _ = _run(["check", "--no-apps", path])
        self.assertEqual(status, 0)

"""
Tests for L{nano.configfile}: admin changes written back to config.json.
"""

import json
import os
import stat

from twisted.trial.unittest import SynchronousTestCase

from nano._configjson import loadDocument
from nano.configfile import ConfigFileError, checkWritable, plainJSON, updateApps


class UpdateAppsTests(SynchronousTestCase):
    """
    L{updateApps} changes one app entry and keeps the rest as written.
    """

    def setUp(self):
        self.directory = os.path.abspath(self.mktemp())
        os.makedirs(self.directory)
        self.path = os.path.join(self.directory, "config.json")
        self.document = {
            "port": 8080,
            "apps": [
                {"hostname": "a.test", "name": "a", "path": "./a", "env": {"S": {"from_env": "SECRET"}}},
                {"name": "b", "path": "b"},
            ],
            "default_app": "b",
        }
        with open(self.path, "w") as f:
            json.dump(self.document, f)
        os.chmod(self.path, 0o640)

    def read(self):
        with open(self.path) as f:
            return json.load(f)

    def test_append(self):
        """
        An unknown name is appended; the other entries, their key order and the
        other settings are kept.
        """
        updateApps(self.path, "c", {"name": "c", "path": "c"})
        saved = self.read()
        self.assertEqual(saved["apps"], self.document["apps"] + [{"name": "c", "path": "c"}])
        self.assertEqual(list(saved["apps"][0]), ["hostname", "name", "path", "env"])
        self.assertEqual((saved["port"], saved["default_app"]), (8080, "b"))

    def test_replace(self):
        """
        A known name is replaced in place.
        """
        updateApps(self.path, "a", {"name": "a", "path": "a2"})
        self.assertEqual(self.read()["apps"], [{"name": "a", "path": "a2"}, {"name": "b", "path": "b"}])

    def test_remove(self):
        """
        C{remove} drops the entry; removing an unknown name changes nothing.
        """
        updateApps(self.path, "a", remove=True)
        updateApps(self.path, "zz", remove=True)
        self.assertEqual(self.read()["apps"], [{"name": "b", "path": "b"}])

    def test_noAppsKey(self):
        """
        A document without C{apps} gets one.
        """
        with open(self.path, "w") as f:
            f.write("{}")
        updateApps(self.path, "a", {"name": "a", "path": "a"})
        self.assertEqual(self.read(), {"apps": [{"name": "a", "path": "a"}]})

    def test_atomic(self):
        """
        The file is replaced by a rename (a new inode), keeps its permission bits,
        and no temporary file is left behind.
        """
        before = os.stat(self.path).st_ino
        updateApps(self.path, "a", remove=True)
        self.assertNotEqual(os.stat(self.path).st_ino, before)
        self.assertEqual(stat.S_IMODE(os.stat(self.path).st_mode), 0o640)
        self.assertEqual(os.listdir(self.directory), ["config.json"])

    def test_pairs(self):
        """
        An app parsed with duplicate-key-preserving objects is written as plain
        JSON.
        """
        body = loadDocument('{"name": "c", "env": {"A": [1, {"x": true}]}, "path": "c"}', "body")
        updateApps(self.path, "c", body)
        self.assertEqual(self.read()["apps"][2], {"name": "c", "env": {"A": [1, {"x": True}]}, "path": "c"})
        self.assertEqual(plainJSON([body])[0]["name"], "c")

    def test_errors(self):
        """
        Malformed JSON, a non-object document, C{apps} not an array and a missing
        file are L{ConfigFileError}s naming the file; the file is left alone.
        """
        cases = [("{ nope", "line 1, column 3"), ("[]", "not a JSON object"),
                 ('{"apps": {}}', "apps: expected an array")]
        for text, message in cases:
            with open(self.path, "w") as f:
                f.write(text)
            error = self.assertRaises(ConfigFileError, updateApps, self.path, "a", {"name": "a"})
            self.assertIn(self.path, str(error))
            self.assertIn(message, str(error))
            self.assertRaises(ConfigFileError, checkWritable, self.path)
            with open(self.path) as f:
                self.assertEqual(f.read(), text)
        error = self.assertRaises(ConfigFileError, checkWritable, self.path + ".missing")
        self.assertIn("cannot read the config file", str(error))

    def test_checkWritable(self):
        """
        A valid file in a writable directory passes.
        """
        self.assertIsNone(checkWritable(self.path))

"""
Tests for the C{nano} console script (L{nano.cli}, L{nano.cli.check},
L{nano.cli.new}): commands called in-process, the installed script as a
subprocess, and a scaffolded app served by a real C{twistd nano}.
"""

import io
import json
import os
import shutil
import subprocess
import tempfile

from twisted.trial.unittest import SynchronousTestCase

from nano.cli import evalCommand, main
from nano.test.e2e import TwistdProcess, writeConfig
from nano.test.test_cli_repl import nanoCommand
from nano.testing import PumpedReactor

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                        "examples")


def _run(argv):
    """
    Run C{main(argv)}; return (status, stdout, stderr).
    """
    out, err = io.StringIO(), io.StringIO()
    status = main(argv, stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def _tempdir(case):
    directory = tempfile.mkdtemp(prefix="nano-cli-")
    case.addCleanup(shutil.rmtree, directory, True)
    return directory


class MainTests(SynchronousTestCase):
    """
    L{main} parses the command line.
    """

    def test_noCommand(self):
        """
        Without a command, usage goes to stderr and the exit status is 2.
        """
        err = io.StringIO()
        self.patch(__import__("sys"), "stderr", err)
        with self.assertRaises(SystemExit) as caught:
            main([])
        self.assertEqual(caught.exception.code, 2)
        self.assertIn("usage: nano", err.getvalue())


class EvalTests(SynchronousTestCase):
    """
    C{nano eval} prints the completion value, or the error and exits 1.
    """

    def evaluate(self, code):
        out, err, box = [], [], []
        reactor = PumpedReactor()
        evalCommand(code, out.append, err.append, reactor=reactor).addBoth(box.append)
        reactor.pump(lambda: box, advance=0.01)
        return box[0], out, err

    def test_value(self):
        """
        A value is printed; console output comes first, in order.
        """
        self.assertEqual(self.evaluate("console.log('first'); [1, 2].map((x) => x * 2)"),
                         (0, ["first", "[ 2, 4 ]"], []))

    def test_undefined(self):
        """
        An undefined completion value prints nothing.
        """
        self.assertEqual(self.evaluate("void 0"), (0, [], []))

    def test_thrown(self):
        """
        An uncaught exception prints its position and stack on stderr; status 1.
        """
        status, out, err = self.evaluate("let o = null;\no.x")
        self.assertEqual((status, out), (1, []))
        self.assertEqual(err, ["eval:2:3: Uncaught TypeError: Cannot read properties of null (reading 'x')",
                               "    at eval (eval:2:3)"])

    def test_syntax(self):
        """
        A syntax error prints its position on stderr; status 1.
        """
        self.assertEqual(self.evaluate("console.log('ran');\nlet x = ;"),
                         (1, [], ["eval:2:9: SyntaxError: Unexpected token ';'"]))


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


class ConsoleScriptTests(SynchronousTestCase):
    """
    The installed C{nano} script, run as a process.
    """

    def nano(self, *args, **kw):
        return subprocess.run(nanoCommand() + list(args), capture_output=True, text=True,
                              timeout=60, **kw)

    def test_eval(self):
        """
        C{nano eval} prints the value and exits 0, or prints the error and exits 1.
        """
        result = self.nano("eval", "await new Promise((r) => setTimeout(r, 10, 6 * 7))")
        self.assertEqual((result.returncode, result.stdout, result.stderr), (0, "42\n", ""))
        result = self.nano("eval", "throw new Error('boom')")
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stderr.splitlines()[0], "eval:1:7: Uncaught Error: boom")

    def test_evalStdin(self):
        """
        C{nano eval -} reads the script from standard input.
        """
        result = self.nano("eval", "-", input="const s = 'a';\ns.repeat(3)\n")
        self.assertEqual((result.returncode, result.stdout), (0, "aaa\n"))

    def test_scaffoldServed(self):
        """
        An app made by C{nano new} is served by a real C{twistd nano}, alone
        (--app) and through the config entry C{nano new --config} wrote.
        """
        base = _tempdir(self)
        app = os.path.join(base, "hello-app")
        config = os.path.join(base, "config.json")
        result = self.nano("new", app, "--config", config)
        self.assertEqual(result.returncode, 0, result.stderr)

        server = TwistdProcess(["--app", app, "--listen", "tcp:0:interface=127.0.0.1"])
        server.start()
        try:
            status, _, _, body = server.request("GET", "/", host="anything.test")
            self.assertEqual((status, body), (200, b"Hello from a NANO app!\n"))
        finally:
            self.assertEqual(server.stop(), 0)

        server = TwistdProcess(["--config", config, "--listen", "tcp:0:interface=127.0.0.1"], cwd=base)
        server.start()
        try:
            status, _, _, body = server.request("GET", "/", host="hello-app.localhost")
            self.assertEqual((status, body), (200, b"Hello from hello-app!\n"))
            status, _, headers, body = server.request("GET", "/json?name=you", host="hello-app.localhost")
            self.assertEqual((status, json.loads(body)),
                             (200, {"hello": "you", "method": "GET", "host": "hello-app.localhost"}))
            status, _, _, _ = server.request("GET", "/missing", host="hello-app.localhost")
            self.assertEqual(status, 404)
        finally:
            self.assertEqual(server.stop(), 0)

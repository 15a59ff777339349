"""
Tests for the C{nano} console script (L{nano.cli}): argument parsing and
C{nano eval} in-process, the installed script as a subprocess, and an app made
by C{nano new} served by a real C{twistd nano}. The commands' own modules have
their test modules: C{test_cli_check}, C{test_cli_new}, C{test_cli_shell},
C{test_cli_source}, C{test_cli_repl}.
"""

import io
import json
import os
import shutil
import subprocess
import tempfile

from twisted.trial.unittest import SynchronousTestCase

from nano.cli import evalCommand, main
from nano.test.e2e import TwistdProcess
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

"""
Tests for L{nano.cli.repl}: the loop with scripted input and a real shell, and
C{nano repl} as a subprocess reading piped input.
"""

import os
import subprocess
import sys

from twisted.trial.unittest import SynchronousTestCase

from nano.cli.repl import HELP, ReplLoop
from nano.cli.shell import Outcome, Shell
from nano.testing import PumpedReactor


def nanoCommand():
    """
    The argv prefix that runs the C{nano} console script with this interpreter.
    """
    candidate = os.path.join(os.path.dirname(sys.executable), "nano")
    if os.path.exists(candidate):
        return [candidate]
    return [sys.executable, "-c", "from nano.cli import run; run()"]


class ReplLoopTests(SynchronousTestCase):
    """
    L{ReplLoop} gathers lines into statements and prints outcomes.
    """

    def setUp(self):
        self.reactor = PumpedReactor()
        self.out, self.err, self.prompts = [], [], []
        self.shell = Shell(self.reactor, lambda stream, text: self.out.append(text),
                           persist=True, quote=True)
        self.addCleanup(self.shell.close)
        box = []
        self.shell.start().addBoth(box.append)
        self.reactor.pump(lambda: box)

    def evaluate(self, source, name):
        box = []
        self.shell.evaluate(source, name).addBoth(box.append)
        self.reactor.pump(lambda: box, advance=0.01)
        return box[0]

    def loop(self, lines, evaluate=None, reset=None):
        feed = iter(lines)

        def readLine(prompt):
            self.prompts.append(prompt)
            item = next(feed, EOFError)
            if isinstance(item, type) and issubclass(item, BaseException):
                raise item()
            return item

        ReplLoop(readLine, evaluate or self.evaluate, self.out.append, self.err.append,
                 reset=reset).run()

    def test_multiLine(self):
        """
        Lines are gathered until the statement is complete, with the
        continuation prompt; state persists between statements.
        """
        self.loop(["function add(a, b) {", "  return a + b", "}", "let n = add(2, 3)", "await n * 2"])
        self.assertEqual(self.out, ["undefined", "undefined", "10"])
        self.assertEqual(self.prompts, ["> ", "... ", "... ", "> ", "> ", "> "])

    def test_errors(self):
        """
        Errors go to the error writer, and the loop goes on.
        """
        self.loop(["x y", "null.z", "'ok'"])
        self.assertEqual(self.err[0], "repl1:1:3: SyntaxError: Unexpected identifier 'y'")
        self.assertEqual(self.err[1], "repl2:1:6: Uncaught TypeError: Cannot read properties of null (reading 'z')")
        self.assertEqual(self.out, ["'ok'"])

    def test_commands(self):
        """
        .help prints the help, .break drops pending lines, .exit stops.
        """
        self.loop([".help", "(1 +", ".break", "2", ".exit", "3"])
        self.assertEqual(self.out, [HELP, "2"])

    def test_ctrlC(self):
        """
        Ctrl-C drops the pending lines; twice at an empty prompt, it leaves.
        """
        self.loop(["(1 +", KeyboardInterrupt, "7", KeyboardInterrupt, KeyboardInterrupt, "8"])
        self.assertEqual(self.out[:2], ["", "7"])
        self.assertNotIn("8", self.out)

    def test_interruptedRun(self):
        """
        Ctrl-C while code runs resets the isolate and goes on.
        """
        resets = []

        def evaluate(source, name):
            if source == "spin":
                raise KeyboardInterrupt()
            return Outcome("value", source)

        self.loop(["spin", "after"], evaluate=evaluate, reset=lambda: resets.append(1))
        self.assertEqual(resets, [1])
        self.assertEqual(self.out, ["after"])
        self.assertIn("interrupted", self.err[0])


class ReplCommandTests(SynchronousTestCase):
    """
    C{nano repl} reads piped standard input without prompts.
    """

    def test_piped(self):
        """
        Statements from standard input run in order in one isolate; the process
        exits 0 at the end of input.
        """
        script = "let a = [1, 2]\na.map((x) => {\n  return x * 10\n})\nawait Promise.resolve('done')\n"
        result = subprocess.run(nanoCommand() + ["repl"], input=script, capture_output=True,
                                text=True, timeout=60, env=dict(os.environ, NANO_HISTORY=""))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, "undefined\n[ 10, 20 ]\n'done'\n")

"""
Tests for L{nano.cli.shell}: inputs run in a real isolate with the full runtime,
driven by a L{PumpedReactor}.
"""

from twisted.trial.unittest import SynchronousTestCase

from nano.cli.shell import Outcome, Shell
from nano.testing import PumpedReactor


class ShellTests(SynchronousTestCase):
    """
    L{Shell.evaluate} checks, runs and formats inputs.
    """

    def setUp(self):
        self.reactor = PumpedReactor()
        self.output = []

    def shell(self, **kw):
        shell = Shell(self.reactor, lambda stream, text: self.output.append((stream, text)), **kw)
        self.addCleanup(shell.close)
        box = []
        shell.start().addBoth(box.append)
        self.reactor.pump(lambda: box)
        self.assertIsNone(box[0])
        return shell

    def evaluate(self, shell, source, name="eval"):
        box = []
        shell.evaluate(source, name).addBoth(box.append)
        self.reactor.pump(lambda: box, advance=0.01)
        return box[0]

    def test_values(self):
        """
        The completion value is printed as console.log prints it; C{undefined}
        gives no text.
        """
        shell = self.shell()
        self.assertEqual(self.evaluate(shell, "1 + 1"), Outcome("value", "2"))
        self.assertEqual(self.evaluate(shell, "'abc'"), Outcome("value", "abc"))
        self.assertEqual(self.evaluate(shell, "({a: [1, 'x']})"), Outcome("value", "{ a: [ 1, 'x' ] }"))
        self.assertEqual(self.evaluate(shell, "var x = 3"), Outcome("value", None))

    def test_quote(self):
        """
        With C{quote}, strings are shown quoted, as a REPL does.
        """
        self.assertEqual(self.evaluate(self.shell(quote=True), "'abc'"), Outcome("value", "'abc'"))

    def test_promises(self):
        """
        A promise completion value is awaited, timers included; top-level await
        works.
        """
        shell = self.shell()
        self.assertEqual(self.evaluate(shell, "new Promise(r => setTimeout(r, 30, 'later'))"),
                         Outcome("value", "later"))
        self.assertEqual(self.evaluate(shell, "const v = await Promise.resolve(4); v * 2"),
                         Outcome("value", "8"))

    def test_runtime(self):
        """
        The full runtime prelude is there: URL, TextEncoder, crypto, Response.
        """
        shell = self.shell()
        self.assertEqual(self.evaluate(shell, "new URL('/p?q=1', 'https://a.test').searchParams.get('q')"),
                         Outcome("value", "1"))
        self.assertEqual(self.evaluate(shell, "new TextEncoder().encode('é').length"), Outcome("value", "2"))
        self.assertEqual(self.evaluate(shell, "crypto.randomUUID().length"), Outcome("value", "36"))
        self.assertEqual(self.evaluate(shell, "await new Response('hi').text()"), Outcome("value", "hi"))
        self.assertEqual(self.evaluate(shell, "(await fetch('data:text/plain,ok')).text()"),
                         Outcome("value", "ok"))

    def test_console(self):
        """
        console output reaches the output callable, warnings and errors on stderr.
        """
        shell = self.shell()
        self.assertEqual(self.evaluate(shell, "console.log('a', 1); console.warn('w'); 5"), Outcome("value", "5"))
        self.assertEqual(self.output, [("stdout", "a 1"), ("stderr", "w")])

    def test_persist(self):
        """
        With C{persist}, let, const and class bindings outlive their input.
        """
        shell = self.shell(persist=True)
        self.evaluate(shell, "let a = 2; const b = 3; class C { m() { return a * b } }")
        self.assertEqual(self.evaluate(shell, "new C().m()"), Outcome("value", "6"))

    def test_syntaxError(self):
        """
        A syntax error names the script, line and column, and nothing runs.
        """
        shell = self.shell()
        outcome = self.evaluate(shell, "console.log('ran')\nfoo bar")
        self.assertEqual(outcome, Outcome("syntax", "eval:2:5: SyntaxError: Unexpected identifier 'bar'"))
        self.assertEqual(self.output, [])

    def test_incomplete(self):
        """
        An input that ends before its statement does is incomplete, not wrong.
        """
        shell = self.shell()
        for source in ("1 +", "function f() {", "`abc", "f(1,\n2", "if (x) // c", "await f(",
                       "const {a} = await g({"):
            self.assertEqual(self.evaluate(shell, source).kind, "incomplete", source)
        self.assertEqual(self.evaluate(shell, "1 +").text, "eval:1:4: SyntaxError: Unexpected end of input")

    def test_thrown(self):
        """
        An uncaught exception names the position of the throw and lists the
        stack frames inside the input.
        """
        shell = self.shell()
        outcome = self.evaluate(shell, "function f() {\n  throw new TypeError('bad');\n}\nf()", "in")
        self.assertEqual(outcome.kind, "thrown")
        self.assertEqual(outcome.text, "in:2:9: Uncaught TypeError: bad")
        self.assertEqual(outcome.stack, ("at f (in:2:9)", "at eval (in:4:1)"))

    def test_rejected(self):
        """
        A rejected promise is reported like a throw; a thrown non-Error value is
        printed as console does.
        """
        shell = self.shell()
        self.assertEqual(self.evaluate(shell, "Promise.reject(new RangeError('no'))").text,
                         "eval:1:16: Uncaught RangeError: no")
        self.assertEqual(self.evaluate(shell, "throw {code: 1}"), Outcome("thrown", "eval: Uncaught { code: 1 }"))

    def test_scriptRules(self):
        """
        Inputs are checked as scripts: a top-level return is a syntax error.
        """
        outcome = self.evaluate(self.shell(), "1;\nreturn 1")
        self.assertEqual(outcome, Outcome("syntax", "eval:2:1: SyntaxError: Illegal return statement"))

    def test_nothingRunsOnSyntaxError(self):
        """
        Checking never runs the input, even hoisted declarations' effects.
        """
        shell = self.shell()
        self.evaluate(shell, "var ran = 0")
        self.assertEqual(self.evaluate(shell, "ran = 1;\n)").kind, "syntax")
        self.assertEqual(self.evaluate(shell, "ran"), Outcome("value", "0"))

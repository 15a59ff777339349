"""
Tests for L{nano.cli.source}: shell inputs rewritten for indirect eval.
"""

from twisted.trial.unittest import SynchronousTestCase

from nano.cli.source import hasTopLevelAwait, prepareScript


class PrepareScriptTests(SynchronousTestCase):
    """
    L{prepareScript} keeps lines, persists bindings and wraps top-level await.
    """

    def test_sourceURL(self):
        """
        The script ends with a sourceURL comment naming it, on its own line.
        """
        self.assertEqual(prepareScript("1 // c", "eval"), "1 // c\n//# sourceURL=eval")

    def test_unchangedWithoutPersist(self):
        """
        Without C{persist}, declarations are left alone.
        """
        self.assertEqual(prepareScript("let a = 1; const b = 2", "x"),
                         "let a = 1; const b = 2\n//# sourceURL=x")

    def test_persistKeepsColumns(self):
        """
        With C{persist}, top-level let and const become var, padded so that the
        columns of the line stay; nested ones are untouched.
        """
        script = prepareScript("const a = 1;\nlet b = 2; { let c = 3 }", "r", persist=True)
        self.assertEqual(script, "var   a = 1;\nvar b = 2; { let c = 3 }\n//# sourceURL=r")

    def test_persistClass(self):
        """
        A top-level class declaration becomes a var holding a named class
        expression.
        """
        self.assertEqual(prepareScript("class C {}", "r", persist=True),
                         "var C = class C {}\n//# sourceURL=r")

    def test_topLevelAwait(self):
        """
        An input awaiting at top level is wrapped in an async arrow function;
        its declared names are declared before it and assigned inside, and the
        last expression statement is returned.
        """
        script = prepareScript("const {a, b: [c]} = await f();\nfunction g() {}\na + c", "r")
        self.assertEqual(
            script,
            "var a, c;(async () => {globalThis.g = g;;(    {a, b: [c]} = await f());\n"
            "function g() {}\nreturn (a + c)\n})()\n//# sourceURL=r")

    def test_awaitInFunctionOnly(self):
        """
        C{await} inside a function is not top-level await.
        """
        self.assertFalse(hasTopLevelAwait("async function f() { await g() }"))
        self.assertTrue(hasTopLevelAwait("for await (const x of y) {}"))
        self.assertTrue(hasTopLevelAwait("if (a) { await b }"))

    def test_unparsable(self):
        """
        Input tree-sitter cannot parse is passed through for V8 to report.
        """
        self.assertEqual(prepareScript("let = = 1", "r", persist=True),
                         "let = = 1\n//# sourceURL=r")
        self.assertFalse(hasTopLevelAwait("await ("))

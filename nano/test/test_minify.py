"""
Tests for L{nano.isolate.minify}: comments and needless whitespace go, line breaks
and the tokens stay, and anything uncertain is returned unchanged.
"""

from twisted.trial.unittest import SynchronousTestCase

from nano.isolate.minify import minify


class MinifyTests(SynchronousTestCase):
    """
    L{minify} shrinks JavaScript without changing its tokens or its lines.
    """

    def minified(self, source):
        text, stats = minify(source)
        self.assertIsNone(stats.reason)
        self.assertEqual((stats.before, stats.after), (len(source.encode()), len(text.encode())))
        return text

    def test_commentsAndIndentation(self):
        """
        Comments and indentation go; a line break between tokens stays one line
        break; spaces between tokens that cannot run together go.
        """
        source = (
            "// what this does\n"
            "function f(a, b) {\n"
            "    /* the sum */\n"
            "    return a + b;   // trailing\n"
            "}\n"
        )
        self.assertEqual(self.minified(source), "function f(a,b){\nreturn a+b;\n}\n")

    def test_lineBreaksKept(self):
        """
        Line breaks stay where automatic semicolon insertion or a restricted
        production depends on them.
        """
        source = "let a = b\n(c)\nreturn\nx\na\n++b\n"
        self.assertEqual(self.minified(source), "let a=b\n(c)\nreturn\nx\na\n++b\n")

    def test_blockCommentWithLineBreak(self):
        """
        A block comment spanning lines counts as a line break; one on a single line
        as a space.
        """
        self.assertEqual(self.minified("x = a /*\n*/ + b"), "x=a\n+b\n")
        self.assertEqual(self.minified("x = a /* y */ + b"), "x=a+b\n")
        self.assertEqual(self.minified("let /* y */ a"), "let a\n")
        self.assertEqual(self.minified("f(/* x */1)"), "f(1)\n")

    def test_tokensThatWouldJoin(self):
        """
        A space stays between tokens that would read as one when written
        together.
        """
        cases = {
            "a - -b": "a- -b\n",
            "a + ++b": "a+ ++b\n",
            "a / /re/.source": "a/ /re/.source\n",
            "x = a < !--b": "x=a< !--b\n",
            "1 .toString()": "1 .toString()\n",
            ".5 .toFixed()": ".5 .toFixed()\n",
            "a .b": "a.b\n",
            "typeof x in y": "typeof x in y\n",
            "a ? .5 : 1": "a? .5:1\n",
            "[... a]": "[...a]\n",
            "x = y => y": "x=y=>y\n",
        }
        for source, expected in cases.items():
            self.assertEqual(self.minified(source), expected, source)

    def test_literalsVerbatim(self):
        """
        String, template and regular expression literals are copied as they are,
        comment-like text and spaces included.
        """
        source = 'x = "a  // b" + `c  ${ d /* e */ }  f` + /g  \\/\\/ h/g . source'
        self.assertEqual(self.minified(source), 'x="a  // b"+`c  ${ d /* e */ }  f`+/g  \\/\\/ h/g.source\n')

    def test_privateNamesAndKeywords(self):
        """
        Private names and keywords keep the space that separates them from a name.
        """
        source = "class A { #x = 1; has(o) { return #x in o; } }"
        self.assertEqual(self.minified(source), "class A{#x=1;has(o){return #x in o;}}\n")

    def test_syntaxErrorUnchanged(self):
        """
        A source tree-sitter does not parse cleanly is returned unchanged, with the
        reason.
        """
        text, stats = minify("function (\n")
        self.assertEqual((text, stats.after, stats.reason), ("function (\n", stats.before,
                                                             "tree-sitter found a syntax error"))

    def test_jsxUnchanged(self):
        """
        Syntax tree-sitter reads as JSX is returned unchanged.
        """
        text, stats = minify("x = <div> a  b </div>;\n")
        self.assertEqual((text, stats.reason), ("x = <div> a  b </div>;\n", "JSX-like syntax"))

    def test_unusualWhitespaceUnchanged(self):
        """
        Whitespace other than ASCII between tokens (here a no-break space) is
        returned unchanged.
        """
        source = "a =\u00a0b;\n"
        text, stats = minify(source)
        self.assertEqual(text, source)
        self.assertIn("unexpected text between tokens", stats.reason)

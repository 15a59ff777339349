"""
Tests for L{nano.isolate.modulesource}: positions, parse errors, line-keeping edits,
JavaScript string literals, the top-level walk and binding pattern names.
"""

import tree_sitter
from twisted.trial.unittest import SynchronousTestCase

from nano.isolate.modulesource import (
    JAVASCRIPT, Edits, ModuleLoadError, Source, blank, isForAwait, parse, patternNames, quote, stringValue,
    topLevelNodes)


def _parseError(text):
    source = Source("x.js", text.encode("utf-8"))
    try:
        parse(source, JAVASCRIPT)
    except ModuleLoadError as e:
        return str(e)
    raise AssertionError("no parse error for %r" % (text,))


class SourceTests(SynchronousTestCase):
    """
    L{Source} maps byte offsets to 1-based lines and character columns.
    """

    def test_position(self):
        """
        Columns count characters, not UTF-8 bytes, and lines start after each
        line feed.
        """
        source = Source("x.js", "\u00e9\n  ab".encode("utf-8"))
        self.assertEqual(source.position(0), (1, 1))
        self.assertEqual(source.position(3), (2, 1))
        self.assertEqual(source.position(5), (2, 3))

    def test_error(self):
        """
        C{error} builds a L{ModuleLoadError} at an offset, formatted as
        C{path:line:column: message}; without a line only the path is shown.
        """
        e = Source("lib/a.js", b"let a;\nlet b;\n").error(11, "boom")
        self.assertEqual((e.path, e.line, e.column, e.message), ("lib/a.js", 2, 5, "boom"))
        self.assertEqual(str(e), "lib/a.js:2:5: boom")
        self.assertEqual(str(ModuleLoadError("a.js", 0, 0, "boom")), "a.js: boom")


class ParseTests(SynchronousTestCase):
    """
    L{parse} reports the first syntax error of a tree with its position.
    """

    def test_valid(self):
        """
        A valid module gives its tree.
        """
        tree = parse(Source("x.js", b"export const a = 1;\n"), JAVASCRIPT)
        self.assertEqual(tree.root_node.children[0].type, "export_statement")

    def test_errors(self):
        """
        An unexpected token, a missing token and an early end of input are named.
        """
        self.assertEqual(_parseError("const x = ;"), "x.js:1:9: SyntaxError: unexpected token '='")
        self.assertEqual(_parseError("let a = (1"), "x.js:1:10: SyntaxError: unexpected end of input")
        self.assertEqual(_parseError("export default {\n  fetch() { return 1 +; }\n}\n"),
                         "x.js:2:23: SyntaxError: expected identifier")


class EditsTests(SynchronousTestCase):
    """
    L{Edits} and L{blank} keep every line terminator of the text they replace.
    """

    def test_keepsLines(self):
        """
        A replacement spanning lines keeps the CRLF and LF terminators and pads with
        spaces, so what follows keeps its line and column; insertions add text.
        """
        edits = Edits(b"import {\r\n a } from 'x';\nfoo;")
        edits.replace(0, 25, "X")
        edits.insert(26, "Y")
        self.assertEqual(edits.apply(), b"X       \r\n\nfYoo;")

    def test_sameLine(self):
        """
        A shorter replacement on one line is padded to the original width.
        """
        edits = Edits(b"export const a = 1;")
        edits.replace(0, 7)
        self.assertEqual(edits.apply(), b"       const a = 1;")

    def test_overlap(self):
        """
        Overlapping edits are a programming error.
        """
        edits = Edits(b"abcdef")
        edits.replace(0, 3)
        edits.replace(2, 4)
        self.assertRaises(AssertionError, edits.apply)

    def test_blank(self):
        """
        L{blank} gives one space per character and keeps CRLF and U+2028.
        """
        self.assertEqual(blank("a\u00e9\r\nb\u2028c".encode("utf-8")),
                         "  \r\n \u2028 ".encode("utf-8"))


class StringLiteralTests(SynchronousTestCase):
    """
    L{stringValue} decodes JavaScript string literals; L{quote} writes literals.
    """

    def test_escapes(self):
        """
        Simple, hexadecimal, Unicode and code point escapes are decoded, an escaped
        quote is the quote, and a line continuation is dropped.
        """
        source = Source("x.js", b"'a\\n\\x41\\u0042\\u{1F600}\\'\\\nz'")
        literal = parse(source, JAVASCRIPT).root_node.children[0].children[0]
        self.assertEqual(stringValue(source, literal), "a\nAB\U0001F600'z")

    def test_plain(self):
        """
        A literal without escapes is its text between the quotes.
        """
        source = Source("x.js", b'"./m.js"')
        literal = parse(source, JAVASCRIPT).root_node.children[0].children[0]
        self.assertEqual(stringValue(source, literal), "./m.js")

    def test_quote(self):
        """
        L{quote} writes strings and lists as JavaScript (JSON) literals.
        """
        self.assertEqual(quote('a"b'), '"a\\"b"')
        self.assertEqual(quote(["x", 1]), '["x", 1]')


def _tree(text):
    return tree_sitter.Parser(JAVASCRIPT).parse(text.encode("utf-8")).root_node


class TopLevelTests(SynchronousTestCase):
    """
    L{topLevelNodes} walks the code outside every function; L{isForAwait} spots
    C{for await}.
    """

    def test_functionsSkipped(self):
        """
        Awaits inside functions, arrows, methods and class bodies are not top
        level; one in a block at the top level is.
        """
        def awaits(text):
            return [n.text.decode() for n in topLevelNodes(_tree(text)) if n.type == "await_expression"]
        self.assertEqual(awaits("async function f() { await a; }\nconst g = async () => await b;\n"
                                "class C { async m() { await c; } static { d; } }"), [])
        self.assertEqual(awaits("if (x) { await y; }"), ["await y"])

    def test_forAwait(self):
        """
        C{for await (... of ...)} is a for-await statement; C{for (... of ...)} is not.
        """
        statements = [n for n in topLevelNodes(_tree("for await (const x of y) {}\nfor (const x of y) {}"))
                      if n.type == "for_in_statement"]
        self.assertEqual(sorted(isForAwait(n) for n in statements), [False, True])


class PatternNamesTests(SynchronousTestCase):
    """
    L{patternNames} lists the names a binding pattern declares.
    """

    def test_patterns(self):
        """
        Identifiers, shorthand and renamed properties, defaults, nested array
        patterns and rest elements all declare names, in source order.
        """
        declarator = _tree("let {a, b: c, d = 1, e: [f, ...g], ...h} = x;").named_children[0].named_children[0]
        self.assertEqual(patternNames(declarator.child_by_field_name("name")), ["a", "c", "d", "f", "g", "h"])

"""
Tests for L{nano.isolate.typestrip}: TypeScript becomes JavaScript by replacing
type-only syntax with spaces.
"""

from twisted.trial.unittest import SynchronousTestCase

from nano.isolate.modulesource import ModuleLoadError, Source
from nano.isolate.typestrip import stripTypes


def _strip(text):
    return stripTypes(Source("m.ts", text.encode("utf-8"))).decode("utf-8")


class StripTests(SynchronousTestCase):
    """
    Type-only syntax becomes spaces, one per character, line terminators kept.
    """

    def test_plainJavaScript(self):
        """
        A module without TypeScript syntax is returned unchanged.
        """
        data = b"let a = 1;\nexport { a };\n"
        self.assertIs(stripTypes(Source("m.ts", data)), data)

    def test_annotations(self):
        """
        Parameter and return annotations, optional marks, C{this} parameters (with
        their comma), C{as}, C{satisfies} and non-null assertions are blanked, and
        every remaining character keeps its column.
        """
        source = ("function f(this: Window, a: number, b?: string): void {}\n"
                  "const x = y as any, z = w!, v = u satisfies T;\n")
        stripped = _strip(source)
        self.assertEqual(stripped, (
            "function f(              a        , b         )       {}\n"
            "const x = y       , z = w , v = u            ;\n"))
        self.assertEqual(len(stripped), len(source))

    def test_declarations(self):
        """
        Type-only imports and specifiers, interfaces, type aliases and C{<T>x}
        assertions are removed while every line stays in place.
        """
        source = ("import type { A } from './a';\nimport { type B, c } from './b';\n"
                  "interface I {\n  a: number;\n}\nexport type T = 1;\nlet q = <any>r;\n")
        stripped = _strip(source)
        self.assertEqual(stripped.split("\n"), [
            " " * 29, "import {         c } from './b';", " " * 13, " " * 12, " ",
            " " * 18, "let q =      r;", ""])

    def test_classes(self):
        """
        Type parameters, modifiers, C{declare} fields, abstract members, C{abstract}
        and C{implements} are removed from classes (a removed member leaves its
        semicolon, an empty class element); the JavaScript members stay in place.
        """
        stripped = _strip("abstract class C<T> implements I {\n"
                          "  declare q: string;\n"
                          "  private readonly a!: number;\n"
                          "  abstract n(): T;\n"
                          "  m(): void { this.a = 1; }\n"
                          "}\n")
        self.assertEqual(stripped.split("\n"), [
            "         class C                 {",
            "                   ;",
            "                   a         ;",
            "                 ;",
            "  m()       { this.a = 1; }",
            "}",
            ""])

    def test_unicode(self):
        """
        A non-ASCII type becomes one space per character (columns are characters).
        """
        self.assertEqual(_strip("let e: '\u00e9\u00e9' = 'x';"),
                         "let e" + " " * len(": '\u00e9\u00e9'") + " = 'x';")


class UnsupportedTests(SynchronousTestCase):
    """
    TypeScript that needs code generation is a load error at its position.
    """

    def test_unsupported(self):
        """
        Enums, namespaces, C{export =}, C{import = require()} and parameter properties
        are rejected with the position of the construct.
        """
        cases = [
            ("enum E { A }", 1, 1, "TypeScript enum is not supported"),
            ("namespace N {}", 1, 1, "TypeScript namespace is not supported"),
            ("let a = 1;\nexport = a;", 2, 1, "TypeScript 'export =' is not supported"),
            ("import fs = require('fs');", 1, 8, "'import = require()' is not supported"),
            ("class P { constructor(readonly a) {} }", 1, 23,
             "parameter properties are not supported"),
        ]
        for text, line, column, message in cases:
            e = self.assertRaises(ModuleLoadError, _strip, text)
            self.assertEqual((e.path, e.line, e.column), ("m.ts", line, column))
            self.assertIn(message, e.message)
            self.assertTrue(e.message.startswith("SyntaxError: "))

    def test_syntaxError(self):
        """
        A TypeScript syntax error is reported like a JavaScript one.
        """
        e = self.assertRaises(ModuleLoadError, _strip, "let x: = 3;\n")
        self.assertEqual(str(e), "m.ts:1:6: SyntaxError: unexpected token ':'")

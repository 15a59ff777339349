"""
Tests for L{nano.isolate.livebindings}: references to imported names become reads of
the exporting module's namespace; shadowed names are left alone.
"""

from twisted.trial.unittest import SynchronousTestCase

from nano.isolate.livebindings import rewriteReferences
from nano.isolate.modulesource import JAVASCRIPT, Edits, ModuleLoadError, Source, parse


def _rewrite(text, localImports, blanked=()):
    """
    Rewrite C{text} where every import comes from C{m.js} (namespace C{__nano_n0}).
    """
    data = text.encode("utf-8")
    js = Source("i.js", data)
    edits = Edits(data)
    rewriteReferences(js, parse(js, JAVASCRIPT).root_node, edits, localImports,
                      {"m.js": "__nano_n0"}, list(blanked))
    return edits.apply().decode("utf-8")


class ReferenceTests(SynchronousTestCase):
    """
    Which occurrences are rewritten, and into what.
    """

    def test_reads(self):
        """
        A reference reads the namespace property (bracketed when the exported name
        is not an identifier); a call gets an undefined C{this}; a shorthand property
        keeps its key.
        """
        self.assertEqual(
            _rewrite("a + f;\nc();\n({ c });\n",
                     {"a": ("m.js", "default"), "c": ("m.js", "b"), "f": ("m.js", "d e")}),
            '__nano_n0.default + __nano_n0["d e"];\n(0, __nano_n0.b)();\n'
            "({ c: __nano_n0.b });\n")

    def test_shadowing(self):
        """
        Parameters, inner declarations and catch bindings that reuse the name shadow
        it inside their scope only; property names are not references.
        """
        source = ("function p(x) { return x; }\n"
                  "{ let x = 1; x; }\n"
                  "try {} catch (x) { x; }\n"
                  "o.x; x;\n")
        self.assertEqual(_rewrite(source, {"x": ("m.js", "x")}), source[:-3] + "__nano_n0.x;\n")

    def test_namespaceImports(self):
        """
        Namespace imports (imported name L{None}) are plain variables: untouched.
        """
        self.assertEqual(_rewrite("ns.a;\n", {"ns": ("m.js", None)}), "ns.a;\n")

    def test_blankedStatements(self):
        """
        Names inside the import and export statements already replaced are skipped.
        """
        self.assertEqual(_rewrite("export { x };\nx;\n", {"x": ("m.js", "x")}, [(0, 13)]),
                         "export { x };\n__nano_n0.x;\n")

    def test_redeclared(self):
        """
        Declaring an imported name again at the module's top level is a SyntaxError
        at the declaration.
        """
        e = self.assertRaises(ModuleLoadError, _rewrite, "\nexport let x = 2;\n",
                              {"x": ("m.js", "x")})
        self.assertEqual(str(e), "i.js:2:12: SyntaxError: identifier 'x' has already been declared")

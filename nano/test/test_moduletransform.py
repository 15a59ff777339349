"""
Tests for L{nano.isolate.moduletransform}: the script one module becomes, its
dependencies and its dynamic imports. (C{test_modules} runs such scripts through the
JS linker.)
"""

from twisted.trial.unittest import SynchronousTestCase

from nano.isolate.modulesource import ModuleLoadError, Source
from nano.isolate.moduletransform import HEADER, transformJSONModule, transformModule


def _resolve(source, node, specifier):
    """
    Resolve C{./name} to C{name}; C{./missing.js} is not found.
    """
    if specifier == "./missing.js":
        raise source.error(node.start_byte, "cannot import '%s': module not found" % (specifier,))
    return specifier[2:]


def _transform(text, strictImports=True):
    data = text.encode("utf-8")
    return transformModule(Source("i.js", data), data, _resolve, strictImports)


class TransformTests(SynchronousTestCase):
    """
    The generator function script of a JavaScript module.
    """

    SOURCE = ("import a, { b as c } from './m.js';\nimport * as ns from './n.js';\n"
              "export { c as g };\nexport * from './s.js';\n"
              "export default function () { return a; }\n"
              "const l = () => import('./lazy.js'), k = (x) => import(x);\n"
              "const z = () => import('./missing.js');\n")

    def test_dependencies(self):
        """
        Static dependencies are listed once in source order; C{import()} of a literal
        is a dynamic import.
        """
        result = _transform(self.SOURCE)
        self.assertEqual(result.deps, ["m.js", "n.js", "s.js"])
        self.assertEqual(result.dynamic, ["lazy.js"])

    def test_shape(self):
        """
        The script is the header, the body with as many lines as the source, the
        link function and the sourceURL; imports and exports become blanks.
        """
        script = _transform(self.SOURCE).script
        self.assertTrue(script.startswith(HEADER))
        self.assertTrue(script.endswith("\n//# sourceURL=i.js"))
        lines = script[len(HEADER):].split("\n")
        self.assertEqual(lines[0].strip(), "")
        self.assertEqual(lines[4], "               function  __nano_default() "
                                   "{ return __nano_n0.default; }")
        self.assertEqual(lines[7], "")
        self.assertTrue(lines[8].startswith(";function __nano_link(){__nano_mod.link("))
        self.assertEqual(lines[9], "//# sourceURL=i.js")

    def test_link(self):
        """
        The link call lists dependencies, export getters, re-exports, star exports
        and (with C{strictImports}) the imported names to check.
        """
        script = _transform(self.SOURCE).script
        self.assertIn('__nano_mod.link(["m.js", "n.js", "s.js"],'
                      '{"default":()=>__nano_default},{"g": ["m.js", "b"]},["s.js"],'
                      '[["m.js", "default"], ["m.js", "b"]]);', script)
        self.assertIn('__nano_n0=__nano_mod.import("m.js");ns=__nano_mod.import("n.js");', script)
        self.assertIn(',["s.js"],[]);', _transform(self.SOURCE, strictImports=False).script)

    def test_dynamicImport(self):
        """
        C{import()} of a literal loads the resolved module, a computed specifier is
        resolved at run time, and a literal naming no module becomes a rejection.
        """
        script = _transform(self.SOURCE).script
        self.assertIn('const l = () => __nano_mod.dyn("lazy.js"), '
                      "k = (x) => __nano_mod.computed(x);", script)
        self.assertIn("__nano_mod.fail(\"cannot import './missing.js': module not found\")",
                      script)

    def test_topLevelAwait(self):
        """
        Top-level C{await} (not one inside a function) makes an async generator.
        """
        self.assertTrue(_transform("await 1;\n").script.startswith("(async function*"))
        self.assertTrue(_transform("async function f() { await 1; }\n").script.startswith(HEADER))

    def test_errors(self):
        """
        A missing static import, a duplicate export and top-level C{yield} are load
        errors at their position.
        """
        e = self.assertRaises(ModuleLoadError, _transform, "\nimport x from './missing.js';\n")
        self.assertEqual(str(e), "i.js:2:1: cannot import './missing.js': module not found")
        e = self.assertRaises(ModuleLoadError, _transform, "export const a = 1;\nexport { a };\n")
        self.assertEqual(str(e), "i.js:2:10: SyntaxError: duplicate export of 'a'")
        e = self.assertRaises(ModuleLoadError, _transform, "yield 1;\n")
        self.assertEqual((e.line, e.column), (1, 1))


class JSONModuleTests(SynchronousTestCase):
    """
    The script of a JSON module.
    """

    def test_script(self):
        """
        A JSON module exports the JSON.parse of its text as C{default} and has no
        dependencies.
        """
        result = transformJSONModule(Source("d.json", b'{"a": 1}'))
        self.assertEqual((result.deps, result.dynamic), ([], []))
        self.assertEqual(result.script, (
            HEADER + '__nano_json=__nano_mod.json("{\\"a\\": 1}");\n'
            ';function __nano_link(){__nano_mod.link([],{"default":()=>__nano_json},{},[],[]);}'
            "var __nano_json;})\n//# sourceURL=d.json"))

    def test_invalid(self):
        """
        Invalid JSON, and the constants JSON.parse rejects, are errors at their
        position.
        """
        e = self.assertRaises(ModuleLoadError, transformJSONModule, Source("d.json", b"[1, Infinity]"))
        self.assertEqual(str(e), "d.json:1:5: SyntaxError: invalid JSON: Infinity is not JSON")
        e = self.assertRaises(ModuleLoadError, transformJSONModule, Source("d.json", b'{"a": 1,}'))
        self.assertEqual((e.line, e.column), (1, 9))

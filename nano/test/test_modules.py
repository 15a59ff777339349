"""
Tests for L{nano.isolate.modules} (the ES module graph loader and its transform) and
C{nano/isolate/js/70_modules.js} (the linker that evaluates the transformed modules).
"""

import json
import os
import time

from py_mini_racer import MiniRacer
from twisted.trial.unittest import SynchronousTestCase

from nano.isolate.modules import HEADER, ModuleGraph, ModuleLoadError, loadModuleGraph

_HERE = os.path.dirname(os.path.abspath(__file__))
_APPS = os.path.join(_HERE, "apps")
_JS = os.path.join(os.path.dirname(_HERE), "isolate", "js")


def _app(name):
    return os.path.join(_APPS, name)


class _Linker:
    """
    A MiniRacer running only C{00_core.js} and C{70_modules.js}, with the internal
    C{nano} object exposed as the global C{__nano} (for tests only).
    """

    def __init__(self, testCase):
        self.racer = MiniRacer()
        testCase.addCleanup(self.racer.close)
        parts = []
        for name in ("00_core.js", "70_modules.js"):
            with open(os.path.join(_JS, name), encoding="utf-8") as f:
                parts.append('(function (nano) { "use strict";\n%s\n})(nano);\n' % (f.read(),))
        self.racer.eval("(function () { const nano = { bootstrap: {} };\n%s\n"
                        "globalThis.__nano = nano; })()" % ("".join(parts),))

    def eval(self, source):
        return self.racer.eval(source)

    def json(self, expression):
        """
        Evaluate C{expression} and return its value through JSON.
        """
        return json.loads(self.racer.eval("JSON.stringify(%s)" % (expression,)))

    def register(self, graph):
        for rel, script in graph.modules:
            self.racer.eval("__nano.registerModule(%s, (0, eval)(%s))"
                            % (json.dumps(rel), json.dumps(script)))

    def load(self, graph):
        """
        Register every module of C{graph} and evaluate it; the namespace (or the
        promise of it) becomes the global C{ns}.
        """
        self.register(graph)
        self.racer.eval("globalThis.ns = __nano.evaluateModules(%s); undefined"
                        % (json.dumps(graph.entry),))

    def settle(self, expression):
        """
        Await the promise C{expression} and return C{["ok", JSON value]} or
        C{["error", message]}.
        """
        self.racer.eval(
            "globalThis.__settled = null; Promise.resolve(%s).then("
            "(v) => { __settled = ['ok', JSON.stringify(v === undefined ? null : v)]; },"
            "(e) => { __settled = ['error', String(e)]; }); undefined" % (expression,))
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            result = self.racer.eval("JSON.stringify(__settled)")
            if result != "null":
                state, value = json.loads(result)
                return [state, json.loads(value) if state == "ok" else value]
            time.sleep(0.005)
        raise AssertionError("promise did not settle: " + expression)


def _write(base, files):
    for rel, text in files.items():
        path = os.path.join(base, *rel.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    return base


class EntryTests(SynchronousTestCase):
    """
    Which file is the entry module.
    """

    def test_order(self):
        """
        Without C{main} the entry is the first existing of index.js, index.mjs,
        worker.js, _worker.js and index.ts.
        """
        base = self.mktemp()
        names = ["index.ts", "_worker.js", "worker.js", "index.mjs", "index.js"]
        for name in names:
            _write(base, {name: "export default 1;\n"})
            self.assertEqual(loadModuleGraph(base).entry, name)

    def test_main(self):
        """
        C{main} names the entry, relative to the app directory.
        """
        base = _write(self.mktemp(), {"index.js": "", "src/app.js": "export const a = 1;\n"})
        graph = loadModuleGraph(base, main="src/app.js")
        self.assertIsInstance(graph, ModuleGraph)
        self.assertEqual(graph.entry, "src/app.js")
        self.assertEqual([rel for rel, _ in graph.modules], ["src/app.js"])

    def test_missing(self):
        """
        An app without an entry file, or with a C{main} that does not exist or leaves
        the directory, is a load error.
        """
        base = _write(self.mktemp(), {"other.js": ""})
        e = self.assertRaises(ModuleLoadError, loadModuleGraph, base)
        self.assertIn("no entry module", str(e))
        e = self.assertRaises(ModuleLoadError, loadModuleGraph, base, "nope.js")
        self.assertEqual(str(e), "nope.js: entry module not found")
        e = self.assertRaises(ModuleLoadError, loadModuleGraph, base, "../x.js")
        self.assertIn("inside the app directory", e.message)


class FormsTests(SynchronousTestCase):
    """
    Every supported import and export form, evaluated by the linker
    (the C{modules-forms} fixture app).
    """

    def setUp(self):
        self.graph = loadModuleGraph(_app("modules-forms"))
        self.linker = _Linker(self)
        self.linker.load(self.graph)

    def test_graph(self):
        """
        The graph lists every module once, dependencies before dependents, each script
        ending with its sourceURL; C{files} are the absolute paths read.
        """
        order = [rel for rel, _ in self.graph.modules]
        self.assertEqual(order[-1], "index.js")
        self.assertEqual(sorted(order), sorted(set(order)))
        self.assertEqual(set(order), {
            "index.js", "config.json", "lib/greet.js", "lib/counter.js",
            "lib/anonymous-class.js", "lib/side-effect.js", "lib/default-function.js",
            "lib/star.js"})
        for rel, script in self.graph.modules:
            self.assertTrue(script.endswith("\n//# sourceURL=" + rel))
        self.assertEqual(sorted(self.graph.files), sorted(
            os.path.join(_app("modules-forms"), *rel.split("/")) for rel in order))

    def test_namespace(self):
        """
        The entry namespace is a frozen null-prototype object tagged "Module" whose
        enumerable keys are the export names in code-unit order (the default export of
        an C{export *} target is not re-exported).
        """
        self.assertEqual(self.linker.json("Object.keys(ns)"), [
            "Thing", "default", "fromStar", "hoisted", "later", "local", "quoted name",
            "renamed", "seenAtImport", "shout", "starNamespace", "version", "why", "x"])
        self.assertEqual(self.linker.eval("Object.prototype.toString.call(ns)"), "[object Module]")
        self.assertTrue(self.linker.eval("Object.getPrototypeOf(ns) === null"))
        self.assertTrue(self.linker.eval("Object.isFrozen(ns)"))
        self.assertEqual(self.linker.eval("(() => { 'use strict'; try { ns.later = 2; } catch (e) { return e.name; } })()"),
                         "TypeError")

    def test_values(self):
        """
        Default, named, renamed, namespace, JSON and side-effect imports give the
        expected values; anonymous default functions and classes are named "default".
        """
        self.assertEqual(
            self.linker.eval("ns.default.fetch()"),
            "forms hello a HELLO B 1.0 2 2 anonymous default anonymous function default named")
        self.assertEqual(self.linker.eval("globalThis.sideEffects"), 1)

    def test_exports(self):
        """
        Declarations, destructuring, local lists, renames, string names, re-exports and
        star exports are all reachable on the namespace.
        """
        self.assertEqual(self.linker.json(
            "[ns.hoisted(), new ns.Thing().kind, ns.x, ns.why, ns.local, ns.renamed,"
            " ns['quoted name']('q'), ns.shout('s'), ns.version, ns.fromStar,"
            " ns.starNamespace.fromStar, Object.keys(ns.starNamespace), ns.later]"),
            ["hoisted", "thing", "X", "Y", "local", "local", "hello q", "HELLO S", "1.0",
             "star", "star", ["default", "fromStar"], 1])

    def test_liveness(self):
        """
        Imports are live bindings: named and namespace imports both see the exporting
        module's later assignments.
        """
        self.assertEqual(self.linker.eval("ns.seenAtImport"), 2)
        self.linker.eval("__nano.evaluateModules('lib/counter.js').increment()")
        self.assertEqual(self.linker.eval("__nano.evaluateModules('lib/counter.js').count"), 3)
        self.assertEqual(self.linker.eval("ns.default.fetch().split(' ').slice(6, 8).join()"), "3,3")

    def test_shadowing(self):
        """
        Only references to an imported binding read the namespace: parameters,
        block-scoped and hoisted declarations, catch and loop bindings, named function
        and class expressions that reuse the name shadow it; property names, member
        names and labels are not references; shorthand properties are.
        """
        base = _write(self.mktemp(), {
            "m.js": "export const x = 'imported';\n"
                    "export function who() { return this === undefined ? 'undefined this' : 'bad'; }\n",
            "index.js": (
                "import { x, who } from './m.js';\n"
                "const out = [];\n"
                "function param(x) { return x; }\n"
                "out.push(param('param'), ((x) => x)('arrow'), (({ x }) => x)({ x: 'destructured' }));\n"
                "{ let x = 'block'; out.push(x); }\n"
                "function hoisted() { out.push(typeof x); var x = 'var'; return x; }\n"
                "out.push(hoisted());\n"
                "try { throw 'caught'; } catch (x) { out.push(x); }\n"
                "for (const x of ['loop']) out.push(x);\n"
                "out.push((function x() { return typeof x; })(), typeof class x { static y = x; }.y);\n"
                "const obj = { x, y: { x: 1 }.x };\n"
                "x: for (;;) { break x; }\n"
                "out.push(obj.x, obj.y, x, typeof x, who());\n"
                "export default out;\n"),
        })
        linker = _Linker(self)
        linker.load(loadModuleGraph(base))
        self.assertEqual(linker.json("ns.default"), [
            "param", "arrow", "destructured", "block", "undefined", "var", "caught", "loop",
            "function", "function", "imported", 1, "imported", "string", "undefined this"])

    def test_importsAreReadOnly(self):
        """
        Assigning to an imported binding throws a TypeError; declaring the same name
        at the module's top level is a load error.
        """
        base = _write(self.mktemp(), {
            "m.js": "export let x = 1;\n",
            "index.js": "import { x } from './m.js';\n"
                        "export const assign = () => { x = 2; };\n"
                        "export const destructure = () => { ({ x } = { x: 3 }); };\n"})
        linker = _Linker(self)
        linker.load(loadModuleGraph(base))
        self.assertEqual(linker.json(
            "[ns.assign, ns.destructure].map((f) => { try { f(); } catch (e) { return e.name; } })"),
            ["TypeError", "TypeError"])
        _write(base, {"index.js": "import { x } from './m.js';\n\nexport let x = 2;\n"})
        e = self.assertRaises(ModuleLoadError, loadModuleGraph, base)
        self.assertEqual(str(e), "index.js:3:12: SyntaxError: identifier 'x' has already been declared")

    def test_evaluateOnce(self):
        """
        Evaluating again returns the same namespace and runs no module twice.
        """
        self.assertTrue(self.linker.eval("__nano.evaluateModules('index.js') === ns"))
        self.assertEqual(self.linker.eval("globalThis.sideEffects"), 1)

    def test_metaAndJson(self):
        """
        C{import.meta.url} is a file URL of the module's app-relative path; JSON
        modules give the parsed value as their default export.
        """
        base = _write(self.mktemp(), {
            "index.js": "import d from './sub/d.json';\n"
                        "export const url = import.meta.url, data = d;\n",
            "sub/d.json": '{"a": [1, {"b": null}], "__proto__": 5}',
        })
        linker = _Linker(self)
        linker.load(loadModuleGraph(base))
        self.assertEqual(linker.json("[ns.url, ns.data]"),
                         ["file:///index.js", {"a": [1, {"b": None}], "__proto__": 5}])


class SourceFidelityTests(SynchronousTestCase):
    """
    The transform keeps lines and is not fooled by import/export text that is not
    syntax.
    """

    FOOLING = (
        "const s1 = \"import x from './nope.js'\";\n"
        "const s2 = 'export default 1';\n"
        "const t = `\n"
        "import y from './nope.js';\n"
        "export { y };\n"
        "${'export * from \"./z.js\"'}`;\n"
        "const r = /import\\s+z from '.\\/nope.js'|export default/g;\n"
        "// import w from './nope.js';\n"
        "/* export default 2;\n"
        "   import './nope.js'; */\n"
        "const o = { import: 1, export: 2, default: 3 };\n"
        "export default [s1, s2, t, r.source, o.import + o.export + o.default];\n"
    )

    def test_fooling(self):
        """
        Strings, template literals, regular expressions and comments that contain
        import/export text are left as they are and imply no module.
        """
        base = _write(self.mktemp(), {"index.js": self.FOOLING})
        graph = loadModuleGraph(base)
        self.assertEqual([rel for rel, _ in graph.modules], ["index.js"])
        body = graph.modules[0][1][len(HEADER):]
        self.assertEqual(body.split("\n")[:11], self.FOOLING.split("\n")[:11])
        linker = _Linker(self)
        linker.load(graph)
        self.assertEqual(linker.json("ns.default"), [
            "import x from './nope.js'", "export default 1",
            "\nimport y from './nope.js';\nexport { y };\nexport * from \"./z.js\"",
            "import\\s+z from '.\\/nope.js'|export default", 6])

    def test_lines(self):
        """
        Every original line keeps its number (multi-line import and export statements
        are replaced by as many lines), so stacks point at the source line and column.
        """
        source = ("import {\n  a,\n  b,\n} from './m.js';\n"
                  "export {\n  a,\n  b as c,\n};\n"
                  "export function f() {\n\n  throw new Error('line 11');\n}\n")
        base = _write(self.mktemp(), {"index.js": source,
                                      "m.js": "export const a = 1, b = 2;\n"})
        graph = loadModuleGraph(base)
        script = dict(graph.modules)["index.js"]
        self.assertTrue(script.startswith(HEADER))
        body = script[len(HEADER):]
        self.assertEqual(body.split("\n")[10], "  throw new Error('line 11');")
        linker = _Linker(self)
        linker.load(graph)
        stack = linker.eval("(() => { try { ns.f(); } catch (e) { return e.stack; } })()")
        self.assertIn("index.js:11:9", stack)

    def test_lineTerminators(self):
        """
        CRLF, CR and U+2028 line terminators inside a replaced statement are kept, so
        the following lines keep their numbers.
        """
        source = ("import {\r\n  a,\r  b\u2028} from './m.js';\n"
                  "export const f = () => { throw new Error('x'); };\n")
        base = _write(self.mktemp(), {"index.js": source,
                                      "m.js": "export const a = 1, b = 2;\n"})
        with open(os.path.join(base, "index.js"), "w", encoding="utf-8", newline="") as f:
            f.write(source)
        linker = _Linker(self)
        linker.load(loadModuleGraph(base))
        stack = linker.eval("(() => { try { ns.f(); } catch (e) { return e.stack; } })()")
        self.assertIn("index.js:5:32", stack)

    def test_realFiles(self):
        """
        A hash-bang line, C{export default} on its own line and comments inside
        statements are handled.
        """
        base = _write(self.mktemp(), {"index.js": (
            "#!/usr/bin/env node\n"
            "export /* a comment */ const a = 1;\n"
            "export default\n"
            "  { a };\n")})
        linker = _Linker(self)
        linker.load(loadModuleGraph(base))
        self.assertEqual(linker.json("[ns.a, ns.default]"), [1, {"a": 1}])


class ErrorTests(SynchronousTestCase):
    """
    Load errors name the file, line and column (1-based).
    """

    def load(self, files, main=None):
        base = _write(self.mktemp(), files)
        return self.assertRaises(ModuleLoadError, loadModuleGraph, base, main)

    def test_syntax(self):
        """
        A syntax error is reported with its position, in C{file:line:column: message}
        form, and the files read so far.
        """
        e = self.load({"index.js": "import './lib/a.js';\n",
                       "lib/a.js": "// ok\nlet y = 2;\nconst x = ;\n"})
        self.assertEqual((e.path, e.line, e.column), ("lib/a.js", 3, 9))
        self.assertEqual(str(e), "lib/a.js:3:9: SyntaxError: unexpected token '='")
        self.assertEqual(len(e.files), 2)
        e = self.load({"index.js": "export default {\n  fetch() { return 1 +; }\n}\n"})
        self.assertEqual(str(e), "index.js:2:23: SyntaxError: expected identifier")

    def test_missing(self):
        """
        Importing a file that does not exist is reported at the import statement.
        """
        e = self.load({"index.js": "const a = 1;\n  import x from './nope.js';\n"})
        self.assertEqual(str(e), "index.js:2:3: cannot import './nope.js': module not found")

    def test_escaping(self):
        """
        Imports that leave the app directory (by path or by symlink) are errors.
        """
        e = self.load({"index.js": "export * from '../outside.js';\n"})
        self.assertEqual(str(e), "index.js:1:1: cannot import '../outside.js': "
                                 "it leaves the app directory")
        outside = os.path.abspath(_write(self.mktemp(), {"secret.js": "export const s = 1;\n"}))
        base = _write(self.mktemp(), {"index.js": "import {s} from './link.js';\n"})
        os.symlink(os.path.join(outside, "secret.js"), os.path.join(base, "link.js"))
        e = self.assertRaises(ModuleLoadError, loadModuleGraph, base)
        self.assertIn("leaves the app directory", e.message)

    def test_specifiers(self):
        """
        Bare specifiers, Node built-ins, URLs and absolute paths are rejected.
        """
        cases = {
            "hono": "bare specifiers",
            "node:fs": "Node.js built-in modules",
            "https://esm.sh/x": "URL imports",
            "cloudflare:sockets": "NANO provides only cloudflare:workers",
            "/abs.js": "absolute paths",
        }
        for specifier, text in cases.items():
            e = self.load({"index.js": "\nimport x from '%s';\n" % (specifier,)})
            self.assertEqual((e.path, e.line, e.column), ("index.js", 2, 1))
            self.assertIn(text, e.message)

    def test_json(self):
        """
        Invalid JSON (including NaN, which JSON.parse rejects) is reported in the JSON
        file with its position.
        """
        e = self.load({"index.js": "import d from './d.json';\n", "d.json": '{\n  "a": [1,]\n}\n'})
        self.assertEqual((e.path, e.line, e.column), ("d.json", 2, 11))
        self.assertTrue(e.message.startswith("SyntaxError: invalid JSON"))
        e = self.load({"index.js": "import d from './d.json';\n", "d.json": '[1, NaN]'})
        self.assertEqual((e.path, e.line, e.column), ("d.json", 1, 5))

    def test_unsupportedType(self):
        """
        Only JavaScript, TypeScript and JSON modules can be imported.
        """
        e = self.load({"index.js": "import t from './t.txt';\n", "t.txt": "hi"})
        self.assertIn("unsupported module type '.txt'", e.message)

    def test_duplicateExport(self):
        """
        Exporting one name twice is a syntax error, as in ES modules.
        """
        e = self.load({"index.js": "export const a = 1;\nconst b = 2;\nexport { b as a };\n"})
        self.assertEqual(str(e), "index.js:3:10: SyntaxError: duplicate export of 'a'")

    def test_duplicateImport(self):
        """
        Importing two bindings with the same local name is a syntax error.
        """
        e = self.load({"index.js": "import { a } from './m.js';\nimport { b as a } from './m.js';\n",
                       "m.js": "export const a = 1, b = 2;\n"})
        self.assertEqual(str(e), "index.js:2:10: SyntaxError: identifier 'a' has already been declared")

    def test_jsx(self):
        """
        JSX is reported at its position (the transform does not compile it).
        """
        e = self.load({"index.js": "export default {\n  fetch() { return <p>hi</p>; },\n};\n"})
        self.assertEqual(str(e), "index.js:2:20: SyntaxError: JSX is not supported")

    def test_topLevelYield(self):
        """
        C{yield} at a module's top level is a syntax error (the transform uses a
        generator, which must not make it legal).
        """
        e = self.load({"index.js": "function* g() { yield 1; }\nyield 2;\n"})
        self.assertEqual((e.line, e.column), (2, 1))

    def test_missingExport(self):
        """
        Importing a name the target module does not export fails when the graph is
        linked, with a SyntaxError naming the module and the name.
        """
        base = _write(self.mktemp(), {"index.js": "import { nope } from './m.js';\n",
                                      "m.js": "export const yes = 1;\n"})
        linker = _Linker(self)
        linker.register(loadModuleGraph(base))
        message = linker.eval("(() => { try { __nano.evaluateModules('index.js'); }"
                              " catch (e) { return e.name + ': ' + e.message; } })()")
        self.assertEqual(message, "SyntaxError: The requested module 'm.js' does not provide "
                                  "an export named 'nope' (imported by index.js)")

    def test_throwRepeats(self):
        """
        A module that throws at top level fails every later evaluation with the same
        error, and its importers do not run.
        """
        base = _write(self.mktemp(), {
            "index.js": "import './bad.js';\nglobalThis.ran = true;\n",
            "bad.js": "throw new RangeError('top level');\n"})
        linker = _Linker(self)
        linker.register(loadModuleGraph(base))
        first = linker.eval("(() => { try { __nano.evaluateModules('index.js'); }"
                            " catch (e) { globalThis.first = e; return e.stack; } })()")
        # Line 1 is shifted right by the header (documented).
        self.assertIn("bad.js:1:%d" % (7 + len(HEADER),), first)
        self.assertTrue(linker.eval("(() => { try { __nano.evaluateModules('index.js'); }"
                                    " catch (e) { return e === first; } })()"))
        self.assertEqual(linker.eval("typeof globalThis.ran"), "undefined")


class ResolutionTests(SynchronousTestCase):
    """
    How relative specifiers find files.
    """

    def test_extensionless(self):
        """
        An extensionless specifier tries .js, .mjs, .ts, .json and then index files;
        a C{.js} specifier finds a C{.ts} file (the TypeScript convention).
        """
        base = _write(self.mktemp(), {
            "index.js": "import a from './a';\nimport b from './b';\nimport c from './c';\n"
                        "import d from './dir';\nimport e from './e.js';\n"
                        "export default [a, b, c, d, e];\n",
            "a.js": "export default 'a';\n",
            "b.mjs": "export default 'b';\n",
            "c.json": '"c"',
            "dir/index.js": "export default 'd';\n",
            "e.ts": "const e: string = 'e';\nexport default e;\n",
        })
        graph = loadModuleGraph(base)
        self.assertEqual(sorted(rel for rel, _ in graph.modules),
                         ["a.js", "b.mjs", "c.json", "dir/index.js", "e.ts", "index.js"])
        linker = _Linker(self)
        linker.load(graph)
        self.assertEqual(linker.json("ns.default"), ["a", "b", "c", "d", "e"])

    def test_evaluationOrder(self):
        """
        Dependencies run before the importing module, in the order of its import
        statements, each once, even where two modules share one.
        """
        base = _write(self.mktemp(), {
            "index.js": "import './b.js';\nimport './a.js';\nlog('index');\n",
            "a.js": "import './shared.js';\nlog('a');\n",
            "b.js": "import './shared.js';\nlog('b');\n",
            "shared.js": "globalThis.seen = []; globalThis.log = (x) => seen.push(x);\nlog('shared');\n",
        })
        linker = _Linker(self)
        linker.load(loadModuleGraph(base))
        self.assertEqual(linker.json("seen"), ["shared", "b", "a", "index"])

    def test_starAmbiguity(self):
        """
        A name that two C{export *} sources export from different modules is left out;
        the same binding reached through two paths is kept; a local export wins.
        """
        base = _write(self.mktemp(), {
            "index.js": "export * from './a.js';\nexport * from './b.js';\n"
                        "export const local = 'mine';\n",
            "a.js": "export const clash = 'a', onlyA = 'a', local = 'a';\nexport * from './shared.js';\n",
            "b.js": "export const clash = 'b';\nexport { shared } from './shared.js';\n",
            "shared.js": "export const shared = 'shared';\n",
        })
        linker = _Linker(self)
        linker.load(loadModuleGraph(base))
        self.assertEqual(linker.json("[Object.keys(ns), ns.local, ns.shared]"),
                         [["local", "onlyA", "shared"], "mine", "shared"])

    def test_cycle(self):
        """
        In a cycle, hoisted function exports are usable before their module runs; other
        bindings throw a ReferenceError until initialised and are live afterwards, as
        in ES modules.
        """
        base = _write(self.mktemp(), {
            "index.js": "import { fromB, later } from './b.js';\n"
                        "export function hello() { return 'hello'; }\n"
                        "export const value = 'late';\n"
                        "export default [...fromB, later()];\n",
            "b.js": "import { hello, value } from './index.js';\n"
                    "let early;\n"
                    "try { value; } catch (e) { early = e.name; }\n"
                    "export const fromB = [hello(), early];\n"
                    "export const later = () => value;\n",
        })
        graph = loadModuleGraph(base)
        self.assertEqual([rel for rel, _ in graph.modules], ["b.js", "index.js"])
        linker = _Linker(self)
        linker.load(graph)
        self.assertEqual(linker.json("ns.default"), ["hello", "ReferenceError", "late"])

    def test_dynamicImport(self):
        """
        C{import()} of a string literal is part of the graph (after the static
        modules) and evaluates on first use; a computed specifier finds modules of the
        graph at run time; a literal naming no module rejects when called.
        """
        base = _write(self.mktemp(), {
            "index.js": "export const load = () => import('./lazy.js');\n"
                        "export const other = (name) => import(name);\n"
                        "export const missing = () => import('./missing.js');\n",
            "lazy.js": "globalThis.lazyRan = true;\nexport const v = 'lazy';\n",
        })
        graph = loadModuleGraph(base)
        self.assertEqual([rel for rel, _ in graph.modules], ["index.js", "lazy.js"])
        linker = _Linker(self)
        linker.load(graph)
        self.assertEqual(linker.eval("typeof globalThis.lazyRan"), "undefined")
        self.assertEqual(linker.settle("ns.load().then((m) => [m.v, lazyRan])"),
                         ["ok", ["lazy", True]])
        self.assertEqual(linker.settle("ns.other('./lazy').then((m) => m.v)"), ["ok", "lazy"])
        self.assertEqual(linker.settle("ns.other('hono')"), ["error", (
            "TypeError: Cannot find module 'hono' imported by index.js: import() loads only "
            "modules of the app's graph (name them with a string literal)")])
        self.assertEqual(linker.settle("ns.missing()"), [
            "error", "TypeError: cannot import './missing.js': module not found"])

    def test_topLevelAwait(self):
        """
        A module with top-level C{await} makes evaluateModules return a promise of the
        namespace; importers run after the awaited work.
        """
        base = _write(self.mktemp(), {
            "index.js": "import { ready } from './slow.js';\nexport const seen = ready;\n",
            "slow.js": "export let ready = false;\n"
                       "await Promise.resolve();\nfor await (const x of [1]) {}\nready = true;\n",
        })
        graph = loadModuleGraph(base)
        self.assertTrue(dict(graph.modules)["slow.js"].startswith("(async function*"))
        self.assertTrue(dict(graph.modules)["index.js"].startswith(HEADER))
        linker = _Linker(self)
        linker.load(graph)
        self.assertTrue(linker.eval("ns instanceof Promise"))
        self.assertEqual(linker.settle("ns.then((m) => [m.seen, Object.isFrozen(m)])"),
                         ["ok", [True, True]])


class TypeScriptTests(SynchronousTestCase):
    """
    TypeScript modules have their types stripped in place.
    """

    def test_realistic(self):
        """
        Interfaces, generics, C{as}, C{satisfies}, overloads, abstract classes,
        modifiers, non-null assertions and type-only imports are stripped; the module
        runs and keeps its line numbers.
        """
        graph = loadModuleGraph(_app("modules-ts"))
        self.assertEqual(graph.entry, "index.ts")
        self.assertEqual(sorted(rel for rel, _ in graph.modules), ["index.ts", "store.ts"])
        linker = _Linker(self)
        linker.eval("globalThis.Response = class { constructor(body) { this.body = body; } }")
        linker.load(graph)
        self.assertEqual(linker.settle("ns.default.fetch({}, {}).then((r) => r.body)"),
                         ["ok", "hi! a,1 2 1 5 stored anonymous"])
        stack = linker.eval("(() => { try { ns.failsOnLine48(); } catch (e) { return e.stack; } })()")
        self.assertIn("index.ts:48:9", stack)

    def test_positionsKept(self):
        """
        Stripped syntax becomes spaces: code after a type keeps its column.
        """
        base = _write(self.mktemp(), {"index.ts": "\nlet a: number = 1, b = a as number;\n"
                                                  "export { a, b };\n"})
        script = dict(loadModuleGraph(base).modules)["index.ts"]
        self.assertEqual(script[len(HEADER):].split("\n")[1], "let a         = 1, b = a          ;")

    def test_predicatesAndUnicode(self):
        """
        Type predicates and assertion signatures are stripped; a non-ASCII type becomes
        one space per character, so columns stay in characters.
        """
        base = _write(self.mktemp(), {"index.ts": (
            "function isText(x: unknown): x is string { return typeof x === 'string'; }\n"
            "function check(x: unknown): asserts x is number {}\n"
            "let e: '\u00e9\u00e9' | 'x' = 'x'; export const r = [isText(e), e];\n")})
        graph = loadModuleGraph(base)
        line = dict(graph.modules)["index.ts"].split("\n")[2]
        self.assertEqual(line.index("const r"), len("let e: '\u00e9\u00e9' | 'x' = 'x'; export "))
        linker = _Linker(self)
        linker.load(graph)
        self.assertEqual(linker.json("ns.r"), [True, "x"])

    def test_unsupported(self):
        """
        Enums, namespaces, parameter properties and decorators need code generation:
        they are load errors at their position.
        """
        cases = [
            ("const a = 1;\nexport enum Color { Red }\n", 2, 8, "enum is not supported"),
            ("namespace N { export const x = 1; }\n", 1, 1, "namespace is not supported"),
            ("class P {\n  constructor(private x: number) {}\n}\n", 2, 15,
             "parameter properties are not supported"),
            ("const x = 1;\n\n  @sealed class Q {}\n", 3, 3, "decorators are not supported"),
        ]
        for source, line, column, text in cases:
            base = _write(self.mktemp(), {"index.ts": source})
            e = self.assertRaises(ModuleLoadError, loadModuleGraph, base)
            self.assertEqual((e.path, e.line, e.column), ("index.ts", line, column))
            self.assertIn(text, e.message)


class AppShapeTests(SynchronousTestCase):
    """
    The shapes real Workers apps take.
    """

    def test_proxyDefault(self):
        """
        A Proxy default export (itty-router) is the namespace's C{default} itself and
        its C{then} is never read.
        """
        linker = _Linker(self)
        linker.load(loadModuleGraph(_app("modules-proxy")))
        self.assertEqual(linker.eval("ns.default.fetch({ method: 'GET', path: '/hello' })"),
                         "hello from the proxy router")
        self.assertEqual(linker.json("proxyGets"), ["get", "fetch"])

    def test_hono(self):
        """
        A Hono-shaped TypeScript app (class fields, private names, method chaining,
        C{export default app}) loads from C{main} and answers.
        """
        graph = loadModuleGraph(_app("modules-hono"), main="src/index.ts")
        linker = _Linker(self)
        linker.eval(
            "globalThis.Response = class { constructor(body, init) { this.body = body;"
            " this.status = (init && init.status) || 200; } };"
            "globalThis.URL = class { constructor(u) { this.pathname = u.replace(/^\\w+:\\/\\/[^/]+/, ''); } }")
        linker.load(graph)
        fetch = "ns.default.fetch({ method: 'GET', url: %s }, { GREETING: 'hey' })"
        self.assertEqual(linker.settle((fetch % "'http://h/'") + ".then((r) => [r.status, r.body])"),
                         ["ok", [200, "hey from /"]])
        self.assertEqual(linker.settle((fetch % "'http://h/json'") + ".then((r) => r.body)"),
                         ["ok", '{"ok":true,"path":"/json"}'])
        self.assertEqual(linker.settle((fetch % "'http://h/x'") + ".then((r) => r.status)"),
                         ["ok", 404])

    def test_esbuild(self):
        """
        esbuild's output shape (C{export { x as default }} in C{_worker.js}) works.
        """
        graph = loadModuleGraph(_app("modules-esbuild"))
        self.assertEqual(graph.entry, "_worker.js")
        linker = _Linker(self)
        linker.eval("globalThis.Response = class { constructor(body) { this.body = body; } }")
        linker.load(graph)
        self.assertEqual(linker.settle("ns.default.fetch({}, {}, {}).then((r) => r.body)"),
                         ["ok", "bundled handler"])

    def test_serviceWorker(self):
        """
        The service-worker form just evaluates: its listener is registered on the
        global and its namespace has no exports.
        """
        linker = _Linker(self)
        linker.eval("globalThis.listeners = [];"
                    "globalThis.addEventListener = (type, fn) => listeners.push([type, fn]);")
        linker.load(loadModuleGraph(_app("modules-sw")))
        self.assertEqual(linker.json("Object.keys(ns)"), [])
        self.assertEqual(linker.eval(
            "let out; listeners[0][1]({ respondWith(v) { out = v; } }); listeners[0][0] + ': ' + out"),
            "fetch: service worker response")


class BuiltinModuleTests(SynchronousTestCase):
    """
    Built-in modules (cloudflare:workers) are resolved without a file, left out of the
    graph, and linked to what the prelude registered.
    """

    def test_builtin(self):
        """
        Static, namespace and dynamic imports of cloudflare:workers reach the module the
        prelude registered; the graph lists only the app's files; a name the module
        lacks is a link error naming it.
        """
        base = _write(self.mktemp(), {
            "index.js": ("import { env as e, WorkerEntrypoint } from 'cloudflare:workers';\n"
                         "import * as all from 'cloudflare:workers';\n"
                         "export const values = [e.A, WorkerEntrypoint.name, Object.keys(all)];\n"
                         "export const later = () => import('cloudflare:workers').then((m) => m.env.A);\n"),
            "bad.js": "import { RpcStub } from 'cloudflare:workers';\nexport default RpcStub;\n",
        })
        graph = loadModuleGraph(base)
        self.assertEqual([rel for rel, _ in graph.modules], ["index.js"])
        linker = _Linker(self)
        linker.eval("__nano.registerBuiltinModule('cloudflare:workers', {"
                    " env: () => ({A: 1}), WorkerEntrypoint: () => class WorkerEntrypoint {} })")
        linker.load(graph)
        self.assertEqual(linker.json("ns.values"), [1, "WorkerEntrypoint", ["WorkerEntrypoint", "env"]])
        self.assertEqual(linker.settle("ns.later()"), ["ok", 1])
        bad = _Linker(self)
        bad.eval("__nano.registerBuiltinModule('cloudflare:workers', { env: () => ({}) })")
        bad.register(loadModuleGraph(base, main="bad.js"))
        self.assertIn("does not provide an export named 'RpcStub'",
                      bad.eval("(() => { try { __nano.evaluateModules('bad.js'); } catch (e) { return e.message; } })()"))


class SpeedTests(SynchronousTestCase):
    """
    Large single-file modules transform quickly enough to load at startup.
    """

    def test_twoMegabytes(self):
        """
        A ~2 MB module with thousands of functions transforms in a few seconds and
        evaluates correctly.
        """
        chunk = ("export function f%d(a, b) {\n"
                 "  const s = `import x from './nope.js' ${a}`; // export default\n"
                 "  return [a, b, s.length, /export {}/.test(s)].join(',') + %d;\n"
                 "}\n")
        parts = ["import { base } from './base.js';\n"]
        size, i = 0, 0
        while size < 2 * 1024 * 1024:
            part = chunk % (i, i)
            parts.append(part)
            size += len(part)
            i += 1
        parts.append("export default { count: %d, base };\n" % (i,))
        base = _write(self.mktemp(), {"index.js": "".join(parts),
                                      "base.js": "export const base = 'b';\n"})
        start = time.perf_counter()
        graph = loadModuleGraph(base)
        elapsed = time.perf_counter() - start
        self.assertLess(elapsed, 10.0)
        linker = _Linker(self)
        linker.load(graph)
        self.assertEqual(linker.json("[ns.default, ns.f7(1, 2)]"),
                         [{"count": i, "base": "b"}, "1,2,27,false7"])

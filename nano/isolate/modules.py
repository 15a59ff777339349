"""
Turn an app directory (an ES module graph) into classic scripts mini-racer can run.

L{loadModuleGraph} finds the entry module (C{main}, or the first existing of
L{ENTRY_NAMES}), reads it and everything it imports, statically or through
C{import()} with a literal specifier, and returns a L{ModuleGraph}: each module's
transformed script, dependencies before dependents, then the modules reachable only
through dynamic C{import()}. Specifiers are relative paths that stay inside the app
directory (symlinks included); an extensionless specifier tries C{.js}, C{.mjs},
C{.ts}, C{.mts}, C{.json} and C{/index.*}, and C{./x.js} finds C{./x.ts}. Bare
specifiers (packages), absolute paths, URLs and C{node:} modules are rejected with a
message saying so, except the runtime's built-in modules (L{BUILTIN_MODULES}:
C{cloudflare:workers}), which the prelude provides and the graph does not list.
Files are read as UTF-8 (a BOM is dropped).

Each module becomes a script as described in L{nano.isolate.moduletransform}
(imports are live bindings, see L{nano.isolate.livebindings}); a TypeScript module
(C{.ts}, C{.mts}, C{.cts}) is first stripped of its types by
L{nano.isolate.typestrip}, keeping lines and columns, and its imported names are not
checked at link time (type-only imports cannot be told apart). A C{.json} module's
default export is the parsed JSON. Every problem is a L{ModuleLoadError} naming the
file, line and column.
"""

import os
import posixpath

from attrs import frozen

from nano.isolate.modulesource import ModuleLoadError, Source
from nano.isolate.moduletransform import HEADER, Transformed, transformJSONModule, transformModule
from nano.isolate.typestrip import stripTypes

__all__ = ["ModuleLoadError", "ModuleGraph", "loadModuleGraph", "HEADER", "ENTRY_NAMES", "BUILTIN_MODULES"]

ENTRY_NAMES = ("index.js", "index.mjs", "worker.js", "_worker.js", "index.ts")

# Modules the runtime prelude registers in every isolate (js/81_cloudflare_workers.js);
# bundlers leave their imports in the bundle, as wrangler does.
BUILTIN_MODULES = frozenset(["cloudflare:workers"])
_BUILTIN = Transformed(None, (), ())

_JS_EXTENSIONS = (".js", ".mjs", ".cjs")
_TS_EXTENSIONS = (".ts", ".mts", ".cts")
_TRY_SUFFIXES = (".js", ".mjs", ".ts", ".mts", ".json", "/index.js", "/index.mjs", "/index.ts")


@frozen
class ModuleGraph:
    """
    A loaded module graph, ready for the isolate.

    @ivar entry: the entry module's path relative to the app directory.
    @ivar modules: C{(relativePath, scriptSource)} pairs, dependencies before
        dependents; modules reachable only through dynamic C{import()} come last.
        Evaluating a scriptSource gives the module function to pass to
        C{nano.registerModule(relativePath, fn)}.
    @ivar files: absolute paths of every file read (for the reloader to watch).
    """

    entry: str
    modules: tuple
    files: tuple


# -- the graph ------------------------------------------------------------------------

class _Loader:
    """
    Reads, transforms and orders the modules of one app directory.
    """

    def __init__(self, appDir):
        self._dir = os.path.abspath(appDir)
        self._real = os.path.realpath(appDir)
        self.files = []
        self.modules = {}

    def _full(self, rel):
        return os.path.join(self._dir, *rel.split("/"))

    def _inside(self, full):
        real = os.path.realpath(full)
        return real == self._real or real.startswith(self._real + os.sep)

    def entry(self, main):
        if main is not None:
            rel = posixpath.normpath(main.replace(os.sep, "/"))
            if rel.startswith("/") or rel == ".." or rel.startswith("../"):
                raise ModuleLoadError(main, 0, 0, "the entry module must be inside the app directory")
            full = self._full(rel)
            if not os.path.isfile(full):
                raise ModuleLoadError(rel, 0, 0, "entry module not found")
            if not self._inside(full):
                raise ModuleLoadError(rel, 0, 0, "the entry module must be inside the app directory")
            return rel
        for name in ENTRY_NAMES:
            if os.path.isfile(self._full(name)):
                return name
        raise ModuleLoadError(".", 0, 0, "no entry module: expected 'main' or one of "
                              + ", ".join(ENTRY_NAMES))

    def resolve(self, source, node, specifier):
        """
        Resolve an import specifier of C{source} to an app-relative path.
        """
        def fail(message):
            raise source.error(node.start_byte, message)

        if specifier in BUILTIN_MODULES:
            return specifier
        if not (specifier.startswith("./") or specifier.startswith("../")
                or specifier in (".", "..")):
            if specifier.startswith("/"):
                fail("cannot import '%s': absolute paths are not supported, "
                     "use a path relative to the importing file" % (specifier,))
            if specifier.startswith("node:"):
                fail("cannot import '%s': Node.js built-in modules are not available"
                     % (specifier,))
            if specifier.startswith("cloudflare:"):
                fail("cannot import '%s': NANO provides only %s of Cloudflare's modules"
                     % (specifier, ", ".join(sorted(BUILTIN_MODULES))))
            if ":" in specifier.split("/", 1)[0]:
                fail("cannot import '%s': URL imports are not supported" % (specifier,))
            fail("cannot import '%s': bare specifiers (packages) are not supported; only "
                 "relative imports inside the app directory (bundle dependencies first)"
                 % (specifier,))
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(source.rel), specifier))
        if joined == ".." or joined.startswith("../"):
            fail("cannot import '%s': it leaves the app directory" % (specifier,))
        candidates = [joined] + [joined + suffix for suffix in _TRY_SUFFIXES]
        if joined.endswith(".js"):
            candidates.insert(1, joined[:-3] + ".ts")
        elif joined.endswith(".mjs"):
            candidates.insert(1, joined[:-4] + ".mts")
        for candidate in candidates:
            full = self._full(candidate)
            if os.path.isfile(full):
                if not self._inside(full):
                    fail("cannot import '%s': it leaves the app directory" % (specifier,))
                extension = posixpath.splitext(candidate)[1]
                if extension not in _JS_EXTENSIONS + _TS_EXTENSIONS + (".json",):
                    fail("cannot import '%s': unsupported module type '%s'"
                         % (specifier, extension))
                return candidate
        fail("cannot import '%s': module not found" % (specifier,))

    def module(self, rel):
        """
        Load, check and transform one module (once).
        """
        if rel in self.modules:
            return self.modules[rel]
        if rel in BUILTIN_MODULES:
            return _BUILTIN
        full = self._full(rel)
        self.files.append(full)
        try:
            with open(full, "rb") as f:
                data = f.read()
        except OSError as e:
            raise ModuleLoadError(rel, 0, 0, "cannot read the file: %s" % (e.strerror,))
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as e:
            line = data[:e.start].count(b"\n") + 1
            raise ModuleLoadError(rel, line, 0, "the file is not valid UTF-8")
        source = Source(rel, data)
        extension = posixpath.splitext(rel)[1]
        if extension == ".json":
            result = transformJSONModule(source)
        elif extension in _TS_EXTENSIONS:
            result = transformModule(source, stripTypes(source), self.resolve, False)
        else:
            result = transformModule(source, data, self.resolve, True)
        self.modules[rel] = result
        return result

    def order(self, start, placed, order):
        """
        Append C{start} and its static dependencies to C{order}, dependencies first.
        """
        if start in placed or start in BUILTIN_MODULES:
            return
        stack = [(start, iter(self.module(start).deps))]
        visiting = {start}
        while stack:
            rel, deps = stack[-1]
            for dep in deps:
                if dep not in placed and dep not in visiting and dep not in BUILTIN_MODULES:
                    visiting.add(dep)
                    stack.append((dep, iter(self.module(dep).deps)))
                    break
            else:
                stack.pop()
                placed.add(rel)
                order.append(rel)


def loadModuleGraph(appDir, main=None):
    """
    Load the module graph of the app in C{appDir}.

    @param main: the entry file relative to C{appDir}, or L{None} for the first existing
        of L{ENTRY_NAMES}.
    @raise ModuleLoadError: on a syntax error, a bad import, unsupported TypeScript,
        invalid JSON or a missing entry (its C{files} lists what was read).
    @return: a L{ModuleGraph}.
    """
    loader = _Loader(appDir)
    try:
        entry = loader.entry(main)
        placed = set()
        order = []
        loader.order(entry, placed, order)
        index = 0
        while index < len(order):
            for target in loader.module(order[index]).dynamic:
                loader.order(target, placed, order)
            index += 1
    except ModuleLoadError as e:
        e.files = tuple(loader.files)
        raise
    return ModuleGraph(
        entry=entry,
        modules=tuple((rel, loader.modules[rel].script) for rel in order),
        files=tuple(loader.files),
    )

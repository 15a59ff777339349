"""
The per-module transform: one ES module (or JSON module) becomes a classic script.

mini-racer only compiles classic scripts, so every module is parsed with tree-sitter
and rewritten into a generator function expression::

    (      function*(__nano_mod){"use strict";__nano_link();yield;<line 1>
    <line 2>
    ...
    ;function __nano_link(){...}var ...;})
    //# sourceURL=<app-relative path>

Every original line keeps its line number (import and export statements are replaced
in place by text with the same line terminators), so V8 errors and stacks point at the
right line. Columns are kept too, except: line 1 is shifted right by ``len(HEADER)``
characters, and a line that uses an imported binding is shifted by the rewrite of each
use (``x`` becomes ``__nano_n0.x``, see L{nano.isolate.livebindings}), as are the rare
insertions for anonymous default exports, dynamic ``import()`` and ``import.meta``.

The JS linker (``js/70_modules.js``) drives each generator in two steps: the first
``next()`` runs ``__nano_link`` (a hoisted function declaration, so it runs before the
body) which registers the module's dependencies and export getters and fetches the
namespace objects of its imports; the second ``next()`` runs the body. A module whose
top level contains ``await`` becomes an async generator, and ``nano.evaluateModules``
then returns a promise.

Names beginning with ``__nano_`` are reserved. Decorators and JSX are rejected
(V8 runs neither), as are duplicate exports, duplicate imports and C{yield} at top
level. A JSON module is validated here and becomes a module whose default export is
C{JSON.parse} of its text. Resolving specifiers is the caller's job (a C{resolve}
callable); a specifier of C{import()} that cannot be resolved is not an error here but
a promise that rejects when the C{import()} runs.
"""

import json

import tree_sitter

from nano.isolate.livebindings import rewriteReferences
from nano.isolate.modulesource import (
    JAVASCRIPT, Edits, ModuleLoadError, Source, isForAwait, parse, patternNames, quote, stringValue, topLevelNodes)

__all__ = ["HEADER", "Transformed", "transformModule", "transformJSONModule"]

HEADER = '(      function*(__nano_mod){"use strict";__nano_link();yield;'
_ASYNC_HEADER = '(async function*(__nano_mod){"use strict";__nano_link();yield;'

_ANONYMOUS_FUNCTIONS = frozenset(("arrow_function", "function_expression", "function",
                                  "generator_function", "class"))


def _isAnonymousFunction(node):
    while node.type == "parenthesized_expression" and node.named_child_count == 1:
        node = node.named_children[0]
    return node.type in _ANONYMOUS_FUNCTIONS and node.child_by_field_name("name") is None


def _declaredNames(declaration):
    if declaration.type in ("lexical_declaration", "variable_declaration"):
        names = []
        for declarator in declaration.named_children:
            if declarator.type == "variable_declarator":
                patternNames(declarator.child_by_field_name("name"), names)
        return names
    name = declaration.child_by_field_name("name")
    return [name.text.decode("utf-8")] if name is not None else []


def _exportName(source, node):
    if node.type == "string":
        return stringValue(source, node)
    return source.text(node)


def _topLevelAwait(source, root):
    """
    Whether the module's top level (outside every function) contains C{await};
    C{yield} there is a syntax error.
    """
    found = False
    for node in topLevelNodes(root):
        if node.type == "await_expression" or isForAwait(node):
            found = True
        elif node.type == "yield_expression":
            raise source.error(node.start_byte, "SyntaxError: yield is not allowed in a module's top level")
    return found


_DYNAMIC_QUERY = None


def _dynamicQuery():
    global _DYNAMIC_QUERY
    if _DYNAMIC_QUERY is None:
        _DYNAMIC_QUERY = tree_sitter.Query(
            JAVASCRIPT,
            "(call_expression function: (import) arguments: (arguments) @args) @call\n"
            "(meta_property) @meta\n"
            "(decorator) @decorator\n"
            "(jsx_element) @jsx\n"
            "(jsx_self_closing_element) @jsx\n",
        )
    return _DYNAMIC_QUERY


class Transformed:
    """
    One transformed module: its script, static dependencies and dynamic imports.
    """

    def __init__(self, script, deps, dynamic):
        self.script = script
        self.deps = deps
        self.dynamic = dynamic


class _Rewriter:
    """
    Rewrites one module (JavaScript bytes; for TypeScript, already stripped) into the
    generator function expression described in the module docstring.
    """

    def __init__(self, source, data, resolve, strictImports):
        """
        @param resolve: C{resolve(source, node, specifier)} returns the app-relative
            path of the imported module or raises L{ModuleLoadError} at C{node}.
        @param strictImports: check at link time that imported names are exported.
        """
        self.source = source
        self.js = Source(source.rel, data)
        self.root = parse(self.js, JAVASCRIPT).root_node
        self.edits = Edits(data)
        self.resolve = resolve
        self.strictImports = strictImports
        self.deps = []          # static dependencies, in source order
        self.dynamic = []       # targets of import() with a literal
        self.namespaceVars = {}  # target -> the var holding its namespace
        self.namespaces = []    # [(local, target)] for `import * as local`
        self.localImports = {}  # local -> (target, imported name or None)
        self.blanked = []       # (start, end) of the statements replaced whole
        self.getters = {}       # exported name -> local expression
        self.reexports = {}     # exported name -> [target, imported name or None]
        self.stars = []         # targets of `export * from`
        self.checks = []        # [target, name] that must be exported
        self.declared = []      # names declared with `var` in the epilogue
        self.nameFixes = []     # hoisted anonymous default functions

    def rewrite(self):
        """
        @return: a L{Transformed}.
        """
        for node in self.root.children:
            kind = node.type
            if kind == "hash_bang_line":
                self._blank(node)
            elif kind == "import_statement":
                self._import(node)
            elif kind == "export_statement":
                self._export(node)
        self._dynamicImports()
        rewriteReferences(self.js, self.root, self.edits, self.localImports,
                          self.namespaceVars, self.blanked)
        isAsync = _topLevelAwait(self.js, self.root)
        body = self.edits.apply().decode("utf-8")
        header = _ASYNC_HEADER if isAsync else HEADER
        return Transformed(header + body + self._epilogue(), self.deps, self.dynamic)

    def _blank(self, node):
        self.edits.replace(node.start_byte, node.end_byte)
        self.blanked.append((node.start_byte, node.end_byte))

    def _target(self, node, sourceNode):
        target = self.resolve(self.js, node, stringValue(self.js, sourceNode))
        if target not in self.deps:
            self.deps.append(target)
        return target

    def _addImport(self, node, local, target, imported):
        if local in self.localImports:
            raise self.js.error(node.start_byte,
                                "SyntaxError: identifier '%s' has already been declared" % (local,))
        self.localImports[local] = (target, imported)
        if imported is None:
            self.namespaces.append((local, target))
        else:
            if target not in self.namespaceVars:
                self.namespaceVars[target] = "__nano_n%d" % (len(self.namespaceVars),)
            if self.strictImports:
                self.checks.append([target, imported])

    def _addExport(self, node, name, entry, table):
        if name in self.getters or name in self.reexports:
            raise self.js.error(node.start_byte,
                                "SyntaxError: duplicate export of '%s'" % (name,))
        table[name] = entry

    def _specifiers(self, clause, kind):
        """
        Yield C{(name node, alias node or None)} for the specifiers of a clause.
        """
        for spec in clause.named_children:
            if spec.type == kind:
                yield spec, spec.child_by_field_name("name"), spec.child_by_field_name("alias")

    def _import(self, node):
        js = self.js
        target = self._target(node, node.child_by_field_name("source"))
        for clause in node.children:
            if clause.type != "import_clause":
                continue
            for part in clause.named_children:
                if part.type == "identifier":
                    self._addImport(part, js.text(part), target, "default")
                elif part.type == "namespace_import":
                    self._addImport(part, js.text(part.named_children[-1]), target, None)
                elif part.type == "named_imports":
                    for spec, name, alias in self._specifiers(part, "import_specifier"):
                        local = js.text(alias if alias is not None else name)
                        self._addImport(spec, local, target, _exportName(js, name))
        self._blank(node)

    def _export(self, node):
        sourceNode = node.child_by_field_name("source")
        declaration = node.child_by_field_name("declaration")
        value = node.child_by_field_name("value")
        if sourceNode is not None:
            self._exportFrom(node, sourceNode)
        elif declaration is not None:
            self.edits.replace(node.start_byte, declaration.start_byte)
            names = _declaredNames(declaration)
            if any(c.type == "default" for c in node.children):
                self._addExport(node, "default", names[0], self.getters)
            else:
                for name in names:
                    self._addExport(node, name, name, self.getters)
        elif value is not None:
            self._exportDefault(node, value)
        else:
            js = self.js
            for clause in node.named_children:
                if clause.type != "export_clause":
                    continue
                for spec, name, alias in self._specifiers(clause, "export_specifier"):
                    local = js.text(name)
                    exported = _exportName(js, alias if alias is not None else name)
                    if local in self.localImports:
                        entry = list(self.localImports[local])
                        self._addExport(spec, exported, entry, self.reexports)
                    else:
                        self._addExport(spec, exported, local, self.getters)
            self._blank(node)

    def _exportFrom(self, node, sourceNode):
        js = self.js
        target = self._target(node, sourceNode)
        star = True
        for child in node.named_children:
            if child.type == "namespace_export":
                star = False
                name = _exportName(js, child.named_children[-1])
                self._addExport(child, name, [target, None], self.reexports)
            elif child.type == "export_clause":
                star = False
                for spec, name, alias in self._specifiers(child, "export_specifier"):
                    imported = _exportName(js, name)
                    exported = _exportName(js, alias if alias is not None else name)
                    self._addExport(spec, exported, [target, imported], self.reexports)
                    if self.strictImports:
                        self.checks.append([target, imported])
        if star:
            self.stars.append(target)
        self._blank(node)

    def _exportDefault(self, node, value):
        edits = self.edits
        if value.type in ("function_expression", "generator_function", "function"):
            # An anonymous function declaration: named, so that it stays hoisted.
            edits.replace(node.start_byte, value.start_byte)
            edits.insert(value.child_by_field_name("parameters").start_byte, " __nano_default")
            self.nameFixes.append("__nano_default")
        elif value.type == "class":
            edits.replace(node.start_byte, value.start_byte)
            edits.insert(value.children[0].end_byte, " __nano_default")
            edits.insert(value.end_byte, ";__nano_mod.name(__nano_default);")
        else:
            edits.replace(node.start_byte, value.start_byte, "__nano_default=")
            self.declared.append("__nano_default")
            if _isAnonymousFunction(value):
                edits.insert(value.end_byte, ";__nano_mod.name(__nano_default);")
        self._addExport(node, "default", "__nano_default", self.getters)

    def _dynamicImports(self):
        """
        Rewrite C{import()} and C{import.meta}; reject decorators (V8 has none yet)
        and JSX (tree-sitter-javascript parses it, V8 does not).
        """
        js = self.js
        edits = self.edits
        captures = tree_sitter.QueryCursor(_dynamicQuery()).captures(self.root)
        for name, message in (("decorator", "decorators are not supported"),
                              ("jsx", "JSX is not supported")):
            nodes = captures.get(name)
            if nodes:
                first = min(nodes, key=lambda node: node.start_byte)
                raise js.error(first.start_byte, "SyntaxError: " + message)
        for meta in captures.get("meta", ()):
            if js.text(meta).replace(" ", "") == "import.meta":
                edits.replace(meta.start_byte, meta.end_byte, "__nano_mod.meta")
        for call in captures.get("call", ()):
            arguments = call.child_by_field_name("arguments")
            first = arguments.named_children[0] if arguments.named_child_count else None
            if first is None or not (first.type == "string" or (
                    first.type == "template_string" and all(
                        c.type == "string_fragment" for c in first.named_children))):
                # A computed specifier: resolved at run time among the graph's modules.
                keyword = call.child_by_field_name("function")
                edits.replace(keyword.start_byte, keyword.end_byte, "__nano_mod.computed")
                continue
            try:
                target = self.resolve(js, call, stringValue(js, first))
            except ModuleLoadError as e:
                # Not a load error: the promise rejects when import() runs.
                edits.replace(call.start_byte, first.end_byte,
                              "__nano_mod.fail(%s" % (quote(e.message),))
                continue
            if target not in self.dynamic:
                self.dynamic.append(target)
            edits.replace(call.start_byte, first.end_byte, "__nano_mod.dyn(%s" % (quote(target),))

    def _epilogue(self):
        link = ["__nano_mod.link(", quote(self.deps), ",{",
                ",".join("%s:()=>%s" % (quote(name), local) for name, local in self.getters.items()),
                "},", quote(self.reexports), ",", quote(self.stars), ",", quote(self.checks), ");"]
        link.extend("__nano_mod.name(%s);" % (name,) for name in self.nameFixes)
        declared = list(self.declared)
        for target, var in self.namespaceVars.items():
            link.append("%s=__nano_mod.import(%s);" % (var, quote(target)))
            declared.append(var)
        for local, target in self.namespaces:
            link.append("%s=__nano_mod.import(%s);" % (local, quote(target)))
            declared.append(local)
        return "\n;function __nano_link(){%s}%s})\n//# sourceURL=%s" % (
            "".join(link), "var %s;" % (",".join(declared),) if declared else "",
            self.source.rel)


def transformModule(source, data, resolve, strictImports):
    """
    Transform one module into the generator function expression described above.

    @param source: the module's L{nano.isolate.modulesource.Source} (its path names
        the script in stacks).
    @param data: its JavaScript bytes (for TypeScript, already stripped of types, with
        the same lines and columns).
    @param resolve: C{resolve(source, node, specifier)} returns the app-relative path
        of the imported module or raises L{ModuleLoadError} at C{node}.
    @param strictImports: check at link time that imported names are exported.
    @raise ModuleLoadError: on a syntax error or an unresolvable static import.
    @return: a L{Transformed}.
    """
    return _Rewriter(source, data, resolve, strictImports).rewrite()


def transformJSONModule(source):
    """
    The script of a JSON module (validated here, parsed by JSON.parse in the isolate).
    """
    def constant(name):
        raise ValueError(name)

    text = source.data.decode("utf-8")
    try:
        json.loads(text, parse_constant=constant)
    except json.JSONDecodeError as e:
        raise ModuleLoadError(source.rel, e.lineno, e.colno, "SyntaxError: invalid JSON: " + e.msg)
    except ValueError as e:
        offset = max(0, text.find(str(e)))
        raise source.error(len(text[:offset].encode("utf-8")),
                           "SyntaxError: invalid JSON: %s is not JSON" % (e,))
    script = '%s__nano_json=__nano_mod.json(%s);\n;function __nano_link(){__nano_mod.link(' \
        '[],{"default":()=>__nano_json},{},[],[]);}var __nano_json;})' \
        '\n//# sourceURL=%s' % (HEADER, quote(text), source.rel)
    return Transformed(script, [], [])

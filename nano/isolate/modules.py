"""
Turn an app directory (an ES module graph) into classic scripts mini-racer can run.

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
use (``x`` becomes ``__nano_n0.x``), as are the rare insertions for anonymous default
exports, dynamic ``import()`` and ``import.meta``.

The JS linker (``js/70_modules.js``) drives each generator in two steps: the first
``next()`` runs ``__nano_link`` (a hoisted function declaration, so it runs before the
body) which registers the module's dependencies and export getters and fetches the
namespace objects of its imports; the second ``next()`` runs the body. A module whose
top level contains ``await`` becomes an async generator, and ``nano.evaluateModules``
then returns a promise.

Imports are live bindings: every reference to an imported name reads the exporting
module's namespace (whose properties are getters of the exporter's local bindings), so
reassignments in the exporter are seen, and reading a binding before its module has
initialised it throws a ReferenceError, as in ES modules (this is also how cycles
behave). Names beginning with ``__nano_`` are reserved. TypeScript enums, namespaces,
parameter properties, ``import x = require()``, decorators and JSX are rejected (as
Node's type stripping does).
"""

import bisect
import json
import os
import posixpath
import re

import tree_sitter
import tree_sitter_javascript
import tree_sitter_typescript
from attrs import frozen

__all__ = ["ModuleLoadError", "ModuleGraph", "loadModuleGraph", "HEADER", "ENTRY_NAMES"]

ENTRY_NAMES = ("index.js", "index.mjs", "worker.js", "_worker.js", "index.ts")

HEADER = '(      function*(__nano_mod){"use strict";__nano_link();yield;'
_ASYNC_HEADER = '(async function*(__nano_mod){"use strict";__nano_link();yield;'

_JS_EXTENSIONS = (".js", ".mjs", ".cjs")
_TS_EXTENSIONS = (".ts", ".mts", ".cts")
_TRY_SUFFIXES = (".js", ".mjs", ".ts", ".mts", ".json", "/index.js", "/index.mjs", "/index.ts")

_JS = tree_sitter.Language(tree_sitter_javascript.language())
_TS = tree_sitter.Language(tree_sitter_typescript.language_typescript())

# Nodes whose body is a new function scope (top-level await/yield stop there).
_FUNCTION_NODES = frozenset((
    "function_declaration", "function_expression", "function", "generator_function",
    "generator_function_declaration", "arrow_function", "method_definition",
    "class_body", "class_static_block",
))


class ModuleLoadError(Exception):
    """
    An app's module graph cannot be loaded.

    @ivar path: the file, relative to the app directory (POSIX separators).
    @ivar line: 1-based line of the problem (0 when not tied to a position).
    @ivar column: 1-based column (in characters) of the problem (0 when unknown).
    @ivar message: a short description, e.g. C{SyntaxError: unexpected token ';'}.
    @ivar files: absolute paths of the files read before the error (to watch them).
    """

    def __init__(self, path, line, column, message, files=()):
        super().__init__(path, line, column, message)
        self.path = path
        self.line = line
        self.column = column
        self.message = message
        self.files = tuple(files)

    def __str__(self):
        if self.line:
            return "%s:%d:%d: %s" % (self.path, self.line, self.column, self.message)
        return "%s: %s" % (self.path, self.message)


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


class _Source:
    """
    A module's text as UTF-8 bytes, with position helpers (tree-sitter works in bytes).
    """

    def __init__(self, rel, data):
        self.rel = rel
        self.data = data
        self._lineStarts = None

    def position(self, offset):
        """
        Return the 1-based (line, column-in-characters) of a byte offset.
        """
        if self._lineStarts is None:
            starts = [0]
            find = self.data.find
            i = find(b"\n")
            while i != -1:
                starts.append(i + 1)
                i = find(b"\n", i + 1)
            self._lineStarts = starts
        index = bisect.bisect_right(self._lineStarts, offset) - 1
        start = self._lineStarts[index]
        column = len(self.data[start:offset].decode("utf-8", "replace"))
        return index + 1, column + 1

    def error(self, offset, message):
        line, column = self.position(offset)
        return ModuleLoadError(self.rel, line, column, message)

    def text(self, node):
        return self.data[node.start_byte:node.end_byte].decode("utf-8")


def _parse(source, language):
    parser = tree_sitter.Parser(language)
    tree = parser.parse(source.data)
    if tree.root_node.has_error:
        raise _syntaxError(source, tree.root_node)
    return tree


def _syntaxError(source, root):
    """
    Build the L{ModuleLoadError} for the first ERROR or MISSING node of a tree.
    """
    node = root
    while True:
        if node.is_missing:
            return source.error(node.start_byte, "SyntaxError: expected %s" % _tokenName(node.type))
        if node.is_error:
            break
        for child in node.children:
            if child.has_error or child.is_missing:
                node = child
                break
        else:
            break
    children = node.children
    culprit = children[-1] if len(children) > 1 else node
    rest = source.data[culprit.end_byte:]
    if not rest.strip() and node.end_byte >= len(source.data.rstrip()):
        if len(children) > 1:
            return source.error(culprit.start_byte, "SyntaxError: unexpected end of input")
    token = source.data[culprit.start_byte:culprit.end_byte].decode("utf-8", "replace")
    token = token.split("\n", 1)[0]
    if len(token) > 20:
        token = token[:20] + "..."
    if token.strip():
        return source.error(culprit.start_byte, "SyntaxError: unexpected token %r" % (token,))
    return source.error(culprit.start_byte, "SyntaxError: unexpected token")


def _tokenName(kind):
    if kind.isidentifier():
        return kind.replace("_", " ")
    return "'%s'" % (kind,)


class _Edits:
    """
    Non-overlapping byte-range replacements that keep every line break of the
    replaced text (and its columns, when the replacement is not longer).
    """

    def __init__(self, data):
        self.data = data
        self.items = []

    def replace(self, start, end, text=""):
        self.items.append((start, end, text))

    def insert(self, offset, text):
        self.items.append((offset, offset, text))

    def apply(self):
        data = self.data
        out = []
        position = 0
        for start, end, text in sorted(self.items, key=lambda item: (item[0], item[1])):
            if start < position:
                raise AssertionError("overlapping edits at %d" % start)
            out.append(data[position:start])
            out.append(_filler(data[start:end], text))
            position = end
        out.append(data[position:])
        return b"".join(out)


# JavaScript line terminators (V8 counts each as one line).
_BREAKS = re.compile("\r\n|[\r\n\u2028\u2029]")


def _filler(original, text):
    """
    The bytes replacing C{original}: C{text}, then C{original}'s line terminators,
    padded with spaces so that what follows keeps its line and (when C{text} fits on
    the first line) its column.
    """
    original = original.decode("utf-8")
    breaks = _BREAKS.findall(original)
    if not breaks:
        return (text + " " * (len(original) - len(text))).encode("utf-8")
    first = _BREAKS.search(original).start()
    last = len(_BREAKS.split(original)[-1])
    return (text + " " * (first - len(text)) + "".join(breaks) + " " * last).encode("utf-8")


def _blank(data):
    """
    Blank text: one space per character, line terminators kept.
    """
    return _NOT_BREAK.sub(" ", data.decode("utf-8")).encode("utf-8")


_NOT_BREAK = re.compile("[^\r\n\u2028\u2029]")


# -- TypeScript -----------------------------------------------------------------------

_TS_REMOVED = frozenset((
    "type_annotation", "type_parameters", "type_arguments", "interface_declaration",
    "type_alias_declaration", "ambient_declaration", "function_signature",
    "abstract_method_signature", "method_signature", "index_signature",
    "accessibility_modifier", "override_modifier", "implements_clause",
    "type_predicate_annotation", "asserts_annotation",
))
_TS_UNSUPPORTED = {
    "enum_declaration": "TypeScript enum is not supported (type stripping only)",
    "internal_module": "TypeScript namespace is not supported (type stripping only)",
    "module": "TypeScript module declaration is not supported (type stripping only)",
    "import_require_clause": "TypeScript 'import = require()' is not supported",
    "import_alias": "TypeScript 'import =' alias is not supported",
}


def _stripTypes(source):
    """
    Replace TypeScript-only syntax with spaces (one per character, line terminators
    kept, so every line and column stays) and return the JavaScript bytes.
    """
    tree = _parse(source, _TS)
    ranges = []
    data = source.data

    def remove(start, end):
        ranges.append((start, end))

    def removeWithComma(node):
        end = node.end_byte
        sibling = node.next_sibling
        if sibling is not None and sibling.type == ",":
            end = sibling.end_byte
        remove(node.start_byte, end)

    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        kind = node.type
        if kind in _TS_UNSUPPORTED:
            raise source.error(node.start_byte, "SyntaxError: " + _TS_UNSUPPORTED[kind])
        if kind in _TS_REMOVED:
            remove(node.start_byte, node.end_byte)
            continue
        children = node.children
        if kind == "export_statement":
            if len(children) > 1 and children[1].type in ("type", "="):
                if children[1].type == "=":
                    raise source.error(node.start_byte,
                                       "SyntaxError: TypeScript 'export =' is not supported")
                remove(node.start_byte, node.end_byte)
                continue
            declaration = node.child_by_field_name("declaration")
            if declaration is not None and declaration.type in (
                    "interface_declaration", "type_alias_declaration", "ambient_declaration",
                    "function_signature"):
                remove(node.start_byte, node.end_byte)
                continue
        elif kind == "import_statement":
            if len(children) > 1 and children[1].type == "type":
                remove(node.start_byte, node.end_byte)
                continue
        elif kind in ("import_specifier", "export_specifier"):
            if children and children[0].type == "type":
                removeWithComma(node)
                continue
        elif kind == "public_field_definition":
            if any(c.type in ("declare", "abstract") for c in children):
                remove(node.start_byte, node.end_byte)
                continue
            for c in children:
                if c.type in ("readonly", "?", "!"):
                    remove(c.start_byte, c.end_byte)
        elif kind in ("required_parameter", "optional_parameter"):
            pattern = node.child_by_field_name("pattern")
            if any(c.type in ("accessibility_modifier", "readonly", "override_modifier")
                   for c in children):
                raise source.error(
                    node.start_byte,
                    "SyntaxError: TypeScript parameter properties are not supported")
            if pattern is not None and pattern.type == "this":
                removeWithComma(node)
                continue
            for c in children:
                if c.type == "?":
                    remove(c.start_byte, c.end_byte)
        elif kind in ("as_expression", "satisfies_expression"):
            expression = children[0]
            remove(expression.end_byte, node.end_byte)
            stack.append(expression)
            continue
        elif kind == "non_null_expression":
            remove(children[-1].start_byte, children[-1].end_byte)
        elif kind in ("abstract_class_declaration", "abstract_class"):
            for c in children:
                if c.type == "abstract":
                    remove(c.start_byte, c.end_byte)
        elif kind == "variable_declarator":
            for c in children:
                if c.type == "!":
                    remove(c.start_byte, c.end_byte)
        elif kind == "method_definition":
            for c in children:
                if c.type in ("?", "readonly", "abstract"):
                    remove(c.start_byte, c.end_byte)
        elif kind == "type_assertion":
            stack.extend(children[1:])
            remove(children[0].start_byte, children[0].end_byte)
            continue
        stack.extend(reversed(children))

    if not ranges:
        return data
    ranges.sort()
    out = []
    position = 0
    for start, end in ranges:
        if end <= position:
            continue
        start = max(start, position)
        out.append(data[position:start])
        out.append(_blank(data[start:end]))
        position = end
    out.append(data[position:])
    return b"".join(out)


# -- JavaScript string literals -------------------------------------------------------

_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def _stringValue(source, node):
    """
    The value of a JS string literal node (or a template without substitutions).
    """
    raw = source.text(node)[1:-1]
    if "\\" not in raw:
        return raw
    out = []
    i = 0
    while i < len(raw):
        c = raw[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        n = raw[i + 1]
        if n in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[n])
            i += 2
        elif n == "x":
            out.append(chr(int(raw[i + 2:i + 4], 16)))
            i += 4
        elif n == "u" and raw[i + 2] == "{":
            close = raw.index("}", i)
            out.append(chr(int(raw[i + 3:close], 16)))
            i = close + 1
        elif n == "u":
            out.append(chr(int(raw[i + 2:i + 6], 16)))
            i += 6
        elif n in "\r\n\u2028\u2029":
            i += 3 if raw[i + 1:i + 3] == "\r\n" else 2
        else:
            out.append(n)
            i += 2
    return "".join(out)


def _q(value):
    return json.dumps(value)


# -- the module transform -------------------------------------------------------------

_ANONYMOUS_FUNCTIONS = frozenset(("arrow_function", "function_expression", "function",
                                  "generator_function", "class"))


def _isAnonymousFunction(node):
    while node.type == "parenthesized_expression" and node.named_child_count == 1:
        node = node.named_children[0]
    return node.type in _ANONYMOUS_FUNCTIONS and node.child_by_field_name("name") is None


def _patternNames(node, out):
    kind = node.type
    if kind in ("identifier", "shorthand_property_identifier_pattern"):
        out.append(node.text.decode("utf-8"))
    elif kind == "pair_pattern":
        _patternNames(node.child_by_field_name("value"), out)
    elif kind in ("object_assignment_pattern", "assignment_pattern"):
        _patternNames(node.child_by_field_name("left"), out)
    elif kind in ("object_pattern", "array_pattern", "rest_pattern"):
        for child in node.named_children:
            if child.type != "comment":
                _patternNames(child, out)
    return out


def _declaredNames(declaration):
    if declaration.type in ("lexical_declaration", "variable_declaration"):
        names = []
        for declarator in declaration.named_children:
            if declarator.type == "variable_declarator":
                _patternNames(declarator.child_by_field_name("name"), names)
        return names
    name = declaration.child_by_field_name("name")
    return [name.text.decode("utf-8")] if name is not None else []


def _exportName(source, node):
    if node.type == "string":
        return _stringValue(source, node)
    return source.text(node)


def _topLevelAwait(source, root):
    """
    Whether the module's top level (outside every function) contains C{await};
    C{yield} there is a syntax error.
    """
    found = False
    stack = list(root.children)
    while stack:
        node = stack.pop()
        kind = node.type
        if kind in _FUNCTION_NODES:
            continue
        if kind == "await_expression":
            found = True
        elif kind == "yield_expression":
            raise source.error(node.start_byte, "SyntaxError: yield is not allowed in a module's top level")
        elif kind == "for_in_statement" and node.child_count > 1 and node.children[1].type == "await":
            found = True
        if node.child_count:
            stack.extend(node.children)
    return found


_DYNAMIC_QUERY = None


def _dynamicQuery():
    global _DYNAMIC_QUERY
    if _DYNAMIC_QUERY is None:
        _DYNAMIC_QUERY = tree_sitter.Query(
            _JS,
            "(call_expression function: (import) arguments: (arguments) @args) @call\n"
            "(meta_property) @meta\n"
            "(decorator) @decorator\n"
            "(jsx_element) @jsx\n"
            "(jsx_self_closing_element) @jsx\n",
        )
    return _DYNAMIC_QUERY


class _Transformed:
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
        self.js = _Source(source.rel, data)
        self.root = _parse(self.js, _JS).root_node
        self.edits = _Edits(data)
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
        @return: a L{_Transformed}.
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
        self._rewriteReferences()
        isAsync = _topLevelAwait(self.js, self.root)
        body = self.edits.apply().decode("utf-8")
        header = _ASYNC_HEADER if isAsync else HEADER
        return _Transformed(header + body + self._epilogue(), self.deps, self.dynamic)

    def _blank(self, node):
        self.edits.replace(node.start_byte, node.end_byte)
        self.blanked.append((node.start_byte, node.end_byte))

    def _target(self, node, sourceNode):
        target = self.resolve(self.js, node, _stringValue(self.js, sourceNode))
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
                target = self.resolve(js, call, _stringValue(js, first))
            except ModuleLoadError as e:
                # Not a load error: the promise rejects when import() runs.
                edits.replace(call.start_byte, first.end_byte,
                              "__nano_mod.fail(%s" % (_q(e.message),))
                continue
            if target not in self.dynamic:
                self.dynamic.append(target)
            edits.replace(call.start_byte, first.end_byte, "__nano_mod.dyn(%s" % (_q(target),))

    def _rewriteReferences(self):
        """
        Rewrite every reference to a named or default import into a read of the
        exporting module's namespace (C{x} becomes C{__nano_n0.x}), which makes imports
        live bindings; shadowed names (parameters, inner declarations) are left alone.
        """
        names = [local for local, (_, imported) in self.localImports.items()
                 if imported is not None]
        if not names:
            return
        quoted = " ".join(_q(name) for name in names)
        query = tree_sitter.Query(_JS, "".join(
            "((%s) @%s (#any-of? @%s %s))\n" % (kind, capture, capture, quoted)
            for kind, capture in (("identifier", "id"),
                                  ("shorthand_property_identifier", "short"),
                                  ("shorthand_property_identifier_pattern", "pattern"))))
        captures = tree_sitter.QueryCursor(query).captures(self.root)
        occurrences = sorted(
            (node for nodes in captures.values() for node in nodes),
            key=lambda node: node.start_byte)
        blanked = sorted(self.blanked)
        starts = [start for start, _ in blanked]
        scopes = {}
        references = []
        for node in occurrences:
            index = bisect.bisect_right(starts, node.start_byte) - 1
            if index >= 0 and node.start_byte < blanked[index][1]:
                continue  # inside an import or export statement
            name = self.js.text(node)
            scope = _bindingScope(node)
            if scope is None:
                references.append((node, name))
            elif scope.type == "program":
                raise self.js.error(
                    node.start_byte,
                    "SyntaxError: identifier '%s' has already been declared" % (name,))
            else:
                scopes.setdefault(name, set()).add(scope.id)
        for node, name in references:
            declaring = scopes.get(name)
            if declaring and _insideAny(node, declaring):
                continue
            target, imported = self.localImports[name]
            read = self.namespaceVars[target] + (
                "." + imported if _IDENTIFIER.match(imported) else "[%s]" % (_q(imported),))
            parent = node.parent
            if node.type != "identifier":
                read = name + ": " + read
            elif parent.type == "call_expression" and parent.child_by_field_name("function") == node:
                read = "(0, %s)" % (read,)  # calls get `this` undefined, as in modules
            self.edits.replace(node.start_byte, node.end_byte, read)

    def _epilogue(self):
        link = ["__nano_mod.link(", _q(self.deps), ",{",
                ",".join("%s:()=>%s" % (_q(name), local) for name, local in self.getters.items()),
                "},", _q(self.reexports), ",", _q(self.stars), ",", _q(self.checks), ");"]
        link.extend("__nano_mod.name(%s);" % (name,) for name in self.nameFixes)
        declared = list(self.declared)
        for target, var in self.namespaceVars.items():
            link.append("%s=__nano_mod.import(%s);" % (var, _q(target)))
            declared.append(var)
        for local, target in self.namespaces:
            link.append("%s=__nano_mod.import(%s);" % (local, _q(target)))
            declared.append(local)
        return "\n;function __nano_link(){%s}%s})\n//# sourceURL=%s" % (
            "".join(link), "var %s;" % (",".join(declared),) if declared else "",
            self.source.rel)


_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*\Z")

_FUNCTION_SCOPES = frozenset((
    "program", "function_declaration", "function_expression", "function",
    "generator_function", "generator_function_declaration", "arrow_function",
    "method_definition", "class_static_block",
))
_BLOCK_SCOPES = _FUNCTION_SCOPES | frozenset((
    "statement_block", "switch_body", "for_statement", "for_in_statement",
))
_PATTERNS = frozenset((
    "object_pattern", "array_pattern", "pair_pattern", "assignment_pattern",
    "object_assignment_pattern", "rest_pattern",
))


def _enclosing(node, kinds):
    node = node.parent
    while node.type not in kinds:
        node = node.parent
    return node


def _insideAny(node, ids):
    node = node.parent
    while node is not None:
        if node.id in ids:
            return True
        node = node.parent
    return False


def _bindingScope(node):
    """
    If C{node} (an identifier) declares a binding, return the node of the scope it is
    declared in; return L{None} for a reference.
    """
    child, parent = node, node.parent
    while parent.type in _PATTERNS:
        if parent.type in ("assignment_pattern", "object_assignment_pattern"):
            if parent.child_by_field_name("left") != child:
                return None
        elif parent.type == "pair_pattern" and parent.child_by_field_name("value") != child:
            return None
        child, parent = parent, parent.parent
    kind = parent.type
    if kind == "variable_declarator":
        if parent.child_by_field_name("name") != child:
            return None
        declaration = parent.parent
        if declaration.type == "variable_declaration":
            return _enclosing(declaration, _FUNCTION_SCOPES)
        return _enclosing(declaration, _BLOCK_SCOPES)
    if kind == "formal_parameters":
        return parent.parent
    if kind == "arrow_function":
        return parent if parent.child_by_field_name("parameter") == child else None
    if kind == "catch_clause":
        return parent if parent.child_by_field_name("parameter") == child else None
    if parent.child_by_field_name("name") == child:
        if kind in ("function_declaration", "generator_function_declaration", "class_declaration"):
            return _enclosing(parent, _BLOCK_SCOPES)
        if kind in ("function_expression", "function", "generator_function", "class"):
            return parent
    if kind == "for_in_statement" and parent.child_by_field_name("left") == child:
        for keyword in parent.children:
            if keyword.type in ("let", "const"):
                return parent
            if keyword.type == "var":
                return _enclosing(parent, _FUNCTION_SCOPES)
    return None


def _jsonModule(source):
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
        '\n//# sourceURL=%s' % (HEADER, _q(text), source.rel)
    return _Transformed(script, [], [])


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

        if not (specifier.startswith("./") or specifier.startswith("../")
                or specifier in (".", "..")):
            if specifier.startswith("/"):
                fail("cannot import '%s': absolute paths are not supported, "
                     "use a path relative to the importing file" % (specifier,))
            if specifier.startswith("node:"):
                fail("cannot import '%s': Node.js built-in modules are not available"
                     % (specifier,))
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
        source = _Source(rel, data)
        extension = posixpath.splitext(rel)[1]
        if extension == ".json":
            result = _jsonModule(source)
        elif extension in _TS_EXTENSIONS:
            result = _Rewriter(source, _stripTypes(source), self.resolve, False).rewrite()
        else:
            result = _Rewriter(source, data, self.resolve, True).rewrite()
        self.modules[rel] = result
        return result

    def order(self, start, placed, order):
        """
        Append C{start} and its static dependencies to C{order}, dependencies first.
        """
        if start in placed:
            return
        stack = [(start, iter(self.module(start).deps))]
        visiting = {start}
        while stack:
            rel, deps = stack[-1]
            for dep in deps:
                if dep not in placed and dep not in visiting:
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

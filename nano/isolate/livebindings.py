"""
Live import bindings: rewrite each reference to an imported name into a read of the
exporting module's namespace.

In an ES module an import is a live, read-only view of the exporter's binding. The
module transform keeps each imported module's namespace object in a variable
(C{__nano_n0}, C{__nano_n1}, ...) and L{rewriteReferences} replaces every reference to a
named or default import with a property read of it: C{x} becomes C{__nano_n0.x} (or
C{__nano_n0["not an identifier"]}), a shorthand property C{{x}} becomes
C{{x: __nano_n0.x}}, and a call C{x()} becomes C{(0, __nano_n0.x)()} so that C{this}
is undefined as in modules. The namespace's properties are getters of the exporter's
local bindings, so reassignments in the exporter are seen, and reading a binding before
its module has initialised it throws a ReferenceError, as in ES modules (this is also
how cycles behave). A small scope analysis leaves shadowed names alone
(parameters, C{var}/C{let}/C{const}, function and class names, C{catch} parameters,
C{for} bindings declared in an inner scope); declaring an imported name again at the
module's top level is a C{SyntaxError}.
"""

import bisect
import re

import tree_sitter

from nano.isolate.modulesource import JAVASCRIPT, quote

__all__ = ["rewriteReferences"]


def rewriteReferences(js, root, edits, localImports, namespaceVars, blanked):
    """
    Rewrite every reference to a named or default import into a read of the
    exporting module's namespace (C{x} becomes C{__nano_n0.x}), which makes imports
    live bindings; shadowed names (parameters, inner declarations) are left alone.

    @param js: the module's JavaScript L{nano.isolate.modulesource.Source}.
    @param root: the root node of C{js}'s tree.
    @param edits: the module's L{nano.isolate.modulesource.Edits}, added to.
    @param localImports: C{{local: (target, imported name or None)}}; namespace
        imports (C{None}) are plain variables and are not rewritten.
    @param namespaceVars: C{{target: variable holding its namespace}}.
    @param blanked: C{(start, end)} byte ranges of the import and export statements
        replaced whole (names inside them are not references).
    @raise ModuleLoadError: when an imported name is declared again at top level.
    """
    names = [local for local, (_, imported) in localImports.items()
             if imported is not None]
    if not names:
        return
    quoted = " ".join(quote(name) for name in names)
    query = tree_sitter.Query(JAVASCRIPT, "".join(
        "((%s) @%s (#any-of? @%s %s))\n" % (kind, capture, capture, quoted)
        for kind, capture in (("identifier", "id"),
                              ("shorthand_property_identifier", "short"),
                              ("shorthand_property_identifier_pattern", "pattern"))))
    captures = tree_sitter.QueryCursor(query).captures(root)
    occurrences = sorted(
        (node for nodes in captures.values() for node in nodes),
        key=lambda node: node.start_byte)
    blanked = sorted(blanked)
    starts = [start for start, _ in blanked]
    scopes = {}
    references = []
    for node in occurrences:
        index = bisect.bisect_right(starts, node.start_byte) - 1
        if index >= 0 and node.start_byte < blanked[index][1]:
            continue  # inside an import or export statement
        name = js.text(node)
        scope = _bindingScope(node)
        if scope is None:
            references.append((node, name))
        elif scope.type == "program":
            raise js.error(
                node.start_byte,
                "SyntaxError: identifier '%s' has already been declared" % (name,))
        else:
            scopes.setdefault(name, set()).add(scope.id)
    for node, name in references:
        declaring = scopes.get(name)
        if declaring and _insideAny(node, declaring):
            continue
        target, imported = localImports[name]
        read = namespaceVars[target] + (
            "." + imported if _IDENTIFIER.match(imported) else "[%s]" % (quote(imported),))
        parent = node.parent
        if node.type != "identifier":
            read = name + ": " + read
        elif parent.type == "call_expression" and parent.child_by_field_name("function") == node:
            read = "(0, %s)" % (read,)  # calls get `this` undefined, as in modules
        edits.replace(node.start_byte, node.end_byte, read)


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

"""
TypeScript type stripping: TypeScript modules become JavaScript by erasure only.

L{stripTypes} parses a module with tree-sitter-typescript and replaces every piece of
TypeScript-only syntax (type annotations, type parameters and arguments, interfaces,
type aliases, C{declare}, overload signatures, accessibility and C{readonly}/C{abstract}
/C{override} modifiers, C{implements}, C{as}/C{satisfies}, non-null C{!}, C{<T>x}
assertions, optional C{?} marks, C{this} parameters, C{import type}/C{export type})
with spaces, one per character with line terminators kept, so every line and column
of the output is that of the input. Constructs that would need code generation are
rejected with a L{ModuleLoadError} (as Node's type stripping does): enums,
namespaces and module declarations, parameter properties, C{import x = require()},
C{import x = a.b} and C{export =}.
"""

import tree_sitter
import tree_sitter_typescript

from nano.isolate.modulesource import blank, parse

__all__ = ["stripTypes"]

_TS = tree_sitter.Language(tree_sitter_typescript.language_typescript())

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


def stripTypes(source):
    """
    Replace TypeScript-only syntax with spaces (one per character, line terminators
    kept, so every line and column stays) and return the JavaScript bytes.
    """
    tree = parse(source, _TS)
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
        out.append(blank(data[start:end]))
        position = end
    out.append(data[position:])
    return b"".join(out)

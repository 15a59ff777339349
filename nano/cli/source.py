"""
Scripts typed into C{nano eval} and C{nano repl}, rewritten before they run.

The shell app (C{js/shell.js}) runs each input with an indirect C{eval} in the
isolate's global scope. Two things a shell user expects do not hold for plain
indirect eval, so L{prepareScript} rewrites the input with tree-sitter first,
keeping every line number (and the columns of every line it does not touch):

 - Top-level C{let}, C{const} and C{class} declarations of an eval'd script are
   local to that eval, so a REPL would forget them at once. With C{persist}, they
   become C{var} declarations (C{const} loses its read-only guard, as in most
   shells), which live on the global object.
 - C{await} is not allowed at the top level of a script. An input whose top level
   (outside every function) awaits is wrapped in an async arrow function whose
   promise the shell awaits: its top-level C{var}/C{let}/C{const} names are declared
   before the wrapper (so they outlive it), their declarations become assignments,
   its function declarations are copied to the global object, and a last expression
   statement is returned as the completion value.

An input that tree-sitter cannot parse is returned unchanged: V8 then reports the
error (see L{nano.cli.shell}).
"""

import tree_sitter

from nano.isolate.modulesource import JAVASCRIPT, Edits, isForAwait, patternNames, topLevelNodes

__all__ = ["prepareScript", "hasTopLevelAwait"]


def _parse(data):
    return tree_sitter.Parser(JAVASCRIPT).parse(data)


def _awaits(root):
    return any(node.type == "await_expression" or isForAwait(node) for node in topLevelNodes(root))


def hasTopLevelAwait(source):
    """
    Whether C{source} uses C{await} outside every function (C{False} when it does
    not parse).
    """
    tree = _parse(source.encode("utf-8"))
    return not tree.root_node.has_error and _awaits(tree.root_node)


def _keyword(node):
    """
    The declaration keyword token (C{let}, C{const}, C{var}) of a declaration.
    """
    return node.children[0]


def _persist(statements, edits):
    """
    Turn top-level C{let}/C{const} into C{var}, and C{class C {}} into
    C{var C = class C {}}.
    """
    for node in statements:
        if node.type == "lexical_declaration":
            keyword = _keyword(node)
            edits.replace(keyword.start_byte, keyword.end_byte, "var")
        elif node.type == "class_declaration":
            name = node.child_by_field_name("name").text.decode("utf-8")
            edits.insert(node.start_byte, "var %s = " % (name,))


def _wrapAsync(statements, edits, persist):
    """
    The rewrite of an input with top-level await: returns the text to put before
    the wrapper (the hoisted C{var} names).
    """
    names, functions = [], []
    for node in statements:
        if node.type in ("lexical_declaration", "variable_declaration"):
            keyword = _keyword(node)
            declarators = [c for c in node.named_children if c.type == "variable_declarator"]
            for declarator in declarators:
                patternNames(declarator.child_by_field_name("name"), names)
            # `let {a} = f(), b;` -> `;({a} = f(), b);` (a parenthesised assignment).
            edits.replace(keyword.start_byte, keyword.end_byte, ";(")
            last = node.children[-1]
            end = last.start_byte if last.type == ";" else node.end_byte
            edits.insert(end, ")")
        elif node.type == "class_declaration" and persist:
            name = node.child_by_field_name("name").text.decode("utf-8")
            names.append(name)
            edits.insert(node.start_byte, ";%s = " % (name,))
        elif node.type in ("function_declaration", "generator_function_declaration"):
            functions.append(node.child_by_field_name("name").text.decode("utf-8"))
    meaningful = [n for n in statements if n.type not in ("comment", "empty_statement")]
    if meaningful and meaningful[-1].type == "expression_statement":
        expression = meaningful[-1].named_children[0]
        edits.insert(expression.start_byte, "return (")
        edits.insert(expression.end_byte, ")")
    prefix = "var %s;" % (", ".join(dict.fromkeys(names)),) if names else ""
    copies = "".join("globalThis.%s = %s;" % (name, name) for name in functions)
    return prefix + "(async () => {" + copies


def prepareScript(source, name, persist=False):
    """
    The script the shell app evaluates for C{source}: rewritten as the module
    docstring says, and ending in a C{sourceURL} comment naming it C{name} (so
    that stack traces say C{name:LINE:COLUMN}).

    @param persist: keep top-level C{let}/C{const}/C{class} bindings for later
        inputs (the REPL).
    """
    data = source.encode("utf-8")
    tree = _parse(data)
    root = tree.root_node
    if root.has_error:
        return "%s\n//# sourceURL=%s" % (source, name)
    statements = [node for node in root.children if node.type != "hash_bang_line"]
    edits = Edits(data)
    if _awaits(root):
        head = _wrapAsync(statements, edits, persist)
        body = edits.apply().decode("utf-8")
        return "%s%s\n})()\n//# sourceURL=%s" % (head, body, name)
    if persist:
        _persist(statements, edits)
    return "%s\n//# sourceURL=%s" % (edits.apply().decode("utf-8"), name)

"""
One module's source text, as the module loader reads, parses and edits it.

tree-sitter works in UTF-8 byte offsets; L{Source} keeps a module's bytes and turns an
offset into the 1-based line and column (in characters) that error messages show.
L{parse} parses with a tree-sitter language and reports the first error of the tree
as a L{ModuleLoadError} (C{SyntaxError: unexpected token ...}, C{unexpected end of
input}, C{expected ...}). L{Edits} applies non-overlapping byte-range replacements
that keep every line terminator of the replaced text (and its columns when the
replacement is not longer), and L{blank} replaces text with spaces, so that the
transformed module keeps the line numbers (and mostly the columns) of the original.
L{stringValue} decodes a JavaScript string literal; L{quote} writes a value as a
JavaScript (JSON) literal. L{topLevelNodes} walks what runs at a script's or module's
top level (outside every function) and L{patternNames} lists the names a binding
pattern declares: the module transform and the shell's script rewrite both need them.
"""

import bisect
import json
import re

import tree_sitter
import tree_sitter_javascript

__all__ = ["ModuleLoadError", "Source", "parse", "Edits", "blank", "stringValue", "quote",
           "topLevelNodes", "isForAwait", "patternNames", "JAVASCRIPT"]

JAVASCRIPT = tree_sitter.Language(tree_sitter_javascript.language())

# Nodes whose body is a new function scope (top-level await and yield stop there).
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


class Source:
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


def parse(source, language):
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


class Edits:
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


def blank(data):
    """
    Blank text: one space per character, line terminators kept.
    """
    return _NOT_BREAK.sub(" ", data.decode("utf-8")).encode("utf-8")


_NOT_BREAK = re.compile("[^\r\n\u2028\u2029]")


# -- JavaScript string literals -------------------------------------------------------

_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def stringValue(source, node):
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


def quote(value):
    return json.dumps(value)


def topLevelNodes(root):
    """
    Every node below C{root} that is not inside a function body (or a class body):
    the code that runs at the top level, where C{await} makes a module async.
    """
    stack = list(root.children)
    while stack:
        node = stack.pop()
        if node.type in _FUNCTION_NODES:
            continue
        yield node
        if node.child_count:
            stack.extend(node.children)


def isForAwait(node):
    """
    Whether C{node} is a C{for await (... of ...)} statement.
    """
    return node.type == "for_in_statement" and node.child_count > 1 and node.children[1].type == "await"


def patternNames(node, out=None):
    """
    The names a binding pattern (an identifier, or an object or array pattern with
    defaults and rest elements) declares, appended to C{out} (a new list by
    default), which is returned.
    """
    if out is None:
        out = []
    kind = node.type
    if kind in ("identifier", "shorthand_property_identifier_pattern"):
        out.append(node.text.decode("utf-8"))
    elif kind == "pair_pattern":
        patternNames(node.child_by_field_name("value"), out)
    elif kind in ("object_assignment_pattern", "assignment_pattern"):
        patternNames(node.child_by_field_name("left"), out)
    elif kind in ("object_pattern", "array_pattern", "rest_pattern"):
        for child in node.named_children:
            if child.type != "comment":
                patternNames(child, out)
    return out

"""
Shrink the runtime prelude's JavaScript before it is evaluated in every isolate.

V8 keeps the source text of every script on the isolate's heap for as long as any
function of it lives (lazy compilation and C{Function.prototype.toString} read it),
so every byte of the prelude's comments and indentation is paid once per isolate: it
was about 60% of a bootstrapped isolate's heap (BENCHMARKS.md, "Density").

L{minify} drops comments and the whitespace between tokens that JavaScript does not
need. It works on the token stream of a real parse (tree-sitter-javascript, as the
module loader uses); string, template and regular expression literals are copied
verbatim. A line break between two tokens stays a line break (so automatic
semicolon insertion, C{return}/C{throw} and C{++}/C{--} restrictions see the same
lines), otherwise one space is kept only where the two tokens would run together
(C{a in b}, C{a - -b}, C{1 .toString()}). Whatever it cannot handle with certainty
it returns unchanged: a source tree-sitter does not parse cleanly, JSX-looking
syntax, whitespace other than ASCII between tokens, or an output whose own parse
does not give back the same tokens.
"""

import tree_sitter
import tree_sitter_javascript

__all__ = ["minify", "MinifyStats"]

_LANGUAGE = tree_sitter.Language(tree_sitter_javascript.language())

# Nodes copied as one token, whatever their inner structure.
_ATOMS = frozenset(["string", "template_string", "regex"])
_COMMENTS = frozenset(["comment", "html_comment"])
_SPACE = b" \t\n\r\x0b\x0c"
_NEWLINES = (b"\n", b"\r")
# Two punctuation characters that begin a longer token (or a comment) when written
# together: the space between them must stay.
_JOINING = frozenset([
    b"..", b"<=", b">=", b"==", b"!=", b"**", b"++", b"--", b"<<", b">>", b"&&", b"||",
    b"??", b"?.", b"+=", b"-=", b"*=", b"%=", b"&=", b"|=", b"^=", b"=>", b"/=", b"//",
    b"/*", b"<!", b"->",
])


class MinifyStats:
    """
    What L{minify} did to one source: C{before} and C{after} are byte counts,
    C{reason} is None when it minified, else why it returned the source unchanged.
    """

    __slots__ = ("before", "after", "reason")

    def __init__(self, before, after, reason=None):
        self.before = before
        self.after = after
        self.reason = reason


def _isWord(byte):
    # Identifier characters, digits, escapes in identifiers, private names and any
    # non-ASCII byte (a UTF-8 encoded identifier character).
    return byte >= 0x80 or byte in b"$_\\#" or 0x30 <= byte <= 0x39 or 0x41 <= byte <= 0x5A or 0x61 <= byte <= 0x7A


def _needSpace(previous, first):
    """
    Whether the token C{previous} and a token beginning with the byte C{first},
    when a space separated them, need to stay apart.
    """
    last = previous[-1]
    lastWord, firstWord = _isWord(last), _isWord(first)
    if lastWord and firstWord:
        return True
    if lastWord:
        # 1 .toString(): "1." would be a number.
        return first == 0x2E and (0x30 <= previous[0] <= 0x39 or previous[0] == 0x2E)
    if firstWord:
        return False
    return bytes((last, first)) in _JOINING


def _items(tree):
    """
    The tokens and comments of C{tree} as C{(start, end, isComment)} byte ranges in
    document order, or None when the tree has JSX nodes.
    """
    items = []
    cursor = tree.walk()
    while True:
        node = cursor.node
        kind = node.type
        descend = False
        if kind in _COMMENTS:
            items.append((node.start_byte, node.end_byte, True))
        elif kind in _ATOMS or node.child_count == 0:
            if node.end_byte > node.start_byte:
                items.append((node.start_byte, node.end_byte, False))
        elif kind.startswith("jsx"):
            return None
        else:
            descend = cursor.goto_first_child()
        if descend:
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return items


def _tokens(data, items):
    return [data[start:end] for start, end, isComment in items if not isComment]


def _parse(data):
    return tree_sitter.Parser(_LANGUAGE).parse(data)


def minify(source):
    """
    Minify the JavaScript C{source} (a script or a function body's statements).

    @return: C{(text, stats)}: the minified text (or C{source} itself when it could
        not be minified with certainty) and a L{MinifyStats}.
    """
    data = source.encode("utf-8")
    before = len(data)

    def unchanged(reason):
        return source, MinifyStats(before, before, reason)

    tree = _parse(data)
    if tree.root_node.has_error:
        return unchanged("tree-sitter found a syntax error")
    items = _items(tree)
    if items is None:
        return unchanged("JSX-like syntax")
    out = []
    previous = 0
    separated = False
    newline = False
    for start, end, isComment in items:
        gap = data[previous:start]
        if gap:
            if gap.strip(_SPACE):
                return unchanged("unexpected text between tokens at byte %d" % (previous,))
            separated = True
            if not newline and (_NEWLINES[0] in gap or _NEWLINES[1] in gap):
                newline = True
        previous = end
        if isComment:
            separated = True
            # A block comment spanning lines counts as a line break; a line comment's
            # line break is part of the next gap.
            text = data[start:end]
            if _NEWLINES[0] in text or _NEWLINES[1] in text:
                newline = True
            continue
        if out:
            if newline:
                out.append(b"\n")
            elif separated and _needSpace(out[-1], data[start]):
                out.append(b" ")
        out.append(data[start:end])
        separated = newline = False
    if data[previous:].strip(_SPACE):
        return unchanged("unexpected text after the last token")
    result = b"".join(out) + b"\n"
    check = _parse(result)
    if check.root_node.has_error:
        return unchanged("the minified text does not parse")
    checkItems = _items(check)
    if checkItems is None or _tokens(result, checkItems) != _tokens(data, items):
        return unchanged("the minified text has different tokens")
    return result.decode("utf-8"), MinifyStats(before, len(result))

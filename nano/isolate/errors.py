"""
What running an app can produce, as the HTTP side sees it: the response start, and
the errors of loading an app, of its handler, and of its isolate.
"""

import re

import attrs

__all__ = ["STREAMED", "LoadError", "IsolateFailure", "ScriptError", "ResponseStart", "describeJSError",
           "moduleLoadError"]

# The body argument of Isolate.fetch for a body that arrives later, through bodyChunk
# and bodyEnd.
STREAMED = object()

_LOCATION = re.compile(r"^(?P<file>[^\n]*?):(?P<line>\d+): (?P<message>[^\n]*)\n(?P<source>[^\n]*)\n(?P<caret>[ \t]*)\^")


class LoadError(Exception):
    """
    The app could not be loaded. C{str()} names the file, line and column where known.
    """


class IsolateFailure(Exception):
    """
    The isolate failed while a request was in flight (terminated, out of memory,
    closed). C{kind} is one of C{"cpu"}, C{"memory"}, C{"closed"}.
    """

    def __init__(self, kind, message):
        Exception.__init__(self, message)
        self.kind = kind


class ScriptError(Exception):
    """
    The handler threw or returned something that is not a Response.

    @ivar kind: C{"exception"} or C{"bad_return"}.
    @ivar short: one line for the client (C{"TypeError: x is not a function"}).
    @ivar full: the stack, for the log (and for the client in dev mode).
    """

    def __init__(self, kind, short, full):
        Exception.__init__(self, short)
        self.kind = kind
        self.short = short
        self.full = full


@attrs.frozen
class ResponseStart:
    """
    What the handler returned: status, reason, header pairs (names lowercased, repeats
    kept) and the whole body as bytes, or C{streamed} with C{body} None when the body
    is a stream (its chunks then reach the sink's C{bodyChunk}).
    """

    status: int
    statusText: str
    headers: tuple
    body: bytes
    streamed: bool = False


def describeJSError(error):
    """
    Turn V8's uncaught-exception text (C{"file:line: Name: message"} + source line +
    caret) into C{"file:line:column: Name: message"}.
    """
    text = str(error)
    match = _LOCATION.match(text)
    if match is None:
        return text.strip().splitlines()[0] if text.strip() else type(error).__name__
    column = len(match.group("caret").expandtabs(1)) + 1
    return "%s:%s:%d: %s" % (
        match.group("file"),
        match.group("line"),
        column,
        match.group("message"),
    )


def moduleLoadError(path, error):
    """
    The L{LoadError} for module C{path}, whose script failed with the
    L{nano.isolate.engine.JSError} C{error}. V8 reads a script's sourceURL comment
    only after parsing the whole file, so a parse error names the script
    C{"<anonymous>"}: the module's path is put in its place.
    """
    text = describeJSError(error)
    if text.startswith("<anonymous>:"):
        text = path + text[len("<anonymous>"):]
    return LoadError(text)

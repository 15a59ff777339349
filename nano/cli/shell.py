"""
The JavaScript shell behind C{nano eval} and C{nano repl}.

A L{Shell} owns two V8 isolates. The I{runtime} isolate is a real
L{nano.isolate.runtime.Isolate} running the shell app (C{js/shell.js}) with the
whole runtime prelude and the same host operations a served app gets: every input
runs there, in the global scope, so its globals, timers and console behave as in
an app. The I{checker} is a bare L{nano.isolate.engine.V8Context} that only
compiles: each input is compiled as a script whose first statement throws
(C{throw 0;}), so V8 reports the input's syntax errors with their line and column
and nothing of it runs. V8's "Unexpected end of input" (or an error on a line
after the input's last) marks an input that merely stops early, which the REPL
then continues reading. Only an input that compiles is run.

L{Shell.evaluate} returns a L{Outcome}; C{console} output of the input goes to
the C{output} callable as it happens.
"""

import json
import os
import re

import attrs
from twisted.internet.defer import Deferred, inlineCallbacks

from nano.cli.source import hasTopLevelAwait, prepareScript
# The server's module registers every family of host operations (fetch, crypto,
# compression, ...): importing it gives the shell the same table an app gets.
import nano.service  # noqa: F401
from nano.config import AppConfig, NanoConfig
from nano.hostops import HostContext, opsFor
from nano.isolate.engine import JSError, JSParseError, V8Context
from nano.isolate.modules import loadModuleGraph
from nano.isolate.runtime import Isolate, describeJSError

__all__ = ["Outcome", "Shell", "SHELL_APP"]

SHELL_APP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "js")
_CHECK_TIMEOUT = 5.0
# Prepended to what the checker compiles: V8 compiles the whole script, then this
# first statement throws before any of the input runs.
_NEVER_RUN = "throw 0;\n"
_END = "Unexpected end of input"
_MISSING_PAREN = "missing ) after argument list"
_AWAIT_ONLY = "await is only valid in async functions and the top level bodies of modules"
_ORIGIN = "http://shell.nano.invalid"
_LOCATION = re.compile(r"^<anonymous>:(\d+):(\d+): (.*)$", re.S)


@attrs.frozen
class Outcome:
    """
    What one input did.

    @ivar kind: C{"value"} (it completed; C{text} is the completion value as
        console.log prints it, or C{None} for C{undefined}), C{"incomplete"} (the
        input ends before its statement does: read more), C{"syntax"} (it does not
        compile; nothing ran) or C{"thrown"} (it threw, or its promise rejected).
    @ivar text: for C{"value"}, see above; for errors, one line
        C{NAME:LINE:COLUMN: Name: message} (the position when known).
    @ivar stack: for C{"thrown"}, the stack frames inside the input (a tuple of
        lines, possibly empty).
    """

    kind: str
    text: str = None
    stack: tuple = ()


_LINES = re.compile("\r\n|[\r\n\u2028\u2029]")


def _incomplete(name, source):
    lines = _LINES.split(source)
    return Outcome("incomplete", "%s:%d:%d: SyntaxError: %s"
                   % (name, len(lines), len(lines[-1]) + 1, _END))


class _Sink:
    """
    Collects one response of the shell app (its body whole, even if streamed).
    C{requestId} tags the console output of the request.
    """

    def __init__(self, requestId):
        self.requestId = requestId
        self.done = Deferred()
        self._chunks = []

    def gotResponse(self, response):
        if response.body is not None:
            self.done.callback(response.body)

    def gotError(self, error):
        self.done.errback(error)

    def bodyChunk(self, data):
        self._chunks.append(bytes(data))

    def bodyEnd(self):
        self.done.callback(b"".join(self._chunks))

    def bodyFailed(self, error):
        self.done.errback(error)


class Shell:
    """
    A JavaScript shell: one runtime isolate whose global state persists across
    L{evaluate} calls, plus a compile-only checker.
    """

    def __init__(self, reactor, output, persist=False, quote=False):
        """
        @param output: C{output(stream, text)} receives console output, C{stream}
            being C{"stdout"} (log, info, debug) or C{"stderr"} (warn, error and
            uncaught errors of timers and promises).
        @param persist: keep top-level C{let}/C{const}/C{class} bindings across
            inputs (the REPL; see L{nano.cli.source}).
        @param quote: format string values quoted (C{"%O"}), as a REPL shows them;
            otherwise a string value is printed as it is.
        """
        self._reactor = reactor
        self._output = output
        self._persist = persist
        self._quote = quote
        self._isolate = None
        self._checker = None
        self._showing = None
        self._requests = 0

    @inlineCallbacks
    def start(self):
        """
        Start both isolates. Fires with None when the shell is ready.
        """
        self._checker = V8Context(self._reactor, lambda text: None)
        yield self._checker.prepare()
        app = AppConfig(name="shell", hostnames=(), path=SHELL_APP, main="shell.js")
        config = NanoConfig(path=None, apps=(app,))
        hostOps = opsFor(HostContext(self._reactor, app, config))
        self._isolate = Isolate(self._reactor, "shell", dev=True, onLog=self._log,
                                hostOps=hostOps)
        yield self._isolate.load(loadModuleGraph(SHELL_APP, "shell.js"), "{}")

    def _log(self, level, text, requestId):
        if self._showing is not None and requestId == self._showing[0]:
            self._showing[1].append(text)
            return
        if level in ("warn", "error"):
            self._output("stderr", text)
        else:
            self._output("stdout", text)

    def close(self):
        """
        Close both isolates (idempotent).
        """
        if self._isolate is not None:
            self._isolate.close()
        if self._checker is not None:
            self._checker.close()

    def _request(self, path, body):
        """
        Send one request to the shell app; returns its request id (which tags
        its console output) and a Deferred firing with the response body.
        """
        self._requests += 1
        sink = _Sink("shell-%d" % (self._requests,))
        self._isolate.fetch("POST", _ORIGIN + path, ["host", "shell.nano.invalid"], body, sink)
        return sink.requestId, sink.done

    @inlineCallbacks
    def check(self, source, name):
        """
        Compile C{source} without running it.

        @return: a Deferred firing with C{None} if it compiles, else an
            L{Outcome} of kind C{"incomplete"} or C{"syntax"}.
        """
        if hasTopLevelAwait(source):
            # What runs is the rewrite (same lines; line 1 shifted right).
            source = prepareScript(source, name, persist=self._persist)
        problem = yield self._compile(_NEVER_RUN + source, name, source)
        if problem is not None and problem.text.endswith(_AWAIT_ONLY):
            # An unfinished input with top-level await (tree-sitter could not
            # parse it): compile it as an async function body; an error on the
            # line we close it with means the input stopped early.
            problem = yield self._compile(_NEVER_RUN + "(async function () {\n%s\n})" % (source,),
                                          name, source, shift=2)
        if problem is not None and problem.text.endswith(_MISSING_PAREN):
            # V8 reports an unclosed call at its last argument, not at the end:
            # the input merely stops early if closing the call mends it.
            mended = yield self._compile(_NEVER_RUN + source + "\n)", name, source + "\n)")
            if mended is None or mended.kind == "incomplete":
                problem = _incomplete(name, source)
        return problem

    @inlineCallbacks
    def _compile(self, script, name, source, shift=1):
        """
        Compile C{script} in the checker (its first statement throws, so nothing
        else runs). C{script}'s line C{N + shift} is line C{N} of C{source}.
        """
        try:
            yield self._checker.eval(script, timeout=_CHECK_TIMEOUT)
        except JSParseError as e:
            match = _LOCATION.match(describeJSError(e))
            if match is None:
                return Outcome("syntax", "%s: %s" % (name, str(e).strip().splitlines()[0]))
            line, column, message = int(match.group(1)) - shift, int(match.group(2)), match.group(3)
            if line > len(_LINES.split(source)) or message == "SyntaxError: " + _END:
                return _incomplete(name, source)
            return Outcome("syntax", "%s:%d:%d: %s" % (name, line, column, message))
        except JSError:
            pass
        return None

    @inlineCallbacks
    def evaluate(self, source, name="eval"):
        """
        Check, then run C{source} in the runtime isolate; wait for a promise it
        completes with.

        @param name: the script's name in positions and stack traces.
        @return: a Deferred firing with an L{Outcome}.
        """
        problem = yield self.check(source, name)
        if problem is not None:
            return problem
        script = prepareScript(source, name, persist=self._persist)
        _, done = self._request("/eval", script.encode("utf-8"))
        body = yield done
        result = json.loads(body)
        if result["ok"]:
            if result["undefined"]:
                return Outcome("value", None)
            text = yield self._show()
            return Outcome("value", text)
        if not result["error"]:
            text = yield self._show(quote=True)
            return Outcome("thrown", "%s: Uncaught %s" % (name, text))
        return self._thrown(result, name)

    @inlineCallbacks
    def _show(self, quote=None):
        """
        The kept value, formatted by the runtime's console printer.
        """
        lines = []
        query = "?quote=1" if (self._quote if quote is None else quote) else ""
        rid, done = self._request("/show" + query, None)
        self._showing = (rid, lines)
        try:
            yield done
        finally:
            self._showing = None
        return "\n".join(lines)

    def _thrown(self, result, name):
        """
        The L{Outcome} of an input that threw an Error: its position is the first
        stack frame inside the input.
        """
        frames = []
        for line in result["stack"].splitlines()[1:]:
            if re.search(r"[( ]%s:\d+:\d+\)?$" % (re.escape(name),), line.strip()):
                frames.append(line.strip())
            elif frames:
                break
        summary = "%s: %s" % (result["name"], result["message"]) if result["message"] else result["name"]
        where = re.search(r"%s:(\d+):(\d+)" % (re.escape(name),), frames[0]) if frames else None
        if result["name"] == "SyntaxError" and where is None:
            return Outcome("syntax", "%s: %s" % (name, summary))
        if where is None:
            return Outcome("thrown", "%s: Uncaught %s" % (name, summary), tuple(frames))
        return Outcome("thrown", "%s:%s:%s: Uncaught %s" % (name, where.group(1), where.group(2), summary),
                       tuple(frames))

"""
C{nano repl}: an interactive JavaScript shell with the full NANO runtime.

L{ReplLoop} is the line logic, free of threads and terminals: it reads lines
through a C{readLine(prompt)} callable, gathers them until the statement is
complete (the checker of L{nano.cli.shell} says whether an input merely stops
early), runs it through a synchronous C{evaluate(source, name)} callable and
writes the outcome. Dot commands: C{.help}, C{.exit}, C{.break} (drop the lines
typed so far) and C{.reset} (a fresh isolate).

L{replCommand} wires it to a terminal: the reactor runs in a background thread
(so the main thread can block in C{input()}, with GNU readline's line editing and
a history file, and receive Ctrl-C); each input crosses to the reactor with
C{blockingCallFromThread}. Ctrl-C while typing drops the input; Ctrl-C while code
runs ends that isolate (a runaway loop cannot be interrupted otherwise) and
starts a fresh one, losing the globals.
"""

import os
import sys
import threading

__all__ = ["ReplLoop", "replCommand", "HELP"]

HELP = """\
Type JavaScript; a statement may span several lines. Top-level await works.
  .help    this text
  .break   drop the lines typed so far (Ctrl-C does the same)
  .reset   start a fresh isolate (all globals are lost)
  .exit    leave (Ctrl-D does the same)"""


class ReplLoop:
    """
    The read-evaluate-print loop.
    """

    prompt = "> "
    continuation = "... "

    def __init__(self, readLine, evaluate, out, err, reset=None):
        """
        @param readLine: C{readLine(prompt)} returns a line (without its newline),
            raises L{EOFError} at the end of input and L{KeyboardInterrupt} on Ctrl-C.
        @param evaluate: C{evaluate(source, name)} returns an
            L{nano.cli.shell.Outcome}; it may raise L{KeyboardInterrupt}.
        @param reset: called with no arguments to replace the isolate.
        """
        self._readLine = readLine
        self._evaluate = evaluate
        self._out = out
        self._err = err
        self._reset = reset
        self._count = 0

    def _command(self, text):
        """
        Run a dot command; return False to stop the loop.
        """
        if text == ".exit":
            return False
        if text == ".help":
            self._out(HELP)
        elif text == ".reset" and self._reset is not None:
            self._reset()
            self._out("(a fresh isolate)")
        elif text != ".break":
            self._err("unknown command %s (type .help)" % (text,))
        return True

    def _show(self, outcome):
        if outcome.kind == "value":
            self._out("undefined" if outcome.text is None else outcome.text)
            return
        self._err(outcome.text)
        for frame in outcome.stack:
            self._err("    " + frame)

    def run(self):
        """
        Loop until C{.exit} or the end of input.
        """
        lines = []
        while True:
            try:
                line = self._readLine(self.continuation if lines else self.prompt)
            except EOFError:
                return
            except KeyboardInterrupt:
                self._out("")
                if lines:
                    lines = []
                else:
                    self._out("(Ctrl-C again or .exit to leave, Ctrl-D too)")
                    try:
                        self._readLine(self.prompt)
                    except (EOFError, KeyboardInterrupt):
                        return
                continue
            if line.strip().startswith(".") and (not lines or line.strip() == ".break"):
                if not self._command(line.strip()):
                    return
                lines = []
                continue
            lines.append(line)
            source = "\n".join(lines)
            if not source.strip():
                lines = []
                continue
            self._count += 1
            try:
                outcome = self._evaluate(source, "repl%d" % (self._count,))
            except KeyboardInterrupt:
                lines = []
                self._err("interrupted: the isolate was ended, its globals are gone")
                if self._reset is not None:
                    self._reset()
                continue
            if outcome.kind == "incomplete":
                self._count -= 1
                continue
            lines = []
            self._show(outcome)


def _history():
    """
    Enable readline editing and history; return a function that saves it.
    """
    try:
        import readline
    except ImportError:
        return lambda: None
    path = os.environ.get("NANO_HISTORY", os.path.join(os.path.expanduser("~"), ".nano_history"))
    if not path:
        return lambda: None
    try:
        readline.read_history_file(path)
    except OSError:
        pass
    readline.set_history_length(1000)

    def save():
        try:
            readline.write_history_file(path)
        except OSError:
            pass
    return save


def replCommand(out, err, stdin=None):
    """
    Run the REPL on the terminal (or on piped standard input, without prompts).
    """
    from twisted.internet import reactor
    from twisted.internet.threads import blockingCallFromThread

    from nano.cli.shell import Shell

    stdin = stdin or sys.stdin
    interactive = stdin.isatty()
    save = _history() if interactive else (lambda: None)
    output = lambda stream, text: (out if stream == "stdout" else err)(text)  # noqa: E731
    thread = threading.Thread(target=reactor.run, kwargs={"installSignalHandlers": False},
                              name="nano-repl-reactor", daemon=True)
    thread.start()
    state = {}

    def fresh():
        old = state.get("shell")
        if old is not None:
            reactor.callFromThread(old.close)
        shell = Shell(reactor, output, persist=True, quote=True)
        blockingCallFromThread(reactor, shell.start)
        state["shell"] = shell

    def evaluate(source, name):
        return blockingCallFromThread(reactor, state["shell"].evaluate, source, name)

    def readLine(prompt):
        if interactive:
            return input(prompt)
        line = stdin.readline()
        if not line:
            raise EOFError()
        return line.rstrip("\n")

    try:
        fresh()
        if interactive:
            out("NANO JavaScript shell (full runtime). Type .help for help, .exit to leave.")
        ReplLoop(readLine, evaluate, out, err, reset=fresh).run()
    finally:
        save()
        if "shell" in state:
            blockingCallFromThread(reactor, lambda: state["shell"].close())
        reactor.callFromThread(reactor.stop)
        thread.join(5)
    return 0

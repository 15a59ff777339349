"""
The C{nano} console script (SPEC §1): developer conveniences beside C{twistd nano}.

    nano check config.json     validate a config as the server does; print it resolved
    nano eval 'js'             run JavaScript with the full runtime; print its value
    nano repl                  an interactive JavaScript shell with the full runtime
    nano new DIR               scaffold an app

Each command is a function of its parsed arguments and two writers (standard output
and standard error) that returns the exit status, so tests call them directly.
L{main} parses C{argv}; L{run} is the console-script entry point.
"""

import argparse
import sys

__all__ = ["main", "run", "evalCommand"]


def _writer(stream):
    def write(text):
        stream.write(text + "\n")
        stream.flush()
    return write


def _parser():
    parser = argparse.ArgumentParser(
        prog="nano",
        description="Developer tools for NANO (serve apps with: twistd -n nano --config config.json).",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    check = commands.add_parser(
        "check", help="validate a config.json and print it resolved",
        description="Validate a config file with the server's own checks and print the "
                    "resolved config as JSON (exit 0), or every problem, one per line on "
                    "standard error (exit 1). Each app's module graph is checked too "
                    "(entry file, imports, syntax), unless --no-apps.")
    check.add_argument("config", help="path of the config file")
    check.add_argument("--no-apps", action="store_true",
                       help="check the config only, not the apps' source files")

    evaluate = commands.add_parser(
        "eval", help="evaluate JavaScript and print its completion value",
        description="Evaluate a script in a fresh isolate with the full NANO runtime "
                    "(fetch, URL, streams, crypto, timers, console, ...). A promise is "
                    "awaited, and top-level await works. The completion value is printed "
                    "as console.log prints it (nothing for undefined). A syntax error or "
                    "an uncaught exception prints its message with line and column on "
                    "standard error and exits 1.")
    evaluate.add_argument("code", help="the script, or - to read it from standard input")

    commands.add_parser(
        "repl", help="interactive JavaScript shell with the full runtime",
        description="Read JavaScript statements (several lines until the statement is "
                    "complete), run them in one isolate with the full NANO runtime and "
                    "print their values. Top-level await works; let, const and class "
                    "declarations persist between inputs. History is kept in "
                    "~/.nano_history (NANO_HISTORY overrides; empty disables). "
                    "Type .help for the commands.")

    new = commands.add_parser(
        "new", help="scaffold an app in a new directory",
        description="Create DIR with an index.js answering every request, and print the "
                    "config entry to serve it (or add it to a config file with --config). "
                    "An existing non-empty DIR is refused.")
    new.add_argument("directory", metavar="DIR", help="the app directory to create")
    new.add_argument("--name", help="the app name (default: from the directory name)")
    new.add_argument("--hostname", help="the app's hostname (default: NAME.localhost)")
    new.add_argument("--config", metavar="FILE",
                     help="add the app to this config file (created if missing)")
    return parser


def evalCommand(code, out, err, reactor=None):
    """
    C{nano eval}: run C{code} in a fresh shell (see L{nano.cli.shell}) and
    print the outcome.

    @param reactor: run on this reactor, which must be running or be run by the
        caller; by default the global reactor is run until the outcome is known.
    @return: the exit status (or, with C{reactor}, a Deferred firing with it).
    """
    from nano.cli.shell import Shell

    def printed(outcome):
        if outcome.kind == "value":
            if outcome.text is not None:
                out(outcome.text)
            return 0
        err(outcome.text)
        for frame in outcome.stack:
            err("    " + frame)
        return 1

    def go(reactor):
        shell = Shell(reactor, lambda stream, text: (out if stream == "stdout" else err)(text))
        d = shell.start()
        d.addCallback(lambda _: shell.evaluate(code, "eval"))
        d.addCallback(printed)

        def closed(result):
            shell.close()
            return result
        return d.addBoth(closed)

    if reactor is not None:
        return go(reactor)
    from twisted.internet import reactor as globalReactor

    status = []

    def main():
        d = go(globalReactor)
        d.addCallback(status.append)
        d.addErrback(lambda failure: (err("nano eval: " + failure.getErrorMessage()), status.append(2)))
        d.addBoth(lambda _: globalReactor.stop())

    globalReactor.callWhenRunning(main)
    globalReactor.run()
    return status[0] if status else 1


def main(argv=None, stdout=None, stderr=None, stdin=None):
    """
    Run the C{nano} command line C{argv} (default C{sys.argv[1:]}); return the
    exit status.
    """
    out = _writer(stdout or sys.stdout)
    err = _writer(stderr or sys.stderr)
    args = _parser().parse_args(argv)
    if args.command == "check":
        from nano.cli.check import checkCommand
        return checkCommand(args.config, out, err, apps=not args.no_apps)
    if args.command == "eval":
        code = args.code
        if code == "-":
            code = (stdin or sys.stdin).read()
        return evalCommand(code, out, err)
    if args.command == "repl":
        from nano.cli.repl import replCommand
        return replCommand(out, err)
    from nano.cli.new import newCommand
    return newCommand(args.directory, out, err, name=args.name, hostname=args.hostname,
                      config=args.config)


def run():
    """
    The console-script entry point.
    """
    sys.exit(main())

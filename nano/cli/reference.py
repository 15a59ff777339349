"""
The command-line reference of the documentation site, generated from the code.

L{cliReference} describes C{twistd nano} (from L{nano.tap.Options}: every
parameter, flag and C{opt_} method with its short form, default and help) and the
C{nano} console script (from its argparse parser: each command with its
description and arguments). The site renders C{docs/src/data/cli.json}, which
C{python -m nano.cli.reference docs/src/data/cli.json} writes; a test fails when
the committed file differs from what the code gives, so an option added without
regenerating the reference cannot go unnoticed.
"""

import inspect
import json
import re
import sys

from twisted.python import usage

__all__ = ["cliReference", "main"]


def _clean(text):
    return re.sub(r"\s+", " ", text or "").strip()


def _twistdOptions():
    from nano.tap import Options

    options = []
    for name, short, default, doc, *_ in Options.optParameters:
        options.append({"name": "--" + name, "short": short and "-" + short, "value": True,
                        "default": default, "help": _clean(doc)})
    for name, short, doc in Options.optFlags:
        options.append({"name": "--" + name, "short": short and "-" + short, "value": False,
                        "default": None, "help": _clean(doc)})
    for attribute in sorted(vars(Options)):
        method = getattr(Options, attribute)
        if not attribute.startswith("opt_") or getattr(usage.Options, attribute, None) is method:
            continue
        takesValue = len(inspect.signature(method).parameters) > 1
        options.append({"name": "--" + attribute[4:].replace("_", "-"), "short": None,
                        "value": takesValue, "default": None, "help": _clean(method.__doc__)})
    return {"command": "twistd nano", "synopsis": "twistd [-n] nano " + Options.synopsis,
            "description": _clean(Options.longdesc), "options": options}


def _nanoCommands():
    from nano.cli import _parser

    parser = _parser()
    subparsers = next(action for action in parser._actions
                      if isinstance(action, type(parser._subparsers._group_actions[0])))
    commands = []
    for name, sub in subparsers.choices.items():
        arguments = []
        for action in sub._actions:
            if action.dest == "help":
                continue
            arguments.append({
                "name": ", ".join(action.option_strings) or (action.metavar or action.dest),
                "positional": not action.option_strings,
                "value": action.nargs != 0,
                "metavar": action.metavar,
                "help": _clean(action.help),
            })
        commands.append({"command": "nano " + name, "usage": _clean(sub.format_usage()),
                         "description": _clean(sub.description), "arguments": arguments})
    return {"description": _clean(parser.description), "commands": commands}


def cliReference():
    """
    The reference as a JSON-able dict: C{{"twistd": ..., "nano": ...}}.
    """
    return {"twistd": _twistdOptions(), "nano": _nanoCommands()}


def render():
    """
    The text of C{docs/src/data/cli.json}.
    """
    return json.dumps(cliReference(), indent=2) + "\n"


def main(argv=None):
    """
    Write the reference to the file named by the only argument.
    """
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        sys.stderr.write("usage: python -m nano.cli.reference docs/src/data/cli.json\n")
        return 2
    with open(argv[0], "w", encoding="utf-8") as f:
        f.write(render())
    return 0


if __name__ == "__main__":
    sys.exit(main())

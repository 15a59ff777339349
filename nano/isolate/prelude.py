"""
The JavaScript runtime prelude: every file of ``nano/isolate/js/`` and
``nano/streams/js/`` joined, in file-name order, into one bootstrap script.

Each file is wrapped in its own function so that its top-level names stay private;
they share internals through the ``nano`` object (see ``nano/isolate/js/README.md``).
The script's completion value is ``nano.internal`` (the bridge entry points), which
the engine keeps as a handle; nothing internal is reachable from the global object.
"""

import json
import os

from nano.isolate.encodings import encodingTablesSource

__all__ = ["preludeFiles", "buildPrelude", "buildPartialPrelude", "wrapFile"]

_HERE = os.path.dirname(os.path.abspath(__file__))
_DIRS = (
    os.path.join(_HERE, "js"),
    os.path.join(os.path.dirname(_HERE), "streams", "js"),
)

_cache = {}


def preludeFiles():
    """
    Return the prelude's JS files as a list of absolute paths, ordered by file name
    (files from both folders are merged, so ``25_streams.js`` runs between 20 and 30).
    """
    found = []
    for folder in _DIRS:
        if not os.path.isdir(folder):
            continue
        for name in os.listdir(folder):
            if name.endswith(".js"):
                found.append((name, os.path.join(folder, name)))
    found.sort()
    return [path for _, path in found]


def wrapFile(source):
    """
    Wrap one prelude file's source the way the loader does: in its own function that
    receives the internal C{nano} object.
    """
    return "(function (nano) { \"use strict\";\n%s\n})(nano);\n" % (source,)


def _body():
    """
    The joined, wrapped file contents (cached: the files do not change while the
    process runs).
    """
    if "body" not in _cache:
        # The legacy encodings' index tables (generated from Python's codecs, about
        # 106 KB of packed text), unpacked by the JS side on first use.
        parts = [encodingTablesSource() + "\n"]
        for path in preludeFiles():
            with open(path, encoding="utf-8") as f:
                source = f.read()
            parts.append(wrapFile(source))
        _cache["body"] = "".join(parts)
    return _cache["body"]


def buildPrelude(bootstrap):
    """
    Build the bootstrap script for one isolate.

    @param bootstrap: JSON-serialisable per-isolate data, exposed to the prelude as
        ``nano.bootstrap`` (for example ``{"seed": "<64 hex>", "userAgent": "..."}``).
    @return: the script text; evaluating it returns the ``nano.internal`` object.
    """
    return (
        "(function () {\nconst nano = { bootstrap: %s };\n%s\nreturn nano.internal;\n})()\n"
        "//# sourceURL=nano:prelude\n" % (json.dumps(bootstrap), _body())
    )


def buildPartialPrelude(include, bootstrap=None, tables=False, extra=()):
    """
    A bootstrap script of only some prelude files, for tests of those files: it
    leaves the internal object on C{globalThis.__nano} (never done in production).

    @param include: the file names to keep (a name is kept if it starts with one of
        these strings, e.g. C{("00_", "30_url.js")}).
    @param tables: include the legacy encodings' index tables.
    @param extra: more JS sources, wrapped like prelude files and run after them.
    """
    if bootstrap is None:
        bootstrap = {"seed": "0" * 64, "userAgent": "test", "timeOrigin": 0, "dev": True}
    parts = [encodingTablesSource() + "\n"] if tables else []
    for path in preludeFiles():
        if os.path.basename(path).startswith(tuple(include)):
            with open(path, encoding="utf-8") as f:
                parts.append(wrapFile(f.read()))
    parts.extend(wrapFile(source) for source in extra)
    return "(function () {\nconst nano = { bootstrap: %s };\n%sglobalThis.__nano = nano;\n})();\n" % (
        json.dumps(bootstrap), "".join(parts))

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

__all__ = ["preludeFiles", "buildPrelude"]

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
            name = "nano:" + os.path.basename(path)
            parts.append(
                "(function (nano) { \"use strict\";\n%s\n})(nano); // %s\n" % (source, name)
            )
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

"""
The JavaScript runtime prelude: every file of ``nano/isolate/js/`` and
``nano/streams/js/`` joined, in file-name order, into one bootstrap script.

Each file is wrapped in its own function so that its top-level names stay private;
they share internals through the ``nano`` object (see ``nano/isolate/js/README.md``).
The script's completion value is ``nano.internal`` (the bridge entry points), which
the engine keeps as a handle; nothing internal is reachable from the global object.

Each file is minified first (L{nano.isolate.minify}): V8 keeps the script's text on
every isolate's heap. The script is Latin-1 only (a wider character would make V8
store all of it with two bytes per character; ``nano/test/test_prelude.py`` checks).
"""

import hashlib
import json
import os

from nano.isolate import minify as minifyModule
from nano.isolate.encodings import encodingTablesSource
from nano.isolate.minify import minify

__all__ = ["preludeFiles", "fileSource", "cacheDirectory", "buildPrelude", "buildPartialPrelude", "wrapFile"]

_HERE = os.path.dirname(os.path.abspath(__file__))
_DIRS = (
    os.path.join(_HERE, "js"),
    os.path.join(os.path.dirname(_HERE), "streams", "js"),
)

_cache = {}
_files = {}


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


def fileSource(path, cacheDir=None):
    """
    The source of one prelude file as isolates evaluate it: minified (see
    L{nano.isolate.minify}; V8 keeps the text of every script on each isolate's
    heap), cached for the process by path, modification time and size.

    Minifying the whole prelude takes about 0.3 s of CPU, so the result is also
    kept on disk, in C{cacheDir} (default L{cacheDirectory}), named by a digest of
    the source and of the minifier's code: later processes read it back. Without a
    usable directory the file is minified in each process.
    """
    stat = os.stat(path)
    key = (path, stat.st_mtime_ns, stat.st_size)
    text = _files.get(key)
    if text is None:
        with open(path, encoding="utf-8") as f:
            text = _minified(f.read(), cacheDirectory() if cacheDir is None else cacheDir)
        _files[key] = text
    return text


def cacheDirectory(environ=os.environ):
    """
    Where minified prelude files are kept: C{$XDG_CACHE_HOME/nano/prelude}, else
    C{~/.cache/nano/prelude}.
    """
    base = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "nano", "prelude")


def _minifierDigest():
    if "minifier" not in _cache:
        with open(minifyModule.__file__, "rb") as f:
            _cache["minifier"] = hashlib.sha256(f.read()).hexdigest()
    return _cache["minifier"]


def _minified(source, cacheDir):
    digest = hashlib.sha256((_minifierDigest() + "\0" + source).encode("utf-8", "surrogatepass")).hexdigest()
    cached = os.path.join(cacheDir, digest[:40] + ".js")
    try:
        with open(cached, encoding="utf-8") as f:
            return f.read()
    except (OSError, UnicodeDecodeError):
        pass
    text, _stats = minify(source)
    try:
        os.makedirs(cacheDir, exist_ok=True)
        temporary = "%s.%d.tmp" % (cached, os.getpid())
        with open(temporary, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(temporary, cached)
    except OSError:
        pass
    return text


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
            parts.append(wrapFile(fileSource(path)))
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
            parts.append(wrapFile(fileSource(path)))
    parts.extend(wrapFile(source) for source in extra)
    return "(function () {\nconst nano = { bootstrap: %s };\n%sglobalThis.__nano = nano;\n})();\n" % (
        json.dumps(bootstrap), "".join(parts))

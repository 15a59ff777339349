"""
Writing admin API changes back to config.json (SPEC §5).

The file is read as JSON, only the one app entry concerned is added, replaced or
removed in its C{apps} array, and the document is written back atomically: a
temporary file in the same directory, flushed to disk, then renamed over the
config file (C{os.replace}), so a reader (a reload, a restart, the watcher) sees
the old file or the new one, never a mix. Everything else the user wrote (other
apps as written, with their C{from_env} secrets, relative paths and shorthands,
key order) is kept; only the indentation is NANO's (two spaces).
"""

import json
import os
import tempfile

from nano._configcheck import isObject, pairsOf

__all__ = ["ConfigFileError", "checkWritable", "plainJSON", "updateApps"]


class ConfigFileError(Exception):
    """
    The config file cannot be updated (unreadable, not a JSON object, C{apps} not
    an array, or the write failed). C{str()} says which and why.
    """


def plainJSON(value):
    """
    A JSON value parsed with L{Pairs} objects (see L{nano._configjson.loadDocument})
    as plain dicts and lists, keys in document order.
    """
    if isinstance(value, list):
        return [plainJSON(item) for item in value]
    if isObject(value):
        return {key: plainJSON(item) for key, item in pairsOf(value)}
    return value


def _read(path):
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8-sig")
    except OSError as e:
        raise ConfigFileError("%s: cannot read the config file: %s" % (path, e.strerror)) from None
    except UnicodeDecodeError:
        raise ConfigFileError("%s: not UTF-8 text" % (path,)) from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as e:
        raise ConfigFileError("%s: line %d, column %d: %s" % (path, e.lineno, e.colno, e.msg)) from None
    if not isinstance(document, dict):
        raise ConfigFileError("%s: the document is not a JSON object" % (path,))
    apps = document.setdefault("apps", [])
    if not isinstance(apps, list):
        raise ConfigFileError("%s: apps: expected an array" % (path,))
    return document


def checkWritable(path):
    """
    Raise L{ConfigFileError} if the config file at C{path} could not be updated
    now (before an admin change is applied, so that a change is never applied
    without being saved).
    """
    _read(path)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.access(directory, os.W_OK):
        raise ConfigFileError("%s: cannot write to the directory %s" % (path, directory))


def updateApps(path, name, app=None, remove=False):
    """
    In the config file at C{path}, replace the app called C{name} by C{app} (a
    JSON-able dict, or a parsed object with L{nano._configcheck.Pairs}), append C{app} if there is no such app, or
    remove it when C{remove} is true; write the file back atomically, keeping its
    permission bits.

    @raise ConfigFileError: when the file cannot be read, parsed or written.
    """
    document = _read(path)
    apps = document["apps"]
    index = next((i for i, entry in enumerate(apps) if isinstance(entry, dict) and entry.get("name") == name), None)
    if remove:
        if index is not None:
            del apps[index]
    elif index is None:
        apps.append(plainJSON(app))
    else:
        apps[index] = plainJSON(app)
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    directory = os.path.dirname(os.path.abspath(path))
    try:
        mode = os.stat(path).st_mode & 0o7777
    except OSError:
        mode = 0o644
    try:
        fd, temporary = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=directory)
    except OSError as e:
        raise ConfigFileError("%s: cannot write to %s: %s" % (path, directory, e.strerror)) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except OSError as e:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise ConfigFileError("%s: cannot write the config file: %s" % (path, e.strerror)) from None

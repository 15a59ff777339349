"""
C{nano new DIR}: scaffold an app.

Creates C{DIR} (or fills an existing empty one) with C{index.js}, a copy of
C{template/index.js}: an ES module whose default export has a C{fetch(request,
env, ctx)} handler. The app's name comes from the directory name by the rule
C{twistd nano --app} uses (lowercase; other characters become hyphens), unless
given. Then either the config entry that serves the app is printed, or, with a
config file, the entry is added to it: the new document is validated with
L{nano.config.parseConfig} first (a name or hostname clash is refused and the new
directory removed again) and written atomically (a temporary file renamed over
the old one). An existing non-empty directory is refused, and nothing is written.
"""

import json
import os
import shutil
import tempfile

from nano.config import ConfigError, loadConfig, parseConfig, singleAppConfig

__all__ = ["newCommand", "TEMPLATE"]

TEMPLATE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "template")


def _writeAtomically(path, text):
    directory = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(prefix=".nano-", suffix=".json", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        if os.path.exists(path):
            os.chmod(temporary, os.stat(path).st_mode & 0o7777)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def _configWithApp(configPath, entry, err):
    """
    The text of C{configPath} with C{entry} appended to its apps (a new config
    when the file does not exist), or C{None} after printing why not.
    """
    if os.path.exists(configPath):
        try:
            loadConfig(configPath)
        except ConfigError as e:
            err("nano new: %s is not a valid config; fix it first:" % (configPath,))
            for problem in e.problems:
                err(str(problem))
            return None
        with open(configPath, encoding="utf-8-sig") as f:
            document = json.load(f)
    else:
        document = {"listen": ["tcp:8080"]}
    document.setdefault("apps", []).append(entry)
    return json.dumps(document, indent=2) + "\n"


def newCommand(directory, out, err, name=None, hostname=None, config=None):
    """
    Scaffold an app in C{directory}; return the exit status.
    """
    if os.path.exists(directory):
        if not os.path.isdir(directory):
            err("nano new: %s exists and is not a directory" % (directory,))
            return 1
        if os.listdir(directory):
            err("nano new: %s is not empty; choose a new directory" % (directory,))
            return 1
        created = False
    else:
        created = True
    os.makedirs(directory, exist_ok=True)
    if name is None:
        name = singleAppConfig(directory).apps[0].name
    target = os.path.join(directory, "index.js")
    shutil.copyfile(os.path.join(TEMPLATE, "index.js"), target)
    entry = {"name": name, "hostnames": [hostname or "%s.localhost" % (name,)],
             "path": directory, "env": {"APP_NAME": name}}

    if config is None:
        out("Created %s" % (target,))
        out("Serve it alone:  twistd -n nano --app %s --port 8080" % (directory,))
        out("Or add this entry to the \"apps\" list of your config.json "
            "(\"path\" is relative to the config file's directory):")
        out(json.dumps(entry, indent=2))
        return 0

    base = os.path.dirname(os.path.abspath(config))
    entry["path"] = os.path.relpath(os.path.abspath(directory), base)
    text = _configWithApp(config, entry, err)
    problems = []
    if text is not None:
        try:
            parseConfig(text, config)
        except ConfigError as e:
            problems = e.problems
    if text is None or problems:
        for problem in problems:
            err(str(problem))
        if created:
            shutil.rmtree(directory, ignore_errors=True)
        else:
            os.unlink(target)
        return 1
    _writeAtomically(config, text)
    out("Created %s and added app \"%s\" to %s" % (target, name, config))
    out("Serve it:  twistd -n nano --config %s" % (config,))
    return 0

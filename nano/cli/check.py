"""
C{nano check config.json}: validate a config as C{twistd nano} does, before
deploying it.

The config goes through L{nano.config.loadConfig}, the server's own parser: the
same problems, in the same words, one per line. Then each app's module graph is
built with L{nano.isolate.modules.loadModuleGraph}, the loader the server uses
(entry file, imports inside the app directory, syntax as tree-sitter sees it), so
that a missing file or a syntax error shows up here rather than at startup. What
only V8 detects (a throw at module top level, a missing C{fetch} handler) still
shows at startup.
"""

import json

from nano.config import ConfigError, configToJSON, loadConfig
from nano.isolate.modules import ModuleLoadError, loadModuleGraph

__all__ = ["checkCommand", "appProblems"]


def appProblems(config, source):
    """
    One line per app of C{config} whose module graph does not load:
    C{SOURCE: apps[I] (NAME): FILE:LINE:COLUMN: message}.
    """
    problems = []
    for index, app in enumerate(config.apps):
        try:
            loadModuleGraph(app.path, app.main)
        except ModuleLoadError as e:
            problems.append("%s: apps[%d] (%s): %s" % (source, index, app.name, e))
    return problems


def checkCommand(path, out, err, apps=True):
    """
    Print the resolved config (as JSON, secrets left as C{from_env}) and return 0,
    or print every problem on C{err} and return 1.
    """
    try:
        config = loadConfig(path)
    except ConfigError as e:
        for problem in e.problems:
            err(str(problem))
        return 1
    problems = appProblems(config, path) if apps else []
    for problem in problems:
        err(problem)
    if problems:
        return 1
    out(json.dumps(configToJSON(config), indent=2))
    return 0

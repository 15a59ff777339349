"""
The config.json document walked into L{nano.config} values.

L{loadDocument} parses the JSON text keeping every object's key/value pairs
in document order, so that duplicate keys are found, and rejects C{NaN} and
C{Infinity}.  L{checkConfig} and L{checkApp} then walk the document section
by section (top level, C{admin}, C{defaults} and C{limits}, C{egress},
C{apps}, each app and its C{env}) with the machinery of L{nano._configcheck},
and raise every problem together, in document order, as one L{ConfigError}.
Walking reads the file system (app directories, entry files) and the
environment (C{from_env}, C{admin.token_env}) but creates nothing.

This module builds L{nano.config}'s values, so L{nano.config} imports it
when called rather than at import time.
"""

from __future__ import annotations

import copy
import json
import os
from typing import Mapping

from attrs import evolve

from nano._configcheck import (
    APP_NAME, BAD, LIMIT_RANGES, VAR_NAME, Loc, Pairs, Walker, describe,
    isObject, later, normalizeEgress, normalizeHostname, pairsOf,
    validEndpoint,
)
from nano.config import (
    DEFAULT_ADMIN_LISTEN, AdminConfig, AppConfig, ConfigError, ConfigProblem,
    EgressConfig, Limits, NanoConfig, WatchConfig, isLoopbackEndpoint,
)

__all__ = ["checkApp", "checkConfig", "loadDocument"]


_WATCH_METHODS = ("auto", "inotify", "poll")


class _BadConstant(ValueError):
    pass


def _rejectConstant(name: str):
    raise _BadConstant(name)


def loadDocument(text: str | bytes, source: str):
    """
    Parse config file contents as JSON whose objects are L{Pairs} (duplicate
    keys kept).  Malformed JSON, C{NaN} and C{Infinity} raise L{ConfigError}
    with C{source} as the file part.
    """
    try:
        return json.loads(text, object_pairs_hook=Pairs,
                          parse_constant=_rejectConstant)
    except json.JSONDecodeError as e:
        raise ConfigError([ConfigProblem(
            source, f"line {e.lineno}, column {e.colno}", e.msg)]) from None
    except _BadConstant as e:
        raise ConfigError([ConfigProblem(
            source, "", f"{e} is not valid JSON")]) from None


class _Parser(Walker):
    """
    The per-section validators of one document.  Each takes a JSON value and
    its L{Loc}, reports what is wrong and returns what it could still build
    (L{BAD} if nothing); L{raiseIfProblems} then raises every problem.
    """

    def __init__(self, baseDir: str, environ: Mapping[str, str]):
        super().__init__()
        self._baseDir = baseDir
        self._environ = environ

    def raiseIfProblems(self, source: str) -> None:
        problems = self.problems()
        if problems:
            raise ConfigError(ConfigProblem(source, text, message)
                              for text, message in problems)

    def config(self, value, loc, path: str | None) -> NanoConfig | None:
        endpoints = self.listOf(
            self.normalized(validEndpoint, "endpoint"),
            'a non-empty list of endpoint strings like ["tcp:8080"]', nonEmpty=True)
        handlers = {
            "listen": endpoints, "port": self.integer(1, 65535),
            "admin": self.admin, "workers": self.integer(1, 64),
            "drain_timeout_ms": self.integer(0, 3_600_000),
            "rss_limit_mb": self.integer(64, 4_194_304, nullable=True),
            "defaults": lambda v, l: self.limits(v, l, Limits()),
            "egress": self.egress, "apps": lambda v, l: v,
            "default_app": self.string("an app name", nullable=True),
            "watch": self.watch}
        results, locs = self.fields(value, loc, handlers)
        if results is None:
            return None
        good = {k: v for k, v in results.items() if v is not BAD}
        if "port" in locs and "listen" in locs:
            self.report(later(locs["port"], locs["listen"]),
                        '"port" and "listen" cannot both be given ("port": N '
                        'is shorthand for "listen": ["tcp:N"])')
        elif "port" in good:
            good["listen"] = (f"tcp:{good.pop('port')}",)
        good.pop("port", None)
        good.setdefault("defaults", Limits())
        apps = ()
        if "apps" in locs:
            apps = self.apps(results["apps"], locs["apps"], good["defaults"])
        good["apps"] = apps
        default = good.get("default_app")
        if default is not None and all(app.name != default for app in apps):
            names = ", ".join(app.name for app in apps) or "none"
            self.report(locs["default_app"],
                        f'no app named "{default}" (apps: {names})')
        return NanoConfig(path=path, **good)

    def admin(self, value, loc):
        if value is None:
            return None
        results, locs = self.fields(value, loc, {
            "listen": self.normalized(validEndpoint, "endpoint"),
            "token_env": self.string("an environment variable name", VAR_NAME, True)})
        if results is None or BAD in results.values():
            return BAD
        listen = results.get("listen", DEFAULT_ADMIN_LISTEN)
        tokenEnv, token = results.get("token_env"), None
        if tokenEnv is not None:
            token = self._environ.get(tokenEnv)
            if not token:
                state = "empty" if token == "" else "not set"
                self.report(locs["token_env"],
                            f'environment variable "{tokenEnv}" is {state}')
                return BAD
        elif not isLoopbackEndpoint(listen):
            self.report(locs.get("listen", loc),
                        f"admin listener {json.dumps(listen)} is reachable "
                        "beyond loopback, so a token is required: set "
                        '"token_env" to an environment variable holding it')
            return BAD
        return AdminConfig(listen, tokenEnv, token)

    def watch(self, value, loc):
        results, _ = self.fields(value, loc, {
            "enabled": self.typed(lambda v: isinstance(v, bool), "true or false"),
            "method": self.typed(lambda v: v in _WATCH_METHODS,
                                 'one of "auto", "inotify", "poll"'),
            "debounce_ms": self.integer(10, 60_000),
            "poll_interval_ms": self.integer(50, 600_000)})
        if results is None or BAD in results.values():
            return BAD
        return WatchConfig(**results)

    def limits(self, value, loc, base: Limits) -> Limits:
        results, _ = self.fields(value, loc, {
            name: self.integer(low, high, nullable)
            for name, (low, high, nullable) in LIMIT_RANGES.items()})
        good = {k: v for k, v in (results or {}).items() if v is not BAD}
        return evolve(base, **good)

    def egress(self, value, loc):
        results, _ = self.fields(value, loc, {
            "allow_private": self.typed(lambda v: isinstance(v, bool), "true or false"),
            "allow": self.listOf(
                self.normalized(normalizeEgress, "host or network"),
                "a list of hostnames, IP addresses or networks")})
        if results is None or BAD in results.values():
            return BAD
        return EgressConfig(**results)

    def apps(self, value, loc, defaults: Limits) -> tuple[AppConfig, ...]:
        if not isinstance(value, list):
            self.report(loc, f"expected an array of apps, got {describe(value)}")
            return ()
        apps, names, owners = [], {}, {}
        for i, item in enumerate(value):
            app, nameLoc, hostLocs = self.app(item, loc.item(i), defaults)
            if app is None:
                continue
            if app.name in names:
                self.report(nameLoc, f'app name "{app.name}" is already used '
                            f"by apps[{names[app.name]}]")
            names.setdefault(app.name, i)
            for host, hostLoc in zip(app.hostnames, hostLocs):
                if host in owners:
                    self.report(hostLoc, f'hostname "{host}" is already used '
                                f'by app "{owners[host]}"')
                owners.setdefault(host, app.name)
            apps.append(app)
        return tuple(apps)

    def app(self, value, loc, defaults: Limits):
        """
        Returns C{(app, nameLoc, hostLocs)}; C{app} is C{None} when too
        broken to cross-check, else possibly built from placeholders (the
        problems are reported anyway).
        """
        hostname = self.normalized(normalizeHostname, "hostname")

        def hostnameList(value, loc):
            if not isinstance(value, list):
                self.report(loc, "expected a list of hostname strings, "
                            f"got {describe(value)}")
                return BAD
            return [(hostname(item, loc.item(i)), loc.item(i))
                    for i, item in enumerate(value)]

        results, locs = self.fields(value, loc, {
            "name": self.string(
                "an app name of lowercase letters, digits and hyphens (at most "
                "63, starting with a letter or digit)", APP_NAME),
            "hostname": lambda v, l: [(hostname(v, l), l)],
            "hostnames": hostnameList,
            "path": self.string("a directory path"),
            "main": self.string("a file path relative to the app directory",
                                nullable=True),
            "env": self.env,
            "limits": lambda v, l: self.limits(v, l, defaults),
            "egress": self.egress,
        }, required=("name", "path"))
        name = (results or {}).get("name", BAD)
        if results is None or name is BAD:
            return None, loc, []
        if "hostname" in locs and "hostnames" in locs:
            self.report(later(locs["hostname"], locs["hostnames"]),
                        '"hostname" and "hostnames" cannot both be given')
        hosts = results.get("hostnames", results.get("hostname"))
        if hosts is None:
            hosts = [(name, locs["name"])]
        seen, hostnames, hostLocs = set(), [], []
        for host, hostLoc in ([] if hosts is BAD else hosts):
            if host is BAD:
                continue
            if host in seen:
                self.report(hostLoc, f'hostname "{host}" is listed twice')
                continue
            seen.add(host)
            hostnames.append(host)
            hostLocs.append(hostLoc)
        path, main = self.appPath(results, locs)
        env, spec = results.get("env", ({}, {}))
        if env is BAD:
            env, spec = {}, {}
        egress = results.get("egress")
        app = AppConfig(name, tuple(hostnames), path, main, env, spec,
                        results.get("limits", defaults),
                        None if egress is BAD else egress)
        return app, locs["name"], hostLocs

    def appPath(self, results, locs):
        path, main = results.get("path", BAD), results.get("main")
        if path is BAD:
            return "", None
        full = os.path.normpath(os.path.join(self._baseDir, path))
        if not os.path.isdir(full):
            state = "is not a directory" if os.path.exists(full) else "does not exist"
            self.report(locs["path"], f"{json.dumps(path)} {state} "
                        f"(resolved to {full})")
            return full, None
        if main is None or main is BAD:
            return full, None
        entry = os.path.join(full, main)
        inside = os.path.realpath(entry).startswith(os.path.realpath(full) + os.sep)
        if os.path.isabs(main) or not inside:
            self.report(locs["main"], f"{json.dumps(main)} is outside the app "
                        "directory (expected a path relative to it)")
        elif not os.path.isfile(entry):
            self.report(locs["main"], f"{json.dumps(main)} is not a file in {full}")
        return full, main

    def env(self, value, loc):
        if not isObject(value):
            self.report(loc, f"expected an object, got {describe(value)}")
            return BAD, BAD
        env, spec = {}, {}
        for index, (key, item) in enumerate(pairsOf(value)):
            keyLoc = loc.key(key, index)
            if key in spec:
                self.report(keyLoc, "duplicate key")
            elif not VAR_NAME.match(key):
                self.report(keyLoc, "expected a variable name matching "
                            "[A-Za-z_][A-Za-z0-9_]*")
            elif isObject(item) and any(k == "from_env" for k, _ in pairsOf(item)):
                spec[key], env[key] = self.fromEnv(item, keyLoc)
            else:
                spec[key] = self.plain(item, keyLoc)
                env[key] = copy.deepcopy(spec[key])
        return env, spec

    def fromEnv(self, item, loc):
        pairs = pairsOf(item)
        if len(pairs) != 1:
            self.report(loc, 'an object with "from_env" must have no other keys')
            return None, None
        var = pairs[0][1]
        if not (isinstance(var, str) and VAR_NAME.match(var)):
            self.report(loc.key("from_env", 0), "expected an environment "
                        f"variable name, got {describe(var)}")
            return None, None
        if var not in self._environ:
            self.report(loc, f'environment variable "{var}" is not set')
        return {"from_env": var}, self._environ.get(var)



def checkConfig(document, path: str, environ: Mapping[str, str],
                source: str) -> NanoConfig:
    """
    Walk a loaded document into a L{NanoConfig}; C{path} is the absolute
    config file path, against whose directory app paths resolve.  Raises
    L{ConfigError} listing every problem, with C{source} as their file part.
    """
    parser = _Parser(os.path.dirname(path), environ)
    config = parser.config(document, Loc(""), path)
    parser.raiseIfProblems(source)
    return config


def checkApp(obj, baseDir: str, defaults: Limits, environ: Mapping[str, str],
             source: str) -> AppConfig:
    """
    Walk one app object into an L{AppConfig}, with JSON paths relative to
    C{obj}.  Raises L{ConfigError} listing every problem.
    """
    parser = _Parser(baseDir, environ)
    app, _, _ = parser.app(obj, Loc(""), defaults)
    parser.raiseIfProblems(source)
    return app

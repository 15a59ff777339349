"""
config.json (SPEC §2) parsed once into frozen attrs values.

L{loadConfig} and L{parseConfig} turn the file into a L{NanoConfig}; nothing
downstream sees a raw dict.  Every problem in the document is collected (not
only the first) and raised together as one L{ConfigError} whose lines read
C{config.json: apps[2].hostnames[0]: expected a hostname string, got 42}, in
document order.  Unknown keys, duplicate keys, wrong types and out-of-range
numbers are all errors.  Validation reads the file system (app directories,
entry files) and the environment (C{from_env}, C{admin.token_env}) but never
creates anything: listener strings are checked for syntax only.

This module holds the values and the public functions; the checks live in
L{nano._configcheck} (syntax of single values, JSON paths, problem
collection) and L{nano._configjson} (duplicate-key JSON loading and the
per-section validators that build these values).
"""

from __future__ import annotations

import copy
import ipaddress
import json
import os
import re
import types
from typing import Any, Mapping

from attrs import field, frozen

from nano._configcheck import LIMIT_RANGES, endpointOptions, validEndpoint

__all__ = [
    "DEFAULT_ADMIN_LISTEN", "DEFAULT_LISTEN", "AdminConfig", "AppConfig",
    "ConfigError", "ConfigProblem", "EgressConfig", "Limits", "NanoConfig",
    "WatchConfig",
    "appFromJSON", "appToJSON", "configToJSON", "endpointProblem",
    "isLoopbackEndpoint", "loadConfig", "parseConfig", "singleAppConfig",
]

DEFAULT_LISTEN = ("tcp:8080",)
DEFAULT_ADMIN_LISTEN = "tcp:8081:interface=127.0.0.1"


@frozen
class ConfigProblem:
    """
    One problem: C{path} is the config file (or C{"command line"}),
    C{jsonPath} where in the document (C{apps[0].name}; empty for the whole
    document; C{line L, column C} for malformed JSON), C{message} what was
    expected and what was given.  C{str()} gives C{path: jsonPath: message}.
    """

    path: str
    jsonPath: str
    message: str

    def __str__(self) -> str:
        if self.jsonPath:
            return f"{self.path}: {self.jsonPath}: {self.message}"
        return f"{self.path}: {self.message}"


class ConfigError(Exception):
    """
    The configuration is invalid.  C{problems} holds every L{ConfigProblem}
    in document order; C{str()} gives one line per problem.
    """

    def __init__(self, problems):
        self.problems = tuple(problems)
        super().__init__(self.problems)

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)


@frozen
class Limits:
    """
    Per-app resource limits (SPEC §8).  C{idle_unload_s=None} keeps the app
    loaded.  C{max_header_kb} (an addition to SPEC §2, default 64) bounds the
    request header block; beyond it the request gets 431.
    """

    cpu_ms: int = 30_000
    timeout_ms: int = 30_000
    memory_mb: int = 128
    max_body_mb: int = 100
    subrequests: int = 50
    idle_unload_s: int | None = None
    max_header_kb: int = 64


@frozen
class AdminConfig:
    """
    The admin listener (SPEC §5).  C{token} is read from the environment
    variable C{token_env} at load time; C{None} means no token is required
    (only allowed when C{listen} is loopback or a unix socket).
    """

    listen: str = DEFAULT_ADMIN_LISTEN
    token_env: str | None = None
    token: str | None = field(default=None, repr=False)


@frozen
class EgressConfig:
    """
    Outbound fetch policy (SPEC §6).  C{allow} holds normalised lowercase
    hostnames, C{*.} wildcards, IP addresses and CIDR networks that may be
    reached even when they resolve to private addresses; C{allow_private}
    lifts the private-address ban entirely.
    """

    allow_private: bool = False
    allow: tuple[str, ...] = ()


@frozen
class WatchConfig:
    """
    Hot reload (SPEC §9): whether the config file and the apps' source files
    are watched, how (C{method}: C{"auto"} uses inotify on Linux and polls
    elsewhere, C{"inotify"}, C{"poll"}), how long the files must stay quiet
    before a reload reads them (C{debounce_ms}) and how often polling looks
    (C{poll_interval_ms}).  An addition to SPEC §2.
    """

    enabled: bool = True
    method: str = "auto"
    debounce_ms: int = 300
    poll_interval_ms: int = 1000


def _readOnly(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(mapping, types.MappingProxyType):
        return mapping
    return types.MappingProxyType(dict(mapping))


@frozen
class AppConfig:
    """
    One app.  C{path} is absolute; C{main} is relative to it (C{None}: the
    loader picks the first of the default entry names, SPEC §3).
    C{hostnames} are lowercase, exact names or C{*.} wildcards; an empty tuple
    means the app is only reachable as C{default_app}.  C{env} maps variable
    names to resolved JSON values (C{from_env} secrets substituted; kept out of
    C{repr}); C{env_spec} is the same mapping as written, secrets still in
    C{{"from_env": VAR}} form.  Both are read-only mappings whose nested JSON
    values must not be mutated.  C{limits} are the defaults merged with the
    app's overrides.  C{egress}, when not C{None}, replaces the top-level
    egress policy for this app's C{fetch()}.
    """

    name: str
    hostnames: tuple[str, ...]
    path: str
    main: str | None = None
    env: Mapping[str, Any] = field(
        factory=dict, converter=_readOnly, repr=False, hash=False)
    env_spec: Mapping[str, Any] = field(
        factory=dict, converter=_readOnly, hash=False)
    limits: Limits = Limits()
    egress: EgressConfig | None = None

    def envJSON(self) -> str:
        """
        The resolved C{env} as one compact JSON object text (secrets included:
        this goes into the app's isolate, never into logs).
        """
        return json.dumps(dict(self.env), separators=(",", ":"))


@frozen
class NanoConfig:
    """
    The whole configuration.  C{path} is the absolute config file path
    (C{None} in single-app mode); C{admin} is C{None} when disabled;
    C{default_app} names the app serving unknown hosts, or is C{None}.
    """

    path: str | None
    listen: tuple[str, ...] = DEFAULT_LISTEN
    admin: AdminConfig | None = AdminConfig()
    workers: int = 1
    drain_timeout_ms: int = 30_000
    # The process memory backstop (SPEC §8 addition): past this resident set size
    # the isolate that grew the process most is reset. None: 75% of the machine's
    # physical memory.
    rss_limit_mb: int | None = None
    defaults: Limits = Limits()
    egress: EgressConfig = EgressConfig()
    apps: tuple[AppConfig, ...] = ()
    default_app: str | None = None
    watch: WatchConfig = WatchConfig()

    def appNamed(self, name: str) -> AppConfig | None:
        """
        The app called C{name}, or C{None}.
        """
        for app in self.apps:
            if app.name == name:
                return app
        return None


# ------------------------------------------------------------- endpoints ---

def endpointProblem(description: str) -> str | None:
    """
    Check the syntax of a Twisted server endpoint string without creating
    anything (no sockets, no certificate reads, no plugin scan).  Accepted:
    C{tcp}, C{tcp6}, C{ssl} and C{unix} with their Twisted options.  Returns
    C{None} if valid, else a message saying what was expected.
    """
    try:
        validEndpoint(description)
    except ValueError as e:
        return f"invalid endpoint {json.dumps(description)}: {e}"
    return None


def isLoopbackEndpoint(description: str) -> bool:
    """
    Whether a valid endpoint string only accepts local connections: a unix
    socket, or a TCP/SSL interface that is a loopback address or localhost.
    A missing interface means every interface, hence C{False}.
    """
    kind, options = endpointOptions(description)
    if kind == "unix":
        return True
    interface = options.get("interface")
    if interface is None:
        return False
    return interface == "localhost" or ipaddress.ip_address(interface).is_loopback


# ------------------------------------------------------------------- API ---

def parseConfig(text: str | bytes, path: str,
                environ: Mapping[str, str] | None = None) -> NanoConfig:
    """
    Parse config file contents.  C{path} names the file in error messages
    and relative app paths resolve against its directory; C{from_env} and
    C{token_env} read C{environ} (default C{os.environ}).  Raises
    L{ConfigError} listing every problem.
    """
    # _configjson builds this module's values, so it is imported on use.
    from nano._configjson import checkConfig, loadDocument

    source = str(path)
    document = loadDocument(text, source)
    return checkConfig(document, os.path.abspath(path),
                       os.environ if environ is None else environ, source)


def loadConfig(path: str, environ: Mapping[str, str] | None = None) -> NanoConfig:
    """
    Read and parse the config file at C{path} (UTF-8, BOM tolerated).  A
    missing or unreadable file raises L{ConfigError} like any other problem.
    """
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8-sig")
    except OSError as e:
        raise ConfigError([ConfigProblem(
            str(path), "", f"cannot read the config file: {e.strerror}")]) from None
    except UnicodeDecodeError as e:
        raise ConfigError([ConfigProblem(
            str(path), "", f"not UTF-8 text ({e.reason} at byte {e.start})")]) from None
    return parseConfig(text, path, environ)


def appFromJSON(obj, baseDir: str, defaults: Limits = Limits(),
                environ: Mapping[str, str] | None = None,
                source: str = "app") -> AppConfig:
    """
    Validate one app object (as in config.json's C{apps}; for the admin API)
    into an L{AppConfig}, relative paths resolving against C{baseDir}.
    Raises L{ConfigError} whose JSON paths are relative to C{obj}
    (C{hostnames[0]}), with C{source} as their file part.  Clashes with
    other apps are not checked here.
    """
    # _configjson builds this module's values, so it is imported on use.
    from nano._configjson import checkApp

    return checkApp(obj, baseDir, defaults,
                    os.environ if environ is None else environ, source)


def singleAppConfig(appPath: str, listen=DEFAULT_LISTEN,
                    admin: AdminConfig | None = AdminConfig()) -> NanoConfig:
    """
    The config for C{twistd nano --app DIR}: one app named after the
    directory (lowercased, other characters turned into hyphens, C{app} if
    nothing is left) with no hostnames, made the C{default_app} so that it
    serves every Host.  Bad arguments raise L{ConfigError} with file part
    C{command line} and JSON path C{--app} or C{--listen}.
    """
    problems = []
    full = os.path.abspath(appPath)
    if not os.path.isdir(full):
        problems.append(ConfigProblem("command line", "--app",
                                      f"{appPath} is not a directory"))
    for description in listen:
        message = endpointProblem(description)
        if message:
            problems.append(ConfigProblem("command line", "--listen", message))
    if problems:
        raise ConfigError(problems)
    name = re.sub(r"[^a-z0-9]+", "-", os.path.basename(full).lower())
    name = name.strip("-")[:63].strip("-") or "app"
    app = AppConfig(name=name, hostnames=(), path=full)
    return NanoConfig(path=None, listen=tuple(listen), admin=admin,
                      apps=(app,), default_app=name)


def _limitsToJSON(limits: Limits, base: Limits | None = None) -> dict:
    return {name: getattr(limits, name) for name in LIMIT_RANGES
            if base is None or getattr(limits, name) != getattr(base, name)}


def appToJSON(app: AppConfig, defaults: Limits | None = None,
              relativeTo: str | None = None) -> dict:
    """
    One app as a JSON-able dict in config.json form.  Secrets appear as
    C{{"from_env": VAR}}, never their value.  With C{defaults}, only the
    limits differing from them are written; with C{relativeTo} (a
    directory), C{path} is written relative to it.
    """
    path = app.path if relativeTo is None else os.path.relpath(app.path, relativeTo)
    result = {"name": app.name, "hostnames": list(app.hostnames), "path": path}
    if app.main is not None:
        result["main"] = app.main
    result["env"] = copy.deepcopy(dict(app.env_spec))
    result["limits"] = _limitsToJSON(app.limits, defaults)
    if app.egress is not None:
        result["egress"] = {"allow_private": app.egress.allow_private,
                            "allow": list(app.egress.allow)}
    return result


def configToJSON(config: NanoConfig, relativePaths: bool = False) -> dict:
    """
    The resolved config as a JSON-able dict that L{parseConfig} accepts and
    turns back into an equal L{NanoConfig} (same environment).  No secret
    values: C{admin.token} is omitted and env secrets stay C{from_env}.  With
    C{relativePaths}, app paths are written relative to the config file's
    directory (for writing the file back).
    """
    base = (os.path.dirname(config.path)
            if relativePaths and config.path is not None else None)
    admin = config.admin and {"listen": config.admin.listen,
                              "token_env": config.admin.token_env}
    result = {
        "listen": list(config.listen),
        "admin": admin,
        "workers": config.workers,
        "drain_timeout_ms": config.drain_timeout_ms,
        "rss_limit_mb": config.rss_limit_mb,
        "defaults": _limitsToJSON(config.defaults),
        "egress": {"allow_private": config.egress.allow_private,
                   "allow": list(config.egress.allow)},
        "apps": [appToJSON(app, config.defaults, base) for app in config.apps],
        "watch": {"enabled": config.watch.enabled, "method": config.watch.method,
                  "debounce_ms": config.watch.debounce_ms,
                  "poll_interval_ms": config.watch.poll_interval_ms},
    }
    if config.default_app is not None:
        result["default_app"] = config.default_app
    return result

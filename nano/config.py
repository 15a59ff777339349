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
"""

from __future__ import annotations

import copy
import difflib
import ipaddress
import json
import os
import re
import sys
import types
from typing import Any, Callable, Mapping

from attrs import evolve, field, frozen
from twisted.internet.endpoints import _parse as _parseEndpoint

__all__ = [
    "DEFAULT_ADMIN_LISTEN", "DEFAULT_LISTEN", "AdminConfig", "AppConfig",
    "ConfigError", "ConfigProblem", "EgressConfig", "Limits", "NanoConfig",
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


# name -> (lowest, highest, null allowed); the order is Limits' field order.
_LIMIT_RANGES = {
    "cpu_ms": (1, 300_000, False),
    "timeout_ms": (1, 3_600_000, False),
    "memory_mb": (8, 4096, False),
    "max_body_mb": (1, 4096, False),
    "subrequests": (0, 10_000, False),
    "idle_unload_s": (1, 86_400, True),
    "max_header_kb": (1, 1024, False),
}


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
    app's overrides.
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
    defaults: Limits = Limits()
    egress: EgressConfig = EgressConfig()
    apps: tuple[AppConfig, ...] = ()
    default_app: str | None = None

    def appNamed(self, name: str) -> AppConfig | None:
        """
        The app called C{name}, or C{None}.
        """
        for app in self.apps:
            if app.name == name:
                return app
        return None


# ---------------------------------------------------------------- syntax ---

_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,62}\Z")
_VAR = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_LABEL = re.compile(r"(?!-)[a-z0-9_-]{1,63}(?<!-)\Z")
_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
_ENDPOINTS = {
    "tcp": ("port", "interface", "backlog"),
    "tcp6": ("port", "backlog", "interface"),
    "ssl": ("port", "privateKey", "certKey", "sslmethod", "interface",
            "backlog", "extraCertChain", "dhParameters"),
    "unix": ("address", "mode", "backlog", "lockfile"),
}


def _endpointOptions(description: str) -> tuple[str, dict[str, str]]:
    """
    Split an endpoint string into its type and named options, raising
    L{ValueError} with a reason for anything Twisted would not accept.
    """
    try:
        args, kw = _parseEndpoint(description)
    except RuntimeError:
        raise ValueError("it ends with a lone backslash") from None
    kind, params = args[0], _ENDPOINTS.get(args[0])
    if params is None:
        raise ValueError(f"unknown endpoint type {json.dumps(kind)} (known "
                         "types: tcp, tcp6, ssl, unix)")
    if len(args) - 1 > len(params):
        raise ValueError(f"too many arguments for a {kind} endpoint")
    options = dict(zip(params, args[1:]))
    for key, value in kw.items():
        if key not in params:
            raise ValueError(f'unknown option "{key}" for a {kind} endpoint '
                             f"(expected one of: {', '.join(params)})")
        if key in options:
            raise ValueError(f'option "{key}" is given twice')
        options[key] = value
    if params[0] not in options:
        raise ValueError(f"a {kind} endpoint needs a {params[0]}")
    return kind, options


def _checkEndpoint(kind: str, options: dict[str, str]) -> None:
    port = options.get("port")
    if port is not None and not (port.isdigit() and int(port) <= 65535):
        raise ValueError(f"port must be an integer from 0 to 65535, got {json.dumps(port)}")
    backlog = options.get("backlog", "50")
    if not (backlog.isdigit() and int(backlog) > 0):
        raise ValueError(f"backlog must be a positive integer, got {json.dumps(backlog)}")
    interface = options.get("interface")
    if interface is not None and interface != "localhost":
        try:
            ipaddress.ip_address(interface)
        except ValueError:
            raise ValueError("interface must be an IP address or localhost, "
                             f"got {json.dumps(interface)}") from None
    if kind == "unix" and not options["address"]:
        raise ValueError("a unix endpoint needs a socket path")
    if not re.fullmatch(r"[0-7]{1,4}", options.get("mode", "666")):
        raise ValueError("mode must be octal digits like 660")
    if options.get("lockfile", "1") not in ("0", "1"):
        raise ValueError("lockfile must be 0 or 1")


def _validEndpoint(description: str) -> str:
    try:
        _checkEndpoint(*_endpointOptions(description))
    except ValueError as e:
        raise ValueError(f'{e}; expected e.g. "tcp:8080", '
                         '"tcp:8080:interface=127.0.0.1" or "unix:/run/nano.sock"')
    return description


def endpointProblem(description: str) -> str | None:
    """
    Check the syntax of a Twisted server endpoint string without creating
    anything (no sockets, no certificate reads, no plugin scan).  Accepted:
    C{tcp}, C{tcp6}, C{ssl} and C{unix} with their Twisted options.  Returns
    C{None} if valid, else a message saying what was expected.
    """
    try:
        _validEndpoint(description)
    except ValueError as e:
        return f"invalid endpoint {json.dumps(description)}: {e}"
    return None


def isLoopbackEndpoint(description: str) -> bool:
    """
    Whether a valid endpoint string only accepts local connections: a unix
    socket, or a TCP/SSL interface that is a loopback address or localhost.
    A missing interface means every interface, hence C{False}.
    """
    kind, options = _endpointOptions(description)
    if kind == "unix":
        return True
    interface = options.get("interface")
    if interface is None:
        return False
    return interface == "localhost" or ipaddress.ip_address(interface).is_loopback


def _normalizeHostname(text: str) -> str:
    """
    Lowercase and validate a hostname, C{*.} wildcard or bracketed IPv6
    literal; raise L{ValueError} with the reason otherwise.
    """
    host = text.lower()
    if host.startswith("["):
        try:
            if not host.endswith("]"):
                raise ValueError
            return f"[{ipaddress.IPv6Address(host[1:-1]).compressed}]"
        except ValueError:
            raise ValueError('expected a bracketed IPv6 address like "[::1]", '
                             "without a port") from None
    if ":" in host:
        raise ValueError('hostnames must not include a port (IPv6 literals go '
                         'in brackets, like "[::1]")')
    if not host.isascii():
        raise ValueError("use the ASCII (xn--) form of internationalised names")
    rest = host[2:] if host.startswith("*.") else host
    if len(rest) > 253:
        raise ValueError("longer than 253 characters")
    for label in rest.split("."):
        if label == "*" or "*" in label:
            raise ValueError('a wildcard is only allowed as one leading "*."')
        if not _LABEL.match(label):
            raise ValueError(
                f"bad label {json.dumps(label)}: labels are 1 to 63 letters, "
                "digits, hyphens or underscores, not starting or ending with "
                "a hyphen, separated by single dots")
    return host


def _normalizeEgress(text: str) -> str:
    if "/" in text or ":" in text or re.fullmatch(r"[0-9.]+", text):
        try:
            if "/" in text:
                return str(ipaddress.ip_network(text))
            return str(ipaddress.ip_address(text.strip("[]")))
        except ValueError as e:
            raise ValueError(f"not a valid IP address or network: {e}") from None
    return _normalizeHostname(text)


# --------------------------------------------------------------- walking ---

class _Pairs:
    """
    A JSON object as parsed: its key/value pairs in document order, so that
    duplicate keys can be found (C{object_pairs_hook}).
    """

    __slots__ = ("pairs",)

    def __init__(self, pairs):
        self.pairs = pairs


class _BadConstant(ValueError):
    pass


def _rejectConstant(name: str):
    raise _BadConstant(name)


def _isObject(value) -> bool:
    return isinstance(value, (_Pairs, dict))


def _pairsOf(value) -> list:
    return value.pairs if isinstance(value, _Pairs) else list(value.items())


def _describe(value) -> str:
    if _isObject(value):
        return "an object"
    if isinstance(value, list):
        return "an array"
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."


_BAD = object()


@frozen
class _Loc:
    """
    A place in the document: C{text} is the JSON path shown to users, C{pos}
    the document-order indices used to sort problems.
    """

    text: str
    pos: tuple = ()

    def key(self, name: str, index: int) -> _Loc:
        part = name if _DOTTED.match(name) else f"[{json.dumps(name)}]"
        sep = "." if self.text and not part.startswith("[") else ""
        return _Loc(self.text + sep + part, self.pos + (index,))

    def item(self, index: int) -> _Loc:
        return _Loc(f"{self.text}[{index}]", self.pos + (index,))

    def end(self) -> _Loc:
        return _Loc(self.text, self.pos + (sys.maxsize,))


def _later(*locs: _Loc) -> _Loc:
    return max(locs, key=lambda loc: loc.pos)


class _Parser:
    """
    Walks one document, collecting problems with their document positions.
    """

    def __init__(self, baseDir: str, environ: Mapping[str, str]):
        self._baseDir = baseDir
        self._environ = environ
        self._problems: list = []

    def report(self, loc: _Loc, message: str) -> None:
        self._problems.append((loc.pos, len(self._problems), loc.text, message))

    def raiseIfProblems(self, source: str) -> None:
        if self._problems:
            raise ConfigError(ConfigProblem(source, text, message)
                              for _, _, text, message in sorted(self._problems))

    def fields(self, value, loc, handlers: dict[str, Callable], required=()):
        """
        Run C{handlers[key](value, loc)} over an object's keys in document
        order; returns C{(results, locs)}, C{results} being C{None} if
        C{value} is not an object.
        """
        if not _isObject(value):
            self.report(loc, f"expected an object, got {_describe(value)}")
            return None, {}
        results, locs = {}, {}
        for index, (key, item) in enumerate(_pairsOf(value)):
            keyLoc = loc.key(key, index)
            if key in locs:
                self.report(keyLoc, "duplicate key")
            elif key not in handlers:
                close = difflib.get_close_matches(key, handlers, n=1)
                hint = (f'did you mean "{close[0]}"?' if close else
                        "expected one of: " + ", ".join(handlers))
                self.report(keyLoc, f"unknown key ({hint})")
            else:
                locs[key] = keyLoc
                results[key] = handlers[key](item, keyLoc)
        for key in required:
            if key not in locs:
                self.report(loc.end(), f'missing required key "{key}"')
        return results, locs

    def typed(self, test: Callable, expected: str, nullable=False) -> Callable:
        def check(value, loc):
            if (value is None and nullable) or (value is not None and test(value)):
                return value
            self.report(loc, f"expected {expected}, got {_describe(value)}")
            return _BAD
        return check

    def integer(self, low: int, high: int, nullable=False) -> Callable:
        expected = f"an integer from {low} to {high}"
        return self.typed(
            lambda v: type(v) is int and low <= v <= high,
            "null or " + expected if nullable else expected, nullable)

    def string(self, expected: str, pattern=None, nullable=False) -> Callable:
        return self.typed(
            lambda v: isinstance(v, str) and (pattern is None or pattern.match(v)),
            expected, nullable)

    def listOf(self, check: Callable, expected: str, nonEmpty=False) -> Callable:
        def checkList(value, loc):
            if not isinstance(value, list) or (nonEmpty and not value):
                self.report(loc, f"expected {expected}, got {_describe(value)}")
                return _BAD
            items = [check(item, loc.item(i)) for i, item in enumerate(value)]
            return _BAD if any(i is _BAD for i in items) else tuple(items)
        return checkList

    def normalized(self, normalize: Callable, noun: str) -> Callable:
        article = "an" if noun[0] in "aeiou" else "a"

        def check(value, loc):
            if not isinstance(value, str):
                self.report(loc, f"expected {article} {noun} string, "
                            f"got {_describe(value)}")
                return _BAD
            try:
                return normalize(value)
            except ValueError as e:
                self.report(loc, f"invalid {noun} {json.dumps(value)}: {e}")
                return _BAD
        return check

    def plain(self, value, loc):
        """
        A parsed JSON value with its objects as plain dicts; duplicate keys
        are reported.
        """
        if isinstance(value, list):
            return [self.plain(item, loc.item(i)) for i, item in enumerate(value)]
        if not _isObject(value):
            return value
        result = {}
        for index, (key, item) in enumerate(_pairsOf(value)):
            if key in result:
                self.report(loc.key(key, index), "duplicate key")
            else:
                result[key] = self.plain(item, loc.key(key, index))
        return result

    # ------------------------------------------------------------- parts ---

    def config(self, value, loc, path: str | None) -> NanoConfig | None:
        endpoints = self.listOf(
            self.normalized(_validEndpoint, "endpoint"),
            'a non-empty list of endpoint strings like ["tcp:8080"]', nonEmpty=True)
        handlers = {
            "listen": endpoints, "port": self.integer(1, 65535),
            "admin": self.admin, "workers": self.integer(1, 64),
            "drain_timeout_ms": self.integer(0, 3_600_000),
            "defaults": lambda v, l: self.limits(v, l, Limits()),
            "egress": self.egress, "apps": lambda v, l: v,
            "default_app": self.string("an app name", nullable=True)}
        results, locs = self.fields(value, loc, handlers)
        if results is None:
            return None
        good = {k: v for k, v in results.items() if v is not _BAD}
        if "port" in locs and "listen" in locs:
            self.report(_later(locs["port"], locs["listen"]),
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
            "listen": self.normalized(_validEndpoint, "endpoint"),
            "token_env": self.string("an environment variable name", _VAR, True)})
        if results is None or _BAD in results.values():
            return _BAD
        listen = results.get("listen", DEFAULT_ADMIN_LISTEN)
        tokenEnv, token = results.get("token_env"), None
        if tokenEnv is not None:
            token = self._environ.get(tokenEnv)
            if not token:
                state = "empty" if token == "" else "not set"
                self.report(locs["token_env"],
                            f'environment variable "{tokenEnv}" is {state}')
                return _BAD
        elif not isLoopbackEndpoint(listen):
            self.report(locs.get("listen", loc),
                        f"admin listener {json.dumps(listen)} is reachable "
                        "beyond loopback, so a token is required: set "
                        '"token_env" to an environment variable holding it')
            return _BAD
        return AdminConfig(listen, tokenEnv, token)

    def limits(self, value, loc, base: Limits) -> Limits:
        results, _ = self.fields(value, loc, {
            name: self.integer(low, high, nullable)
            for name, (low, high, nullable) in _LIMIT_RANGES.items()})
        good = {k: v for k, v in (results or {}).items() if v is not _BAD}
        return evolve(base, **good)

    def egress(self, value, loc):
        results, _ = self.fields(value, loc, {
            "allow_private": self.typed(lambda v: isinstance(v, bool), "true or false"),
            "allow": self.listOf(
                self.normalized(_normalizeEgress, "host or network"),
                "a list of hostnames, IP addresses or networks")})
        if results is None or _BAD in results.values():
            return _BAD
        return EgressConfig(**results)

    def apps(self, value, loc, defaults: Limits) -> tuple[AppConfig, ...]:
        if not isinstance(value, list):
            self.report(loc, f"expected an array of apps, got {_describe(value)}")
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
        hostname = self.normalized(_normalizeHostname, "hostname")

        def hostnameList(value, loc):
            if not isinstance(value, list):
                self.report(loc, "expected a list of hostname strings, "
                            f"got {_describe(value)}")
                return _BAD
            return [(hostname(item, loc.item(i)), loc.item(i))
                    for i, item in enumerate(value)]

        results, locs = self.fields(value, loc, {
            "name": self.string(
                "an app name of lowercase letters, digits and hyphens (at most "
                "63, starting with a letter or digit)", _NAME),
            "hostname": lambda v, l: [(hostname(v, l), l)],
            "hostnames": hostnameList,
            "path": self.string("a directory path"),
            "main": self.string("a file path relative to the app directory",
                                nullable=True),
            "env": self.env,
            "limits": lambda v, l: self.limits(v, l, defaults),
        }, required=("name", "path"))
        name = (results or {}).get("name", _BAD)
        if results is None or name is _BAD:
            return None, loc, []
        if "hostname" in locs and "hostnames" in locs:
            self.report(_later(locs["hostname"], locs["hostnames"]),
                        '"hostname" and "hostnames" cannot both be given')
        hosts = results.get("hostnames", results.get("hostname"))
        if hosts is None:
            hosts = [(name, locs["name"])]
        seen, hostnames, hostLocs = set(), [], []
        for host, hostLoc in ([] if hosts is _BAD else hosts):
            if host is _BAD:
                continue
            if host in seen:
                self.report(hostLoc, f'hostname "{host}" is listed twice')
                continue
            seen.add(host)
            hostnames.append(host)
            hostLocs.append(hostLoc)
        path, main = self.appPath(results, locs)
        env, spec = results.get("env", ({}, {}))
        if env is _BAD:
            env, spec = {}, {}
        app = AppConfig(name, tuple(hostnames), path, main, env, spec,
                        results.get("limits", defaults))
        return app, locs["name"], hostLocs

    def appPath(self, results, locs):
        path, main = results.get("path", _BAD), results.get("main")
        if path is _BAD:
            return "", None
        full = os.path.normpath(os.path.join(self._baseDir, path))
        if not os.path.isdir(full):
            state = "is not a directory" if os.path.exists(full) else "does not exist"
            self.report(locs["path"], f"{json.dumps(path)} {state} "
                        f"(resolved to {full})")
            return full, None
        if main is None or main is _BAD:
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
        if not _isObject(value):
            self.report(loc, f"expected an object, got {_describe(value)}")
            return _BAD, _BAD
        env, spec = {}, {}
        for index, (key, item) in enumerate(_pairsOf(value)):
            keyLoc = loc.key(key, index)
            if key in spec:
                self.report(keyLoc, "duplicate key")
            elif not _VAR.match(key):
                self.report(keyLoc, "expected a variable name matching "
                            "[A-Za-z_][A-Za-z0-9_]*")
            elif _isObject(item) and any(k == "from_env" for k, _ in _pairsOf(item)):
                spec[key], env[key] = self.fromEnv(item, keyLoc)
            else:
                spec[key] = self.plain(item, keyLoc)
                env[key] = copy.deepcopy(spec[key])
        return env, spec

    def fromEnv(self, item, loc):
        pairs = _pairsOf(item)
        if len(pairs) != 1:
            self.report(loc, 'an object with "from_env" must have no other keys')
            return None, None
        var = pairs[0][1]
        if not (isinstance(var, str) and _VAR.match(var)):
            self.report(loc.key("from_env", 0), "expected an environment "
                        f"variable name, got {_describe(var)}")
            return None, None
        if var not in self._environ:
            self.report(loc, f'environment variable "{var}" is not set')
        return {"from_env": var}, self._environ.get(var)


# ------------------------------------------------------------------- API ---

def parseConfig(text: str | bytes, path: str,
                environ: Mapping[str, str] | None = None) -> NanoConfig:
    """
    Parse config file contents.  C{path} names the file in error messages
    and relative app paths resolve against its directory; C{from_env} and
    C{token_env} read C{environ} (default C{os.environ}).  Raises
    L{ConfigError} listing every problem.
    """
    source = str(path)
    try:
        document = json.loads(text, object_pairs_hook=_Pairs,
                              parse_constant=_rejectConstant)
    except json.JSONDecodeError as e:
        raise ConfigError([ConfigProblem(
            source, f"line {e.lineno}, column {e.colno}", e.msg)]) from None
    except _BadConstant as e:
        raise ConfigError([ConfigProblem(
            source, "", f"{e} is not valid JSON")]) from None
    absolute = os.path.abspath(path)
    parser = _Parser(os.path.dirname(absolute),
                     os.environ if environ is None else environ)
    config = parser.config(document, _Loc(""), absolute)
    parser.raiseIfProblems(source)
    return config


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
    parser = _Parser(baseDir, os.environ if environ is None else environ)
    app, _, _ = parser.app(obj, _Loc(""), defaults)
    parser.raiseIfProblems(source)
    return app


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
    return {name: getattr(limits, name) for name in _LIMIT_RANGES
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
        "defaults": _limitsToJSON(config.defaults),
        "egress": {"allow_private": config.egress.allow_private,
                   "allow": list(config.egress.allow)},
        "apps": [appToJSON(app, config.defaults, base) for app in config.apps],
    }
    if config.default_app is not None:
        result["default_app"] = config.default_app
    return result

"""
Validation machinery that does not depend on the config value classes.

Syntax checks for single values, each a pure function of its text: app and
variable names, the allowed range of every limit, Twisted server endpoint
strings (parsed for syntax only, nothing is created), hostnames and egress
allow-list entries.  Normalisers return the canonical form or raise
L{ValueError} saying what was expected.

The document walker: L{Loc} is a JSON path (C{apps[2].hostnames[0]}) with
its document position, and L{Walker} collects problems at such places while
running typed checks over JSON values (objects as L{Pairs}, so that
duplicate keys are seen), handing them back in document order.
L{nano._configjson} builds the per-section validators on it.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import re
import sys
from typing import Callable

from attrs import frozen
from twisted.internet.endpoints import _parse as _parseEndpoint

__all__ = [
    "APP_NAME", "BAD", "LIMIT_RANGES", "Loc", "Pairs", "VAR_NAME", "Walker",
    "describe", "endpointOptions", "isObject", "later", "normalizeEgress",
    "normalizeHostname", "pairsOf", "validEndpoint",
]

APP_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,62}\Z")
VAR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_LABEL = re.compile(r"(?!-)[a-z0-9_-]{1,63}(?<!-)\Z")
_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")

# name -> (lowest, highest, null allowed); the order is the field order of
# L{nano.config.Limits}.
LIMIT_RANGES = {
    "cpu_ms": (1, 300_000, False),
    "timeout_ms": (1, 3_600_000, False),
    "memory_mb": (8, 4096, False),
    "max_body_mb": (1, 4096, False),
    "subrequests": (0, 10_000, False),
    "idle_unload_s": (1, 86_400, True),
    "max_header_kb": (1, 1024, False),
}


# ---------------------------------------------------------------- syntax ---

_ENDPOINTS = {
    "tcp": ("port", "interface", "backlog"),
    "tcp6": ("port", "backlog", "interface"),
    "ssl": ("port", "privateKey", "certKey", "sslmethod", "interface",
            "backlog", "extraCertChain", "dhParameters"),
    "unix": ("address", "mode", "backlog", "lockfile"),
}


def endpointOptions(description: str) -> tuple[str, dict[str, str]]:
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


def validEndpoint(description: str) -> str:
    try:
        _checkEndpoint(*endpointOptions(description))
    except ValueError as e:
        raise ValueError(f'{e}; expected e.g. "tcp:8080", '
                         '"tcp:8080:interface=127.0.0.1" or "unix:/run/nano.sock"')
    return description



def normalizeHostname(text: str) -> str:
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


def normalizeEgress(text: str) -> str:
    if "/" in text or ":" in text or re.fullmatch(r"[0-9.]+", text):
        try:
            if "/" in text:
                return str(ipaddress.ip_network(text))
            return str(ipaddress.ip_address(text.strip("[]")))
        except ValueError as e:
            raise ValueError(f"not a valid IP address or network: {e}") from None
    return normalizeHostname(text)


# --------------------------------------------------------------- walking ---

class Pairs:
    """
    A JSON object as parsed: its key/value pairs in document order, so that
    duplicate keys can be found (C{object_pairs_hook}).
    """

    __slots__ = ("pairs",)

    def __init__(self, pairs):
        self.pairs = pairs


def isObject(value) -> bool:
    return isinstance(value, (Pairs, dict))


def pairsOf(value) -> list:
    return value.pairs if isinstance(value, Pairs) else list(value.items())


def describe(value) -> str:
    if isObject(value):
        return "an object"
    if isinstance(value, list):
        return "an array"
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."


BAD = object()


@frozen
class Loc:
    """
    A place in the document: C{text} is the JSON path shown to users, C{pos}
    the document-order indices used to sort problems.
    """

    text: str
    pos: tuple = ()

    def key(self, name: str, index: int) -> Loc:
        part = name if _DOTTED.match(name) else f"[{json.dumps(name)}]"
        sep = "." if self.text and not part.startswith("[") else ""
        return Loc(self.text + sep + part, self.pos + (index,))

    def item(self, index: int) -> Loc:
        return Loc(f"{self.text}[{index}]", self.pos + (index,))

    def end(self) -> Loc:
        return Loc(self.text, self.pos + (sys.maxsize,))


def later(*locs: Loc) -> Loc:
    return max(locs, key=lambda loc: loc.pos)


class Walker:
    """
    Runs typed checks over one JSON document, collecting problems with their
    document positions.
    """

    def __init__(self):
        self._problems: list = []

    def report(self, loc: Loc, message: str) -> None:
        self._problems.append((loc.pos, len(self._problems), loc.text, message))

    def problems(self) -> list[tuple[str, str]]:
        """
        The C{(jsonPath, message)} of every problem reported, in document
        order (problems at the same place in the order reported).
        """
        return [(text, message) for _, _, text, message in sorted(self._problems)]

    def fields(self, value, loc, handlers: dict[str, Callable], required=()):
        """
        Run C{handlers[key](value, loc)} over an object's keys in document
        order; returns C{(results, locs)}, C{results} being C{None} if
        C{value} is not an object.
        """
        if not isObject(value):
            self.report(loc, f"expected an object, got {describe(value)}")
            return None, {}
        results, locs = {}, {}
        for index, (key, item) in enumerate(pairsOf(value)):
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
            self.report(loc, f"expected {expected}, got {describe(value)}")
            return BAD
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
                self.report(loc, f"expected {expected}, got {describe(value)}")
                return BAD
            items = [check(item, loc.item(i)) for i, item in enumerate(value)]
            return BAD if any(i is BAD for i in items) else tuple(items)
        return checkList

    def normalized(self, normalize: Callable, noun: str) -> Callable:
        article = "an" if noun[0] in "aeiou" else "a"

        def check(value, loc):
            if not isinstance(value, str):
                self.report(loc, f"expected {article} {noun} string, "
                            f"got {describe(value)}")
                return BAD
            try:
                return normalize(value)
            except ValueError as e:
                self.report(loc, f"invalid {noun} {json.dumps(value)}: {e}")
                return BAD
        return check

    def plain(self, value, loc):
        """
        A parsed JSON value with its objects as plain dicts; duplicate keys
        are reported.
        """
        if isinstance(value, list):
            return [self.plain(item, loc.item(i)) for i, item in enumerate(value)]
        if not isObject(value):
            return value
        result = {}
        for index, (key, item) in enumerate(pairsOf(value)):
            if key in result:
                self.report(loc.key(key, index), "duplicate key")
            else:
                result[key] = self.plain(item, loc.key(key, index))
        return result


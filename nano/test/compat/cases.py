"""
The library-compatibility cases: HTTP requests to our small apps built with real
Workers libraries (hono, itty-router, jose, URLPattern, the platform APIs), and the
responses a Workers runtime gives.

Each app directory under C{apps/} holds C{src/} (our source, bundled by
C{compat/build.py}) and C{cases.json}::

    {"env": {"GREETING": "hi"},        # vars given to the app (both runtimes)
     "upstream": true,                 # the app fetches $UPSTREAM (fetch_upstream)
     "cases": [
       {"name": "root", "method": "GET", "path": "/",
        "headers": [["accept", "text/plain"]], "body": "text",
        "expect": {"status": 200, "headers": {"content-type": "text/plain"},
                   "body": "exact text" | "json": {...} | "bodyMatches": "regex",
                   "headerMatches": {"etag": "regex"}, "setCookie": ["a=1", "b=2"],
                   "decoded": "the body once decoded by its Content-Encoding (gzip, br)"}},
       {"name": "two steps", "steps": [{...request and expect...}, {"delay": 0.1, ...}]}
     ]}

The expectations are what workerd answers (C{compat/workerd.py} checks every case
against a real workerd); the NANO end-to-end test (L{nano.test.test_compat}) runs the
same cases against a real twistd. A header expected as C{null} must be absent.
C{known.json} beside this module lists the cases NANO is known to fail, each with the
reason.
"""

import base64
import gzip
import http.client
import json
import os
import re
import time

import brotli

__all__ = ["APPS", "AppCases", "Step", "loadApp", "appNames", "knownFailures", "runStep", "check"]

APPS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "apps")
_KNOWN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "known.json")
_EXPECT_KEYS = frozenset(("status", "headers", "headerMatches", "setCookie", "body", "json", "bodyMatches",
                          "decoded"))
_STEP_KEYS = frozenset(("method", "path", "headers", "body", "bodyBase64", "delay", "expect"))


class Step:
    """
    One request and what its response must be.
    """

    def __init__(self, where, spec):
        unknown = set(spec) - _STEP_KEYS
        if unknown:
            raise ValueError("%s: unknown keys %s" % (where, sorted(unknown)))
        self.method = spec.get("method", "GET")
        self.path = spec["path"]
        headers = spec.get("headers", [])
        self.headers = list(headers.items()) if isinstance(headers, dict) else [tuple(h) for h in headers]
        if "bodyBase64" in spec:
            self.body = base64.b64decode(spec["bodyBase64"])
        elif "body" in spec:
            self.body = spec["body"].encode("utf-8")
        else:
            self.body = None
        self.delay = spec.get("delay", 0)
        self.expect = spec["expect"]
        unknown = set(self.expect) - _EXPECT_KEYS
        if unknown:
            raise ValueError("%s: unknown expect keys %s" % (where, sorted(unknown)))


class AppCases:
    """
    The cases of one app: C{name}, C{env} (dict), C{upstream} (bool) and C{cases}, a
    list of C{(caseName, [Step, ...])}.
    """

    def __init__(self, name, spec):
        self.name = name
        self.env = spec.get("env", {})
        self.upstream = bool(spec.get("upstream", False))
        self.cases = []
        seen = set()
        for index, case in enumerate(spec["cases"]):
            caseName = case["name"]
            if caseName in seen:
                raise ValueError("%s: duplicate case name %r" % (name, caseName))
            seen.add(caseName)
            where = "%s cases[%d] (%s)" % (name, index, caseName)
            if "steps" in case:
                steps = [Step("%s steps[%d]" % (where, i), s) for i, s in enumerate(case["steps"])]
            else:
                steps = [Step(where, {k: v for k, v in case.items() if k != "name"})]
            self.cases.append((caseName, steps))


def appNames():
    """
    The apps that have a cases.json, sorted.
    """
    return sorted(n for n in os.listdir(APPS) if os.path.isfile(os.path.join(APPS, n, "cases.json")))


def loadApp(name):
    """
    Parse C{apps/<name>/cases.json} into an L{AppCases}.
    """
    with open(os.path.join(APPS, name, "cases.json"), encoding="utf-8") as f:
        return AppCases(name, json.load(f))


def knownFailures():
    """
    C{{"app/case": reason}}: the cases NANO is known to answer differently from
    workerd, and why.
    """
    with open(_KNOWN, encoding="utf-8") as f:
        return dict(json.load(f)["failures"])


def runStep(port, host, step, timeout=15):
    """
    Send C{step}'s request to 127.0.0.1:C{port} with Host C{host}; return
    C{(status, [(name, value), ...], body bytes)}.
    """
    if step.delay:
        time.sleep(step.delay)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.putrequest(step.method, step.path, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", host)
        for name, value in step.headers:
            conn.putheader(name, value)
        if step.body is not None:
            conn.putheader("Content-Length", str(len(step.body)))
        conn.endheaders(step.body)
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()


def _header(headers, name):
    values = [v for n, v in headers if n.lower() == name]
    return ", ".join(values) if values else None


def check(expect, status, headers, body):
    """
    Compare a response with C{expect}; return the list of differences (empty when it
    matches), each a readable line.
    """
    problems = []
    if "status" in expect and status != expect["status"]:
        problems.append("status %r, expected %r" % (status, expect["status"]))
    for name, value in expect.get("headers", {}).items():
        actual = _header(headers, name.lower())
        if actual != value:
            problems.append("header %s: %r, expected %r" % (name, actual, value))
    for name, pattern in expect.get("headerMatches", {}).items():
        actual = _header(headers, name.lower())
        if actual is None or re.fullmatch(pattern, actual) is None:
            problems.append("header %s: %r does not match %r" % (name, actual, pattern))
    if "setCookie" in expect:
        cookies = [v for n, v in headers if n.lower() == "set-cookie"]
        if cookies != expect["setCookie"]:
            problems.append("set-cookie %r, expected %r" % (cookies, expect["setCookie"]))
    if "decoded" in expect:
        encoding = _header(headers, "content-encoding")
        try:
            plain = _decode(encoding, body).decode("utf-8", "replace")
        except Exception as e:
            problems.append("body does not decode as %r: %s (%r)" % (encoding, e, body[:60]))
        else:
            if plain != expect["decoded"]:
                problems.append("decoded body %r, expected %r" % (plain[:2000], expect["decoded"]))
    text = body.decode("utf-8", "replace")
    if "body" in expect and text != expect["body"]:
        problems.append("body %r, expected %r" % (text[:2000], expect["body"]))
    if "bodyMatches" in expect and re.fullmatch(expect["bodyMatches"], text, re.S) is None:
        problems.append("body %r does not match %r" % (text[:2000], expect["bodyMatches"]))
    if "json" in expect:
        try:
            value = json.loads(text)
        except ValueError:
            problems.append("body is not JSON: %r" % (text[:2000],))
        else:
            for path, got, wanted in _jsonDifferences(value, expect["json"], "$")[:20]:
                problems.append("json %s: %s, expected %s" % (path, got, wanted))
    return problems


def _decode(encoding, data):
    if encoding == "gzip":
        return gzip.decompress(data)
    if encoding == "br":
        return brotli.decompress(data)
    raise ValueError("no decoder for this content encoding")


_MISSING = object()


def _show(value):
    return "(absent)" if value is _MISSING else json.dumps(value, ensure_ascii=False, sort_keys=True)[:500]


def _jsonDifferences(actual, expected, path):
    """
    The places where two JSON values differ: C{[(path, actual, expected), ...]} with
    paths like C{$.a[2].b} and the values shown as JSON.
    """
    if isinstance(actual, dict) and isinstance(expected, dict):
        out = []
        for key in sorted(set(actual) | set(expected)):
            out.extend(_jsonDifferences(actual.get(key, _MISSING), expected.get(key, _MISSING), "%s.%s" % (path, key)))
        return out
    if isinstance(actual, list) and isinstance(expected, list) and len(actual) == len(expected):
        out = []
        for index, (a, e) in enumerate(zip(actual, expected)):
            out.extend(_jsonDifferences(a, e, "%s[%d]" % (path, index)))
        return out
    if actual == expected and type(actual) is type(expected):
        return []
    return [(path, _show(actual), _show(expected))]

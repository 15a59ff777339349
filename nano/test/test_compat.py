"""
Library compatibility, end to end: our small apps built with hono, itty-router, jose
and the platform APIs (URLPattern, fetch, cookies, ...), bundled the way wrangler does
by C{compat/build.py}, served by a real C{twistd -n nano}, must answer every case of
L{nano.test.compat.cases} as workerd does (C{compat/workerd.py} checks the cases
against workerd).

The bundles contain third-party code and are never committed, so these tests run only
when C{$NANO_COMPAT_BUILD} names a directory holding them (C{tox -e compat} builds
them and sets it); otherwise this module is one skipped test with that instruction. Each bundle
is served twice, readable and minified, by two twistd processes (the apps see the same
Host either way).
"""

import atexit
import json
import os
import re
import shutil
import tempfile

from twisted.trial.unittest import SkipTest, SynchronousTestCase

from nano.test.compat.cases import appNames, check, knownFailures, loadApp, runStep
from nano.test.e2e import TwistdProcess, startSharedUpstream, writeConfig

_BUILD = os.environ.get("NANO_COMPAT_BUILD") or None
if _BUILD:
    _BUILD = os.path.abspath(_BUILD)
_MANIFEST = os.path.join(_BUILD, "manifest.json") if _BUILD else None
_FLAVOURS = {"": "readable", "-min": "minified"}


def _skipReason():
    if not _BUILD:
        return ("library compatibility tests need bundles: run `tox -e compat`, or "
                "`python compat/build.py` (npm and the npm registry) then set NANO_COMPAT_BUILD to the absolute path of build/compat")
    if not os.path.isfile(_MANIFEST):
        return "NANO_COMPAT_BUILD=%s holds no manifest.json: run python compat/build.py --out %s" % (_BUILD, _BUILD)
    return None


_shared = {}


def _upstream():
    if "upstream" not in _shared:
        _shared["upstream"] = "http://127.0.0.1:%d" % (startSharedUpstream(),)
    return _shared["upstream"]


def _server(suffix):
    """
    The twistd serving every bundle of one flavour (C{""} or C{"-min"}), each app on
    C{<name>.compat.test}: started on first use, stopped when the test process exits.
    """
    if suffix in _shared:
        return _shared[suffix]
    with open(_MANIFEST) as f:
        built = json.load(f)["apps"]
    directory = tempfile.mkdtemp(prefix="nano-compat-")
    apps = []
    for name in appNames():
        variant = name + suffix
        if variant not in built:
            continue
        cases = loadApp(name)
        shutil.copytree(os.path.join(_BUILD, variant), os.path.join(directory, variant))
        app = {"name": variant, "hostnames": ["%s.compat.test" % (name,)], "path": variant, "env": dict(cases.env),
               "limits": {"timeout_ms": 10000}}
        if cases.upstream:
            app["env"]["UPSTREAM"] = _upstream()
            app["egress"] = {"allow": ["127.0.0.1/32"]}
        apps.append(app)
    config = {"listen": ["tcp:0:interface=127.0.0.1"], "admin": None, "apps": apps}
    server = TwistdProcess(["--config", writeConfig(directory, config)], cwd=directory)
    _shared[suffix] = server
    atexit.register(_stopServer, server, directory)
    server.start(timeout=60)
    return server


def _stopServer(server, directory):
    server.stop()
    shutil.rmtree(directory, ignore_errors=True)


class _CompatCase(SynchronousTestCase):
    """
    The cases of one app and flavour; subclasses are made by L{_makeClass}.
    """

    app = None
    suffix = ""

    def runCase(self, steps):
        reason = _skipReason()
        if reason:
            raise SkipTest(reason)
        with open(_MANIFEST) as f:
            if self.app + self.suffix not in json.load(f)["apps"]:
                raise SkipTest("%s%s was not built" % (self.app, self.suffix))
        server = _server(self.suffix)
        host = "%s.compat.test" % (self.app,)
        for index, step in enumerate(steps):
            status, headers, body = runStep(server.port, host, step)
            problems = check(step.expect, status, headers, body)
            if problems:
                self.fail("%s %s (step %d):\n  %s" % (step.method, step.path, index, "\n  ".join(problems)))


def _methodName(index, caseName):
    return "test_%02d_%s" % (index, re.sub(r"[^0-9a-zA-Z]+", "_", caseName).strip("_"))


def _makeTest(caseName, steps, todo):
    def test(self):
        self.runCase(steps)
    test.__doc__ = "%s answers as workerd does." % (caseName,)
    if todo:
        test.todo = todo
    return test


def _makeClass(name, suffix, known):
    cases = loadApp(name)
    attributes = {"app": name, "suffix": suffix,
                  "__doc__": "The %s cases of app %s (%s bundle)." % (len(cases.cases), name, _FLAVOURS[suffix])}
    for index, (caseName, steps) in enumerate(cases.cases):
        attributes[_methodName(index, caseName)] = _makeTest(caseName, steps, known.get("%s/%s" % (name, caseName)))
    className = "".join(part.capitalize() for part in re.split(r"[^0-9a-zA-Z]+", name + suffix)) + "Tests"
    return className, type(className, (_CompatCase,), attributes)


def _classes():
    known = knownFailures()
    for name in appNames():
        for suffix in _FLAVOURS:
            yield _makeClass(name, suffix, known)


class BundlesTests(SynchronousTestCase):
    """
    Without bundles (the default test run) the library compatibility tests are this
    one skipped test saying how to run them; with bundles, one test per case.
    """

    def test_bundles(self):
        """
        The bundles named by $NANO_COMPAT_BUILD are there.
        """
        reason = _skipReason()
        if reason:
            raise SkipTest(reason)
        self.assertTrue(os.path.isfile(_MANIFEST))


if _skipReason() is None:
    for _name, _class in _classes():
        globals()[_name] = _class
    del _name, _class

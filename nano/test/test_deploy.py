"""
Tests for L{nano.deploy}: startup, reload diffs, failures that keep what runs,
serialized changes, the admin API's changes and their write-back.
"""

import json

import attrs
from twisted.internet.defer import Deferred
from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

from nano.app import App
from nano.metrics import AppStats
from nano.deploy import DeployError, Deployer, ReloadResult
from nano.registry import AppRegistry
from nano.test.lifecycle import ControlledIsolate, Fixture


class _Base(SynchronousTestCase):
    def setUp(self):
        self.fixture = Fixture(self.mktemp())
        self.clock = Clock()
        for name in ("a", "b"):
            self.fixture.app(name)
        self.document = {"drain_timeout_ms": 5000, "apps": [
            {"name": "a", "hostnames": ["a.test"], "path": "a", "env": {"V": 1}},
            {"name": "b", "hostnames": ["b.test", "*.b.test"], "path": "b"}]}
        self.fixture.write(self.document)
        self.registry = AppRegistry()
        self.deployer = Deployer(self.clock, self.fixture.load(), self.registry,
                                 self.fixture.factory(self.clock), self.fixture.base, environ={"X": "secret"})
        self.assertEqual(self.successResultOf(self.deployer.start()), [("a", None), ("b", None)])

    def rewrite(self, **changes):
        self.document.update(changes)
        self.fixture.write(self.document)

    def reload(self):
        return self.successResultOf(self.deployer.reload())

    def refused(self, d, status):
        error = self.failureResultOf(d, DeployError).value
        self.assertEqual(error.status, status, error.details)
        return error


class StartTests(_Base):
    """
    L{Deployer.start} registers and loads every app.
    """

    def test_started(self):
        """
        Both apps are registered, ready and matched by host; the deployer is ready.
        """
        self.assertTrue(self.deployer.ready())
        self.assertEqual([a.name for a in self.deployer.apps()], ["a", "b"])
        self.assertIs(self.registry.match("x.b.test"), self.deployer.get("b"))
        self.assertEqual(self.deployer.get("a").state, "ready")

    def test_failedAtStartup(self):
        """
        An app that fails at startup stays registered as failed (503s), and the
        deployer is not ready.
        """
        self.fixture.app("c", "BROKEN")
        registry = AppRegistry()
        document = {"apps": [{"name": "c", "path": "c"}]}
        self.fixture.write(document)
        deployer = Deployer(self.clock, self.fixture.load(), registry, self.fixture.factory(self.clock),
                            self.fixture.base, environ={})
        [(name, error)] = self.successResultOf(deployer.start())
        self.assertIn("BROKEN on purpose", error)
        self.assertEqual(registry.match("c").state, "failed")
        self.assertFalse(deployer.ready())


class ReloadTests(_Base):
    """
    L{Deployer.reload} applies the differences between the file and what runs.
    """

    def test_unchanged(self):
        """
        Reloading an unchanged config changes nothing (no new isolate).
        """
        before = len(ControlledIsolate.instances)
        self.assertEqual(self.reload(), ReloadResult(unchanged=("a", "b")))
        self.assertEqual(len(ControlledIsolate.instances), before)

    def test_addRemoveChange(self):
        """
        A new app is added, a dropped one retired (503 while it drains, then
        gone), an app whose env changed gets a new version with the new env while
        the untouched app keeps its isolate.
        """
        self.fixture.app("c")
        oldA, oldB = self.deployer.get("a"), self.deployer.get("b")
        self.rewrite(apps=[
            {"name": "a", "hostnames": ["a.test"], "path": "a", "env": {"V": 2}},
            {"name": "c", "hostnames": ["c.test"], "path": "c"}])
        result = self.reload()
        self.assertEqual(result, ReloadResult(added=("c",), removed=("b",), changed=("a",)))
        newA = self.deployer.get("a")
        self.assertIsNot(newA, oldA)
        self.assertEqual(newA.isolate.envJSON, '{"V":2}')
        self.assertIs(self.registry.match("a.test"), newA)
        self.assertEqual(self.registry.match("c.test").state, "ready")
        # b had nothing in flight: drained and gone at once.
        self.assertEqual(oldB.state, "stopped")
        self.assertIsNone(self.registry.match("b.test"))
        self.assertTrue(oldA.isolate.closed)

    def test_sourceChange(self):
        """
        An app whose source files changed gets a new version; the other does not.
        """
        oldA, oldB = self.deployer.get("a"), self.deployer.get("b")
        self.fixture.app("a", "export default { fetch() { return new Response('v2'); } };\n")
        self.assertEqual(self.reload(), ReloadResult(changed=("a",), unchanged=("b",)))
        self.assertIsNot(self.deployer.get("a"), oldA)
        self.assertIs(self.deployer.get("b"), oldB)
        self.assertIn("v2", dict(self.deployer.get("a").isolate.graph.modules)["index.js"])

    def test_inflightOnOldVersion(self):
        """
        A replaced version finishes its requests in flight (and its waitUntil
        work) before its isolate closes; new requests go to the new version.
        """
        old = self.deployer.get("a")
        old.requestStarted()
        work = Deferred()
        old.isolate.work.append(work)
        self.rewrite(apps=[dict(self.document["apps"][0], env={"V": 3}), self.document["apps"][1]])
        self.reload()
        self.assertEqual(old.state, "draining")
        self.assertIsNot(self.registry.match("a.test"), old)
        old.requestFinished(200)
        self.assertFalse(old.isolate.closed)
        work.callback(None)
        self.assertTrue(old.isolate.closed)
        self.assertEqual(self.deployer.draining(), [])

    def test_drainTimeout(self):
        """
        An old version whose request never ends is closed at the drain timeout.
        """
        old = self.deployer.get("a")
        old.requestStarted()
        self.rewrite(apps=[dict(self.document["apps"][0], env={"V": 3}), self.document["apps"][1]])
        self.reload()
        self.clock.advance(4.9)
        self.assertFalse(old.isolate.closed)
        self.clock.advance(0.1)
        self.assertTrue(old.isolate.closed)

    def test_invalidConfig(self):
        """
        A config with errors (syntax, duplicate hostname, missing directory) is
        refused with every problem and changes nothing.
        """
        apps = self.deployer.apps()
        self.fixture.write('{"apps": [')
        error = self.refused(self.deployer.reload(), 400)
        self.assertIn("line 1", error.details[0])
        self.rewrite(apps=[
            {"name": "a", "hostnames": ["same.test"], "path": "a"},
            {"name": "b", "hostnames": ["same.test"], "path": "missing"}])
        error = self.refused(self.deployer.reload(), 400)
        self.assertEqual(len(error.details), 2)
        self.assertIn('hostname "same.test" is already used by app "a"', "\n".join(error.details))
        self.assertIn('"missing" does not exist', "\n".join(error.details))
        self.assertEqual(self.deployer.apps(), apps)

    def test_truncatedFile(self):
        """
        A file read while half written is invalid: nothing changes; once complete,
        the reload applies it.
        """
        self.document["apps"][0]["env"] = {"V": 9}
        text = json.dumps(self.document)
        self.fixture.write(text[: len(text) // 2])
        self.refused(self.deployer.reload(), 400)
        self.fixture.write(text)
        self.assertEqual(self.reload().changed, ("a",))

    def test_brokenNewVersionKeepsOld(self):
        """
        A changed app whose new version fails to load keeps its running version;
        the other changes of the same reload apply.
        """
        oldA = self.deployer.get("a")
        self.fixture.app("a", "BROKEN")
        self.fixture.app("c")
        self.rewrite(apps=self.document["apps"] + [{"name": "c", "path": "c"}])
        result = self.reload()
        self.assertEqual(result.added, ("c",))
        self.assertEqual([name for name, _ in result.failed], ["a"])
        self.assertIs(self.deployer.get("a"), oldA)
        self.assertEqual(oldA.state, "ready")
        # Fixed: the next reload applies it.
        self.fixture.app("a", "export default {fetch() { return new Response('fixed') }}")
        self.assertEqual(self.reload().changed, ("a",))

    def test_brokenNewAppNotAdded(self):
        """
        A new app that fails to load is not added.
        """
        self.fixture.app("c", "BROKEN")
        self.rewrite(apps=self.document["apps"] + [{"name": "c", "hostnames": ["c.test"], "path": "c"}])
        result = self.reload()
        self.assertEqual((result.added, [n for n, _ in result.failed]), ((), ["c"]))
        self.assertIsNone(self.registry.match("c.test"))
        self.assertEqual([a.name for a in self.deployer.config.apps], ["a", "b"])

    def test_hostnameStillHeld(self):
        """
        When an app keeps its old version, an app taking over one of its hostnames
        in the same reload is not switched either.
        """
        self.fixture.app("a", "BROKEN")
        oldB = self.deployer.get("b")
        self.rewrite(apps=[
            {"name": "a", "hostnames": ["new-a.test"], "path": "a"},
            {"name": "b", "hostnames": ["b.test", "a.test"], "path": "b"}])
        result = self.reload()
        self.assertEqual(sorted(dict(result.failed)), ["a", "b"])
        self.assertIn('hostname "a.test" is still used by app "a"', dict(result.failed)["b"])
        self.assertIs(self.deployer.get("b"), oldB)
        self.assertEqual(self.registry.match("a.test").name, "a")

    def test_restartOnlySettings(self):
        """
        Changed listeners and watch settings are kept (they need a restart); the
        rest applies.
        """
        self.rewrite(listen=["tcp:9999"], drain_timeout_ms=100, watch={"enabled": False})
        self.reload()
        self.assertEqual(self.deployer.config.listen, ("tcp:8080",))
        self.assertTrue(self.deployer.config.watch.enabled)
        self.assertEqual(self.deployer.config.drain_timeout_ms, 100)


class IsolateStartTests(SynchronousTestCase):
    """
    Each version the deployer loaded reports its isolate start: cold for startup
    and new apps, reload for new versions of running apps.
    """

    def test_reasons(self):
        """
        Startup and an added app are cold starts; a changed app is a reload; a
        failed load is not a start.
        """
        fixture = Fixture(self.mktemp())
        clock = Clock()
        for name in ("a", "b"):
            fixture.app(name)
        fixture.app("bad", "BROKEN")
        document = {"apps": [{"name": "a", "path": "a"}]}
        fixture.write(document)
        starts = []

        class Stats(AppStats):
            def __init__(self, name):
                AppStats.__init__(self)
                self.name = name

            def isolateStarted(self, reason):
                starts.append((self.name, reason))

        def factory(appConfig, config):
            return App(clock, appConfig, isolateFactory=ControlledIsolate, stats=Stats(appConfig.name))

        deployer = Deployer(clock, fixture.load(), AppRegistry(), factory, fixture.base, environ={})
        self.successResultOf(deployer.start())
        document["apps"] = [{"name": "a", "path": "a", "env": {"X": 1}}, {"name": "b", "path": "b"},
                            {"name": "c", "path": "bad"}]
        fixture.write(document)
        self.successResultOf(deployer.reload())
        self.assertEqual(starts, [("a", "cold"), ("a", "reload"), ("b", "cold")])


class QueueTests(_Base):
    """
    Changes run one at a time; waiting reloads share one run.
    """

    def test_reloadWaitsForLoadingChange(self):
        """
        A reload asked for while another is loading waits; the reloads asked for
        meanwhile share one run that reads the file as it is when it starts.
        """
        ControlledIsolate.held = []
        self.rewrite(apps=[dict(self.document["apps"][0], env={"V": 2}), self.document["apps"][1]])
        first = self.deployer.reload()
        self.assertTrue(self.deployer.busy)
        second = self.deployer.reload()
        third = self.deployer.reload()
        self.rewrite(apps=[dict(self.document["apps"][0], env={"V": 3}), self.document["apps"][1]])
        self.assertNoResult(first)
        self.assertEqual(len(ControlledIsolate.held), 1)
        ControlledIsolate.held.pop().callback(None)
        self.assertEqual(self.successResultOf(first).changed, ("a",))
        self.assertEqual(len(ControlledIsolate.held), 1)
        ControlledIsolate.held.pop().callback(None)
        self.assertEqual(self.successResultOf(second).changed, ("a",))
        self.assertEqual(self.successResultOf(third).changed, ("a",))
        self.assertEqual(self.deployer.get("a").isolate.envJSON, '{"V":3}')

    def test_closeRefusesWaiting(self):
        """
        After L{Deployer.close} waiting and new changes are refused with 503, and
        a change that was loading does not switch.
        """
        ControlledIsolate.held = []
        old = self.deployer.get("a")
        self.rewrite(apps=[dict(self.document["apps"][0], env={"V": 2}), self.document["apps"][1]])
        loading = self.deployer.reload()
        waiting = self.deployer.removeApp("b")
        self.deployer.close()
        self.refused(waiting, 503)
        self.refused(self.deployer.reload(), 503)
        ControlledIsolate.held.pop().callback(None)
        self.refused(loading, 503)
        self.assertIs(self.deployer.get("a"), old)
        self.assertTrue(ControlledIsolate.instances[-1].closed)


class AdminChangeTests(_Base):
    """
    The admin API's add, replace and remove, written back to the config file.
    """

    def test_add(self):
        """
        A valid app loads, serves and is appended to the file as written.
        """
        self.fixture.app("c")
        body = {"name": "c", "hostname": "c.test", "path": "c", "env": {"S": {"from_env": "X"}}}
        deployer = self.deployer
        app = self.successResultOf(deployer.addApp(body))
        self.assertIs(self.registry.match("c.test"), app)
        self.assertEqual(app.isolate.envJSON, '{"S":"secret"}')
        saved = self.fixture.read()
        self.assertEqual(saved["apps"][2], body)
        self.assertEqual(saved["apps"][:2], self.document["apps"])
        self.assertEqual(self.successResultOf(deployer.reload()).unchanged, ("a", "b", "c"))

    def test_addRefusals(self):
        """
        Field errors are 400, a name or hostname clash 409, a load error 422;
        nothing is written then.
        """
        self.fixture.app("bad", "BROKEN")
        error = self.refused(self.deployer.addApp({"name": "c", "path": "nowhere", "extra": 1}), 400)
        self.assertIn('path: "nowhere" does not exist', error.details[0])
        self.assertTrue(error.details[1].startswith("extra: unknown key (expected one of: name, hostname, "),
                        error.details[1])
        self.refused(self.deployer.addApp({"name": "a", "path": "a", "hostnames": ["z.test"]}), 409)
        error = self.refused(self.deployer.addApp({"name": "z", "path": "a", "hostnames": ["b.test"]}), 409)
        self.assertEqual(error.details, ['hostname "b.test" is already used by app "b"'])
        error = self.refused(self.deployer.addApp({"name": "bad", "path": "bad"}), 422)
        self.assertIn("BROKEN on purpose", error.details[0])
        self.refused(self.deployer.addApp([1]), 400)
        self.assertEqual(self.fixture.read(), self.document)
        self.assertIsNone(self.registry.match("bad"))

    def test_replace(self):
        """
        PUT semantics: the new version takes over, the old one drains, the entry
        is replaced in the file; the name may be left out of the body.
        """
        old = self.deployer.get("b")
        app = self.successResultOf(self.deployer.replaceApp("b", {"path": "b", "hostnames": ["new-b.test"]}))
        self.assertIs(self.registry.match("new-b.test"), app)
        self.assertEqual(old.state, "stopped")
        self.assertEqual(self.fixture.read()["apps"][1], {"name": "b", "path": "b", "hostnames": ["new-b.test"]})

    def test_replaceRefusals(self):
        """
        Unknown app 404, a body naming another app 400, a load failure 422 (the old
        version keeps serving).
        """
        self.refused(self.deployer.replaceApp("zz", {"path": "a"}), 404)
        self.refused(self.deployer.replaceApp("a", {"name": "b", "path": "a"}), 400)
        self.fixture.app("bad", "BROKEN")
        old = self.deployer.get("a")
        self.refused(self.deployer.replaceApp("a", {"path": "bad"}), 422)
        self.assertIs(self.deployer.get("a"), old)
        self.assertEqual(old.state, "ready")

    def test_remove(self):
        """
        DELETE: the app drains (503 while requests are in flight), then it is
        gone; the entry leaves the file; an unknown app is 404.
        """
        app = self.deployer.get("a")
        app.requestStarted()
        self.assertIs(self.successResultOf(self.deployer.removeApp("a")), app)
        self.assertEqual(app.state, "draining")
        self.assertIs(self.registry.match("a.test"), app)
        self.assertEqual([a["name"] for a in self.fixture.read()["apps"]], ["b"])
        app.requestFinished(200)
        self.assertIsNone(self.registry.match("a.test"))
        self.refused(self.deployer.removeApp("a"), 404)

    def test_removeDefaultApp(self):
        """
        The default app cannot be removed (409).
        """
        self.deployer.config = attrs.evolve(self.deployer.config, default_app="a")
        self.refused(self.deployer.removeApp("a"), 409)

    def test_unwritableFile(self):
        """
        When the config file is no longer valid JSON, a change is refused (409)
        before anything is applied.
        """
        self.fixture.write("{ not json")
        error = self.refused(self.deployer.removeApp("a"), 409)
        self.assertIn("line 1", error.details[0])
        self.assertEqual(self.deployer.get("a").state, "ready")

    def test_singleAppMode(self):
        """
        Without a config file, changes apply in memory only.
        """
        self.deployer.config = attrs.evolve(self.deployer.config, path=None)
        self.fixture.app("c")
        self.successResultOf(self.deployer.addApp({"name": "c", "path": "c"}))
        self.assertEqual(self.fixture.read(), self.document)
        self.assertEqual(self.successResultOf(self.deployer.reload()).unchanged, ("a", "b", "c"))

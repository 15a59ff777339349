"""
Tests for L{nano.workeradmin}: the supervisor's admin site over in-memory HTTP
(L{treq.testing.StubTreq}), its workers being real L{nano.admin.AdminSite}s with
real deployers on fake isolates, reached through an in-memory worker client.
"""

import json
import signal

from treq.testing import StubTreq
from twisted.internet.defer import fail, succeed
from twisted.internet.error import ConnectionRefusedError
from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

from nano.admin import AdminSite, MetricsResource
from nano.deploy import Deployer
from nano.metrics import Metrics
from nano.registry import AppRegistry
from nano.test.lifecycle import Fixture
from nano.workeradmin import SupervisorAdminSite, WorkerReply

_URL = "http://admin.test"


class _Worker:
    """
    One worker's admin site, as its private socket would serve it.
    """

    def __init__(self, fixture, clock):
        self.deployer = Deployer(clock, fixture.load(), AppRegistry(), fixture.factory(clock), fixture.base,
                                 environ={})
        self.metrics = Metrics()
        self.site = AdminSite(self.deployer, lambda: False, None, MetricsResource(self.metrics))
        self.http = StubTreq(self.site.resource)
        self.received = []


class _Slot:
    def __init__(self, index):
        self.index = index
        self.running = True
        self.restarts = 0


class _Supervisor:
    """
    The supervisor as the admin site sees it; SIGHUP reloads a worker as the
    real worker's handler does.
    """

    def __init__(self, workers):
        self.workers = workers
        self.slots = [_Slot(i) for i in range(len(workers))]
        self.draining = False
        self.signalled = []

    @property
    def count(self):
        return len(self.slots)

    def signalWorkers(self, number, exclude=()):
        for slot in self.slots:
            if slot.index not in exclude and slot.running:
                self.signalled.append((slot.index, number))
                if number == signal.SIGHUP:
                    self.workers[slot.index].deployer.reload()


class _Client:
    """
    L{nano.workeradmin.WorkerClient} in memory: requests go to the workers'
    sites through StubTreq.
    """

    def __init__(self, workers):
        self.workers = workers
        self.unreachable = set()

    def request(self, index, method, path, headers=(), body=None, timeout=5.0):
        if index in self.unreachable:
            return fail(ConnectionRefusedError("worker-%d.sock" % (index,)))
        worker = self.workers[index]
        worker.received.append((method, path, dict(headers), body))
        raw = {}
        for name, value in headers:
            raw.setdefault(name, []).append(value)
        d = worker.http.request(method.decode(), "http://worker-%d%s" % (index, path.decode()), headers=raw,
                                data=body)
        worker.http.flush()
        response = self.successResultOf(d)
        content = self.successResultOf(worker.http.content(response))
        return succeed(WorkerReply(response.code, response.headers, content))


class _Base(SynchronousTestCase):
    token = "t0ken"
    configFile = True

    def setUp(self):
        self.fixture = Fixture(self.mktemp())
        self.clock = Clock()
        for name in ("a", "b", "c"):
            self.fixture.app(name)
        self.fixture.write({"apps": [{"name": "a", "hostnames": ["a.test"], "path": "a"},
                                     {"name": "b", "hostnames": ["b.test"], "path": "b"}]})
        self.workers = [_Worker(self.fixture, self.clock) for _ in range(2)]
        for worker in self.workers:
            self.successResultOf(worker.deployer.start())
        self.supervisor = _Supervisor(self.workers)
        self.client = _Client(self.workers)
        self.client.successResultOf = self.successResultOf
        self.site = SupervisorAdminSite(self.supervisor, self.client, token=self.token,
                                        canChangeApps=self.configFile)
        self.http = StubTreq(self.site.resource)

    def call(self, method, path, body=None, token=None):
        headers = {b"authorization": [b"Bearer " + token.encode()]} if token else {}
        data = json.dumps(body).encode() if body is not None else None
        if data is not None:
            headers[b"content-type"] = [b"application/json"]
        d = self.http.request(method, _URL + path, headers=headers, data=data)
        self.http.flush()
        response = self.successResultOf(d)
        content = self.successResultOf(self.http.content(response))
        kind = (response.headers.getRawHeaders(b"content-type") or [b""])[0]
        payload = json.loads(content) if kind.startswith(b"application/json") and content else content.decode()
        return response.code, response.headers, payload

    def appNames(self, worker):
        return sorted(app.name for app in self.workers[worker].deployer.apps())


class HealthTests(_Base):
    """
    /health, /healthz and /readyz.
    """

    def test_health(self):
        """
        ok while serving, 503 once the supervisor drains.
        """
        for path in ("/health", "/healthz"):
            self.assertEqual(self.call("GET", path)[::2], (200, {"status": "ok"}))
        self.supervisor.draining = True
        self.assertEqual(self.call("GET", "/healthz")[::2], (503, {"status": "draining"}))

    def test_readyWhenEveryWorkerIs(self):
        """
        Ready only when every worker runs and reports ready; otherwise each
        worker's state is shown.
        """
        self.assertEqual(self.call("GET", "/readyz")[::2], (200, {
            "status": "ready", "workers": {"0": {"status": "ready"}, "1": {"status": "ready"}}}))
        self.workers[1].deployer.get("b").state = "failed"
        status, _, payload = self.call("GET", "/readyz")
        self.assertEqual((status, payload["workers"]["1"]), (503, {"status": "not ready", "apps": {"b": "failed"}}))
        self.workers[1].deployer.get("b").state = "ready"
        self.supervisor.slots[0].running = False
        status, _, payload = self.call("GET", "/readyz")
        self.assertEqual((status, payload["workers"]["0"]), (503, {"status": "not running"}))
        self.supervisor.slots[0].running = True
        self.client.unreachable.add(1)
        status, _, payload = self.call("GET", "/readyz")
        self.assertEqual((status, payload["workers"]["1"]["status"]), (503, "not answering"))

    def test_notReadyWhileDraining(self):
        """
        Draining is not ready, without asking the workers.
        """
        self.supervisor.draining = True
        self.assertEqual(self.call("GET", "/readyz")[::2], (503, {"status": "draining"}))
        self.assertEqual(self.workers[0].received, [])

    def test_root(self):
        """
        Unknown paths are JSON 404s.
        """
        self.assertEqual(self.call("GET", "/")[0], 404)
        self.assertEqual(self.call("GET", "/nothing")[0], 404)


class MetricsTests(_Base):
    """
    /metrics.
    """

    def test_merged(self):
        """
        The workers' counters are summed; a worker that does not answer is
        reported down and left out.
        """
        for index, count in ((0, 2), (1, 5)):
            stats = self.workers[index].metrics.app("a")
            for _ in range(count):
                stats.requestStarted()
                stats.requestFinished(200, 0.01)
        status, headers, text = self.call("GET", "/metrics")
        self.assertEqual(status, 200)
        self.assertTrue(headers.getRawHeaders(b"content-type")[0].startswith(b"text/plain"))
        self.assertIn('nano_requests_total{app="a",code="200"} 7.0', text)
        self.assertIn('nano_worker_up{worker="1"} 1.0', text)
        self.client.unreachable.add(1)
        text = self.call("GET", "/metrics")[2]
        self.assertIn('nano_requests_total{app="a",code="200"} 2.0', text)
        self.assertIn('nano_worker_up{worker="1"} 0.0', text)

    def test_noToken(self):
        """
        Metrics need no token, as in one process.
        """
        self.assertEqual(self.call("GET", "/metrics")[0], 200)


class ForwardTests(_Base):
    """
    /admin/* goes to worker 0; the others follow by reloading.
    """

    def test_token(self):
        """
        The token is checked by the supervisor and not passed on.
        """
        self.assertEqual(self.call("GET", "/admin/apps")[0], 401)
        self.assertEqual(self.call("GET", "/admin/apps", token="wrong")[0], 401)
        self.assertEqual(self.workers[0].received, [])
        status, _, payload = self.call("GET", "/admin/apps", token=self.token)
        self.assertEqual((status, [app["name"] for app in payload["apps"]]), (200, ["a", "b"]))
        method, path, headers, body = self.workers[0].received[0]
        self.assertEqual((method, path, body), (b"GET", b"/admin/apps", None))
        self.assertNotIn(b"authorization", headers)
        self.assertEqual(self.workers[1].received, [])

    def test_addConverges(self):
        """
        Adding an app: worker 0 applies and saves it, answers 201 with Location,
        and after the answer every other worker was told to reload and has it.
        """
        status, headers, payload = self.call("POST", "/admin/apps", {"name": "c", "path": "c"}, token=self.token)
        self.assertEqual((status, payload["name"]), (201, "c"))
        self.assertEqual(headers.getRawHeaders(b"location"), [b"/admin/apps/c"])
        self.assertEqual(self.supervisor.signalled, [(1, signal.SIGHUP)])
        self.assertEqual(self.appNames(0), ["a", "b", "c"])
        self.assertEqual(self.appNames(1), ["a", "b", "c"])
        self.assertEqual([app["name"] for app in self.fixture.read()["apps"]], ["a", "b", "c"])

    def test_removeConverges(self):
        """
        Removing an app reaches every worker the same way.
        """
        self.assertEqual(self.call("DELETE", "/admin/apps/b", token=self.token)[0], 202)
        self.assertEqual(self.appNames(0), ["a"])
        self.assertEqual(self.appNames(1), ["a"])

    def test_failedChangeNotSpread(self):
        """
        A change worker 0 refuses is answered as it answered, and the other
        workers are not disturbed.
        """
        status, _, payload = self.call("POST", "/admin/apps", {"name": "a", "path": "a"}, token=self.token)
        self.assertEqual((status, payload["error"]), (409, "app exists"))
        status, _, payload = self.call("PUT", "/admin/apps/zzz", {"path": "a"}, token=self.token)
        self.assertEqual(status, 404)
        self.assertEqual(self.supervisor.signalled, [])

    def test_reload(self):
        """
        POST /admin/reload reloads worker 0 (its answer is relayed) and every
        other worker.
        """
        self.fixture.write({"apps": [{"name": "a", "hostnames": ["a.test"], "path": "a"}]})
        status, _, payload = self.call("POST", "/admin/reload", token=self.token)
        self.assertEqual((status, payload["removed"]), (200, ["b"]))
        self.assertEqual(self.supervisor.signalled, [(1, signal.SIGHUP)])
        self.assertEqual(self.appNames(1), ["a"])

    def test_workerZeroDown(self):
        """
        While worker 0 restarts, the API answers 503 with Retry-After; if it
        cannot be reached, 502.
        """
        self.supervisor.slots[0].running = False
        status, headers, payload = self.call("GET", "/admin/apps", token=self.token)
        self.assertEqual((status, payload["error"]), (503, "worker 0 is not running"))
        self.assertEqual(headers.getRawHeaders(b"retry-after"), [b"1"])
        self.supervisor.slots[0].running = True
        self.client.unreachable.add(0)
        status, _, payload = self.call("GET", "/admin/apps", token=self.token)
        self.assertEqual((status, payload["error"]), (502, "worker 0 did not answer"))
        self.flushLoggedErrors(ConnectionRefusedError)

    def test_unknownAdminPath(self):
        """
        Paths the API does not have are 404 here, not forwarded.
        """
        self.assertEqual(self.call("GET", "/admin/nothing", token=self.token)[0], 404)
        self.assertEqual(self.workers[0].received, [])


class SingleAppTests(_Base):
    """
    Without a config file, app changes cannot reach the other workers.
    """

    configFile = False
    token = None

    def test_changesRefused(self):
        """
        Adding, replacing and removing apps answer 409; reading and reloading
        still work.
        """
        for method, path in (("POST", "/admin/apps"), ("PUT", "/admin/apps/a"), ("DELETE", "/admin/apps/a")):
            status, _, payload = self.call(method, path, {"name": "x", "path": "c"})
            self.assertEqual((status, payload["error"]), (409, "the apps cannot be changed here"))
        self.assertEqual(self.call("GET", "/admin/apps")[0], 200)
        self.assertEqual(self.call("POST", "/admin/reload")[0], 200)
        self.assertEqual(self.appNames(0), ["a", "b"])

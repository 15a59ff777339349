"""
The supervisor's admin listener in multi-worker mode (SPEC §5, §10).

Each worker serves the ordinary admin site (L{nano.admin.AdminSite}, no token) on
a private unix socket in the supervisor's runtime directory (mode 0700); the
supervisor serves the public admin listener and answers from its workers:

    GET /health, /healthz   200 while serving; 503 once the supervisor drains
    GET /readyz             200 only when every worker runs and answers its own
                            /readyz with 200; else 503 with each worker's state
    GET /metrics            every worker's metrics merged (L{nano.metricsmerge})
    /admin/*                checked against the token here, then forwarded to
                            worker 0

Worker 0 applies an admin change and writes it to the config file; after a
change that succeeded (and after any C{POST /admin/reload}) the supervisor sends
SIGHUP to the other workers, which reload the file and so converge on worker 0's
state. In single-app mode (C{--app}) there is no file to carry a change, so
adding, replacing and removing apps through the API is refused (409).
"""

import json
import signal
from io import BytesIO

from twisted.internet.defer import gatherResults, succeed
from twisted.internet.endpoints import UNIXClientEndpoint
from twisted.logger import Logger
from twisted.web.client import Agent, FileBodyProducer, HTTPConnectionPool, _HTTP11ClientFactory, readBody
from twisted.web.http_headers import Headers
from twisted.web.iweb import IAgentEndpointFactory
from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET, Site
from zope.interface import implementer

from nano.admin import HealthResource, JSONResource, TokenGuard, errorJSON, respondJSON
from nano.metricsmerge import mergeExpositions, render, supervisorFamilies

__all__ = ["SupervisorAdminSite", "WorkerClient", "WorkerReply"]

_MAX_BODY = 1024 * 1024
_FORWARDED_HEADERS = (b"content-type", b"location", b"retry-after", b"www-authenticate", b"allow")


class WorkerReply:
    """
    A worker admin response: C{status}, C{headers} (a L{Headers}) and C{body}
    (bytes).
    """

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        """
        The body parsed as JSON, or None when it is not JSON.
        """
        try:
            return json.loads(self.body)
        except ValueError:
            return None


class _QuietFactory(_HTTP11ClientFactory):
    """
    Scrapes come every few seconds: no "Starting factory" log line for each.
    """

    noisy = False


@implementer(IAgentEndpointFactory)
class _WorkerSockets:
    """
    Maps C{http://worker-N/...} to worker N's admin socket.
    """

    def __init__(self, reactor, pathFor, timeout):
        self._reactor = reactor
        self._pathFor = pathFor
        self._timeout = timeout

    def endpointForURI(self, uri):
        index = int(uri.host.decode("ascii").rpartition("-")[2])
        return UNIXClientEndpoint(self._reactor, self._pathFor(index), timeout=self._timeout)


class WorkerClient:
    """
    HTTP requests to the workers' private admin sockets.
    """

    def __init__(self, reactor, pathFor, connectTimeout=5):
        """
        @param pathFor: C{pathFor(index)} is worker C{index}'s admin socket path.
        """
        self._reactor = reactor
        pool = HTTPConnectionPool(reactor, persistent=False)
        pool._factory = _QuietFactory
        self._agent = Agent.usingEndpointFactory(reactor, _WorkerSockets(reactor, pathFor, connectTimeout), pool)

    def request(self, index, method, path, headers=(), body=None, timeout=5.0):
        """
        Send one request to worker C{index}.

        @param path: the path and query (bytes).
        @param headers: C{[(name, value), ...]} (bytes).
        @return: a Deferred firing with a L{WorkerReply}, or failing (the worker
            cannot be reached, or did not answer in C{timeout} seconds).
        """
        producer = FileBodyProducer(BytesIO(body)) if body is not None else None
        raw = Headers()
        for name, value in headers:
            raw.addRawHeader(name, value)
        d = self._agent.request(method, b"http://worker-%d%s" % (index, path), raw, producer)
        d.addCallback(lambda response: readBody(response).addCallback(
            lambda data: WorkerReply(response.code, response.headers, data)))
        return d.addTimeout(timeout, self._reactor)


class _AllReady(JSONResource):
    """
    C{/readyz}: every worker ready.
    """

    isLeaf = True

    def __init__(self, supervisor, client):
        Resource.__init__(self)
        self._supervisor = supervisor
        self._client = client

    def _state(self, slot):
        if not slot.running:
            return succeed({"status": "not running"})
        d = self._client.request(slot.index, b"GET", b"/readyz")
        d.addCallback(lambda reply: reply.json() if isinstance(reply.json(), dict) else {
            "status": "unexpected answer (HTTP %d)" % (reply.status,)})
        d.addErrback(lambda f: {"status": "not answering", "error": f.getErrorMessage()})
        return d

    def render_GET(self, request):
        if self._supervisor.draining:
            respondJSON(request, 503, {"status": "draining"})
            return NOT_DONE_YET

        def answer(states):
            workers = {str(slot.index): state for slot, state in zip(self._supervisor.slots, states)}
            if all(state.get("status") == "ready" for state in states):
                respondJSON(request, 200, {"status": "ready", "workers": workers})
            else:
                respondJSON(request, 503, {"status": "not ready", "workers": workers})

        d = gatherResults([self._state(slot) for slot in self._supervisor.slots])
        d.addCallback(answer)
        d.addErrback(lambda f: self._log.failure("admin: /readyz failed", f))
        return NOT_DONE_YET


def _parses(text):
    """
    Whether C{text} is a valid exposition (a worker answering something else is
    left out, as if it had not answered).
    """
    try:
        mergeExpositions([(0, text)])
    except ValueError:
        return False
    return True


class _MergedMetrics(Resource):
    """
    C{/metrics}: the workers' metrics merged.
    """

    isLeaf = True
    _log = Logger()

    def __init__(self, supervisor, client):
        Resource.__init__(self)
        self._supervisor = supervisor
        self._client = client

    def _scrape(self, slot):
        if not slot.running:
            return succeed(None)
        d = self._client.request(slot.index, b"GET", b"/metrics")
        d.addCallback(lambda reply: reply.body.decode("utf-8") if reply.status == 200 else None)
        d.addErrback(lambda f: None)
        return d

    def render_GET(self, request):
        from prometheus_client import CONTENT_TYPE_LATEST

        slots = self._supervisor.slots

        def answer(texts):
            texts = [text if text is not None and _parses(text) else None for text in texts]
            scrapes = [(slot.index, text) for slot, text in zip(slots, texts) if text is not None]
            own = supervisorFamilies(
                [(slot.index, text is not None, slot.restarts) for slot, text in zip(slots, texts)],
                self._supervisor.count)
            body = render(mergeExpositions(scrapes, own))
            if not request.finished and not getattr(request, "_disconnected", False):
                request.setHeader(b"content-type", CONTENT_TYPE_LATEST.encode("ascii"))
                request.write(body)
                request.finish()

        def failed(failure):
            self._log.failure("admin: /metrics failed", failure)
            errorJSON(request, 500, "internal error", [failure.getErrorMessage()])

        d = gatherResults([self._scrape(slot) for slot in slots])
        d.addCallback(answer)
        d.addErrback(failed)
        return NOT_DONE_YET


class _ToWorkerZero(Resource):
    """
    C{/admin/apps...} and C{/admin/reload}: forwarded to worker 0; the other
    workers reload after a change.
    """

    isLeaf = True
    _log = Logger()

    def __init__(self, supervisor, client, canChangeApps, timeout=120.0):
        Resource.__init__(self)
        self._supervisor = supervisor
        self._client = client
        self._canChangeApps = canChangeApps
        self._timeout = timeout

    def render(self, request):
        method = request.method
        changesApps = method in (b"POST", b"PUT", b"DELETE") and request.path.startswith(b"/admin/apps")
        reload = request.path.rstrip(b"/") == b"/admin/reload"
        if changesApps and not self._canChangeApps:
            errorJSON(request, 409, "the apps cannot be changed here", [
                "with several workers, app changes go through the config file; "
                "single-app mode (--app) has none"])
            return NOT_DONE_YET
        if not self._supervisor.slots[0].running:
            errorJSON(request, 503, "worker 0 is not running", ["it is restarting; retry shortly"],
                      [(b"retry-after", b"1")])
            return NOT_DONE_YET
        request.content.seek(0)
        body = request.content.read(_MAX_BODY + 1)
        headers = [(b"content-type", value) for value in request.requestHeaders.getRawHeaders(b"content-type", [])]
        d = self._client.request(0, method, request.uri, headers,
                                 body if method not in (b"GET", b"HEAD") else None, timeout=self._timeout)

        def relay(reply):
            if (changesApps and reply.status < 300) or (reload and reply.status in (200, 422)):
                self._log.info("admin: worker 0 applied {method} {path}; reloading the other workers",
                               method=method.decode("latin-1"), path=request.path.decode("latin-1"))
                self._supervisor.signalWorkers(signal.SIGHUP, exclude=(0,))
            if request.finished or getattr(request, "_disconnected", False):
                return
            request.setResponseCode(reply.status)
            for name in _FORWARDED_HEADERS:
                values = reply.headers.getRawHeaders(name)
                if values:
                    request.responseHeaders.setRawHeaders(name, values)
            request.responseHeaders.setRawHeaders(b"cache-control", [b"no-store"])
            request.responseHeaders.setRawHeaders(b"content-length", [b"%d" % (len(reply.body),)])
            request.write(reply.body)
            request.finish()

        def failed(failure):
            self._log.failure("admin: forwarding to worker 0 failed", failure)
            errorJSON(request, 502, "worker 0 did not answer", [failure.getErrorMessage()])

        d.addCallbacks(relay, failed)
        d.addErrback(lambda f: self._log.failure("admin: while answering", f))
        return NOT_DONE_YET


class _Root(JSONResource):
    def render(self, request):
        errorJSON(request, 404, "not found", ["no admin resource at %s" % (request.path.decode("latin-1"),)])
        return NOT_DONE_YET


class SupervisorAdminSite(Site):
    """
    The supervisor's admin site (see the module docstring).

    @param supervisor: the L{nano.workers.WorkerSupervisor} (its C{slots},
        C{draining}, C{count}, C{signalWorkers}).
    @param client: a L{WorkerClient} (or a fake with its C{request}).
    @param token: the bearer token for C{/admin/*}, or None.
    @param canChangeApps: False in single-app mode (see the module docstring).
    """

    def __init__(self, supervisor, client, token=None, canChangeApps=True, reactor=None):
        root = _Root()
        health = HealthResource(lambda: supervisor.draining)
        root.putChild(b"health", health)
        root.putChild(b"healthz", health)
        root.putChild(b"readyz", _AllReady(supervisor, client))
        root.putChild(b"metrics", _MergedMetrics(supervisor, client))
        forward = _ToWorkerZero(supervisor, client, canChangeApps)
        guard = TokenGuard(token)
        guard.putChild(b"apps", forward)
        guard.putChild(b"reload", forward)
        root.putChild(b"admin", guard)
        Site.__init__(self, root, reactor=reactor)
        self.noisy = False
        self.displayTracebacks = False

    def log(self, request):
        """
        No access log (as L{nano.admin.AdminSite}).
        """

"""
The admin listener (SPEC §5): health, readiness, metrics and the JSON admin API.

    GET  /                      the operator status page (HTML, L{nano.status});
                                needs the token like /admin/*
    GET  /health, /healthz      200 {"status": "ok"}; 503 {"status": "draining"}
                                once shutdown began
    GET  /readyz                200 only when every configured app is loaded
    GET  /metrics               the metrics resource given to L{AdminSite}
                                (L{MetricsResource}: Prometheus text)
    GET  /admin/apps            {"apps": [app, ...]}
    POST /admin/apps            add an app: 201, 400, 409, 422
    GET  /admin/apps/{name}     one app, or 404
    PUT  /admin/apps/{name}     replace an app: 200, 400, 404, 409, 422
    DELETE /admin/apps/{name}   202, the app drains then unloads; 404
    POST /admin/reload          200 {added, removed, changed, unchanged};
                                400 for an invalid config; 422 if apps failed

Bodies are JSON in and out; errors are C{{"error": ..., "details": [...]}}
written by L{nano.resources.errors}. With a token configured, every C{/admin/*}
request and the status page need C{Authorization: Bearer TOKEN} (compared in
constant time), else 401; the health, readiness and metrics paths need none.
"""

import datetime
import hmac
import json

import attrs
from twisted.logger import Logger
from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET, Site

from nano._configjson import loadDocument
from nano.config import ConfigError
from nano.changes import DeployError
from nano.resources.errors import writeJSONError
from nano.status import StatusPage, statusSnapshot

__all__ = [
    "AdminSite", "HealthResource", "JSONResource", "MetricsPlaceholder", "MetricsResource", "TokenGuard",
    "appInfo", "errorJSON", "respondJSON",
]

_MAX_BODY = 1024 * 1024


def _isoTime(seconds):
    if seconds is None:
        return None
    moment = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def appInfo(app):
    """
    The admin API's view of one app version (no env values: they may be secrets).
    C{isolate_starts} and C{last_reset} count every version of the app name.
    """
    config = app.config
    lastReset = app.stats.lastReset
    return {
        "name": app.name,
        "hostnames": list(config.hostnames),
        "path": config.path,
        "main": config.main,
        "state": app.state,
        "loaded_at": _isoTime(app.loadedAt),
        "load_error": app.loadError,
        "requests": app.requests,
        "errors": app.errors,
        "inflight": app.inflight,
        "heap_bytes": app.stats.heapBytes,
        "external_bytes": app.stats.externalBytes,
        "isolate_starts": sum(app.stats.starts.values()),
        "last_reset": None if lastReset is None else {"kind": lastReset[0], "at": _isoTime(lastReset[1])},
        "limits": attrs.asdict(config.limits),
        "env": sorted(config.env_spec),
    }


def _gone(request):
    return request.finished or getattr(request, "_disconnected", False)


def respondJSON(request, status, payload, extraHeaders=()):
    """
    Finish C{request} with C{payload} as JSON (unless the client is gone).
    """
    if _gone(request):
        return
    body = json.dumps(payload, indent=2, sort_keys=True).encode("utf-8") + b"\n"
    request.setResponseCode(status)
    request.responseHeaders.setRawHeaders(b"content-type", [b"application/json"])
    request.responseHeaders.setRawHeaders(b"content-length", [b"%d" % (len(body),)])
    request.responseHeaders.setRawHeaders(b"cache-control", [b"no-store"])
    for name, value in extraHeaders:
        request.responseHeaders.setRawHeaders(name, [value])
    request.write(body)
    request.finish()


def errorJSON(request, status, error, details=(), extraHeaders=()):
    """
    Finish C{request} with the JSON error C{{"error": error, "details": [...]}}
    (unless the client is gone).
    """
    if _gone(request):
        return
    writeJSONError(request, status, {"error": error, "details": list(details)}, extraHeaders)


class JSONResource(Resource):
    """
    A resource answering with JSON: methods without a C{render_METHOD} get a JSON
    405 with C{Allow}; unknown children a JSON 404.
    """

    _log = Logger()

    def render(self, request):
        method = request.method.decode("latin-1")
        allowed = sorted(name[len("render_"):] for name in dir(self)
                         if name.startswith("render_") and name != "render_HEAD")
        if "GET" in allowed:
            allowed.append("HEAD")
        handler = getattr(self, "render_" + ("GET" if method == "HEAD" else method), None)
        if method not in allowed or handler is None:
            errorJSON(request, 405, "method not allowed", ["%s is not allowed here; allowed: %s" % (
                method, ", ".join(allowed))], [(b"allow", ", ".join(allowed).encode("ascii"))])
            return NOT_DONE_YET
        return handler(request)

    def getChild(self, path, request):
        return _NotFound()

    def _async(self, request, d, onSuccess):
        """
        Answer C{request} once C{d} fires: C{onSuccess(result)} gives
        C{(status, payload)}; a L{DeployError} becomes its error response.
        """
        def succeeded(result):
            status, payload, *headers = onSuccess(result)
            respondJSON(request, status, payload, headers[0] if headers else ())

        def failed(failure):
            if failure.check(DeployError):
                e = failure.value
                errorJSON(request, e.status, e.error, e.details)
            else:
                self._log.failure("admin: {method} {path} failed", failure,
                                  method=request.method.decode("latin-1"), path=request.uri.decode("latin-1"))
                errorJSON(request, 500, "internal error", [failure.getErrorMessage()])

        d.addCallbacks(succeeded, failed)
        d.addErrback(lambda f: self._log.failure("admin: while answering", f))
        return NOT_DONE_YET


class _Root(JSONResource):
    def render(self, request):
        return _NotFound().render(request)


class _GuardedStatus(JSONResource):
    """
    C{/}: the status page, behind the token (see L{_Guard}).
    """

    isLeaf = True

    def __init__(self, guard, page):
        Resource.__init__(self)
        self._guard = guard
        self._page = page

    def render(self, request):
        refusal = self._guard.refusal(request)
        if refusal is not None:
            return _Unauthorized(refusal).render(request)
        if request.postpath:
            return _NotFound().render(request)
        return JSONResource.render(self, request)

    def render_GET(self, request):
        return self._page.render_GET(request)


class _NotFound(JSONResource):
    isLeaf = True

    def render(self, request):
        errorJSON(request, 404, "not found", ["no admin resource at %s" % (request.path.decode("latin-1"),)])
        return NOT_DONE_YET


def _readBody(request):
    """
    The request body parsed as JSON (objects keep duplicate keys so that they can
    be reported).

    @raise DeployError: 413 for a body over 1 MiB, 400 for malformed JSON.
    """
    content = request.content
    content.seek(0)
    data = content.read(_MAX_BODY + 1)
    if len(data) > _MAX_BODY:
        raise DeployError(413, "request body too large", ["at most %d bytes" % (_MAX_BODY,)])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise DeployError(400, "malformed JSON", ["not UTF-8 (byte %d)" % (e.start,)])
    try:
        return loadDocument(text, "body")
    except ConfigError as e:
        raise DeployError(400, "malformed JSON", [
            "%s: %s" % (p.jsonPath, p.message) if p.jsonPath else p.message for p in e.problems])


class HealthResource(JSONResource):
    """
    C{/health}: 200 C{{"status": "ok"}}, 503 C{{"status": "draining"}} once
    C{isDraining()} is true.
    """

    isLeaf = True

    def __init__(self, isDraining):
        Resource.__init__(self)
        self._isDraining = isDraining

    def render_GET(self, request):
        if self._isDraining():
            respondJSON(request, 503, {"status": "draining"})
        else:
            respondJSON(request, 200, {"status": "ok"})
        return NOT_DONE_YET


class _Ready(JSONResource):
    isLeaf = True

    def __init__(self, deployer, isDraining):
        Resource.__init__(self)
        self._deployer = deployer
        self._isDraining = isDraining

    def render_GET(self, request):
        if self._isDraining():
            respondJSON(request, 503, {"status": "draining"})
        elif self._deployer.ready():
            respondJSON(request, 200, {"status": "ready"})
        else:
            waiting = {app.name: app.state for app in self._deployer.apps() if app.state != "ready"}
            respondJSON(request, 503, {"status": "not ready", "apps": waiting})
        return NOT_DONE_YET


class MetricsResource(Resource):
    """
    C{/metrics}: the Prometheus text exposition of a L{nano.metrics.Metrics}.
    """

    isLeaf = True

    def __init__(self, metrics):
        Resource.__init__(self)
        self._metrics = metrics

    def render_GET(self, request):
        from prometheus_client import CONTENT_TYPE_LATEST

        request.setHeader(b"content-type", CONTENT_TYPE_LATEST.encode("ascii"))
        return self._metrics.exposition()


class MetricsPlaceholder(Resource):
    """
    C{/metrics} until the Prometheus collectors exist: a plain-text comment.
    """

    isLeaf = True

    def render_GET(self, request):
        request.setHeader(b"content-type", b"text/plain; version=0.0.4; charset=utf-8")
        return b"# nano: metrics are not collected yet\n"


class TokenGuard(JSONResource):
    """
    C{/admin}: checks the bearer token before handing over to its children.
    """

    def __init__(self, token):
        Resource.__init__(self)
        self._token = token.encode("utf-8") if token else None

    def refusal(self, request):
        """
        Why C{request} may not pass (a missing or wrong token), or None.
        """
        if self._token is None:
            return None
        header = request.getHeader(b"authorization")
        if header is None:
            return "missing Authorization: Bearer token"
        scheme, _, given = header.partition(b" ")
        if scheme.lower() != b"bearer" or not hmac.compare_digest(given.strip(), self._token):
            return "wrong token"
        return None

    def getChildWithDefault(self, path, request):
        refusal = self.refusal(request)
        if refusal is not None:
            return _Unauthorized(refusal)
        return Resource.getChildWithDefault(self, path, request)

    def render(self, request):
        refusal = self.refusal(request)
        if refusal is not None:
            return _Unauthorized(refusal).render(request)
        return _NotFound().render(request)


class _Unauthorized(JSONResource):
    isLeaf = True

    def __init__(self, reason):
        Resource.__init__(self)
        self._reason = reason

    def render(self, request):
        errorJSON(request, 401, "unauthorized", [self._reason], [(b"www-authenticate", b'Bearer realm="nano"')])
        return NOT_DONE_YET


class _Apps(JSONResource):
    """
    C{/admin/apps}: the list, and adding an app.
    """

    def __init__(self, deployer):
        Resource.__init__(self)
        self._deployer = deployer

    def getChild(self, path, request):
        if path == b"":
            return self
        return _App(self._deployer, path.decode("utf-8", "replace"))

    def render_GET(self, request):
        respondJSON(request, 200, {"apps": [appInfo(app) for app in self._deployer.apps()]})
        return NOT_DONE_YET

    def render_POST(self, request):
        try:
            body = _readBody(request)
        except DeployError as e:
            errorJSON(request, e.status, e.error, e.details)
            return NOT_DONE_YET
        return self._async(request, self._deployer.addApp(body), lambda app: (
            201, appInfo(app), [(b"location", b"/admin/apps/" + app.name.encode("ascii"))]))


class _App(JSONResource):
    """
    C{/admin/apps/{name}}.
    """

    isLeaf = True

    def __init__(self, deployer, name):
        Resource.__init__(self)
        self._deployer = deployer
        self._name = name

    def render(self, request):
        if request.postpath and request.postpath != [b""]:
            return _NotFound().render(request)
        return JSONResource.render(self, request)

    def render_GET(self, request):
        app = self._deployer.get(self._name)
        if app is None:
            errorJSON(request, 404, "no such app", ['no app named "%s"' % (self._name,)])
        else:
            respondJSON(request, 200, appInfo(app))
        return NOT_DONE_YET

    def render_PUT(self, request):
        try:
            body = _readBody(request)
        except DeployError as e:
            errorJSON(request, e.status, e.error, e.details)
            return NOT_DONE_YET
        return self._async(request, self._deployer.replaceApp(self._name, body), lambda app: (200, appInfo(app)))

    def render_DELETE(self, request):
        return self._async(request, self._deployer.removeApp(self._name), lambda app: (202, appInfo(app)))


class _Reload(JSONResource):
    isLeaf = True

    def __init__(self, deployer):
        Resource.__init__(self)
        self._deployer = deployer

    def render_POST(self, request):
        def answer(result):
            payload = result.toJSON()
            if result.failed:
                payload["error"] = "%d app(s) failed to load" % (len(result.failed),)
                payload["details"] = ["app %s: %s" % pair for pair in result.failed]
                return 422, payload
            return 200, payload

        return self._async(request, self._deployer.reload(), answer)


class AdminSite(Site):
    """
    The admin listener's site.

    @param deployer: the L{nano.deploy.Deployer} (apps, changes).
    @param isDraining: a callable, true once shutdown began.
    @param token: the bearer token for C{/admin/*}, or None.
    @param metrics: the resource served at C{/metrics} (a placeholder when None).
    @param reactor: the reactor (Twisted's global one when None); the status page
        reads the time from it.

    @ivar startedAt: when the site was created (the status page's uptime counts
        from there).
    """

    def __init__(self, deployer, isDraining, token=None, metrics=None, reactor=None):
        root = _Root()
        guard = TokenGuard(token)

        def snapshot():
            return statusSnapshot(deployer.apps(), isDraining(), self.reactor.seconds(), self.startedAt)

        root.putChild(b"", _GuardedStatus(guard, StatusPage(snapshot)))
        health = HealthResource(isDraining)
        root.putChild(b"health", health)
        root.putChild(b"healthz", health)
        root.putChild(b"readyz", _Ready(deployer, isDraining))
        root.putChild(b"metrics", metrics if metrics is not None else MetricsPlaceholder())
        guard.putChild(b"apps", _Apps(deployer))
        guard.putChild(b"reload", _Reload(deployer))
        root.putChild(b"admin", guard)
        Site.__init__(self, root, reactor=reactor)
        self.startedAt = self.reactor.seconds()
        self.noisy = False
        self.displayTracebacks = False

    def log(self, request):
        """
        No access log: health checks come every few seconds; changes are logged
        by the deployer.
        """

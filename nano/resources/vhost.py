"""
The host router: the root resource of the main listener. It picks the app from the
Host header and hands the whole request (path untouched) to that app's leaf; there
are no reserved paths. Unknown hosts get a 404 JSON error.
"""

from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET

from nano.registry import normalizeHost
from nano.resources.app import AppResource
from nano.resources.errors import writeJSONError

__all__ = ["HostRouter"]


class _NoApp(Resource):
    """
    The 404 for a Host that no app serves.
    """

    isLeaf = True

    def render(self, request):
        host = normalizeHost(request.getHeader(b"host"))
        writeJSONError(request, 404, {"error": "no app for host", "host": host})
        return NOT_DONE_YET


class HostRouter(Resource):
    """
    Route by Host header to an L{AppResource}.
    """

    def __init__(self, registry, reactor, dev=False, metrics=None, accessLog=True):
        Resource.__init__(self)
        self._registry = registry
        self._reactor = reactor
        self._dev = dev
        self._metrics = metrics
        self._accessLog = accessLog
        self._leaves = {}

    def appFor(self, request):
        """
        The app serving C{request}'s Host, or None.
        """
        return self._registry.match(request.getHeader(b"host"))

    def _appOf(self, request):
        """
        The app found for C{request} when its headers arrived (by L{NanoRequest}),
        else a fresh lookup. A request routed to a version that has started
        draining since (its body was still arriving when a reload replaced the app)
        is routed again, so that it reaches the new version.
        """
        app = getattr(request, "nanoApp", None)
        if app is None or app.state == "draining":
            return self.appFor(request)
        return app

    def getChild(self, path, request):
        return self.leafFor(request)

    def render(self, request):
        return self.leafFor(request).render(request)

    def statsFor(self, app):
        """
        The L{nano.metrics.AppStats} of C{app}.
        """
        return self._leaf(app).stats

    def leafFor(self, request):
        """
        The leaf resource that answers C{request}: its app's L{AppResource}, or the
        unknown-host 404.
        """
        app = self._appOf(request)
        if app is None:
            return _NoApp()
        return self._leaf(app)

    def _leaf(self, app):
        leaf = self._leaves.get(app.name)
        if leaf is None or leaf.app is not app:
            leaf = AppResource(app, self._reactor, dev=self._dev, metrics=self._metrics, accessLog=self._accessLog)
            self._leaves[app.name] = leaf
        return leaf

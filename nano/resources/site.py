"""
The main listener's C{Site} and C{Request}: a request whose body is over the app's
C{max_body_mb} is refused with 413 as soon as that is known (from Content-Length, or
while a chunked body arrives), without reading the rest, and the connection closes.
"""

from twisted.logger import Logger
from twisted.web.server import Request, Site

from nano.resources.errors import rawErrorResponse

__all__ = ["NanoRequest", "NanoSite"]


class NanoRequest(Request):
    """
    A request that enforces its app's body limit while the body arrives.
    """

    _log = Logger()
    _bodyLimit = None
    _received = 0
    _refused = False
    nanoApp = None
    nanoState = None

    def gotLength(self, length):
        router = getattr(self.channel.site, "router", None)
        app = router.appFor(self) if router is not None else None
        self.nanoApp = app
        if app is not None:
            self._bodyLimit = app.config.limits.max_body_mb * 1024 * 1024
            self._appName = app.name
            if length is not None and length > self._bodyLimit:
                self._refuse()
                return
        Request.gotLength(self, length)

    def handleContentChunk(self, data):
        if self._refused:
            return
        self._received += len(data)
        if self._bodyLimit is not None and self._received > self._bodyLimit:
            self._refuse()
            return
        Request.handleContentChunk(self, data)

    def _refuse(self):
        self._refused = True
        self._log.info(
            "app {app}: request body over {limit} bytes refused with 413",
            app=self._appName, limit=self._bodyLimit,
        )
        transport = self.channel.transport
        transport.write(
            rawErrorResponse(413, b"Payload Too Large", {
                "error": "request body too large", "limit_bytes": self._bodyLimit,
            })
        )
        self.channel.loseConnection()

    def connectionLost(self, reason):
        """
        Tell the app leaf (if it is still answering) that the client went away.
        """
        state = self.nanoState
        Request.connectionLost(self, reason)
        if state is not None and not self.finished:
            state.clientGone()

    def requestReceived(self, command, path, version):
        if self._refused:
            return
        Request.requestReceived(self, command, path, version)


class NanoSite(Site):
    """
    The main listener's site: the root is the L{nano.resources.vhost.HostRouter}.
    """

    requestFactory = NanoRequest

    def __init__(self, router, reactor=None):
        Site.__init__(self, router, reactor=reactor)
        self.router = router
        self.noisy = False

    def log(self, request):
        """
        Access logging is done per request by the app leaf (with the app name).
        """

"""
Streamed response bodies: a JS C{ReadableStream}'s chunks written to a twisted.web
request, with backpressure.

L{BodyProducer} is the C{IPushProducer} registered on the request. JS may read from
its stream only as many bytes as Python granted (credit, see C{79_body_pump.js});
Python grants a window at the start and then, for every chunk written, as many bytes
as it wrote, but only while the transport is producing. When the transport pauses
(its buffer is full: a slow client), grants stop, so JS stops reading, the stream's
queue fills, C{desiredSize} falls and the source's C{pull()} is no longer called;
when it resumes, the withheld credit is granted at once. What NANO holds per streamed
response is thus bounded by the window plus the transport's buffer.

L{CreditProducer} is that flow control alone; request bodies streamed by C{fetch()}
(L{nano.fetch.upload}) use it too.
"""

from twisted.internet.interfaces import IPushProducer
from twisted.logger import Logger
from zope.interface import implementer

__all__ = ["BodyProducer", "CreditProducer", "WINDOW"]

# Bytes JS may read ahead of what the transport accepted.
WINDOW = 1024 * 1024


class CreditProducer:
    """
    Credit for a JS stream whose chunks go to a transport: bytes are granted to JS
    (C{_grant(nbytes)}, defined by the subclass) while the transport is producing,
    and owed while it is paused; resuming grants what is owed at once.

    @ivar state: C{"producing"}, C{"paused"}, C{"done"}, or a state of the
        subclass before it produces.
    """

    def __init__(self, window, state="producing"):
        self._window = window
        self._owed = 0
        self.state = state

    def _grant(self, nbytes):
        raise NotImplementedError()

    def _credit(self, nbytes):
        """
        Give JS C{nbytes} more: now while producing, else when the transport resumes.
        """
        if self.state == "producing":
            self._grant(nbytes)
        else:
            self._owed += nbytes

    def _resumed(self):
        """
        Called when the transport resumes, before the owed credit is granted.
        """

    def pauseProducing(self):
        if self.state == "producing":
            self.state = "paused"

    def resumeProducing(self):
        if self.state == "paused":
            self.state = "producing"
            self._resumed()
            owed, self._owed = self._owed, 0
            if owed:
                self._grant(owed)


@implementer(IPushProducer)
class BodyProducer(CreditProducer):
    """
    Feeds one request from a JS stream.

    @ivar state: C{"producing"}, C{"paused"} or C{"done"}.
    @ivar written: body bytes written so far.
    """

    _log = Logger()

    def __init__(self, request, grant, cancel, window=WINDOW):
        """
        @param request: the twisted.web request (headers already set).
        @param grant: C{grant(nbytes)} lets JS read that many more bytes.
        @param cancel: C{cancel()} tells JS to cancel its stream (called at most
            once, when the client goes away).
        """
        CreditProducer.__init__(self, window)
        self._request = request
        self._grant = grant
        self._cancel = cancel
        self.written = 0

    def start(self):
        """
        Send the headers, register with the request and grant the first window.
        """
        self._request.registerProducer(self, True)
        self._request.write(b"")
        self._credit(self._window)

    def write(self, data):
        """
        A chunk arrived from JS (C{bytes}, or a C{memoryview} valid only during this
        call): write it and, unless paused, give its bytes back as credit.
        """
        if self.state == "done":
            return
        writeChunk = getattr(self._request, "writeChunk", None)
        if writeChunk is not None:
            writeChunk(data)
        else:
            self._request.write(bytes(data))
        self.written += len(data)
        self._credit(len(data))

    def finish(self):
        """
        The stream ended: finish the response.
        """
        if self.state == "done":
            return
        self.state = "done"
        self._request.unregisterProducer()
        self._request.finish()

    def abort(self):
        """
        The stream failed: close the connection without finishing the body, so the
        client sees a truncated response, never a complete one.
        """
        if self.state == "done":
            return
        self.state = "done"
        request = self._request
        request.unregisterProducer()
        transport = request.channel.transport
        abort = getattr(transport, "abortConnection", None)
        if abort is not None:
            abort()
        else:
            transport.loseConnection()

    # -- IPushProducer (pause and resume: CreditProducer) ----------------------

    def stopProducing(self):
        """
        The connection is going away: cancel the JS stream (once).
        """
        if self.state == "done":
            return
        self.state = "done"
        self._cancel()

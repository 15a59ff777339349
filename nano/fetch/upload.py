"""
A request body streamed from JS to the server: the C{IBodyProducer} of a
C{fetch()} whose body is a C{ReadableStream}.

Flow control is credit, as for response bodies (L{nano.fetch.body}) but the other
way: JS reads a chunk from its stream only while it holds credit that Python
granted with a C{["fetch_body_pull", handle, nbytes]} message. L{UploadProducer}
grants a window when the connection is ready for the body (C{startProducing}) and
then, for every chunk it writes, as many bytes as the chunk had, but only while the
transport accepts data: when the transport pauses the producer (its buffer is
full: the server reads slowly), grants stop, so JS stops reading its stream, and
the withheld credit is granted when the transport resumes. What NANO holds per
upload is thus bounded by the window plus the transport's buffer.

JS sends the chunks with the C{fetch_body_write} host operation, the end with
C{fetch_body_close} and a failure of its stream with C{fetch_body_error} (see
L{nano.fetch.ops}); they reach L{write}, L{close} and L{fail}. A failed stream
fails the request (twisted aborts the connection, so the server never sees a
complete body). When the connection goes away before the body was sent
(C{stopProducing}), JS is told with C{["fetch_body_cancel", handle, message]} and
cancels its stream.

The body is sent with C{Transfer-Encoding: chunked}, unless the request had a
C{Content-Length} (a proxied request keeps its length): then that is the body's
length, and a stream that produces more or fewer bytes fails the request.
"""

from twisted.internet.defer import Deferred, fail
from twisted.logger import Logger
from twisted.web.iweb import UNKNOWN_LENGTH, IBodyProducer
from zope.interface import implementer

from nano.streams.producer import CreditProducer

__all__ = ["UploadFailed", "UploadProducer", "WINDOW"]

# Bytes JS may read from its stream ahead of what the transport accepted.
WINDOW = 256 * 1024


class UploadFailed(Exception):
    """
    The JS stream of a request body failed, or produced something else than bytes.
    """


@implementer(IBodyProducer)
class UploadProducer(CreditProducer):
    """
    One request body streaming from a JS stream.

    @ivar state: C{"waiting"} (the connection is not ready yet), C{"producing"},
        C{"paused"} (the transport is full), C{"done"} (ended, failed or stopped).
    @ivar written: bytes written to the connection so far.
    @ivar length: the body's length (from the request's C{Content-Length}), or
        C{UNKNOWN_LENGTH}.
    """

    _log = Logger()

    def __init__(self, handle, emit, length=None, window=WINDOW, onActivity=None, onDone=None):
        """
        @param handle: the fetch's id in JS (chosen by JS).
        @param emit: C{emit(message)} sends a message to the isolate.
        @param length: the body's length when the request declared it, else None.
        @param onActivity: called whenever the body makes progress (a chunk
            written, the transport resumed), for the fetcher's timeout.
        @param onDone: called once when the body ended, failed or was stopped.
        """
        CreditProducer.__init__(self, window, state="waiting")
        self._handle = handle
        self._emit = emit
        self.onActivity = onActivity
        self._onDone = onDone
        self._consumer = None
        self._finished = None
        self.written = 0
        self.length = UNKNOWN_LENGTH if length is None else length

    # -- IBodyProducer -----------------------------------------------------------

    def startProducing(self, consumer):
        """
        The request's headers are out: ask JS for the first window of the body.
        """
        self._consumer = consumer
        if self.state == "done":
            return fail(UploadFailed("fetch: the request body was abandoned before it was sent"))
        self._finished = Deferred(lambda _: self.cancel("fetch: the request was cancelled"))
        self.state = "producing"
        self._grant(self._window)
        return self._finished

    # pauseProducing and resumeProducing: CreditProducer.

    def stopProducing(self):
        """
        The connection is going away before the body was sent: tell JS to stop
        (once).
        """
        self.cancel("fetch: the connection closed before the request body was sent")

    def cancel(self, message):
        """
        The body is not wanted any more (the request failed or was answered
        before the body was sent): tell JS to cancel its stream with C{message}
        (once; nothing when the body is over already).
        """
        if self.state == "done":
            return
        self._finish()
        self._emit(["fetch_body_cancel", self._handle, message])

    # -- what JS sends -------------------------------------------------------------

    def write(self, data):
        """
        A chunk from JS: write it and, unless the transport is full, give its bytes
        back as credit.

        @return: False when the upload is over (the chunk was dropped).
        """
        if self.state in ("waiting", "done"):
            return False
        self._consumer.write(data)
        self.written += len(data)
        self._activity()
        self._credit(len(data))
        return True

    def close(self):
        """
        JS's stream ended: the body is complete.
        """
        if self._finish():
            self._finished.callback(None)

    def fail(self, message):
        """
        JS's stream failed: fail the request (the connection is aborted).
        """
        if self._finish():
            self._finished.errback(UploadFailed(message))

    # -- internals -------------------------------------------------------------------

    def _grant(self, nbytes):
        self._emit(["fetch_body_pull", self._handle, nbytes])

    def _activity(self):
        if self.onActivity is not None:
            self.onActivity()

    _resumed = _activity

    def _finish(self):
        """
        Move to done; True when the upload was started and not yet over.
        """
        if self.state == "done":
            return False
        started = self._finished is not None
        self.state = "done"
        onDone, self._onDone = self._onDone, None
        if onDone is not None:
            onDone()
        return started

"""
Streamed request bodies: the HTTP body fed into the JS C{ReadableStream} of
C{request.body} as it arrives, with backpressure.

JS tells Python how much it wants: whenever the body stream's C{pull()} runs it
reports the bytes it has received so far and its C{desiredSize}, so it is willing to
have received C{received + desiredSize} bytes in all. L{BodyConsumer} forwards every
chunk at once and pauses reading from the connection while it has sent that much or
more; the next report resumes it. A handler that never reads its body thus holds at
most the stream's high-water mark plus one read from the socket.

Until the request is bound to an isolate (the app may still be loading), chunks wait
here; the app's body limit bounds them.
"""

from twisted.logger import Logger

__all__ = ["BodyConsumer", "WINDOW"]

# The body stream's high-water mark in JS, in bytes; also the allowance before JS
# first reports.
WINDOW = 256 * 1024


class BodyConsumer:
    """
    Feeds one request body to one isolate.

    @ivar sent: bytes forwarded to JS so far.
    @ivar done: True once the body ended, failed or was discarded.
    """

    _log = Logger()

    def __init__(self, reading, window=WINDOW):
        """
        @param reading: the connection: C{pauseReading()} and C{resumeReading()}.
        """
        self._reading = reading
        self._isolate = None
        self._rid = None
        self._pending = []
        self._ended = False
        self._limit = window
        self._paused = False
        self._discarding = False
        self.sent = 0
        self.done = False

    def attach(self, isolate, rid):
        """
        The request was sent to C{isolate} as C{rid}: forward what arrived so far.
        """
        self._isolate, self._rid = isolate, rid
        pending, self._pending = self._pending, []
        for data in pending:
            isolate.bodyChunk(rid, data)
        if self._ended:
            isolate.bodyEnd(rid)

    def write(self, data):
        """
        A chunk of the body arrived from the connection.
        """
        if self.done or self._discarding:
            return
        self.sent += len(data)
        if self._isolate is None:
            self._pending.append(data)
        else:
            self._isolate.bodyChunk(self._rid, data)
        self._check()

    def finish(self):
        """
        The whole body arrived.
        """
        if self.done:
            return
        self.done = True
        self._ended = True
        self._resume()
        if self._discarding:
            return
        if self._isolate is not None:
            self._isolate.bodyEnd(self._rid)

    def fail(self, message):
        """
        The body cannot be delivered (over the app's limit): the JS stream errors
        with C{message}; nothing more is read.
        """
        if self.done:
            return
        self.done = True
        self._pending = []
        if self._isolate is not None and not self._discarding:
            self._isolate.bodyError(self._rid, message)

    def discard(self):
        """
        The response is complete before the body: keep reading the connection (so it
        can serve its next request) but drop what arrives.
        """
        self._discarding = True
        self._pending = []
        self._resume()

    def pulled(self, received, desired):
        """
        JS's body stream asked for more: it has received C{received} bytes and wants
        C{desired} more.
        """
        self._limit = received + max(desired, 0)
        self._check()

    def _check(self):
        if self.done or self._discarding:
            return
        if self.sent >= self._limit:
            if not self._paused:
                self._paused = True
                self._reading.pauseReading()
        else:
            self._resume()

    def _resume(self):
        if self._paused:
            self._paused = False
            self._reading.resumeReading()

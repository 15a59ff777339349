"""
A fetched response body on its way to JS: read from the connection, decoded,
and handed over in chunks with flow control.

L{BodyStream} is the L{IProtocol} given to C{IResponse.deliverBody}. Each decoded
piece goes to JS as a C{["fetch_chunk", handle, bytes]} message (the bytes as
L{nano.isolate.bridge.JSBytes}: through the isolate's inbound buffer, or base64),
then
C{["fetch_end", handle]} or C{["fetch_error", handle, errorName, message]} (see
C{57_fetch.js}). JS may hold only as many bytes as it granted (L{grant}, the
C{fetch_credit} host operation): when the credit is spent, the stream pauses the
connection and keeps the decoded pieces not yet sent in a generator, not in
memory; a grant resumes it. The transport C{IResponse.deliverBody} gives the
protocol is twisted's proxy of the TCP connection (C{TransportProxyProducer}), so
C{pauseProducing} stops reading from the socket and TCP backpressure reaches the
server (the end-to-end tests check that a server writing a 1 GiB body stalls
while JS does not read). A body is never capped here: JS holds at most the
credit it granted, and whoever reads it whole bounds that (C{57_fetch_body.js}).

A body that stalls (no bytes while JS wants more) for C{idleTimeout} seconds
fails with a TypeError, and the connection is closed.
"""

from twisted.internet.protocol import Protocol
from twisted.logger import Logger
from twisted.internet.error import ConnectionDone
from twisted.web._newclient import _DataLoss
from twisted.web.client import PotentialDataLoss, ResponseDone, ResponseFailed

from nano.fetch.decoding import DecodingError
from nano.isolate.bridge import JSBytes

__all__ = ["BodyStream"]


class BodyStream(Protocol):
    """
    One response body streaming to JS.

    @ivar state: C{"reading"}, C{"paused"} (no credit), C{"done"}.
    @ivar delivered: decoded bytes sent to JS so far.
    """

    _log = Logger()

    def __init__(self, handle, emit, decoder, clock, credit=None, idleTimeout=30.0, onDone=None):
        """
        @param handle: the body's id in JS (chosen by JS).
        @param emit: C{emit(message)} sends a message to the isolate.
        @param decoder: from L{nano.fetch.decoding.decoderFor}.
        @param clock: for the idle timeout.
        @param credit: bytes JS accepts before it grants more; None for no flow
            control (everything is sent as it comes).
        @param onDone: called once when the body ended, failed or was cancelled.
        """
        self._handle = handle
        self._emit = emit
        self._decoder = decoder
        self._clock = clock
        self._credit = credit
        self._idleTimeout = idleTimeout
        self._onDone = onDone
        self._pending = None  # a generator of decoded pieces not yet sent
        self._held = None  # one piece taken from it but not sent yet
        self._ended = False  # the connection delivered the whole body
        self._transportPaused = False
        self._idle = None
        self.state = "reading"
        self.delivered = 0

    # -- IProtocol ------------------------------------------------------------

    def connectionMade(self):
        self._armIdle()

    def dataReceived(self, data):
        if self.state == "done":
            return
        self._armIdle()
        self._pending = self._chain(self._pending, self._decoder.feed(data))
        self._pump()

    def connectionLost(self, reason):
        self._cancelIdle()
        if self.state == "done":
            return
        if reason.check(ResponseDone, PotentialDataLoss):
            # PotentialDataLoss: a body delimited by the connection closing; it is
            # complete as far as anyone can tell (browsers accept it too).
            self._ended = True
            self._pending = self._chain(self._pending, self._flushed())
            self._pump()
            return
        self._fail("TypeError", "fetch: the connection to the server failed while reading the "
                   "body: %s" % (_describe(reason),))

    # -- flow control ---------------------------------------------------------

    def grant(self, nbytes):
        """
        JS accepts C{nbytes} more bytes.
        """
        if self.state == "done" or self._credit is None:
            return
        self._credit += nbytes
        self._pump()

    def cancel(self):
        """
        JS no longer wants the body (aborted or cancelled): close the connection;
        nothing more is sent.
        """
        if self.state == "done":
            return
        self._finish()
        if self.transport is not None:
            self.transport.stopProducing()

    # -- internals ------------------------------------------------------------

    @staticmethod
    def _chain(first, second):
        if first is not None:
            yield from first
        yield from second

    def _flushed(self):
        # A generator, so that a decoding error surfaces in _pump, where it is handled.
        yield from self._decoder.flush()

    def _next(self):
        """
        The next decoded piece, or None when nothing is pending.

        @raise DecodingError: for bad data.
        """
        if self._held is not None:
            piece, self._held = self._held, None
            return piece
        if self._pending is None:
            return None
        try:
            return next(self._pending)
        except StopIteration:
            self._pending = None
            return None

    def _pump(self):
        """
        Send pending pieces while there is credit; pause or resume the connection;
        send the end once everything was sent.
        """
        try:
            while self.state != "done" and (self._credit is None or self._credit > 0):
                piece = self._next()
                if piece is None:
                    break
                self._send(piece)
            if self.state != "done" and self._ended and self._held is None and self._pending is not None:
                # Out of credit after the end: find out whether anything is left
                # (holding at most one piece), so that the end is not kept waiting.
                self._held = self._next()
        except DecodingError as e:
            self._fail("TypeError", "fetch: could not decode the response body: %s" % (e,))
            if self.transport is not None:
                self.transport.stopProducing()
            return
        if self.state == "done":
            return
        if self._pending is None and self._held is None and self._ended:
            self._emit(["fetch_end", self._handle])
            self._finish()
            return
        wantsMore = self._credit is None or self._credit > 0
        if wantsMore and self._transportPaused:
            self._transportPaused = False
            self.state = "reading"
            self.transport.resumeProducing()
            self._armIdle()
        elif not wantsMore and not self._transportPaused and not self._ended:
            self._transportPaused = True
            self.state = "paused"
            self._cancelIdle()
            if self.transport is not None:
                self.transport.pauseProducing()

    def _send(self, piece):
        """
        Send one piece to JS.
        """
        self.delivered += len(piece)
        self._emit(["fetch_chunk", self._handle, JSBytes(piece)])
        if self._credit is not None:
            self._credit -= len(piece)

    def _fail(self, name, message):
        if self.state == "done":
            return
        self._emit(["fetch_error", self._handle, name, message])
        self._finish()

    def _finish(self):
        self.state = "done"
        self._pending = None
        self._held = None
        self._cancelIdle()
        onDone, self._onDone = self._onDone, None
        if onDone is not None:
            onDone()

    def _armIdle(self):
        if self._idleTimeout is None or self.state == "done" or self._transportPaused:
            return
        if self._idle is not None and self._idle.active():
            self._idle.reset(self._idleTimeout)
        else:
            self._idle = self._clock.callLater(self._idleTimeout, self._timedOut)

    def _cancelIdle(self):
        if self._idle is not None and self._idle.active():
            self._idle.cancel()
        self._idle = None

    def _timedOut(self):
        self._idle = None
        if self.state == "done":
            return
        self._fail("TypeError", "fetch: the server sent no body data for %g s" % (self._idleTimeout,))
        if self.transport is not None:
            self.transport.stopProducing()


def _describe(reason):
    """
    A short text for a failed body read (twisted.web wraps the causes in lists).
    """
    value = reason.value
    if isinstance(value, ResponseFailed):
        inner = value.reasons[0].value if value.reasons else None
        if isinstance(inner, (ConnectionDone, _DataLoss)):
            return "it closed before the end of the body"
        return "it failed before the end of the body: %s" % (inner or "unknown error",)
    return str(value) or type(value).__name__

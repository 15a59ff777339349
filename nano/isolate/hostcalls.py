"""
The Python side of asynchronous host operations (C{nano.hostCall(op, args)} in JS,
see C{nano/isolate/js/01_hostcall.js}).

A host operation is a function C{op(call)} that takes a L{HostCall} and returns a
JSON-serialisable value or a L{Deferred} of one. It runs on the reactor thread and
must not block. To fail with a specific JS error it raises (or fails with)
L{HostCallError}; anything else is logged with the app name and reaches JS as a
generic C{Error}. Binary data travels as base64 text both ways, or, from JS, as
bytes attached to the drain (C{nano.attachBytes}; the argument is the index, and
the operation reads the bytes from L{HostCall.attachments} while it runs).

An isolate is given its table of operations (a mapping of names to functions) when it
is created: what an app may do outside its isolate is exactly that table.
"""

import base64

import attrs
from twisted.internet.defer import CancelledError, maybeDeferred
from twisted.logger import Logger

__all__ = ["HostCall", "HostCallError", "HostCalls", "HostScope", "b64decode", "b64encode"]


class HostCallError(Exception):
    """
    A host operation failed in a way JS should see as a specific error.

    @ivar name: C{"TypeError"}, C{"RangeError"}, C{"Error"}, or a C{DOMException}
        name (C{"OperationError"}, C{"NotSupportedError"}, C{"DataError"}, ...).
    """

    def __init__(self, name, message):
        Exception.__init__(self, message)
        self.name = name
        self.message = message


class HostScope:
    """
    What one isolate's host operations share while the isolate lives: a place for
    per-isolate state (open response bodies, counters) and what to do when the
    isolate closes.

    @ivar data: a dict for operation families to keep their per-isolate state in
        (each under its own key).
    @ivar closed: whether the isolate has closed.
    """

    _log = Logger()

    def __init__(self):
        self.data = {}
        self.closed = False
        self._onClose = []

    def onClose(self, fn):
        """
        Call C{fn()} when the isolate closes (at once if it already has).
        """
        if self.closed:
            fn()
        else:
            self._onClose.append(fn)

    def close(self):
        """
        The isolate closed: run every C{onClose} function once (errors are logged).
        """
        if self.closed:
            return
        self.closed = True
        functions, self._onClose = self._onClose, []
        for fn in functions:
            try:
                fn()
            except Exception:
                self._log.failure("closing a host operation scope")


@attrs.define
class HostCall:
    """
    One call of a host operation.

    @ivar appName: the app whose isolate made the call.
    @ivar requestId: the id of the request whose handler was running when JS made
        the call (None outside a handler's synchronous part).
    @ivar args: the JSON-decoded argument list.
    @ivar emit: C{emit(message)} queues a message to the isolate (a list whose first
        element names a handler registered with C{nano.onMessage}), for operations
        that report progress (streamed bodies) before or after their result.
    @ivar scope: the isolate's L{HostScope}.
    @ivar attachments: the bytes attached to the drain the call came in
        (C{nano.attachBytes} in JS; arguments refer to them by index). Only
        during the operation's synchronous part: it is emptied once the operation
        returned (a Deferred), so that nothing keeps a drain's bytes alive.
    """

    appName: str
    requestId: object
    args: list
    emit: object
    scope: HostScope = attrs.field(factory=HostScope)
    attachments: tuple = ()


def b64decode(text):
    """
    Bytes from the base64 text JS sent (C{nano.bytesToBase64}).

    @raise HostCallError: a C{TypeError} when the text is not base64.
    """
    try:
        return base64.b64decode(text, validate=True)
    except (TypeError, ValueError):
        raise HostCallError("TypeError", "expected base64 data")


def b64encode(data):
    """
    Base64 text for bytes sent to JS (C{nano.base64ToBytes} reads it).
    """
    return base64.b64encode(data).decode("ascii")


class _Attached:
    """
    The bytes attached to the drain a call came in, copied out as they are read: the
    drain's payloads are views of V8 memory that only last while the drain is
    handled, and an operation may keep what it reads.
    """

    __slots__ = ("_payloads",)

    def __init__(self, payloads):
        self._payloads = payloads

    def __len__(self):
        return len(self._payloads)

    def __getitem__(self, index):
        return bytes(self._payloads[index])


class HostCalls:
    """
    The host calls in flight for one isolate.

    @param ops: mapping of operation names to functions C{op(call)}.
    @param send: C{send(message)} queues a message to the isolate.
    @param attachments: C{attachments()} returns the bytes attached to the drain
        being handled (a sequence), or None when calls never carry bytes.
    """

    _log = Logger()

    def __init__(self, appName, ops, send, attachments=None):
        self._appName = appName
        self._ops = ops
        self._send = send
        self._attachments = attachments
        self._pending = {}
        self._cancelled = set()
        self.scope = HostScope()

    def __len__(self):
        return len(self._pending)

    def start(self, callId, op, args, requestId):
        """
        Run operation C{op}; its result (or error) is sent back as a C{ret} message.
        """
        fn = self._ops.get(op) if isinstance(op, str) else None
        if fn is None:
            self._send(["ret", callId, 0, ["TypeError", "unknown host operation %r" % (op,)]])
            return
        attached = _Attached(self._attachments()) if self._attachments is not None else ()
        call = HostCall(self._appName, requestId, args if isinstance(args, list) else [args], self._emit,
                        self.scope, attached)
        d = maybeDeferred(fn, call)
        call.attachments = ()
        if d.called:
            # Finished at once: no need to remember it.
            d.addCallbacks(self._succeeded, self._failed, (callId,), None, (callId, op))
            return
        self._pending[callId] = d
        d.addCallbacks(self._succeeded, self._failed, (callId,), None, (callId, op))

    def _emit(self, message):
        self._send(message)

    def _succeeded(self, value, callId):
        self._pending.pop(callId, None)
        if callId in self._cancelled:
            self._cancelled.discard(callId)
            return
        self._send(["ret", callId, 1, value])

    def _failed(self, failure, callId, op):
        if callId in self._cancelled:
            # JS gave up on it, or the isolate closed: nobody is listening.
            self._cancelled.discard(callId)
            return None
        self._pending.pop(callId, None)
        if failure.check(CancelledError):
            self._send(["ret", callId, 0, ["AbortError", "the operation was cancelled"]])
            return None
        if failure.check(HostCallError):
            error = failure.value
            self._send(["ret", callId, 0, [error.name, error.message]])
            return None
        self._log.failure("app {app}: host operation {op} failed", failure, app=self._appName, op=op)
        self._send(["ret", callId, 0, ["Error", "internal error in %s" % (op,)]])
        return None

    def cancel(self, callId):
        """
        JS gave up on a call (for example an aborted fetch): cancel its Deferred.
        """
        d = self._pending.pop(callId, None)
        if d is not None:
            self._cancelled.add(callId)
            d.cancel()
            if d.called:
                self._cancelled.discard(callId)

    def cancelAll(self):
        """
        The isolate is closing: cancel every call in flight (nothing is sent back)
        and close the scope.
        """
        pending, self._pending = self._pending, {}
        self._send = lambda message: None
        for d in pending.values():
            d.cancel()
        self.scope.close()

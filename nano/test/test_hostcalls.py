"""
Tests for L{nano.isolate.hostcalls} and its JS side (C{01_hostcall.js}).
"""

import json

from py_mini_racer import MiniRacer
from twisted.internet.defer import Deferred, fail
from twisted.trial.unittest import SynchronousTestCase

from nano.isolate import prelude
from nano.isolate.hostcalls import HostCallError, HostCalls, HostScope, b64decode, b64encode


class _Host:
    """
    A table of operations and the messages sent back.
    """

    def __init__(self):
        self.sent = []
        self.waiting = {}
        self.cancelled = []
        self.calls = []
        self.ops = {
            "echo": self.echo,
            "later": self.later,
            "typeError": lambda call: fail(HostCallError("TypeError", "bad input")),
            "broken": lambda call: 1 / 0,
        }

    def echo(self, call):
        self.calls.append(call)
        return {"args": call.args, "rid": call.requestId}

    def later(self, call):
        d = Deferred(lambda d: self.cancelled.append(call.args[0]))
        self.waiting[call.args[0]] = d
        return d


class HostCallsTests(SynchronousTestCase):
    """
    L{HostCalls} runs operations and sends each result or error back once.
    """

    def setUp(self):
        self.host = _Host()
        self.calls = HostCalls("app", self.host.ops, self.host.sent.append)

    def test_immediate(self):
        """
        A value returned at once is sent back as a successful C{ret}; the call sees
        its arguments and the request id.
        """
        self.calls.start(1, "echo", [1, "x"], 7)
        self.assertEqual(self.host.sent, [["ret", 1, 1, {"args": [1, "x"], "rid": 7}]])
        self.assertEqual(len(self.calls), 0)

    def test_deferred(self):
        """
        A Deferred result is sent back when it fires; until then the call is in
        flight.
        """
        self.calls.start(2, "later", ["a"], None)
        self.assertEqual((self.host.sent, len(self.calls)), ([], 1))
        self.host.waiting["a"].callback("done")
        self.assertEqual(self.host.sent, [["ret", 2, 1, "done"]])
        self.assertEqual(len(self.calls), 0)

    def test_hostCallError(self):
        """
        L{HostCallError} reaches JS as its error name and message.
        """
        self.calls.start(3, "typeError", [], None)
        self.assertEqual(self.host.sent, [["ret", 3, 0, ["TypeError", "bad input"]]])

    def test_unexpectedError(self):
        """
        Any other exception is logged with the app name and reaches JS as a generic
        error naming the operation (no Python details leak).
        """
        self.calls.start(4, "broken", [], None)
        self.assertEqual(self.host.sent, [["ret", 4, 0, ["Error", "internal error in broken"]]])
        self.assertEqual(len(self.flushLoggedErrors(ZeroDivisionError)), 1)

    def test_unknown(self):
        """
        An unknown operation is a TypeError.
        """
        self.calls.start(5, "nope", [], None)
        self.calls.start(6, ["not", "a", "name"], [], None)
        self.assertEqual([m[3][0] for m in self.host.sent], ["TypeError", "TypeError"])

    def test_cancel(self):
        """
        Cancelling from JS cancels the operation's Deferred and sends nothing back.
        """
        self.calls.start(7, "later", ["b"], None)
        self.calls.cancel(7)
        self.assertEqual((self.host.cancelled, self.host.sent, len(self.calls)), (["b"], [], 0))
        self.calls.cancel(7)
        self.assertEqual(self.host.cancelled, ["b"])

    def test_cancelAll(self):
        """
        Closing the isolate cancels every call in flight; results that arrive later
        are dropped.
        """
        self.calls.start(8, "later", ["c"], None)
        self.calls.start(9, "later", ["d"], None)
        self.calls.cancelAll()
        self.assertEqual(sorted(self.host.cancelled), ["c", "d"])
        self.assertEqual(self.host.sent, [])

    def test_scope(self):
        """
        Every call of one isolate sees the same scope; closing the isolate closes
        it (its close functions run once) and drops later emits.
        """
        self.calls.start(10, "echo", [], None)
        self.calls.start(11, "echo", [], None)
        first, second = self.host.calls
        self.assertIs(first.scope, second.scope)
        closed = []
        first.scope.onClose(lambda: closed.append(1))
        self.calls.cancelAll()
        self.calls.cancelAll()
        self.assertEqual(closed, [1])
        before = list(self.host.sent)
        first.emit(["late"])
        self.assertEqual(self.host.sent, before)

    def test_scopeCloseErrorsLogged(self):
        """
        A close function that raises is logged; the others still run; a function
        added after closing runs at once.
        """
        scope = HostScope()
        ran = []
        scope.onClose(lambda: 1 / 0)
        scope.onClose(lambda: ran.append("second"))
        scope.close()
        scope.onClose(lambda: ran.append("late"))
        self.assertEqual(ran, ["second", "late"])
        self.assertEqual(len(self.flushLoggedErrors(ZeroDivisionError)), 1)

    def test_attachments(self):
        """
        A call sees the bytes attached to the drain it came in while its
        operation runs, as bytes it may keep (the drain's payloads are views that
        do not outlive it); afterwards they are gone from it. Without an
        attachment source a call has none.
        """
        drain = [memoryview(b"one"), memoryview(b"two")]
        calls = HostCalls("app", self.host.ops, self.host.sent.append, lambda: drain)
        seen = []
        self.host.ops["look"] = lambda call: seen.append((len(call.attachments), call.attachments[0],
                                                          call.attachments[1]))
        calls.start(1, "look", [1], None)
        self.assertEqual(seen, [(2, b"one", b"two")])
        self.assertIsInstance(seen[0][1], bytes)
        calls.start(3, "echo", [], None)
        self.assertEqual(self.host.calls[0].attachments, ())
        self.calls.start(4, "echo", [], None)
        self.assertEqual(self.host.calls[1].attachments, ())

    def test_base64(self):
        """
        Bytes go to JS as base64 text and come back; text that is not base64 is a
        TypeError for JS.
        """
        self.assertEqual(b64decode(b64encode(b"\x00\xffabc")), b"\x00\xffabc")
        error = self.assertRaises(HostCallError, b64decode, "not base64!")
        self.assertEqual(error.name, "TypeError")


class JSHostCallTests(SynchronousTestCase):
    """
    C{nano.hostCall} sends a C{call} message and settles its promise from C{ret}.
    """

    def setUp(self):
        self.racer = MiniRacer()
        self.addCleanup(self.racer.close)
        self.racer.eval(prelude.buildPartialPrelude(("00_", "01_", "10_")))
        self.internal = self.racer.eval("__nano.internal")
        self.internal["setDoorbell"](this=self.racer.eval("(function () {})"))
        self.racer.eval("globalThis.results = [];")

    def drain(self):
        return json.loads(self.internal["drain"]())

    def send(self, *messages):
        self.internal["dispatch"](this=json.dumps(list(messages)))

    def results(self):
        return json.loads(self.racer.eval("JSON.stringify(results)"))

    def test_resolve(self):
        """
        The promise resolves with the value of a successful C{ret}.
        """
        self.racer.eval("__nano.hostCall('op', [1, 'two']).then(v => results.push(['ok', v]))")
        ((op, callId, name, args, rid),) = self.drain()
        self.assertEqual((op, name, args, rid), ("call", "op", [1, "two"], None))
        self.send(["ret", callId, 1, {"x": 1}])
        self.assertEqual(self.results(), [["ok", {"x": 1}]])

    def test_errors(self):
        """
        Failed calls reject with real error objects: TypeError, RangeError, Error,
        and DOMException for DOMException names.
        """
        self.racer.eval("""
            for (let i = 0; i < 4; i++) __nano.hostCall('op', []).catch(e => results.push(
                [e.constructor.name, e.name, e.message, e instanceof Error]));
        """)
        ids = [m[1] for m in self.drain()]
        for callId, name in zip(ids, ["TypeError", "RangeError", "Error", "OperationError"]):
            self.send(["ret", callId, 0, [name, "why " + name]])
        self.assertEqual(self.results(), [
            ["TypeError", "TypeError", "why TypeError", True],
            ["RangeError", "RangeError", "why RangeError", True],
            ["Error", "Error", "why Error", True],
            ["DOMException", "OperationError", "why OperationError", True],
        ])

    def test_cancel(self):
        """
        Cancelling sends C{call_cancel} once; a late C{ret} is ignored.
        """
        self.racer.eval("""
            globalThis.c = __nano.hostCallCancellable('op', []);
            c.promise.then(v => results.push(v));
            c.cancel(); c.cancel();
        """)
        messages = self.drain()
        self.assertEqual([m[0] for m in messages], ["call", "call_cancel"])
        self.send(["ret", messages[0][1], 1, "late"])
        self.assertEqual(self.results(), [])

    def test_bytes(self):
        """
        The base64 helpers carry bytes both ways.
        """
        self.assertEqual(self.racer.eval("__nano.bytesToBase64(new Uint8Array([0, 255, 97]))"), b64encode(b"\x00\xffa"))
        self.assertEqual(self.racer.eval("Array.from(__nano.base64ToBytes('AP9h')).join()"), "0,255,97")

"""
A test isolate for C{crypto.subtle}: the prelude files below 50 in a MiniRacer
context, with its host calls served synchronously by the real C{crypto.*} operations
(L{nano.crypto.family.CryptoOps}, slow operations run in place).
"""

import json

from py_mini_racer import MiniRacer
from twisted.internet.defer import maybeDeferred

from nano.crypto.family import CryptoOps
from nano.isolate.hostcalls import HostCalls
from nano.isolate.prelude import buildPartialPrelude

__all__ = ["SubtleIsolate"]

_FILES = tuple("%02d_" % n for n in range(50))


class SubtleIsolate:
    """
    One isolate with the runtime up to C{crypto.subtle}.

    @ivar calls: the names of the host operations JS called, in order.
    @ivar errors: errors JS reported (uncaught), as text.
    """

    def __init__(self):
        self.ctx = MiniRacer()
        self.ctx.eval(buildPartialPrelude(_FILES))
        self._internal = self.ctx.eval("__nano.internal")
        self._internal["setDoorbell"](this=self.ctx.eval("(function () {})"))
        self._toJS = []
        self.calls = []
        self.errors = []
        self._hostCalls = HostCalls("test", CryptoOps(maybeDeferred).table(), self._toJS.append)
        self.ctx.eval("""
          globalThis.hex = (buffer) => Array.from(new Uint8Array(buffer),
            (b) => b.toString(16).padStart(2, "0")).join("");
          globalThis.unhex = (text) => Uint8Array.from(text.match(/../g) || [], (h) => parseInt(h, 16));
          globalThis.utf8 = (text) => new TextEncoder().encode(text);
        """)

    def close(self):
        self.ctx.close()

    def pump(self):
        """
        Deliver messages both ways until neither side has anything left to say.
        """
        for _ in range(10000):
            messages = json.loads(self._internal["drain"]())
            for message in messages:
                if message[0] == "call":
                    self.calls.append(message[2])
                    self._hostCalls.start(*message[1:])
                elif message[0] == "error":
                    self.errors.append(message[1])
            if self._toJS:
                batch, self._toJS[:] = list(self._toJS), []
                self._internal["dispatch"](this=json.dumps(batch))
            elif not messages:
                return
        raise AssertionError("the isolate kept calling the host")

    def run(self, body):
        """
        Run C{body} as the body of an async function; return C{["ok", value]} (the
        value through JSON) or C{["error", name, message]} for what it threw.
        """
        self.ctx.eval(
            "globalThis.__result = null; (async () => { %s })().then("
            "(v) => { globalThis.__result = ['ok', v === undefined ? null : v]; },"
            "(e) => { globalThis.__result = ['error', e === null || typeof e !== 'object' ? String(e) : e.name,"
            " e === null || typeof e !== 'object' ? '' : String(e.message)]; });" % (body,))
        self.pump()
        result = json.loads(self.ctx.eval("JSON.stringify(globalThis.__result)"))
        if result is None:
            raise AssertionError("the promise did not settle")
        return result

    def value(self, body):
        """
        The value C{body} returns; fails the test with the error it threw instead.
        """
        result = self.run(body)
        if result[0] != "ok":
            raise AssertionError("JS threw %s: %s" % (result[1], result[2]))
        return result[1]

    def errorName(self, body):
        """
        The name of the error C{body} threw (or rejected with); fails if it returned.
        """
        result = self.run(body)
        if result[0] != "error":
            raise AssertionError("expected an error, got %r" % (result[1],))
        return result[1]

"""
A test helper: a MiniRacer isolate with the runtime prelude files numbered below 60
(the core, DOMException, events, abort, encoding, the streams files, URL, timers,
structuredClone, the fetch files, Blob and FormData), the internal C{nano} object on a
test-only global, and asynchronous host operations served by a real
L{nano.isolate.hostcalls.HostCalls}.
"""

import json

from py_mini_racer import MiniRacer
from twisted.trial.unittest import SynchronousTestCase

from nano.isolate.hostcalls import HostCalls
from nano.isolate.prelude import buildPartialPrelude

__all__ = ["JSIsolateTestCase"]

_FILES = tuple("%02d_" % n for n in range(60))
_cache = {}


def _script():
    if "script" not in _cache:
        _cache["script"] = buildPartialPrelude(_FILES, tables=True)
    return _cache["script"]


class JSIsolateTestCase(SynchronousTestCase):
    """
    A fresh isolate per test. C{hostOps} (a class attribute) are the host operations
    JS may call; L{pump} carries their messages both ways until nothing is left.
    """

    hostOps = {}

    def setUp(self):
        self.ctx = MiniRacer()
        self.addCleanup(self.ctx.close)
        self.ctx.eval(_script())
        self.internal = self.ctx.eval("__nano.internal")
        self.internal["setDoorbell"](this=self.ctx.eval("(function () {})"))
        self.hostCalls = HostCalls("test", dict(self.hostOps), self._fromHost)
        self._inbox = []
        self.addCleanup(self.hostCalls.cancelAll)

    def useHostOps(self, ops):
        """
        Serve JS's host calls with C{ops} from now on.
        """
        self.hostCalls = HostCalls("test", dict(ops), self._fromHost)
        self.addCleanup(self.hostCalls.cancelAll)

    def _fromHost(self, message):
        self._inbox.append(message)

    def pump(self, limit=100000):
        """
        Deliver JS's host calls to the operations and their answers back to JS until
        both sides are quiet; returns how many messages went across.
        """
        moved = 0
        for _ in range(limit):
            outgoing = json.loads(self.internal["drain"]())
            for message in outgoing:
                if message[0] == "call":
                    self.hostCalls.start(message[1], message[2], message[3], message[4])
                elif message[0] == "call_cancel":
                    self.hostCalls.cancel(message[1])
            incoming, self._inbox = self._inbox, []
            if incoming:
                self.internal["dispatch"](this=json.dumps(incoming))
            if not outgoing and not incoming:
                return moved
            moved += len(outgoing) + len(incoming)
        raise AssertionError("the host calls never settled")

    def js(self, source):
        """
        Evaluate C{source} (an expression) and return its value decoded from JSON.
        """
        return json.loads(self.ctx.eval("JSON.stringify(%s)" % (source,)))

    def runAsync(self, body):
        """
        Run C{body} as the body of an async function (pumping host calls while it
        runs) and return its result decoded from JSON; a rejection is returned as
        C{{"error": [constructor name, message]}}.
        """
        self.ctx.eval("""
            globalThis.__result = undefined;
            (async () => { %s })().then(
                (v) => { globalThis.__result = JSON.stringify({value: v === undefined ? null : v}); },
                (e) => { globalThis.__result = JSON.stringify({error: [
                    e !== null && typeof e === 'object' ? e.constructor.name : typeof e, String(e && e.message)]}); });
        """ % (body,))
        for _ in range(1000):
            self.pump()
            result = self.ctx.eval("globalThis.__result === undefined ? null : globalThis.__result")
            if result is not None:
                decoded = json.loads(result)
                return decoded["value"] if "value" in decoded else decoded
        raise AssertionError("the async function never settled")

"""
A test isolate that plays the host for tasks and timers: some prelude files in a
MiniRacer context (the internal C{nano} object on C{globalThis.__nano}), whose
C{timer_set}/C{timer_clear} messages arm and clear fake host timers that the test fires
when it chooses. Used by the tests of the prelude files that queue tasks (FileReader,
MessagePort, the task queue of C{40_timers.js}).
"""

import json

from py_mini_racer import MiniRacer

from nano.isolate.prelude import buildPartialPrelude

__all__ = ["TaskIsolate"]

# A test-only host op: run code as if handling request C{rid}.
_RUN_AS = 'nano.onMessage("test_run", (rid, code) => nano.withRequest(rid, () => (0, eval)(code)));'


class TaskIsolate:
    """
    One isolate with the given prelude files and a fake host.

    @ivar messages: every message the isolate sent, in order.
    @ivar armed: the armed host timers, id -> requested delay (ms).
    """

    def __init__(self, files, tables=False):
        self.ctx = MiniRacer()
        self.ctx.eval(buildPartialPrelude(files, tables=tables, extra=(_RUN_AS,)))
        self._internal = self.ctx.eval("__nano.internal")
        self._internal["setDoorbell"](this=self.ctx.eval("(function () {})"))
        self.messages = []
        self.armed = {}
        self.burst = {}

    def close(self):
        self.ctx.close()

    def drain(self):
        for message in json.loads(self._internal["drain"]()):
            if message[0] == "timer_set":
                self.armed[message[1]] = message[2]
                self.burst[message[1]] = message[3] if len(message) > 3 else 1
            elif message[0] == "timer_clear":
                self.armed.pop(message[1], None)
            self.messages.append(message)

    def eval(self, source):
        """
        Evaluate C{source} as a script (its microtasks run when it ends) and return its
        completion value.
        """
        result = self.ctx.eval(source)
        self.drain()
        return result

    def json(self, source):
        """
        Evaluate the expression C{source} and return its value through JSON.
        """
        return json.loads(self.eval("JSON.stringify(%s)" % (source,)))

    def runAs(self, rid, source):
        """
        Run C{source} while handling request C{rid}, as the bridge does.
        """
        self._internal["dispatch"](this=json.dumps([["test_run", rid, source]]))
        self.drain()

    def fireNext(self):
        """
        Fire the armed host timer (JS keeps at most one armed): one host turn, after
        which the microtasks run. Return C{False} if no timer is armed.
        """
        if not self.armed:
            return False
        (timerId,) = list(self.armed)
        self.burst[timerId] -= 1
        if self.burst[timerId] <= 0:
            del self.armed[timerId]
        self._internal["dispatch"](this=json.dumps([["timer", timerId]]))
        self.drain()
        return True

    def runTasks(self, limit=1000):
        """
        Fire host timers until none is armed (at most C{limit}); return how many fired.
        """
        count = 0
        while count < limit and self.fireNext():
            count += 1
        return count

    def errors(self):
        """
        The text of every uncaught error JS reported.
        """
        return [m[1] for m in self.messages if m[0] == "error"]

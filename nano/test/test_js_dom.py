"""
Tests for the DOM/HTML pieces of the JavaScript prelude: DOMException, events,
AbortController/AbortSignal, timers, queueMicrotask, structuredClone, performance,
crypto random values, console, navigator and reportError
(``nano/isolate/js/1x_*.js`` and ``4x_*.js``).

Each test runs the real prelude files (the core and the files under test) in a
``py_mini_racer`` isolate and plays the host: it drains the messages the isolate sends
and dispatches host messages (``["timer", id]``, ``["entropy", hex]``) back in.
"""

import json
import os
import struct

from py_mini_racer import MiniRacer
from twisted.trial.unittest import SynchronousTestCase

from nano.isolate import prelude
from nano.test.jstasks import TaskIsolate

_OWN = ("00_", "10_", "11_", "12_", "40_", "41_", "42_", "43_", "44_", "45_")
_SEED = "00112233445566778899aabbccddeeff" * 2


def _script(bootstrap):
    """
    Build a bootstrap script from the core and the DOM/HTML prelude files only, wrapped
    exactly as L{prelude.buildPrelude} wraps them, plus a test-only host op
    C{test_run} that runs code as if handling request C{rid}.
    """
    parts = []
    for path in prelude.preludeFiles():
        if os.path.basename(path).startswith(_OWN):
            with open(path, encoding="utf-8") as f:
                parts.append(prelude.wrapFile(f.read()))
    parts.append(prelude.wrapFile('nano.onMessage("test_run", (rid, code) =>'
                                  ' nano.withRequest(rid, () => (0, eval)(code)));'))
    return "(function () {\nconst nano = { bootstrap: %s };\n%s\nreturn nano.internal;\n})()\n" % (
        json.dumps(bootstrap), "".join(parts))


class _Isolate:
    """
    One isolate with the prelude loaded, plus a fake host: C{messages} collects every
    message the isolate sent, C{armed} maps host timer ids to their requested delay.
    """

    def __init__(self, seed=_SEED, userAgent="NANO-test/1", timeOrigin=1700000000000.5):
        self.racer = MiniRacer()
        self.bootstrap = {"seed": seed, "userAgent": userAgent, "timeOrigin": timeOrigin,
                          "dev": True}
        self.internal = self.racer.eval(_script(self.bootstrap))
        self.internal["setDoorbell"](this=self.racer.eval("(function () {})"))
        self.messages = []
        self.armed = {}
        self.burst = {}

    def eval(self, source):
        result = self.racer.eval(source)
        self.drain()
        return result

    def json(self, source):
        return json.loads(self.eval("JSON.stringify(%s)" % (source,)))

    def drain(self):
        batch = json.loads(self.internal["drain"]())
        for message in batch:
            if message[0] == "timer_set":
                self.armed[message[1]] = message[2]
                self.burst[message[1]] = message[3] if len(message) > 3 else 1
            elif message[0] == "timer_clear":
                self.armed.pop(message[1], None)
            self.messages.append(message)
        return batch

    def send(self, *messages):
        self.internal["dispatch"](this=json.dumps(list(messages)))
        self.drain()

    def fireNext(self):
        """
        Fire the armed host timer (there is at most one) once: a host timer armed for a
        burst of n due timers stays armed for n firings. Return False if none is armed.
        """
        if not self.armed:
            return False
        (timerId,) = list(self.armed)
        self.burst[timerId] -= 1
        if self.burst[timerId] <= 0:
            del self.armed[timerId]
        self.send(["timer", timerId])
        return True

    def runTimers(self, limit=1000):
        count = 0
        while count < limit and self.fireNext():
            count += 1
        return count

    def logs(self, kind="log"):
        return [m for m in self.messages if m[0] == kind]


class _IsolateTestCase(SynchronousTestCase):
    """
    Base class: C{self.isolate()} makes an L{_Isolate} closed when the test ends.
    """

    def isolate(self, **kwargs):
        iso = _Isolate(**kwargs)
        self.addCleanup(iso.racer.close)
        return iso


class DOMExceptionTests(_IsolateTestCase):
    """
    L{10_domexception.js}: the WebIDL DOMException.
    """

    def test_nameMessageCode(self):
        """
        A DOMException has the given message and name, and the legacy code of that name
        (0 for names without one); the defaults are "" and "Error".
        """
        iso = self.isolate()
        self.assertEqual(
            iso.json('[new DOMException("m", "AbortError").code, new DOMException("m", "x").code,'
                     ' new DOMException().name, new DOMException().message,'
                     ' new DOMException("a", "DataCloneError").code]'),
            [20, 0, "Error", "", 25])

    def test_constantsAndPrototype(self):
        """
        The legacy code constants exist on the interface and its prototype, DOMException
        inherits from Error, and the getters brand-check their receiver.
        """
        iso = self.isolate()
        self.assertEqual(
            iso.json("[DOMException.INDEX_SIZE_ERR, DOMException.prototype.DATA_CLONE_ERR,"
                     " new DOMException() instanceof Error,"
                     " Object.prototype.toString.call(new DOMException()),"
                     " (() => { try { DOMException.prototype.name; } catch (e) {"
                     "   return e instanceof TypeError; } })()]"),
            [1, 25, True, "[object DOMException]", True])


class EventTests(_IsolateTestCase):
    """
    L{11_events.js}: Event, CustomEvent and EventTarget.
    """

    def test_listenerOrderAndOptions(self):
        """
        Capture listeners run before non-capture ones, a once listener runs once, a
        handleEvent object is called with itself as this, and duplicates are ignored.
        """
        iso = self.isolate()
        result = iso.json("""(() => {
          const t = new EventTarget(), log = [];
          const f = () => log.push("bubble");
          t.addEventListener("x", f);
          t.addEventListener("x", f);
          t.addEventListener("x", () => log.push("capture"), true);
          t.addEventListener("x", () => log.push("once"), {once: true});
          const obj = {handleEvent(e) { log.push(this === obj ? "object" : "bad"); }};
          t.addEventListener("x", obj);
          t.dispatchEvent(new Event("x"));
          t.dispatchEvent(new Event("x"));
          return log;
        })()""")
        self.assertEqual(result, ["capture", "bubble", "once", "object",
                                  "capture", "bubble", "object"])

    def test_cancelAndStop(self):
        """
        preventDefault cancels a cancelable event (dispatchEvent returns false), is
        ignored in a passive listener, and stopImmediatePropagation skips later listeners.
        """
        iso = self.isolate()
        result = iso.json("""(() => {
          const t = new EventTarget(), log = [];
          t.addEventListener("a", (e) => e.preventDefault(), {passive: true});
          const passive = t.dispatchEvent(new Event("a", {cancelable: true}));
          t.addEventListener("b", (e) => { e.preventDefault(); e.stopImmediatePropagation(); });
          t.addEventListener("b", () => log.push("not reached"));
          const ev = new Event("b", {cancelable: true});
          const active = t.dispatchEvent(ev);
          return [passive, active, ev.defaultPrevented, ev.isTrusted, ev.eventPhase,
                  ev.target === t, ev.currentTarget, log];
        })()""")
        self.assertEqual(result, [True, False, True, False, 0, True, None, []])

    def test_composedPathAndDetail(self):
        """
        composedPath() is [target] during dispatch and [] after; CustomEvent carries its
        detail; a missing type argument is a TypeError.
        """
        iso = self.isolate()
        result = iso.json("""(() => {
          const t = new EventTarget();
          let during;
          t.addEventListener("c", (e) => { during = e.composedPath().length; });
          const ev = new CustomEvent("c", {detail: {n: 1}});
          t.dispatchEvent(ev);
          let threw = false;
          try { new Event(); } catch (e) { threw = e instanceof TypeError; }
          return [during, ev.composedPath().length, ev.detail.n, threw];
        })()""")
        self.assertEqual(result, [1, 0, 1, True])

    def test_redispatchIsInvalidState(self):
        """
        Dispatching an event that is being dispatched throws an InvalidStateError.
        """
        iso = self.isolate()
        self.assertEqual(iso.json("""(() => {
          const t = new EventTarget();
          let name;
          t.addEventListener("d", (e) => {
            try { t.dispatchEvent(e); } catch (err) { name = err.name; }
          });
          t.dispatchEvent(new Event("d"));
          return name;
        })()"""), "InvalidStateError")

    def test_listenerErrorIsReported(self):
        """
        An exception thrown by a listener is reported to the host as an "error" message and
        does not stop later listeners.
        """
        iso = self.isolate()
        self.assertEqual(iso.json("""(() => {
          const t = new EventTarget(), log = [];
          t.addEventListener("e", () => { throw new Error("boom"); });
          t.addEventListener("e", () => log.push("after"));
          t.dispatchEvent(new Event("e"));
          return log;
        })()"""), ["after"])
        errors = iso.logs("error")
        self.assertEqual(len(errors), 1)
        self.assertIn("boom", errors[0][1])


class AbortTests(_IsolateTestCase):
    """
    L{12_abort.js}: AbortController and AbortSignal.
    """

    def test_abortOnce(self):
        """
        abort() sets aborted and a default AbortError reason, fires one trusted "abort"
        event (onabort and listeners), and a second abort() does nothing.
        """
        iso = self.isolate()
        result = iso.json("""(() => {
          const c = new AbortController(), log = [];
          c.signal.onabort = (e) => log.push("handler:" + e.isTrusted);
          c.signal.addEventListener("abort", () => log.push("listener"));
          c.abort();
          c.abort("again");
          let thrown;
          try { c.signal.throwIfAborted(); } catch (e) { thrown = e.name; }
          return [c.signal.aborted, c.signal.reason.name, log, thrown];
        })()""")
        self.assertEqual(result, [True, "AbortError", ["handler:true", "listener"], "AbortError"])

    def test_anyFollowsSources(self):
        """
        AbortSignal.any() aborts with the reason of the first source to abort, after the
        source's own abort event, and is already aborted if a source is.
        """
        iso = self.isolate()
        result = iso.json("""(() => {
          const a = new AbortController(), b = new AbortController(), log = [];
          const any = AbortSignal.any([a.signal, b.signal]);
          const nested = AbortSignal.any([any]);
          a.signal.onabort = () => log.push("a");
          any.onabort = () => log.push("any");
          nested.onabort = () => log.push("nested");
          b.abort("why");
          return [any.reason, nested.reason, log,
                  AbortSignal.any([AbortSignal.abort(7)]).reason];
        })()""")
        self.assertEqual(result, ["why", "why", ["any", "nested"], 7])

    def test_eventHandlerAttribute(self):
        """
        onabort keeps the position of its first assignment among the listeners when it is
        replaced, setting it to null removes it, and non-objects read back as null.
        """
        iso = self.isolate()
        self.assertEqual(iso.json("""(() => {
          const log = [];
          const a = new AbortController();
          a.signal.onabort = () => log.push("first");
          a.signal.addEventListener("abort", () => log.push("listener"));
          a.signal.onabort = () => log.push("replaced");
          a.abort();
          const b = new AbortController();
          b.signal.onabort = () => log.push("removed");
          b.signal.onabort = null;
          b.abort();
          b.signal.onabort = 5;
          return [log, b.signal.onabort];
        })()"""), [["replaced", "listener"], None])

    def test_timeoutIsNotAUserTimer(self):
        """
        The timer behind AbortSignal.timeout() cannot be cancelled with clearTimeout.
        """
        iso = self.isolate()
        iso.eval("globalThis.s = AbortSignal.timeout(10);"
                 " for (let i = 0; i < 5; i++) clearTimeout(i);")
        iso.runTimers()
        self.assertTrue(iso.eval("s.aborted"))

    def test_dependentWithListenerSurvivesGC(self):
        """
        A dependent signal that nothing references but that has an abort listener still
        fires after a garbage collection when its source aborts.
        """
        iso = self.isolate()
        iso.eval("""globalThis.c = new AbortController(); globalThis.fired = [];
          AbortSignal.any([c.signal]).onabort = () => fired.push("handler");
          AbortSignal.any([c.signal]).addEventListener("abort", () => fired.push("listener"));
          for (let i = 0; i < 1000; i++) AbortSignal.any([c.signal]);""")
        iso.racer.low_memory_notification()
        iso.eval("for (let i = 0; i < 100; i++) AbortSignal.any([c.signal]); c.abort();")
        self.assertEqual(iso.json("fired"), ["handler", "listener"])

    def test_listenerSignal(self):
        """
        A listener added with a signal is removed when the signal aborts.
        """
        iso = self.isolate()
        self.assertEqual(iso.json("""(() => {
          const t = new EventTarget(), c = new AbortController();
          let n = 0;
          t.addEventListener("x", () => n++, {signal: c.signal});
          t.dispatchEvent(new Event("x"));
          c.abort();
          t.dispatchEvent(new Event("x"));
          return n;
        })()"""), 1)

    def test_timeout(self):
        """
        AbortSignal.timeout(ms) arms a host timer for ms and aborts with a TimeoutError
        when it fires; a negative value is a TypeError.
        """
        iso = self.isolate()
        iso.eval("globalThis.s = AbortSignal.timeout(250);")
        self.assertEqual(len(iso.armed), 1)
        self.assertTrue(200 <= list(iso.armed.values())[0] <= 250)
        self.assertFalse(iso.eval("s.aborted"))
        iso.fireNext()
        self.assertEqual(iso.json("[s.aborted, s.reason.name, s.reason.code]"),
                         [True, "TimeoutError", 23])
        self.assertTrue(iso.eval("(() => { try { AbortSignal.timeout(-1); } catch (e) {"
                                 " return e instanceof TypeError; } })()"))

    def test_notConstructible(self):
        """
        AbortSignal cannot be constructed by user code.
        """
        iso = self.isolate()
        self.assertTrue(iso.eval("(() => { try { new AbortSignal(); } catch (e) {"
                                 " return e instanceof TypeError; } })()"))


class RobustnessTests(_IsolateTestCase):
    """
    The prelude's internals do not depend on built-ins that user code can patch.
    """

    def test_patchedCollections(self):
        """
        Events, abort signals, timers, structuredClone and console keep working after user
        code replaces the methods of WeakMap, WeakSet, Map and Set.
        """
        iso = self.isolate()
        # (Map.prototype.get stays: 00_core.js routes host messages with it.)
        iso.eval("""for (const C of [WeakMap, WeakSet, Map, Set]) {
            for (const k of ["get", "set", "has", "add", "delete"]) {
              if (C === Map && k === "get") continue;
              if (k in C.prototype) C.prototype[k] = () => { throw new Error("patched"); };
            }
          }
          globalThis.log = [];
          const c = new AbortController();
          c.signal.addEventListener("abort", () => log.push("abort"));
          AbortSignal.any([c.signal]).onabort = () => log.push("any");
          c.abort();
          setTimeout(() => log.push("timer"), 1);
          log.push(structuredClone({a: [1]}).a[0]);
          console.count();
          log.push(crypto.randomUUID().length, performance.now() >= 0);""")
        iso.runTimers()
        self.assertEqual(iso.json("log"), ["abort", "any", 1, 36, True, "timer"])
        self.assertEqual(iso.logs()[0][2], "default: 1")


class TimerTests(_IsolateTestCase):
    """
    L{40_timers.js}: setTimeout/setInterval driven by host timer messages.
    """

    def test_extraArgumentsAndIds(self):
        """
        setTimeout returns a positive integer id, arms a host timer with the delay, and
        passes extra arguments to the callback when the host fires it.
        """
        iso = self.isolate()
        timerId = iso.eval("globalThis.got = null; setTimeout((a, b) => { got = [a, b]; }, 50, 1, 'x')")
        self.assertGreater(timerId, 0)
        self.assertIn(["timer_set", timerId, iso.armed[timerId], 1], iso.messages)
        self.assertTrue(0 <= iso.armed[timerId] <= 50)
        iso.fireNext()
        self.assertEqual(iso.json("got"), [1, "x"])

    def test_burst(self):
        """
        Timers due together arm one host timer for that many "timer" messages (each
        a task of its own: the microtasks of one callback run before the next). The
        count is taken when the host timer is armed: four timers created one after
        the other arm it for the first, the re-arm after it covers the rest. A timer
        cleared during a burst does not run; once nothing due is left the host is
        re-armed for the next timer and the burst's remaining message is ignored.
        """
        iso = self.isolate()
        iso.eval("""globalThis.order = [];
          globalThis.ids = [1, 2, 3, 4, 5].map((n) => setTimeout(() => {
            order.push("t" + n);
            if (n === 2) clearTimeout(ids[3]);
            Promise.resolve().then(() => order.push("m" + n));
          }, 0));
          setTimeout(() => order.push("later"), 1000);""")
        ((firstId, _),) = iso.armed.items()
        self.assertEqual(iso.burst[firstId], 1)
        iso.fireNext()
        ((burstId, _),) = iso.armed.items()
        self.assertEqual(iso.burst[burstId], 4)
        for _ in range(3):
            iso.fireNext()
        self.assertEqual(iso.json("order"), ["t1", "m1", "t2", "m2", "t3", "m3", "t5", "m5"])
        # Nothing due is left: the host timer was re-armed for "later" before the
        # burst's fourth message.
        ((laterId, laterDelay),) = iso.armed.items()
        self.assertNotIn(laterId, (firstId, burstId))
        self.assertEqual(iso.burst[laterId], 1)
        self.assertGreater(laterDelay, 900)
        iso.send(["timer", burstId])
        self.assertEqual(iso.json("order"), ["t1", "m1", "t2", "m2", "t3", "m3", "t5", "m5"])

    def test_deadlineOrder(self):
        """
        Timers run in deadline order (then creation order), whatever order they were
        created in; negative and NaN delays count as 0.
        """
        iso = self.isolate()
        iso.eval("""globalThis.order = [];
          setTimeout(() => order.push("100"), 100);
          setTimeout(() => order.push("neg"), -5);
          setTimeout(() => order.push("nan"), NaN);
          setTimeout(() => order.push("10"), 10);""")
        iso.runTimers()
        self.assertEqual(iso.json("order"), ["neg", "nan", "10", "100"])

    def test_clear(self):
        """
        clearTimeout cancels a pending timer and disarms the host timer; clearInterval and
        clearTimeout share one id space.
        """
        iso = self.isolate()
        iso.eval("globalThis.ran = false; globalThis.h = setTimeout(() => { ran = true; }, 5);")
        self.assertEqual(len(iso.armed), 1)
        iso.eval("clearInterval(h)")
        self.assertEqual(iso.armed, {})
        self.assertEqual(iso.messages[-1][0], "timer_clear")
        self.assertEqual(iso.runTimers(), 0)
        self.assertFalse(iso.eval("ran"))

    def test_intervalRearms(self):
        """
        An interval re-arms the host timer after each run until cleared, and nested runs
        are clamped to at least 4 ms after five levels.
        """
        iso = self.isolate()
        iso.eval("""globalThis.n = 0;
          globalThis.h = setInterval(() => { if (++n === 8) clearInterval(h); }, 0);""")
        delays = []
        while iso.armed:
            delays.append(list(iso.armed.values())[0])
            iso.fireNext()
        self.assertEqual(iso.eval("n"), 8)
        self.assertEqual(len(delays), 8)
        self.assertTrue(all(d >= 3 for d in delays[6:]), delays)

    def test_throwingCallbackIsReported(self):
        """
        A callback that throws is reported to the host as an "error" message, and later
        timers still run.
        """
        iso = self.isolate()
        iso.racer.eval("globalThis.later = false;")
        iso.eval("setTimeout(() => { throw new Error('kaput'); }, 1);"
                 "setTimeout(() => { later = true; }, 2);")
        iso.runTimers()
        errors = iso.logs("error")
        self.assertEqual(len(errors), 1)
        self.assertIn("kaput", errors[0][1])
        self.assertTrue(iso.eval("later"))

    def test_stringHandler(self):
        """
        A string handler is evaluated as global code (indirect eval) when the timer fires.
        """
        iso = self.isolate()
        iso.eval("setTimeout('globalThis.fromString = 6 * 7;', 0)")
        iso.runTimers()
        self.assertEqual(iso.eval("fromString"), 42)

    def test_staleHostTimerIgnored(self):
        """
        A host "timer" message for an id that is no longer armed runs nothing.
        """
        iso = self.isolate()
        iso.eval("globalThis.count = 0; globalThis.h = setTimeout(() => count++, 1);"
                 "clearTimeout(h);")
        iso.send(["timer", iso.eval("h")])
        self.assertEqual(iso.eval("count"), 0)


class TaskQueueTests(SynchronousTestCase):
    """
    L{40_timers.js}: C{nano.queueTask}, the task queue of other prelude files (run
    through L{TaskIsolate}, which exposes the internal object).
    """

    def setUp(self):
        self.iso = TaskIsolate(("00_", "01_", "10_", "11_", "12_", "40_", "41_", "44_"))
        self.addCleanup(self.iso.close)

    def test_fifoOneTaskPerTurn(self):
        """
        Tasks run in the order queued, one per host turn (the microtasks a task queues
        run before the next task), after the script that queued them, each under the
        request current when it was queued.
        """
        self.iso.eval("globalThis.log = [];")
        self.iso.runAs(3, """
          for (const name of ["a", "b", "c"]) {
            __nano.queueTask(() => {
              log.push([name, __nano.currentRequestId()]);
              queueMicrotask(() => log.push("micro " + name));
            });
          }
          log.push("sync");
        """)
        self.assertEqual(self.iso.json("log"), ["sync"])
        self.assertTrue(self.iso.fireNext())
        self.assertEqual(self.iso.json("log"), ["sync", ["a", 3], "micro a"])
        self.assertEqual(self.iso.runTasks(), 2)
        self.assertEqual(self.iso.json("log.slice(3)"), [["b", 3], "micro b", ["c", 3], "micro c"])

    def test_cancelAndErrors(self):
        """
        A cancelled task never runs and does not delay the next one; a throwing task is
        reported and the queue goes on; a task queued by a task runs after those queued
        before it.
        """
        self.iso.eval("""
          globalThis.log = [];
          const q = __nano.queueTask;
          const dropped = q(() => log.push("cancelled"));
          q(() => {
            log.push("throws");
            q(() => log.push("queued by a task"));
            throw new Error("task failed");
          });
          q(() => log.push("after"));
          __nano.cancelTask(dropped);
        """)
        self.assertEqual(self.iso.runTasks(), 3)
        self.assertEqual(self.iso.json("log"), ["throws", "after", "queued by a task"])
        self.assertEqual(len(self.iso.errors()), 1)
        self.assertIn("task failed", self.iso.errors()[0])

    def test_interleavesWithTimers(self):
        """
        The queue holds one zero-delay timer entry at a time, so a zero-delay user timer
        set between two tasks runs between them.
        """
        self.iso.eval("""
          globalThis.log = [];
          __nano.queueTask(() => log.push("task 1"));
          setTimeout(() => log.push("timeout"), 0);
          __nano.queueTask(() => log.push("task 2"));
        """)
        self.iso.runTasks()
        self.assertEqual(self.iso.json("log"), ["task 1", "timeout", "task 2"])


class MicrotaskAndCloneTests(_IsolateTestCase):
    """
    L{41_microtask_clone.js}: queueMicrotask, structuredClone and reportError.
    """

    def test_queueMicrotask(self):
        """
        queueMicrotask runs the callback after the current script, with no arguments;
        a throwing callback is reported; a non-function is a TypeError.
        """
        iso = self.isolate()
        self.assertEqual(iso.json("""(() => {
          globalThis.seen = [];
          queueMicrotask(function () { seen.push(arguments.length); });
          queueMicrotask(() => { throw new Error("micro"); });
          seen.push("sync");
          let threw = false;
          try { queueMicrotask("x"); } catch (e) { threw = e instanceof TypeError; }
          return threw;
        })()"""), True)
        self.assertEqual(iso.json("seen"), ["sync", 0])
        self.assertIn("micro", iso.logs("error")[0][1])

    def test_cloneGraph(self):
        """
        structuredClone copies cycles and shared references, Map/Set/Date/RegExp,
        wrappers, views sharing one buffer, and error types.
        """
        iso = self.isolate()
        result = iso.json("""(() => {
          const shared = {v: 1};
          const o = {a: shared, b: shared, m: new Map([[shared, "s"]]), s: new Set([1, 2]),
                     d: new Date(5), r: /ab+c/gi, w: new Number(3), e: new RangeError("r")};
          o.self = o;
          const buf = new ArrayBuffer(8);
          o.u8 = new Uint8Array(buf, 2, 4); o.dv = new DataView(buf);
          o.u8[0] = 9;
          const c = structuredClone(o);
          return [c !== o, c.self === c, c.a === c.b, c.a !== shared, c.m.get(c.a),
                  c.s.has(2), c.d.getTime(), c.r.source + "/" + c.r.flags,
                  c.w instanceof Number && c.w.valueOf(), c.e instanceof RangeError, c.e.message,
                  c.u8.buffer === c.dv.buffer, c.u8.byteOffset, c.dv.getUint8(2),
                  Object.getPrototypeOf(c) === Object.prototype];
        })()""")
        self.assertEqual(result, [True, True, True, True, "s", True, 5, "ab+c/gi", 3, True, "r",
                                  True, 2, 9, True])

    def test_cloneErrors(self):
        """
        Functions, symbols and weak collections cannot be cloned: DataCloneError.
        """
        iso = self.isolate()
        self.assertEqual(iso.json("""[() => 1, Symbol("s"), {f() {}}, new WeakMap()].map((v) => {
          try { structuredClone(v); return "cloned"; } catch (e) { return e.name + ":" + e.code; }
        })"""), ["DataCloneError:25"] * 4)

    def test_transfer(self):
        """
        Transferring an ArrayBuffer detaches the original and moves its contents; a
        duplicate in the transfer list is a DataCloneError.
        """
        iso = self.isolate()
        self.assertEqual(iso.json("""(() => {
          const b = new Uint8Array([1, 2, 3]).buffer;
          const c = structuredClone({b}, {transfer: [b]});
          let dup;
          const x = new ArrayBuffer(1);
          try { structuredClone(x, {transfer: [x, x]}); } catch (e) { dup = e.name; }
          return [b.byteLength, Array.from(new Uint8Array(c.b)), dup];
        })()"""), [0, [1, 2, 3], "DataCloneError"])

    def test_transferListChecks(self):
        """
        The transfer list may hold only ArrayBuffers and MessagePorts, each once; a
        clone that fails leaves every listed ArrayBuffer attached.
        """
        iso = self.isolate()
        self.assertEqual(iso.json("""(() => {
          const name = (fn) => { try { fn(); return "ok"; } catch (e) { return e.name; } };
          const b = new ArrayBuffer(2);
          return [name(() => structuredClone(1, {transfer: [{}]})),
                  name(() => structuredClone(1, {transfer: [new Uint8Array(1)]})),
                  name(() => structuredClone({f() {}}, {transfer: [b]})), b.byteLength,
                  name(() => structuredClone(1, {transfer: [b]})), b.byteLength];
        })()"""), ["DataCloneError", "DataCloneError", "DataCloneError", 2, "ok", 0])

    def test_cloneDOMException(self):
        """
        A DOMException clones to a DOMException with the same name and message.
        """
        iso = self.isolate()
        self.assertEqual(iso.json("""(() => {
          const c = structuredClone(new DOMException("gone", "NotFoundError"));
          return [c instanceof DOMException, c.name, c.message, c.code];
        })()"""), [True, "NotFoundError", "gone", 8])

    def test_reportError(self):
        """
        reportError fires a cancelable "error" event at the global; if no listener cancels
        it, the error goes to the host log.
        """
        iso = self.isolate()
        iso.eval("""globalThis.events = [];
          addEventListener("error", (e) => { events.push(e.message); if (e.error === 1) e.preventDefault(); });
          reportError(1);
          reportError(new Error("shown"));""")
        self.assertEqual(iso.json("events"), ["Uncaught 1", "Uncaught shown"])
        errors = iso.logs("error")
        self.assertEqual(len(errors), 1)
        self.assertIn("shown", errors[0][1])


def _chachaBlock(key, counter):
    """
    A reference ChaCha20 block (RFC 8439 section 2.3) with a zero nonce.
    """
    def rotl(v, n):
        return ((v << n) | (v >> (32 - n))) & 0xFFFFFFFF

    state = [0x61707865, 0x3320646E, 0x79622D32, 0x6B206574]
    state += list(struct.unpack("<8I", key)) + [counter, 0, 0, 0]
    x = list(state)

    def q(a, b, c, d):
        x[a] = (x[a] + x[b]) & 0xFFFFFFFF
        x[d] = rotl(x[d] ^ x[a], 16)
        x[c] = (x[c] + x[d]) & 0xFFFFFFFF
        x[b] = rotl(x[b] ^ x[c], 12)
        x[a] = (x[a] + x[b]) & 0xFFFFFFFF
        x[d] = rotl(x[d] ^ x[a], 8)
        x[c] = (x[c] + x[d]) & 0xFFFFFFFF
        x[b] = rotl(x[b] ^ x[c], 7)

    for _ in range(10):
        q(0, 4, 8, 12)
        q(1, 5, 9, 13)
        q(2, 6, 10, 14)
        q(3, 7, 11, 15)
        q(0, 5, 10, 15)
        q(1, 6, 11, 12)
        q(2, 7, 8, 13)
        q(3, 4, 9, 14)
    return struct.pack("<16I", *[(a + b) & 0xFFFFFFFF for a, b in zip(x, state)])


class CryptoTests(_IsolateTestCase):
    """
    L{43_crypto_random.js}: crypto.getRandomValues and crypto.randomUUID.
    """

    def test_chachaReference(self):
        """
        The reference block function matches RFC 8439's test vector (zero key, zero
        nonce, counter 0), so the next test checks the JS generator against a known-good
        ChaCha20.
        """
        self.assertEqual(_chachaBlock(bytes(32), 0)[:16].hex(), "76b8e0ada0f13d90405d6ae55386bd28")

    def test_keystream(self):
        """
        The generator is a ChaCha20 keystream with fast key erasure seeded from
        bootstrap.seed: the first output equals the reference computation.
        """
        iso = self.isolate()
        seed = bytes.fromhex(_SEED)
        rekey = _chachaBlock(seed, 0)[32:64]
        expected = _chachaBlock(rekey, 0)[32:48]
        self.assertEqual(
            iso.json("Array.from(crypto.getRandomValues(new Uint8Array(16)))"), list(expected))

    def test_entropyReseeds(self):
        """
        Two isolates with the same seed produce the same bytes until one receives an
        "entropy" message.
        """
        a, b = self.isolate(), self.isolate()
        expr = "Array.from(crypto.getRandomValues(new Uint32Array(4)))"
        self.assertEqual(a.json(expr), b.json(expr))
        b.send(["entropy", os.urandom(32).hex()])
        self.assertNotEqual(a.json(expr), b.json(expr))

    def test_getRandomValuesChecks(self):
        """
        getRandomValues returns its argument, rejects float arrays and DataViews with a
        TypeMismatchError and more than 65536 bytes with a QuotaExceededError.
        """
        iso = self.isolate()
        self.assertEqual(iso.json("""(() => {
          const a = new Int16Array(4);
          const names = [new Float32Array(1), new DataView(new ArrayBuffer(1)),
                         new Uint8Array(65537), new BigInt64Array(8193)].map((v) => {
            try { crypto.getRandomValues(v); return "ok"; } catch (e) { return e.name; }
          });
          return [crypto.getRandomValues(a) === a, crypto.getRandomValues(new Uint8Array(65536)).length,
                  names, crypto instanceof Crypto];
        })()"""), [True, 65536, ["TypeMismatchError", "TypeMismatchError",
                                 "QuotaExceededError", "QuotaExceededError"], True])

    def test_randomUUID(self):
        """
        randomUUID returns distinct version-4, RFC 4122 variant UUID strings.
        """
        iso = self.isolate()
        uuids = iso.json("Array.from({length: 50}, () => crypto.randomUUID())")
        self.assertEqual(len(set(uuids)), 50)
        for u in uuids:
            self.assertRegex(u, r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


class ConsoleTests(_IsolateTestCase):
    """
    L{44_console.js}: console output to the host.
    """

    def _log(self, source):
        iso = self.isolate()
        iso.eval(source)
        return [(m[1], m[2]) for m in iso.logs()]

    def test_levels(self):
        """
        log and info map to "info", debug and trace to "debug", warn and error keep their
        level; trace appends a stack.
        """
        logs = self._log("console.log(1); console.info(2); console.debug(3); console.warn(4);"
                         " console.error(5); console.trace('t');")
        self.assertEqual([l for l, _ in logs], ["info", "info", "debug", "warn", "error", "debug"])
        self.assertTrue(logs[-1][1].startswith("Trace: t\n    at "))

    def test_printf(self):
        """
        %s %d %i %f %o %O %c and %% are substituted; remaining arguments are appended.
        """
        logs = self._log("console.log('%s|%d|%i|%f|%o|%O|%c|%%', 'a', '42', 4.7, '1.5', [1], {b: 2},"
                         " 'color: red', 'rest', 7)")
        self.assertEqual(logs, [("info", "a|42|4|1.5|[ 1 ]|{ b: 2 }||% rest 7")])

    def test_objects(self):
        """
        Objects print readably: nested values, Maps, Sets, cycles, -0, bigints, quoted keys,
        class names, and depth-limited nesting.
        """
        logs = self._log("const o = {a: [1, 'two'], m: new Map([['k', 1]]), s: new Set([true]),"
                         " 'x-y': -0, n: 5n, deep: {l1: {l2: {l3: 1}}}}; o.me = o;"
                         " console.log(o); console.log(new (class Point { constructor() { this.x = 1; } }))")
        self.assertEqual(logs[0][1],
                         "<ref *1> {\n  a: [ 1, 'two' ],\n  m: Map(1) { 'k' => 1 },\n"
                         "  s: Set(1) { true },\n  'x-y': -0,\n  n: 5n,\n"
                         "  deep: { l1: { l2: [Object] } },\n  me: [Circular *1]\n}")
        self.assertEqual(logs[1][1], "Point { x: 1 }")

    def test_errorsPrintStack(self):
        """
        An error prints its stack.
        """
        logs = self._log("console.error(new TypeError('nope'))")
        self.assertTrue(logs[0][1].startswith("TypeError: nope\n    at "), logs)

    def test_groupCountTimeAssert(self):
        """
        group indents later lines (every line of a message), count counts per label,
        timeEnd prints the elapsed time, and a failing assert logs an error.
        """
        logs = self._log("console.group('g'); console.log('a\\nb'); console.groupEnd();"
                         " console.count(); console.count('x'); console.count();"
                         " console.time('t'); console.timeEnd('t'); console.assert(1 === 2, 'bad');"
                         " console.assert(true, 'fine');")
        self.assertEqual(logs[:5], [("info", "g"), ("info", "  a\n  b"), ("info", "default: 1"),
                                    ("info", "x: 1"), ("info", "default: 2")])
        self.assertRegex(logs[5][1], r"^t: \d+ms$")
        self.assertEqual(logs[6], ("error", "Assertion failed: bad"))
        self.assertEqual(len(logs), 7)

    def test_table(self):
        """
        console.table draws a box table with an index column and one column per key.
        """
        logs = self._log("console.table([{a: 1}, {a: 2, b: 'x'}])")
        lines = logs[0][1].split("\n")
        self.assertEqual(lines[1], "│ (index) │ a │  b  │")
        self.assertEqual(lines[4], "│    1    │ 2 │ 'x' │")

    def test_truncation(self):
        """
        A message longer than 64 KiB is truncated with a marker.
        """
        logs = self._log("console.log('é'.repeat(100000))")
        text = logs[0][1]
        self.assertLessEqual(len(text.encode("utf-8")), 65536)
        self.assertIn("[truncated", text)

    def test_requestAttribution(self):
        """
        Each log message carries the id of the request being handled (null outside one),
        and timers and microtasks created while handling a request log under its id later.
        """
        iso = self.isolate()
        iso.eval("console.log('outside')")
        iso.send(["test_run", 7, "console.log('inside'); setTimeout(() => console.warn('timer'), 5);"
                  " queueMicrotask(() => console.info('micro'));"
                  " setTimeout(() => { throw new Error('late'); }, 6);"])
        iso.runTimers()
        self.assertEqual([(m[2], m[3]) for m in iso.logs()],
                         [("outside", None), ("inside", 7), ("micro", 7), ("timer", 7)])
        self.assertEqual(iso.logs("error")[0][2], 7)


class NavigatorAndPerformanceTests(_IsolateTestCase):
    """
    L{42_performance.js} and L{45_navigator.js}.
    """

    def test_navigatorAndSelf(self):
        """
        navigator.userAgent comes from the bootstrap data; self is the global object,
        which is an EventTarget.
        """
        iso = self.isolate(userAgent="Agent/9")
        self.assertEqual(iso.json("[navigator.userAgent, navigator instanceof Navigator,"
                                  " self === globalThis, self instanceof EventTarget]"),
                         ["Agent/9", True, True, True])

    def test_performance(self):
        """
        performance.timeOrigin is the bootstrap value, now() is non-negative and never
        decreases, and toJSON() reports the time origin.
        """
        iso = self.isolate(timeOrigin=1000.25)
        self.assertEqual(iso.json("(() => { const a = performance.now(), b = performance.now();"
                                  " return [performance.timeOrigin, a >= 0, b >= a,"
                                  " performance.toJSON().timeOrigin]; })()"),
                         [1000.25, True, True, 1000.25])

"""
Tests for L{nano.isolate.engine}: real isolates, driven by a L{PumpedReactor}.
"""

import threading
import time

from twisted.trial.unittest import SynchronousTestCase

from nano.isolate.engine import (
    _CLOSE_WAIT,
    Handle,
    IsolateClosed,
    JSError,
    JSParseError,
    JSTerminated,
    V8Context,
)
from nano.testing import PumpedReactor


class _BlockingFree:
    """
    The library, except that C{mr_free_context} waits for C{release} (and then
    sets C{freed}).
    """

    def __init__(self, dll):
        self._dll = dll
        self.release = threading.Event()
        self.freed = threading.Event()

    def __getattr__(self, name):
        return getattr(self._dll, name)

    def mr_free_context(self, ctx):
        self.release.wait(10)
        self._dll.mr_free_context(ctx)
        self.freed.set()


class V8ContextTests(SynchronousTestCase):
    """
    L{V8Context} runs scripts asynchronously and reports results on the reactor.
    """

    def setUp(self):
        self.reactor = PumpedReactor()
        self.drained = []
        self.context = V8Context(self.reactor, self.drained.append)
        self.addCleanup(self.context.close)
        self.result(self.context.prepare())

    def result(self, d):
        box = []
        d.addBoth(box.append)
        self.reactor.pump(lambda: box)
        return box[0]

    def test_values(self):
        """
        Completion values convert: numbers, strings (non-ASCII too), booleans,
        null/undefined, ArrayBuffers as bytes, objects as handles.
        """
        self.assertEqual(self.result(self.context.eval("6 * 7")), 42)
        self.assertEqual(self.result(self.context.eval("1.5")), 1.5)
        self.assertEqual(self.result(self.context.eval("'h\u00e9llo \u2603'")), "h\u00e9llo \u2603")
        self.assertIs(self.result(self.context.eval("true")), True)
        self.assertIsNone(self.result(self.context.eval("undefined")))
        self.assertEqual(self.result(self.context.eval("new Uint8Array([1,2,255]).buffer")), b"\x01\x02\xff")
        self.assertIsInstance(self.result(self.context.eval("({a: 1})")), Handle)

    def test_parseError(self):
        """
        A syntax error fails with L{JSParseError} carrying the file and line.
        """
        failure = self.result(self.context.eval("let x = ;\n//# sourceURL=app/x.js"))
        self.assertIsInstance(failure.value, JSParseError)
        self.assertIn("app/x.js:1: SyntaxError", str(failure.value))

    def test_thrown(self):
        """
        An uncaught exception fails with L{JSError} including the stack.
        """
        failure = self.result(self.context.eval("(function f() { throw new RangeError('nope') })()"))
        self.assertIsInstance(failure.value, JSError)
        self.assertIn("RangeError: nope", str(failure.value))

    def test_callWithStringThis(self):
        """
        L{V8Context.call} passes a string as C{this}: one crossing carries the payload.
        """
        fn = self.result(self.context.eval("(function () { return this.toUpperCase() + '!' })"))
        self.assertEqual(self.result(self.context.call(fn, "batch \u00e9")), "BATCH \u00c9!")

    def test_deadline(self):
        """
        A call past its deadline is terminated (L{JSTerminated}); the isolate stays
        usable and keeps its globals.
        """
        self.result(self.context.eval("globalThis.kept = 7"))
        d = self.context.eval("while (true) {}", timeout=0.05)
        box = []
        d.addBoth(box.append)
        self.reactor.pump(lambda: box, advance=0.05)
        self.assertIsInstance(box[0].value, JSTerminated)
        self.assertEqual(self.result(self.context.eval("kept")), 7)

    def test_doorbellDrain(self):
        """
        JS ringing the doorbell makes the pump thread call drain; its text reaches
        C{onDrain} on the reactor, once per batch.
        """
        setup = self.result(self.context.eval(
            "globalThis.q = []; globalThis.drain = function () { const t = JSON.stringify(q); q = []; return t };"
            "(function () { globalThis.ring = this })"
        ))
        drain = self.result(self.context.eval("drain"))
        self.context.installBridge(drain)
        self.result(self.context.call(setup, self.context.makeDoorbell()))
        self.result(self.context.eval("q.push(1, 2); ring(); q.push(3)"))
        self.reactor.pump(lambda: self.drained)
        self.assertEqual(self.drained, ["[1,2,3]"])

    def test_postInOrder(self):
        """
        L{V8Context.post} takes a string or a L{Handle} as C{this}; posted calls run
        in the order they were posted, before anything posted later.
        """
        record = self.result(self.context.eval(
            "globalThis.seen = []; (function () { 'use strict'; seen.push(typeof this === 'string' ? this : this.v) })"))
        value = self.result(self.context.eval("({v: 'handle'})"))
        self.context.post(record, "first")
        self.context.post(record, value)
        self.assertEqual(self.result(self.context.eval("seen.join()")), "first,handle")

    def test_oldestPostAge(self):
        """
        While a posted call runs its age grows; once it completed there is none.
        """
        import time

        spin = self.result(self.context.eval("(function () { const end = Date.now() + 80; while (Date.now() < end); })"))
        self.assertEqual(self.context.oldestPostAge(), 0.0)
        self.context.post(spin, "x")
        time.sleep(0.03)
        self.assertGreater(self.context.oldestPostAge(), 0.02)
        self.reactor.pump(lambda: self.context.oldestPostAge() == 0.0)

    def test_closeFailsPending(self):
        """
        Closing fails what is pending with L{IsolateClosed}; later calls fail at once.
        """
        d = self.context.eval("while (true) {}")
        box = []
        d.addBoth(box.append)
        self.context.close()
        self.assertIsInstance(box[0].value, IsolateClosed)
        self.assertRaises(IsolateClosed, self.context.eval, "1")
        self.assertTrue(self.context.closed)

    def test_closeDoesNotWaitForRunaway(self):
        """
        Closing a context whose thread is stuck in a microtask loop (which nothing
        can cancel) with a call queued behind it returns at once: the context is
        freed from another thread once the wait for its tasks ends.
        """
        self.result(self.context.eval("Promise.resolve().then(() => { for (;;) {} }); 1"))
        d = self.context.eval("2")
        box = []
        d.addBoth(box.append)
        started = time.monotonic()
        self.context.close()
        self.assertLess(time.monotonic() - started, _CLOSE_WAIT / 2)
        self.assertIsInstance(box[0].value, IsolateClosed)
        self.assertRaises(IsolateClosed, self.context.eval, "3")

    def test_closeDoesNotWaitForFree(self):
        """
        Closing returns before the library has freed the context (freeing an
        isolate's memory can take a while): the free happens on another thread.
        """
        library = _BlockingFree(self.context._dll)
        self.context._dll = library
        self.context.close()
        self.assertTrue(self.context.closed)
        self.assertFalse(library.freed.is_set())
        library.release.set()
        self.assertTrue(library.freed.wait(10))

class LifetimeTests(SynchronousTestCase):
    """
    An open context is never garbage collected (its C callback would then be freed
    while the library can still call it); a closed one is.
    """

    def test_openKeptAlive(self):
        """
        A context with a task in flight whose only references form an unreachable
        cycle survives a collection, completes its task, and is collectable once
        closed and its callback's grace period (for late completions) is over.
        """
        import gc
        import weakref

        reactor = PumpedReactor()
        context = V8Context(reactor, lambda data: None)
        done = []
        d = context.prepare()
        d.addCallback(lambda _, c=context: c.eval("let x = 0; for (let i = 0; i < 1e6; i++) x += i; x"))
        d.addBoth(done.append)
        ref = weakref.ref(context)
        del context, d
        gc.collect()
        self.assertIsNotNone(ref())
        reactor.pump(lambda: done)
        self.assertEqual(done, [499999500000])
        ref().close()
        reactor.advance(61)
        gc.collect()
        self.assertIsNone(ref())

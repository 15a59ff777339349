"""
Tests for the writable, transform and piping parts of the prelude:
C{nano/streams/js/28_writable_stream.js}, C{29_pipe_to.js} and
C{29_transform_stream.js}, in a real isolate.
"""

from nano.test.jsisolate import JSIsolateTestCase


class WritableTests(JSIsolateTestCase):
    """
    WritableStream, its writer and controller.
    """

    def test_writesInOrderThenClose(self):
        """
        Writes reach the sink one at a time, in order, each after the previous write's
        promise settled; close() runs after the last write.
        """
        self.assertEqual(self.runAsync("""
            const events = [];
            let release;
            const ws = new WritableStream({
              write(chunk) {
                events.push('write ' + chunk);
                if (chunk === 1) return new Promise((r) => { release = r; });
              },
              close() { events.push('close'); },
            });
            const writer = ws.getWriter();
            const writes = [writer.write(1), writer.write(2)];
            const closing = writer.close();
            for (let i = 0; i < 5; i++) await null;
            const before = events.slice();
            release();
            await Promise.all([...writes, closing]);
            return [before, events];
        """), [["write 1"], ["write 1", "write 2", "close"]])

    def test_backpressureOnWriter(self):
        """
        desiredSize falls as writes queue up and ready stays pending until the sink
        catches up.
        """
        self.assertEqual(self.runAsync("""
            let release;
            const ws = new WritableStream({write() { return new Promise((r) => { release = r; }); }},
                                          {highWaterMark: 2});
            const writer = ws.getWriter();
            await writer.ready;
            writer.write('a'); writer.write('b');
            let ready = false;
            writer.ready.then(() => { ready = true; });
            for (let i = 0; i < 5; i++) await null;
            const sizes = [writer.desiredSize, ready];
            release();
            for (let i = 0; i < 10; i++) await null;
            return [sizes, writer.desiredSize, ready];
        """), [[0, False], 1, True])

    def test_abortSignal(self):
        """
        Aborting the stream aborts the controller's signal with the reason, and the
        sink's abort() gets the reason.
        """
        self.assertEqual(self.runAsync("""
            let signal, aborted;
            const ws = new WritableStream({
              start(c) { signal = c.signal; },
              abort(reason) { aborted = reason; },
            });
            await ws.abort('because');
            return [signal.aborted, signal.reason, aborted, signal instanceof AbortSignal];
        """), [True, "because", "because", True])


class PipeTests(JSIsolateTestCase):
    """
    pipeTo and pipeThrough.
    """

    def test_pipeAbortSignal(self):
        """
        Aborting the signal mid-pipe rejects the pipe with the signal's reason, aborts
        the destination and cancels the source with it.
        """
        self.assertEqual(self.runAsync("""
            let cancelled, aborted;
            const controller = new AbortController();
            const rs = new ReadableStream({
              pull(c) { c.enqueue('x'); },
              cancel(r) { cancelled = r; },
            });
            let writes = 0;
            const ws = new WritableStream({
              write() { if (++writes === 3) controller.abort('stop'); },
              abort(r) { aborted = r; },
            });
            let error;
            try { await rs.pipeTo(ws, {signal: controller.signal}); } catch (e) { error = e; }
            return [error, cancelled, aborted, rs.locked, ws.locked, writes];
        """), ["stop", "stop", "stop", False, False, 3])

    def test_pipeAbortSignalPrevent(self):
        """
        With preventAbort and preventCancel, an abort leaves both streams usable; an
        already-aborted signal stops the pipe before any read (an AbortError by default).
        """
        self.assertEqual(self.runAsync("""
            const controller = new AbortController();
            const rs = new ReadableStream({start(c) { c.enqueue(1); c.enqueue(2); }});
            const seen = [];
            const ws = new WritableStream({write(c) { seen.push(c); controller.abort(); }});
            let error;
            try {
              await rs.pipeTo(ws, {signal: controller.signal, preventAbort: true, preventCancel: true});
            } catch (e) { error = e.name; }
            const reader = rs.getReader();
            const next = (await reader.read()).value;
            reader.releaseLock();
            const rs2 = ReadableStream.from(['a', 'b']);
            let early;
            try {
              await rs2.pipeTo(new WritableStream(), {signal: AbortSignal.abort(), preventCancel: true});
            } catch (e) { early = e.name; }
            const first = (await rs2.getReader().read()).value;
            return [error, seen, next, early, first];
        """), ["AbortError", [1], 2, "AbortError", "a"])

    def test_pipeRespectsBackpressure(self):
        """
        A slow destination stops the pipe from reading: two chunks fill the
        destination's queue (high-water mark 2), one more waits in the source's queue
        (high-water mark 1), and the source is not pulled again.
        """
        self.assertEqual(self.runAsync("""
            let pulls = 0;
            const rs = new ReadableStream({pull(c) { pulls++; c.enqueue(pulls); }}, {highWaterMark: 1});
            const ws = new WritableStream({write() { return new Promise(() => {}); }}, {highWaterMark: 2});
            rs.pipeTo(ws);
            for (let i = 0; i < 50; i++) await null;
            return pulls;
        """), 3)

    def test_errorsPropagate(self):
        """
        A source error aborts the destination; a destination error cancels the source;
        the pipe rejects with the error.
        """
        self.assertEqual(self.runAsync("""
            let aborted, cancelled;
            const e1 = new Error('source broke'), e2 = new Error('sink broke');
            const p1 = new ReadableStream({start(c) { c.error(e1); }})
              .pipeTo(new WritableStream({abort(r) { aborted = r; }}));
            const p2 = new ReadableStream({pull(c) { c.enqueue(1); }, cancel(r) { cancelled = r; }})
              .pipeTo(new WritableStream({write() { throw e2; }}));
            const results = [];
            for (const p of [p1, p2]) { try { await p; } catch (e) { results.push(e.message); } }
            return [results, aborted === e1, cancelled === e2];
        """), [["source broke", "sink broke"], True, True])


class TransformTests(JSIsolateTestCase):
    """
    TransformStream.
    """

    def test_asyncTransformAndFlush(self):
        """
        An async transform() and flush() run in order; flush() can enqueue a trailer.
        """
        self.assertEqual(self.runAsync("""
            const ts = new TransformStream({
              async transform(chunk, c) { await null; c.enqueue(chunk.toUpperCase()); },
              async flush(c) { await null; c.enqueue('!'); },
            });
            const out = [];
            const reading = (async () => { for await (const x of ts.readable) out.push(x); })();
            const writer = ts.writable.getWriter();
            await writer.write('a'); await writer.write('b'); await writer.close();
            await reading;
            return out;
        """), ["A", "B", "!"])

    def test_pipeThroughChain(self):
        """
        pipeThrough chains transforms; terminate() ends the readable side early and
        errors the writable side.
        """
        self.assertEqual(self.runAsync("""
            const double = new TransformStream({transform(x, c) { c.enqueue(x * 2); }});
            const firstTwo = new TransformStream({transform(x, c) {
              c.enqueue(x);
              if (x >= 4) c.terminate();
            }});
            const out = [];
            for await (const x of ReadableStream.from([1, 2, 3, 4]).pipeThrough(double).pipeThrough(firstTwo)) {
              out.push(x);
            }
            return out;
        """), [2, 4])

    def test_cancelCallsTransformerCancel(self):
        """
        Cancelling the readable side calls transformer.cancel() with the reason and
        errors the writable side with it.
        """
        self.assertEqual(self.runAsync("""
            let reason;
            const ts = new TransformStream({cancel(r) { reason = r; }});
            const writer = ts.writable.getWriter();
            await ts.readable.cancel('enough');
            let closed;
            try { await writer.closed; } catch (e) { closed = e; }
            return [reason, closed];
        """), ["enough", "enough"])

    def test_backpressureStopsTransform(self):
        """
        With no reader, transform() does not run (the readable side's high-water mark
        is 0); each read lets one more chunk through.
        """
        self.assertEqual(self.runAsync("""
            let calls = 0;
            const ts = new TransformStream({transform(x, c) { calls++; c.enqueue(x); }});
            const writer = ts.writable.getWriter();
            writer.write(1); writer.write(2); writer.write(3);
            for (let i = 0; i < 20; i++) await null;
            const before = calls;
            const reader = ts.readable.getReader();
            await reader.read(); await reader.read();
            for (let i = 0; i < 20; i++) await null;
            return [before, calls];
        """), [0, 2])

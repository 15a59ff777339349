"""
Tests for the readable streams of the prelude: C{nano/streams/js/25_readable_stream.js}
(ReadableStream, default readers and controllers), C{26_byte_stream_controller.js} and C{26_byte_stream_interfaces.js} (byte
streams, BYOB readers and requests) and C{27_readable_tee_iterate.js} (tee, from, async
iteration), in a real isolate.
"""

from nano.test.jsisolate import JSIsolateTestCase


class BackpressureTests(JSIsolateTestCase):
    """
    A stream pulls from its source until its queue reaches the high-water mark, then
    waits for the consumer.
    """

    def test_pullStopsUntilRead(self):
        """
        With a high-water mark of 2, pull() runs twice, desiredSize falls to 0 and then
        below as the source pushes more; no further pull happens until a read takes a
        chunk from the queue.
        """
        self.assertEqual(self.runAsync("""
            let pulls = 0, controller;
            const rs = new ReadableStream({
              start(c) { controller = c; },
              pull(c) { pulls++; c.enqueue(pulls); },
            }, {highWaterMark: 2});
            for (let i = 0; i < 5; i++) await null;
            const afterStart = [pulls, controller.desiredSize];
            controller.enqueue('pushed');
            const pushed = controller.desiredSize;
            for (let i = 0; i < 5; i++) await null;
            const stillWaiting = pulls;
            const reader = rs.getReader();
            const first = await reader.read();
            for (let i = 0; i < 5; i++) await null;
            return [afterStart, pushed, stillWaiting, first.value, pulls];
        """), [[2, 0], -1, 2, 1, 2])

    def test_pullResumesWhenQueueDrains(self):
        """
        Once reads bring the queue below the high-water mark, pull() is called again.
        """
        self.assertEqual(self.runAsync("""
            let pulls = 0;
            const rs = new ReadableStream({pull(c) { pulls++; c.enqueue(pulls); }}, {highWaterMark: 1});
            for (let i = 0; i < 5; i++) await null;
            const before = pulls;
            const reader = rs.getReader();
            const values = [(await reader.read()).value, (await reader.read()).value];
            for (let i = 0; i < 5; i++) await null;
            return [before, values, pulls];
        """), [1, [1, 2], 3])

    def test_sizeStrategy(self):
        """
        A size() strategy measures each chunk; ByteLengthQueuingStrategy counts bytes.
        """
        self.assertEqual(self.runAsync("""
            let controller;
            new ReadableStream({start(c) { controller = c; }},
                               new ByteLengthQueuingStrategy({highWaterMark: 10}));
            controller.enqueue(new Uint8Array(4));
            const a = controller.desiredSize;
            controller.enqueue(new Uint8Array(8));
            return [a, controller.desiredSize];
        """), [6, -2])


class ByteStreamTests(JSIsolateTestCase):
    """
    Byte streams and BYOB reads.
    """

    def test_byobReadWithRespond(self):
        """
        A BYOB read hands the source a view of the reader's buffer (byobRequest); after
        respond(n) the read resolves with a view of n bytes over the same memory, and the
        buffer passed to read() is detached.
        """
        self.assertEqual(self.runAsync("""
            const rs = new ReadableStream({
              type: 'bytes',
              pull(c) {
                const v = c.byobRequest.view;
                v[0] = 7; v[1] = 8; v[2] = 9;
                c.byobRequest.respond(3);
              },
            });
            const reader = rs.getReader({mode: 'byob'});
            const buffer = new ArrayBuffer(8);
            const {value, done} = await reader.read(new Uint8Array(buffer));
            return [Array.from(value), done, value.buffer.byteLength, buffer.byteLength,
                    reader instanceof ReadableStreamBYOBReader];
        """), [[7, 8, 9], False, 8, 0, True])

    def test_byobReadMinAndElements(self):
        """
        read(view, {min}) waits for min elements; bytes that do not make a whole
        element stay queued for the next read.
        """
        self.assertEqual(self.runAsync("""
            let controller;
            const rs = new ReadableStream({type: 'bytes', start(c) { controller = c; }});
            const reader = rs.getReader({mode: 'byob'});
            const p = reader.read(new Uint16Array(4), {min: 2});
            controller.enqueue(new Uint8Array([1, 0, 2]));
            controller.enqueue(new Uint8Array([0, 3]));
            const first = await p;
            const second = await reader.read(new Uint8Array(4));
            return [Array.from(first.value), first.value.constructor.name, Array.from(second.value)];
        """), [[1, 2], "Uint16Array", [3]])

    def test_defaultReaderOnByteStream(self):
        """
        A default reader of a byte stream gets the enqueued bytes as Uint8Arrays; the
        enqueued buffer is transferred (the source's view is detached).
        """
        self.assertEqual(self.runAsync("""
            const chunk = new Uint8Array([5, 6]);
            const rs = new ReadableStream({type: 'bytes', start(c) { c.enqueue(chunk); c.close(); }});
            const reader = rs.getReader();
            const a = await reader.read();
            const b = await reader.read();
            return [Array.from(a.value), a.value.constructor.name, chunk.byteLength, b.done];
        """), [[5, 6], "Uint8Array", 0, True])

    def test_badViews(self):
        """
        BYOB reads of an empty view reject with a TypeError, a min larger than the view
        with a RangeError; a BYOB reader needs a byte stream.
        """
        self.assertEqual(self.runAsync("""
            const rs = new ReadableStream({type: 'bytes'});
            const reader = rs.getReader({mode: 'byob'});
            const errors = [];
            for (const p of [reader.read(new Uint8Array(0)), reader.read(new Uint8Array(2), {min: 3}),
                             reader.read('nope')]) {
              try { await p; errors.push('none'); } catch (e) { errors.push(e.constructor.name); }
            }
            try { new ReadableStream().getReader({mode: 'byob'}); } catch (e) { errors.push(e.constructor.name); }
            return errors;
        """), ["TypeError", "RangeError", "TypeError", "TypeError"])


class TeeTests(JSIsolateTestCase):
    """
    tee(): independent branches, no data lost whatever the balance of reads.
    """

    def test_unbalancedReads(self):
        """
        Reading one branch to the end first leaves every chunk queued in the other
        branch, in order; the source is pulled only as the fast branch asks.
        """
        self.assertEqual(self.runAsync("""
            let pulls = 0;
            const rs = new ReadableStream({pull(c) {
              pulls++;
              if (pulls <= 50) c.enqueue(pulls); else c.close();
            }}, {highWaterMark: 0});
            const [fast, slow] = rs.tee();
            const a = [];
            for await (const x of fast) a.push(x);
            const pullsAfterFast = pulls;
            const b = [];
            for await (const x of slow) b.push(x);
            return [a.length, a[49], b.length, b[0], b[49], pullsAfterFast, pulls];
        """), [50, 50, 50, 1, 50, 51, 51])

    def test_interleavedReads(self):
        """
        Branches read in any interleaving see the same chunks (the same objects for a
        default stream).
        """
        self.assertEqual(self.runAsync("""
            const objects = [{n: 1}, {n: 2}, {n: 3}];
            const [a, b] = ReadableStream.from(objects).tee();
            const ra = a.getReader(), rb = b.getReader();
            const a1 = await ra.read(), a2 = await ra.read();
            const b1 = await rb.read();
            const a3 = await ra.read(), b2 = await rb.read(), b3 = await rb.read();
            return [a1.value === b1.value, a3.value === b3.value, [a1, a2, a3, b1, b2, b3].map((r) => r.value.n),
                    (await ra.read()).done, (await rb.read()).done];
        """), [True, True, [1, 2, 3, 1, 2, 3], True, True])

    def test_byteStreamTeeCopies(self):
        """
        Teeing a byte stream gives each branch its own copy of each chunk; a BYOB read
        on one branch and default reads on the other both see every byte. (A byte
        source that closes with a BYOB request pending answers it with respond(0).)
        """
        self.assertEqual(self.runAsync("""
            let n = 0;
            const rs = new ReadableStream({type: 'bytes', pull(c) {
              if (n < 3) {
                c.enqueue(new Uint8Array([++n, n * 10]));
              } else {
                c.close();
                if (c.byobRequest !== null) c.byobRequest.respond(0);
              }
            }});
            const [a, b] = rs.tee();
            const byob = a.getReader({mode: 'byob'});
            const got = [];
            for (;;) {
              const r = await byob.read(new Uint8Array(16));
              if (r.done) break;
              got.push(...r.value);
            }
            const rest = [];
            const buffers = new Set();
            for await (const chunk of b) { rest.push(...chunk); buffers.add(chunk.buffer); }
            return [got, rest, buffers.size];
        """), [[1, 10, 2, 20, 3, 30], [1, 10, 2, 20, 3, 30], 3])

    def test_cancelBothBranches(self):
        """
        The source is cancelled once both branches are, with both reasons.
        """
        self.assertEqual(self.runAsync("""
            let reason = 'not cancelled';
            const [a, b] = new ReadableStream({cancel(r) { reason = r; }}).tee();
            await Promise.race([a.cancel('one'), null]);
            const afterOne = reason;
            await Promise.all([a.cancel('one'), b.cancel('two')]);
            return [afterOne, reason];
        """), ["not cancelled", ["one", "two"]])

    def test_errorReachesBothBranches(self):
        """
        An error of the source errors both branches.
        """
        self.assertEqual(self.runAsync("""
            let controller;
            const [a, b] = new ReadableStream({start(c) { controller = c; }}).tee();
            controller.error(new RangeError('boom'));
            const out = [];
            for (const s of [a, b]) {
              try { await s.getReader().read(); } catch (e) { out.push(e.message); }
            }
            return out;
        """), ["boom", "boom"])


class IterationTests(JSIsolateTestCase):
    """
    ReadableStream.from and async iteration.
    """

    def test_breakCancels(self):
        """
        Leaving a for await loop early cancels the stream (with undefined) and
        releases the lock.
        """
        self.assertEqual(self.runAsync("""
            let cancelled = false;
            const rs = new ReadableStream({
              start(c) { c.enqueue(1); c.enqueue(2); },
              cancel() { cancelled = true; },
            });
            for await (const x of rs) break;
            return [cancelled, rs.locked];
        """), [True, False])

    def test_preventCancel(self):
        """
        values({preventCancel: true}) leaves the stream readable after a break: another
        reader gets the rest.
        """
        self.assertEqual(self.runAsync("""
            const rs = new ReadableStream({start(c) { c.enqueue(1); c.enqueue(2); c.close(); }});
            for await (const x of rs.values({preventCancel: true})) break;
            const reader = rs.getReader();
            return [(await reader.read()).value, (await reader.read()).done];
        """), [2, True])

    def test_fromAsyncGenerator(self):
        """
        ReadableStream.from takes async iterables; cancelling calls the iterator's
        return().
        """
        self.assertEqual(self.runAsync("""
            let finished = false;
            async function* gen() { try { yield 'a'; yield 'b'; yield 'c'; } finally { finished = true; } }
            const reader = ReadableStream.from(gen()).getReader();
            const first = (await reader.read()).value;
            await reader.cancel('stop');
            return [first, finished];
        """), ["a", True])

    def test_fromRejectsNonIterables(self):
        """
        ReadableStream.from throws a TypeError for values that are not iterable.
        """
        self.assertEqual(self.js("""[null, 5, {}].map((v) => {
            try { ReadableStream.from(v); return 'no error'; } catch (e) { return e.constructor.name; } })"""),
            ["TypeError", "TypeError", "TypeError"])


class IntegrityTests(JSIsolateTestCase):
    """
    User code cannot disturb the streams through patched globals, and misuse gives the
    specified errors.
    """

    def test_patchedPromiseThen(self):
        """
        With Promise.prototype.then replaced, tee and pipeTo still work (they use the
        original then).
        """
        self.assertEqual(self.runAsync("""
            const realThen = Promise.prototype.then;
            let calls = 0;
            Promise.prototype.then = function (...args) { calls++; return realThen.apply(this, args); };
            const written = [];
            const [a, b] = ReadableStream.from(['x', 'y']).tee();
            const done = a.pipeTo(new WritableStream({write(c) { written.push(c); }}));
            b.cancel();
            Promise.prototype.then = realThen;
            const callsBeforeAwait = calls;
            await done;
            return [written, callsBeforeAwait];
        """), [["x", "y"], 0])

    def test_errorTypes(self):
        """
        Locked streams, bad strategies, bad sources and wrong `this` values throw the
        errors the spec names.
        """
        self.assertEqual(self.js("""(() => {
            const name = (fn) => { try { fn(); return 'no error'; } catch (e) { return e.constructor.name; } };
            const rs = new ReadableStream(); rs.getReader();
            return [
              name(() => rs.getReader()),
              name(() => new ReadableStream({}, {highWaterMark: -1})),
              name(() => new ReadableStream({type: 'bytes'}, {size() { return 1; }})),
              name(() => new ReadableStream({type: 'nope'})),
              name(() => new ReadableStream(null)),
              name(() => ReadableStream.prototype.getReader.call({})),
              name(() => new ReadableStreamDefaultController()),
              Object.prototype.toString.call(rs),
            ];
        })()"""), ["TypeError", "RangeError", "RangeError", "TypeError", "TypeError", "TypeError",
                   "TypeError", "[object ReadableStream]"])

    def test_globalsLikeWebIDL(self):
        """
        The interfaces are writable, configurable, non-enumerable globals whose methods
        are enumerable.
        """
        self.assertEqual(self.js("""(() => {
            const d = Object.getOwnPropertyDescriptor(globalThis, 'ReadableStream');
            const m = Object.getOwnPropertyDescriptor(ReadableStream.prototype, 'getReader');
            return [d.writable, d.configurable, d.enumerable, m.enumerable,
                    ReadableStream.prototype[Symbol.asyncIterator] === ReadableStream.prototype.values];
        })()"""), [True, True, False, True, True])

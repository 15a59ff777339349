"""
Tests for C{nano/streams/js/37_streams_bridge.js}: the hooks that make bodies streams
(C{Request.body}/C{Response.body}, C{Blob.stream()}, stream bodies read by the Body
methods, C{clone()} by teeing) and the internal reader and byte source for the bridges,
in a real isolate with the fetch and Blob files.
"""

from nano.test.jsisolate import JSIsolateTestCase


class BodyTests(JSIsolateTestCase):
    """
    Bodies as ReadableStreams.
    """

    def test_responseFromStream(self):
        """
        new Response(stream) reads the stream's chunks for text(); body is that
        stream; bodyUsed is true afterwards and a second read rejects.
        """
        self.assertEqual(self.runAsync("""
            const enc = new TextEncoder();
            const s = ReadableStream.from([enc.encode('he'), enc.encode('llo')]);
            const r = new Response(s);
            const same = r.body === s;
            const text = await r.text();
            let again;
            try { await r.text(); } catch (e) { again = e.constructor.name; }
            return [same, text, r.bodyUsed, again, s.locked];
        """), [True, "hello", True, "TypeError", True])

    def test_consumersOnStreams(self):
        """
        arrayBuffer(), bytes() and json() read stream bodies too, including a body
        whose stream was made from bytes (Response('...').body).
        """
        self.assertEqual(self.runAsync("""
            const enc = new TextEncoder();
            const j = await new Response(ReadableStream.from([enc.encode('{"a":'), enc.encode('1}')])).json();
            const ab = await new Response(ReadableStream.from([new Uint8Array([1, 2])])).arrayBuffer();
            const r = new Response('text body');
            const reader = r.body.getReader();
            const first = await reader.read();
            reader.releaseLock();
            return [j, Array.from(new Uint8Array(ab)), new TextDecoder().decode(first.value), r.bodyUsed];
        """), [{"a": 1}, [1, 2], "text body", True])

    def test_nonBytesChunkRejects(self):
        """
        A chunk that is not a Uint8Array makes the Body method reject with a TypeError
        and cancels the stream.
        """
        self.assertEqual(self.runAsync("""
            let cancelled;
            const s = new ReadableStream({
              start(c) { c.enqueue('a string'); },
              cancel(r) { cancelled = r.constructor.name; },
            });
            let error;
            try { await new Response(s).text(); } catch (e) { error = e.constructor.name; }
            return [error, cancelled];
        """), ["TypeError", "TypeError"])

    def test_cloneTees(self):
        """
        clone() tees a stream body: both responses read every chunk; the clone's chunks
        are copies, so changing one side's chunk does not change the other's.
        """
        self.assertEqual(self.runAsync("""
            const s = new ReadableStream({start(c) {
              c.enqueue(new Uint8Array([1, 2])); c.enqueue(new Uint8Array([3])); c.close();
            }});
            const a = new Response(s);
            const b = a.clone();
            const ra = a.body.getReader();
            const first = (await ra.read()).value;
            first[0] = 99;
            const rest = (await ra.read()).value;
            const bBytes = Array.from(new Uint8Array(await b.arrayBuffer()));
            return [Array.from(first), Array.from(rest), bBytes, a.body !== s];
        """), [[99, 2], [3], [1, 2, 3], True])

    def test_lockedOrDisturbedStreams(self):
        """
        A locked or already-read stream cannot become a body; a body whose stream is
        locked cannot be read or cloned.
        """
        self.assertEqual(self.runAsync("""
            const name = (fn) => { try { fn(); return 'no error'; } catch (e) { return e.constructor.name; } };
            const locked = new ReadableStream(); locked.getReader();
            const read = ReadableStream.from([new Uint8Array(1)]);
            await read.getReader().read().then(() => {});
            const r = new Response(ReadableStream.from([new Uint8Array([1])]));
            r.body.getReader();
            let readErr;
            try { await r.text(); } catch (e) { readErr = e.constructor.name; }
            return [name(() => new Response(locked)), name(() => r.clone()), readErr];
        """), ["TypeError", "TypeError", "TypeError"])

    def test_requestStreamBody(self):
        """
        A Request with a stream body needs duplex: "half"; its body is read through
        the stream.
        """
        self.assertEqual(self.runAsync("""
            let error;
            try { new Request('https://a.example/', {method: 'POST', body: new ReadableStream()}); }
            catch (e) { error = e.constructor.name; }
            const req = new Request('https://a.example/', {
              method: 'POST', duplex: 'half',
              body: ReadableStream.from([new TextEncoder().encode('payload')]),
            });
            return [error, req.duplex, await req.text()];
        """), ["TypeError", "half", "payload"])


class BlobStreamTests(JSIsolateTestCase):
    """
    Blob.stream().
    """

    def test_chunksAndBYOB(self):
        """
        Blob.stream() is a byte stream: a large blob comes in chunks of at most 64 KiB,
        each over its own buffer; a BYOB reader fills its views directly.
        """
        self.assertEqual(self.runAsync("""
            const big = new Uint8Array(150000);
            for (let i = 0; i < big.length; i++) big[i] = i & 255;
            const sizes = [], buffers = new Set();
            let ok = true, offset = 0;
            for await (const chunk of new Blob([big]).stream()) {
              sizes.push(chunk.length); buffers.add(chunk.buffer);
              for (let i = 0; i < chunk.length; i++) if (chunk[i] !== ((offset + i) & 255)) ok = false;
              offset += chunk.length;
            }
            const reader = new Blob(['abcdef']).stream().getReader({mode: 'byob'});
            const a = await reader.read(new Uint8Array(4));
            const b = await reader.read(new Uint8Array(4));
            const c = await reader.read(new Uint8Array(4));
            return [sizes, buffers.size, ok, new TextDecoder().decode(a.value),
                    new TextDecoder().decode(b.value), c.done];
        """), [[65536, 65536, 18928], 3, True, "abcd", "ef", True])


class InternalReaderTests(JSIsolateTestCase):
    """
    The internal reader and byte source the request/response bridges can use.
    """

    def test_readChunks(self):
        """
        nano.readableStreamRead delivers queued chunks synchronously and ends with
        onClose; user patches of the public reader do not matter.
        """
        self.assertEqual(self.runAsync("""
            ReadableStreamDefaultReader.prototype.read = () => { throw new Error('patched'); };
            const rs = new ReadableStream({start(c) { c.enqueue(1); c.enqueue(2); c.close(); }});
            const reader = __nano.readableStreamReader(rs);
            const got = [];
            let sync = true;
            await new Promise((resolve, reject) => {
              const step = () => __nano.readableStreamRead(reader, (v) => { got.push([v, sync]); step(); },
                                                          resolve, reject);
              step();
              sync = false;
            });
            return got;
        """), [[1, True], [2, True]])

    def test_byteSource(self):
        """
        nano.createByteSource: pull() runs while the stream wants more (its
        high-water mark in bytes), enqueue() hands chunks over, close() ends the
        stream; cancel() reports a consumer's cancel.
        """
        self.assertEqual(self.runAsync("""
            let pulls = 0, cancelled;
            const source = __nano.createByteSource(() => { pulls++; }, (r) => { cancelled = r; }, 4);
            for (let i = 0; i < 5; i++) await null;
            const pullsAtStart = pulls;
            source.enqueue(new Uint8Array([1, 2, 3, 4, 5]));
            const desired = source.desiredSize();
            const reader = source.stream.getReader();
            const chunk = (await reader.read()).value;
            source.close();
            const end = await reader.read();
            const other = __nano.createByteSource(undefined, (r) => { cancelled = r; });
            await other.stream.cancel('bye');
            return [pullsAtStart, desired, Array.from(chunk), end.done, cancelled];
        """), [1, -1, [1, 2, 3, 4, 5], True, "bye"])

"""
Tests for C{nano/streams/js/36_compression_streams.js}: CompressionStream and
DecompressionStream in a real isolate, their host operations served by
L{nano.streams.compression} through a real L{nano.isolate.hostcalls.HostCalls}.
"""

import base64
import gzip
import zlib

from nano.streams import compression
from nano.test.jsisolate import JSIsolateTestCase

_READ_ALL = """
async function readAll(readable) {
  const parts = [];
  let n = 0;
  for await (const chunk of readable) { parts.push(chunk); n += chunk.length; }
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}
"""


class CompressionStreamTests(JSIsolateTestCase):
    """
    Compression streams round-trip through the host's zlib.
    """

    hostOps = compression.ops(None)

    def test_roundTrip(self):
        """
        Text compressed and decompressed in each format comes back unchanged, and the
        gzip output is what Python's gzip reads.
        """
        result = self.runAsync(_READ_ALL + """
            const text = 'streams all the way down '.repeat(2000);
            const out = {};
            for (const format of ['gzip', 'deflate', 'deflate-raw']) {
              const packed = await readAll(ReadableStream.from([new TextEncoder().encode(text)])
                .pipeThrough(new CompressionStream(format)));
              const back = await new Response(ReadableStream.from([packed])
                .pipeThrough(new DecompressionStream(format))).text();
              out[format] = [packed.length < text.length, back === text];
              if (format === 'gzip') out.b64 = __nano.bytesToBase64(packed);
            }
            return out;
        """)
        gz = base64.b64decode(result.pop("b64"))
        self.assertEqual(gzip.decompress(gz), b"streams all the way down " * 2000)
        self.assertEqual(result, {f: [True, True] for f in ["gzip", "deflate", "deflate-raw"]})
        self.assertEqual(compression.openStreams(self.hostCalls.scope), 0)

    def test_pythonDataDecompresses(self):
        """
        Data compressed by Python decompresses in JS, whatever the chunking.
        """
        data = zlib.compress(b"0123456789" * 5000)
        self.assertEqual(self.runAsync(_READ_ALL + """
            const bytes = __nano.base64ToBytes('%s');
            const pieces = [];
            for (let i = 0; i < bytes.length; i += 7) pieces.push(bytes.slice(i, i + 7));
            const out = await readAll(ReadableStream.from(pieces).pipeThrough(new DecompressionStream('deflate')));
            return [out.length, new TextDecoder().decode(out.subarray(0, 12))];
        """ % (base64.b64encode(data).decode(),)), [50000, "012345678901"])

    def test_badInput(self):
        """
        Corrupt data errors the stream with a TypeError; so do truncated data, a
        non-BufferSource chunk and an unknown format.
        """
        truncated = base64.b64encode(gzip.compress(b"abc" * 100)[:-3]).decode()
        self.assertEqual(self.runAsync(_READ_ALL + """
            const errors = [];
            const attempt = async (chunks, format) => {
              try { await readAll(ReadableStream.from(chunks).pipeThrough(new DecompressionStream(format))); errors.push('none'); }
              catch (e) { errors.push(e.constructor.name); }
            };
            await attempt([new Uint8Array([1, 2, 3, 4, 5])], 'gzip');
            await attempt([__nano.base64ToBytes('%s')], 'gzip');
            await attempt(['not bytes'], 'deflate');
            try { new CompressionStream('brotli'); } catch (e) { errors.push(e.constructor.name); }
            try { new CompressionStream(); } catch (e) { errors.push(e.constructor.name); }
            return errors;
        """ % (truncated,)), ["TypeError", "TypeError", "TypeError", "TypeError", "TypeError"])
        self.assertEqual(compression.openStreams(self.hostCalls.scope), 0)

    def test_decompressionLimit(self):
        """
        A decompression bomb (32 MiB of zeros in 32 KiB) only inflates as fast as it is
        read: each chunk is at most 1 MiB, and the host produces the next one only when
        the reader asks.
        """
        bomb = base64.b64encode(zlib.compress(bytes(32 * 1024 * 1024), 9)).decode()
        produced = []
        ops = dict(self.hostOps)

        def counting(call):
            result = self.hostOps["compression.more"](call)
            produced.append(len(base64.b64decode(result[0])))
            return result

        ops["compression.more"] = counting
        self.useHostOps(ops)
        first = self.runAsync("""
            globalThis.ds = new DecompressionStream('deflate');
            globalThis.writer = ds.writable.getWriter();
            globalThis.written = writer.write(__nano.base64ToBytes('%s'));
            globalThis.reader = ds.readable.getReader();
            return (await reader.read()).value.length;
        """ % (bomb,))
        self.pump()
        self.assertEqual((first, produced), (compression.MAX_OUTPUT, []))
        rest = self.runAsync("""
            let n = 0, biggest = 0;
            const closing = (async () => { await written; await writer.close(); })();
            for (;;) {
              const r = await reader.read();
              if (r.done) break;
              n += r.value.length;
              biggest = Math.max(biggest, r.value.length);
            }
            await closing;
            return [n, biggest];
        """)
        self.assertEqual(rest, [31 * 1024 * 1024, compression.MAX_OUTPUT])
        self.assertEqual(sum(produced), 31 * 1024 * 1024)
        self.assertEqual(compression.openStreams(self.hostCalls.scope), 0)

    def test_cancelFreesHostContext(self):
        """
        Cancelling the readable side (or aborting the writable side) closes the host's
        zlib context.
        """
        self.assertEqual(self.runAsync("""
            const cs = new CompressionStream('gzip');
            const writer = cs.writable.getWriter();
            const reader = cs.readable.getReader();
            const read = reader.read();
            await writer.write(new Uint8Array(1000));
            await read;
            await reader.cancel('done');
            return 'cancelled';
        """), "cancelled")
        self.pump()
        self.assertEqual(compression.openStreams(self.hostCalls.scope), 0)

    def test_garbageCollectedStreamFreesHostContext(self):
        """
        A stream dropped without being finished or cancelled has its host context
        closed once it is garbage-collected.
        """
        self.runAsync("""
            const cs = new CompressionStream('deflate');
            const writer = cs.writable.getWriter();
            const read = cs.readable.getReader().read();
            await writer.write(new Uint8Array(100));
            await read;
        """)
        self.assertEqual(compression.openStreams(self.hostCalls.scope), 1)
        for _ in range(10):
            self.ctx.low_memory_notification()
            self.ctx.eval("0")
            self.pump()
            if compression.openStreams(self.hostCalls.scope) == 0:
                break
        self.assertEqual(compression.openStreams(self.hostCalls.scope), 0)

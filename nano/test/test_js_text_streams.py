"""
Tests for C{nano/streams/js/35_text_streams.js}: C{TextEncoderStream} and
C{TextDecoderStream}, in a real isolate.
"""

from nano.test.jsisolate import JSIsolateTestCase


class TextStreamTests(JSIsolateTestCase):
    """
    The encoding streams wrap the TextEncoder/TextDecoder machinery in transform streams.
    """

    def test_roundTripSplitCharacters(self):
        """
        A surrogate pair split across string chunks is encoded whole; a UTF-8 sequence
        split across byte chunks is decoded once complete.
        """
        self.assertEqual(self.runAsync("""
            const bytes = [];
            const encoded = ReadableStream.from(['a\\uD83D', '\\uDE00b']).pipeThrough(new TextEncoderStream());
            for await (const chunk of encoded) bytes.push(...chunk);
            const pieces = bytes.map((b) => new Uint8Array([b]));
            let text = '';
            const decoded = ReadableStream.from(pieces).pipeThrough(new TextDecoderStream());
            for await (const s of decoded) text += s;
            return [bytes, text === 'a\\uD83D\\uDE00b'];
        """), [[97, 240, 159, 152, 128, 98], True])

    def test_decoderOptions(self):
        """
        TextDecoderStream takes a label and options like TextDecoder; a bad label is a
        RangeError; fatal decoding errors error the stream with a TypeError.
        """
        self.assertEqual(self.runAsync("""
            const tds = new TextDecoderStream('latin1', {fatal: true, ignoreBOM: true});
            let bad;
            try { new TextDecoderStream('no-such-encoding'); } catch (e) { bad = e.constructor.name; }
            let text = '';
            for await (const s of ReadableStream.from([new Uint8Array([0xe9])]).pipeThrough(new TextDecoderStream('latin1'))) text += s;
            let fatal;
            try {
              for await (const s of ReadableStream.from([new Uint8Array([0xff])])
                  .pipeThrough(new TextDecoderStream('utf-8', {fatal: true}))) {}
            } catch (e) { fatal = e.constructor.name; }
            return [tds.encoding, tds.fatal, tds.ignoreBOM, bad, text, fatal];
        """), ["windows-1252", True, True, "RangeError", "\u00e9", "TypeError"])

    def test_badChunks(self):
        """
        A chunk that is not a BufferSource errors a TextDecoderStream with a TypeError
        (the write and the pending read reject); TextEncoderStream converts chunks to
        strings.
        """
        self.assertEqual(self.runAsync("""
            const tds = new TextDecoderStream();
            const writer = tds.writable.getWriter();
            const read = tds.readable.getReader().read();
            let error;
            try { await writer.write(42); } catch (e) { error = e.constructor.name; }
            try { await read; } catch (e) { error += ' ' + e.constructor.name; }
            const out = [];
            for await (const c of ReadableStream.from([12, null]).pipeThrough(new TextEncoderStream())) {
              out.push(new TextDecoder().decode(c));
            }
            return [error, out, new TextEncoderStream().encoding];
        """), ["TypeError TypeError", ["12", "null"], "utf-8"])

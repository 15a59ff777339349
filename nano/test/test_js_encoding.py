"""
Tests for the Encoding Standard prelude files (C{nano/isolate/js/20_encoding.js},
C{21_encoding_legacy.js}, C{22_base64.js}, C{23_text_encoding.js}) and for the index
tables of L{nano.isolate.encodings}.

Each JS test loads C{00_core.js}, C{10_domexception.js} and the encoding files, wrapped the
way L{nano.isolate.prelude} wraps them, plus the tables fragment from
L{encodingTablesSource}, into a fresh MiniRacer isolate; the internal C{nano} object is
kept on a test-only global so the helpers meant for other prelude files can be checked.
"""

import json
import os

from py_mini_racer import MiniRacer
from twisted.trial.unittest import SynchronousTestCase

from nano.isolate.prelude import buildPartialPrelude

from nano.isolate.encodings import (
    SINGLE_BYTE, encodingTablesSource, gb18030Ranges, multiByteIndex, pack,
    singleByteIndex, unpack)

_JS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "isolate", "js")
_ENCODING_FILES = ("20_encoding.js", "21_encoding_legacy.js", "22_base64.js",
                   "23_text_encoding.js")


def _script(withDOMException=True, withTables=True):
    """
    The core and encoding prelude files as one script that leaves C{nano} on
    C{globalThis.__nano} (for these tests only).
    """
    include = ("00_core.js",) + (("10_domexception.js",) if withDOMException else ()) + _ENCODING_FILES
    return buildPartialPrelude(include, tables=withTables)


class _IsolateMixin:
    """
    A fresh isolate with the encoding prelude for each test.
    """

    withDOMException = True
    withTables = True

    def setUp(self):
        self.ctx = MiniRacer()
        self.ctx.eval(_script(self.withDOMException, self.withTables))
        self.addCleanup(self.ctx.close)

    def js(self, source):
        """
        Evaluate C{source} (an expression) and return its value decoded from JSON.
        """
        return json.loads(self.ctx.eval("JSON.stringify(%s)" % (source,)))

    def thrown(self, statement):
        """
        Run C{statement} and return C{[constructor name, error name]} of what it throws, or
        C{None}.
        """
        return self.js(
            "(() => { try { %s; return null; } catch (e) { return [e.constructor.name, e.name]; } })()"
            % (statement,))

    def decode(self, label, data, options="{}"):
        """
        Decode the bytes C{data} with C{new TextDecoder(label, options)}; return the code
        points of the result.
        """
        return self.js(
            "Array.from(new TextDecoder(%s, %s).decode(new Uint8Array(%s)), c => c.codePointAt(0))"
            % (json.dumps(label), options, json.dumps(list(data))))


class IndexTablesTests(SynchronousTestCase):
    """
    The WHATWG indexes built from Python's codecs.
    """

    def test_windowsPassesC1Through(self):
        """
        windows-1252 maps 0x80 to the euro sign and its undefined bytes (0x81) to the C1
        control of the same value, as the web does.
        """
        table = singleByteIndex("windows-1252")
        self.assertEqual(table[0], 0x20AC)
        self.assertEqual(table[1], 0x81)

    def test_singleByteFixes(self):
        """
        KOI8-U is KOI8-RU (0xAE is U+045E) and windows-1255 maps 0xCA to U+05BA; bytes
        without a code point in ISO-8859-3 stay unmapped.
        """
        self.assertEqual(singleByteIndex("koi8-u")[0x2E], 0x045E)
        self.assertEqual(singleByteIndex("windows-1255")[0x4A], 0x05BA)
        self.assertIsNone(singleByteIndex("iso-8859-3")[0x25])

    def test_multiByteFixes(self):
        """
        The multi-byte indexes carry the Encoding Standard's values where Python's codecs
        differ: gb18030 0xA6D9 is U+FE10, 0xA3A0 is U+3000; jis0212 0x2237 is U+FF5E; Big5
        0xA145 is U+2027 and the HKSCS-2008 character at pointer 1000 is present.
        """
        gb = multiByteIndex("gb18030")
        self.assertEqual(gb[7182], 0xFE10)
        self.assertEqual(gb[6555], 0x3000)
        self.assertEqual(multiByteIndex("jis0212")[116], 0xFF5E)
        big5 = multiByteIndex("big5")
        self.assertEqual(big5[5029], 0x2027)
        self.assertEqual(big5[1000], 0x3875)
        self.assertIsNone(big5[0])

    def test_jis0208LeavesUserDefinedAreaOut(self):
        """
        jis0208 comes from cp932 without the user-defined area, which the Shift_JIS decoder
        maps arithmetically.
        """
        table = multiByteIndex("jis0208")
        self.assertEqual(table[2888], 0x6C34)
        self.assertIsNone(table[8836])

    def test_gb18030Ranges(self):
        """
        The four-byte ranges start at pointer 0 with U+0080 and end with pointer 39394 at
        U+FFE6.
        """
        ranges = gb18030Ranges()
        self.assertEqual(ranges[0], (0, 0x80))
        self.assertEqual(ranges[-1], (39394, 0xFFE6))
        self.assertEqual(len(ranges), 206)

    def test_packRoundTrip(self):
        """
        L{unpack} inverts L{pack}, including gaps, runs, repeated and decreasing code points.
        """
        table = [None, None, 5, 6, 7, 7, 3, None, 0x2A6D6, 0x2A6D7, None]
        self.assertEqual(unpack(pack(table)), table)
        for name in SINGLE_BYTE:
            self.assertEqual(unpack(pack(singleByteIndex(name))), singleByteIndex(name))

    def test_sourceIsPrintableASCII(self):
        """
        The tables fragment is a single ASCII statement setting
        C{nano.encodingTablesHolder} to a function that returns them as JSON.
        """
        source = encodingTablesSource()
        prefix = "nano.encodingTablesHolder = function () { return "
        self.assertTrue(source.startswith(prefix))
        self.assertTrue(source.endswith("; };"))
        tables = json.loads(source[len(prefix):-len("; };")])
        self.assertEqual(sorted(tables), ["gb18030Ranges", "multi", "single"])
        self.assertTrue(source.isascii())
        self.assertNotIn("\\", source)


class TextEncoderTests(_IsolateMixin, SynchronousTestCase):
    """
    C{TextEncoder}.
    """

    def test_encode(self):
        """
        encode() returns UTF-8 bytes in a Uint8Array, with lone surrogates as U+FFFD and no
        argument meaning the empty string.
        """
        self.assertEqual(
            self.js('Array.from(new TextEncoder().encode("a\\u00e9\\u20ac\\ud83d\\ude00\\ud800"))'),
            [0x61, 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80, 0xEF, 0xBF, 0xBD])
        self.assertEqual(self.js("new TextEncoder().encode().length"), 0)
        self.assertEqual(self.js("new TextEncoder().encode(null).length"), 4)
        self.assertEqual(self.js("new TextEncoder().encode('x') instanceof Uint8Array"), True)
        self.assertEqual(self.js("new TextEncoder().encoding"), "utf-8")

    def test_encodeIntoSurrogates(self):
        """
        encodeInto() counts a surrogate pair as two code units read and never splits a
        character: it stops when the next one does not fit.
        """
        self.assertEqual(
            self.js('new TextEncoder().encodeInto("\\ud83d\\ude00A", new Uint8Array(4))'),
            {"read": 2, "written": 4})
        self.assertEqual(
            self.js('new TextEncoder().encodeInto("A\\ud83d\\ude00", new Uint8Array(4))'),
            {"read": 1, "written": 1})
        self.assertEqual(
            self.js('new TextEncoder().encodeInto("\\udc00x", new Uint8Array(10))'),
            {"read": 2, "written": 4})

    def test_encodeIntoArguments(self):
        """
        encodeInto() requires a Uint8Array destination (SharedArrayBuffer-backed allowed) and
        two arguments.
        """
        self.assertEqual(self.thrown('new TextEncoder().encodeInto("a", new Uint16Array(2))'),
                         ["TypeError", "TypeError"])
        self.assertEqual(self.thrown('new TextEncoder().encodeInto("a")'),
                         ["TypeError", "TypeError"])
        self.assertEqual(
            self.js('new TextEncoder().encodeInto("ab", new Uint8Array(new SharedArrayBuffer(4)))'),
            {"read": 2, "written": 2})

    def test_brandChecks(self):
        """
        Methods and getters throw TypeError on objects that are not TextEncoders.
        """
        self.assertEqual(
            self.thrown("Object.getOwnPropertyDescriptor(TextEncoder.prototype, 'encoding').get.call({})"),
            ["TypeError", "TypeError"])
        self.assertEqual(self.thrown("TextEncoder.prototype.encode.call({}, 'a')"),
                         ["TypeError", "TypeError"])
        self.assertEqual(self.js("Object.prototype.toString.call(new TextEncoder())"),
                         "[object TextEncoder]")


class TextDecoderTests(_IsolateMixin, SynchronousTestCase):
    """
    C{TextDecoder} with UTF-8, UTF-16 and the single-byte encodings.
    """

    def test_labels(self):
        """
        Labels are matched case-insensitively after trimming ASCII whitespace; the encoding
        getter returns the lowercased name.
        """
        self.assertEqual(self.js("new TextDecoder().encoding"), "utf-8")
        self.assertEqual(self.js("new TextDecoder(' Latin1\\n').encoding"), "windows-1252")
        self.assertEqual(self.js("new TextDecoder('SJIS').encoding"), "shift_jis")
        self.assertEqual(self.js("new TextDecoder('unicode').encoding"), "utf-16le")
        self.assertEqual(self.js("__nano.getEncoding('x-gbk')"), "gbk")
        self.assertIsNone(self.js("__nano.getEncoding('utf-7')"))

    def test_badLabels(self):
        """
        Unknown labels and the labels of the replacement encoding throw RangeError.
        """
        self.assertEqual(self.thrown("new TextDecoder('utf-32')"), ["RangeError", "RangeError"])
        self.assertEqual(self.thrown("new TextDecoder('iso-2022-kr')"),
                         ["RangeError", "RangeError"])
        self.assertEqual(self.thrown("new TextDecoder('\\u212Aoi8-r')"),
                         ["RangeError", "RangeError"])

    def test_options(self):
        """
        fatal and ignoreBOM come from the options dictionary; a non-object is a TypeError.
        """
        self.assertEqual(
            self.js("[new TextDecoder('utf-8', {fatal: 1}).fatal, new TextDecoder().ignoreBOM]"),
            [True, False])
        self.assertEqual(self.thrown("new TextDecoder('utf-8', 5)"), ["TypeError", "TypeError"])

    def test_inputTypes(self):
        """
        decode() accepts ArrayBuffer, SharedArrayBuffer, DataView and any typed array view
        (honouring its offset) and throws TypeError for anything else.
        """
        self.assertEqual(self.js("new TextDecoder().decode(new Uint8Array([104, 105]).buffer)"), "hi")
        self.assertEqual(
            self.js("new TextDecoder().decode(new DataView(new Uint8Array([1, 104, 105]).buffer, 1))"),
            "hi")
        self.assertEqual(self.js("new TextDecoder('utf-16le').decode(new Uint16Array([0x6C34]))"),
                         "\u6c34")
        self.assertEqual(
            self.js("(() => { const s = new Uint8Array(new SharedArrayBuffer(2)); s[0] = 0x6f; "
                    "s[1] = 0x6b; return new TextDecoder().decode(s); })()"),
            "ok")
        self.assertEqual(self.thrown("new TextDecoder().decode([104])"), ["TypeError", "TypeError"])
        self.assertEqual(self.thrown("new TextDecoder().decode('hi')"), ["TypeError", "TypeError"])

    def test_utf8Errors(self):
        """
        Invalid UTF-8 follows the maximal-subpart rule in replacement mode and throws
        TypeError in fatal mode.
        """
        self.assertEqual(self.decode("utf-8", [0xF0, 0x9F, 0x41, 0xE0, 0x80, 0xC2]),
                         [0xFFFD, 0x41, 0xFFFD, 0xFFFD, 0xFFFD])
        self.assertEqual(self.thrown("new TextDecoder('utf-8', {fatal: true})"
                                     ".decode(new Uint8Array([0xED, 0xA0, 0x80]))"),
                         ["TypeError", "TypeError"])

    def test_bom(self):
        """
        A leading BOM of the decoder's own encoding is dropped unless ignoreBOM is set; a
        BOM of another encoding is data.
        """
        self.assertEqual(self.decode("utf-8", [0xEF, 0xBB, 0xBF, 0x41]), [0x41])
        self.assertEqual(self.decode("utf-8", [0xEF, 0xBB, 0xBF, 0x41], "{ignoreBOM: true}"),
                         [0xFEFF, 0x41])
        self.assertEqual(self.decode("utf-16be", [0xFE, 0xFF, 0x00, 0x41]), [0x41])
        self.assertEqual(self.decode("utf-16le", [0xFE, 0xFF]), [0xFFFE])
        self.assertEqual(self.decode("windows-1252", [0xEF, 0xBB, 0xBF]), [0xEF, 0xBB, 0xBF])

    def test_streaming(self):
        """
        With {stream: true} a character split between calls is emitted once complete, the BOM
        is only looked for at the start, and the final call flushes incomplete input.
        """
        self.assertEqual(self.js("""(() => {
            const d = new TextDecoder();
            const parts = [[0xEF, 0xBB], [0xBF, 0xF0, 0x9F], [0x98], [0x80, 0xEF, 0xBB, 0xBF]];
            const out = parts.map(p => d.decode(new Uint8Array(p), {stream: true}));
            out.push(d.decode(new Uint8Array([0xE2])));
            out.push(d.decode(new Uint8Array([0xEF, 0xBB, 0xBF, 0x41])));
            return out;
        })()"""), ["", "", "", "\U0001F600\ufeff", "\ufffd", "A"])

    def test_utf16(self):
        """
        UTF-16 decoders join surrogate pairs across calls and replace unpaired surrogates and
        a trailing odd byte.
        """
        self.assertEqual(self.decode("utf-16le", [0x3D, 0xD8, 0x00, 0xDE, 0x00, 0xDC, 0x41]),
                         [0x1F600, 0xFFFD, 0xFFFD])
        self.assertEqual(self.decode("utf-16be", [0xD8, 0x3D, 0x00, 0x41]), [0xFFFD, 0x41])

    def test_singleByte(self):
        """
        The single-byte encodings use the WHATWG tables; unmapped bytes are errors.
        """
        self.assertEqual(self.decode("latin1", [0x80, 0x81, 0xE9]), [0x20AC, 0x81, 0xE9])
        self.assertEqual(self.decode("koi8-u", [0xAE]), [0x045E])
        self.assertEqual(self.decode("iso-8859-8-i", [0xE0]), [0x05D0])
        self.assertEqual(self.thrown("new TextDecoder('iso-8859-3', {fatal: true})"
                                     ".decode(new Uint8Array([0xA5]))"),
                         ["TypeError", "TypeError"])

    def test_userDefined(self):
        """
        x-user-defined maps the high bytes to U+F780 and up.
        """
        self.assertEqual(self.decode("x-user-defined", [0x41, 0x80, 0xFF]), [0x41, 0xF780, 0xF7FF])

    def test_largeInput(self):
        """
        Inputs longer than the output buffer decode completely.
        """
        self.assertEqual(
            self.js("new TextDecoder().decode(new TextEncoder().encode('\\u00e9'.repeat(50000)))"
                    " === '\\u00e9'.repeat(50000)"),
            True)

    def test_userPatchesIgnored(self):
        """
        Replacing String and typed array methods from user code does not change encoding
        or decoding.
        """
        self.assertEqual(self.js("""(() => {
            String.prototype.charCodeAt = () => 0;
            String.prototype[Symbol.split] = () => [];
            String.prototype.toLowerCase = () => "x";
            Uint8Array.prototype.subarray = () => new Uint8Array(0);
            return [new TextDecoder("Shift_JIS").encoding,
                    new TextDecoder().decode(new TextEncoder().encode("h\u00e9"))];
        })()"""), ["shift_jis", "h\u00e9"])

    def test_brandChecks(self):
        """
        Getters and decode() throw TypeError on objects that are not TextDecoders.
        """
        self.assertEqual(self.thrown("TextDecoder.prototype.decode.call({})"),
                         ["TypeError", "TypeError"])
        self.assertEqual(
            self.thrown("Object.getOwnPropertyDescriptor(TextDecoder.prototype, 'fatal').get.call({})"),
            ["TypeError", "TypeError"])
        self.assertEqual(self.js("[TextDecoder.length, TextDecoder.prototype.decode.length]"), [0, 0])


class LegacyDecoderTests(_IsolateMixin, SynchronousTestCase):
    """
    The multi-byte CJK decoders.
    """

    def test_shiftJis(self):
        """
        Shift_JIS decodes JIS X 0208 pairs, half-width katakana and the EUDC area, and gives
        an ASCII trail byte back after an error.
        """
        self.assertEqual(self.decode("shift_jis", [0x90, 0x85, 0xB1, 0xF0, 0x40, 0x81, 0x41]),
                         [0x6C34, 0xFF71, 0xE000, 0x3001])
        self.assertEqual(self.decode("shift_jis", [0x81, 0x20]), [0xFFFD, 0x20])

    def test_eucJp(self):
        """
        EUC-JP decodes JIS X 0208, JIS X 0212 (0x8F prefix) and half-width katakana (0x8E).
        """
        self.assertEqual(self.decode("euc-jp", [0xBF, 0xE5, 0x8F, 0xA2, 0xB7, 0x8E, 0xB1]),
                         [0x6C34, 0xFF5E, 0xFF71])

    def test_iso2022jp(self):
        """
        ISO-2022-JP switches between ASCII, Roman and JIS X 0208 with escape sequences.
        """
        self.assertEqual(
            self.decode("iso-2022-jp", [0x1B, 0x24, 0x42, 0x3F, 0x65, 0x1B, 0x28, 0x4A, 0x5C]),
            [0x6C34, 0xA5])
        self.assertEqual(self.decode("iso-2022-jp", [0x1B, 0x24]), [0xFFFD, 0x24])

    def test_gb18030(self):
        """
        gb18030 decodes one-, two- and four-byte sequences (including supplementary planes
        and pointer 7457); GBK shares the decoder.
        """
        self.assertEqual(
            self.decode("gb18030", [0x80, 0xCB, 0xAE, 0x81, 0x30, 0x81, 0x30, 0x90, 0x30,
                                    0x81, 0x30, 0x81, 0x35, 0xF4, 0x37, 0xA6, 0xD9]),
            [0x20AC, 0x6C34, 0x80, 0x10000, 0xE7C7, 0xFE10])
        self.assertEqual(self.decode("gbk", [0x81, 0x30, 0x41]), [0xFFFD, 0x30, 0x41])

    def test_big5(self):
        """
        Big5 decodes HKSCS characters, including the four pointers that become two code
        points.
        """
        self.assertEqual(self.decode("big5", [0xA4, 0xF4, 0x88, 0x62, 0x87, 0x40]),
                         [0x6C34, 0xCA, 0x304, 0x43F0])

    def test_eucKr(self):
        """
        EUC-KR decodes KS X 1001 and the Unified Hangul Code extension.
        """
        self.assertEqual(self.decode("euc-kr", [0xB9, 0xB0, 0x81, 0x41]), [0xBB3C, 0xAC02])

    def test_streamingMultiByte(self):
        """
        A multi-byte sequence split across streaming calls is kept until complete.
        """
        self.assertEqual(self.js("""(() => {
            const d = new TextDecoder('gb18030');
            return [d.decode(new Uint8Array([0x81, 0x30]), {stream: true}),
                    d.decode(new Uint8Array([0x81]), {stream: true}),
                    d.decode(new Uint8Array([0x30]))];
        })()"""), ["", "", "\x80"])

    def test_fatal(self):
        """
        In fatal mode an invalid multi-byte sequence throws TypeError.
        """
        self.assertEqual(self.thrown("new TextDecoder('euc-kr', {fatal: true})"
                                     ".decode(new Uint8Array([0xFF]))"),
                         ["TypeError", "TypeError"])


class MissingTablesTests(_IsolateMixin, SynchronousTestCase):
    """
    Without C{nano.encodingTablesHolder} only the table-free encodings work.
    """

    withTables = False

    def test_tablesNeeded(self):
        """
        UTF-8 still decodes; a legacy encoding fails at construction with RangeError.
        """
        self.assertEqual(self.decode("utf-8", [0x41]), [0x41])
        self.assertEqual(self.decode("x-user-defined", [0x80]), [0xF780])
        self.assertEqual(self.thrown("new TextDecoder('shift_jis')"), ["RangeError", "RangeError"])


class Base64Tests(_IsolateMixin, SynchronousTestCase):
    """
    C{atob} and C{btoa}.
    """

    def test_btoa(self):
        """
        btoa() encodes Latin-1 strings and throws InvalidCharacterError DOMException for
        code units above U+00FF.
        """
        self.assertEqual(self.js("[btoa(''), btoa('a'), btoa('ab'), btoa('\\u00ff\\u00fe')]"),
                         ["", "YQ==", "YWI=", "//4="])
        self.assertEqual(self.thrown("btoa('\\u0100')"), ["DOMException", "InvalidCharacterError"])

    def test_atobForgiving(self):
        """
        atob() ignores ASCII whitespace, accepts missing padding and returns one code unit
        per byte.
        """
        self.assertEqual(self.js("[atob(' Y Q\\n'), atob('YWI'), atob('//4='), atob(12)]"),
                         ["a", "ab", "\u00ff\u00fe", "\u00d7"])

    def test_atobFailures(self):
        """
        Invalid characters, a lone final character, misplaced padding and too much padding
        throw InvalidCharacterError; a missing argument is a TypeError.
        """
        for bad in ("'YQ=a'", "'Y'", "'YQ==='", "'=YQ'", "'YQ=='.repeat(2)", "'\\u00e9'"):
            self.assertEqual(self.thrown("atob(%s)" % (bad,)),
                             ["DOMException", "InvalidCharacterError"], bad)
        self.assertEqual(self.thrown("atob()"), ["TypeError", "TypeError"])

    def test_helpers(self):
        """
        nano.base64Encode/Decode work on Uint8Arrays; decoding failure is null.
        """
        self.assertEqual(self.js("__nano.base64Encode(new Uint8Array([0, 255, 128]))"), "AP+A")
        self.assertEqual(self.js("Array.from(__nano.base64Decode('AP+A'))"), [0, 255, 128])
        self.assertIsNone(self.js("__nano.base64Decode('A')"))


class Base64WithoutDOMExceptionTests(_IsolateMixin, SynchronousTestCase):
    """
    Without C{nano.DOMException} the errors are plain Errors named InvalidCharacterError.
    """

    withDOMException = False

    def test_plainError(self):
        """
        atob() failure throws an Error whose name is InvalidCharacterError.
        """
        self.assertEqual(self.thrown("atob('*')"), ["Error", "InvalidCharacterError"])


class HelperTests(_IsolateMixin, SynchronousTestCase):
    """
    The internal helpers on C{nano}.
    """

    def test_utf8Decode(self):
        """
        utf8Decode/utf8DecodeWithoutBOM keep a leading BOM, utf8DecodeStripBOM drops it, and
        utf8DecodeOrFail returns null for invalid input.
        """
        bom = "new Uint8Array([0xEF, 0xBB, 0xBF, 0x41])"
        self.assertEqual(self.js("__nano.utf8Decode(%s)" % bom), "\ufeffA")
        self.assertEqual(self.js("__nano.utf8DecodeWithoutBOM(%s)" % bom), "\ufeffA")
        self.assertEqual(self.js("__nano.utf8DecodeStripBOM(%s)" % bom), "A")
        self.assertIsNone(self.js("__nano.utf8DecodeOrFail(new Uint8Array([0xFF]))"))
        self.assertEqual(self.js("__nano.utf8DecodeOrFail(new Uint8Array([0x41]))"), "A")

    def test_isomorphic(self):
        """
        isomorphicDecode maps bytes to code units one to one and isomorphicEncode back.
        """
        self.assertEqual(self.js("__nano.isomorphicDecode(new Uint8Array([0x41, 0xFF]))"), "A\u00ff")
        self.assertEqual(self.js("Array.from(__nano.isomorphicEncode('A\\u00ff'))"), [0x41, 0xFF])

    def test_createDecoder(self):
        """
        nano.createDecoder gives a decoder that keeps state across decode(bytes, true) calls
        and flushes on decode(null, false), for TextDecoderStream.
        """
        self.assertEqual(self.js("""(() => {
            const d = __nano.createDecoder('utf-16le', {fatal: false, ignoreBOM: false});
            return [d.encoding, d.decode(new Uint8Array([0xFF, 0xFE, 0x41]), true),
                    d.decode(new Uint8Array([0x00, 0x42]), true), d.decode(null, false)];
        })()"""), ["utf-16le", "", "A", "\ufffd"])
        self.assertEqual(self.thrown("__nano.createDecoder('replacement')"),
                         ["RangeError", "RangeError"])

    def test_streamEncoder(self):
        """
        nano.createStreamEncoder joins a surrogate pair split between chunks and flushes a
        dangling lead surrogate as U+FFFD.
        """
        self.assertEqual(self.js("""(() => {
            const e = __nano.createStreamEncoder();
            const bytes = (b) => b === null ? null : Array.from(b);
            return [bytes(e.encode("a\\ud83d")), bytes(e.encode("")), bytes(e.encode("\\ude00")),
                    bytes(e.encode("\\ud83d")), bytes(e.flush()), bytes(e.flush())];
        })()"""), [[0x61], None, [0xF0, 0x9F, 0x98, 0x80], None, [0xEF, 0xBF, 0xBD], None])

    def test_bufferSourceBytes(self):
        """
        bufferSourceBytes views the memory of buffers and views, and is undefined otherwise.
        """
        self.assertEqual(
            self.js("Array.from(__nano.bufferSourceBytes(new Uint16Array([0x0201]).subarray(0)))"),
            [1, 2])
        self.assertEqual(self.js("__nano.bufferSourceBytes('x') === undefined"), True)

    def test_detachedBuffers(self):
        """
        A detached buffer, or a view on one, decodes as no bytes.
        """
        self.assertEqual(self.js("""(() => {
            const buffer = new ArrayBuffer(4);
            const view = new DataView(buffer);
            const u8 = new Uint8Array(buffer);
            buffer.transfer();
            const d = new TextDecoder();
            return [d.decode(buffer), d.decode(view), d.decode(u8)];
        })()"""), ["", "", ""])

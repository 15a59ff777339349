"""
Tests for the Fetch API prelude files (C{nano/isolate/js/50_headers.js},
C{50_mime.js}, C{51_body.js}, C{52_request.js}, C{53_response.js},
C{54_multipart.js}): C{Headers}, MIME types, the Body mixin, C{Request}, C{Response},
multipart/form-data, and the helpers the bridge uses (C{nano.makeIncomingRequest},
C{nano.isResponse}, C{nano.responseParts}).

Each test loads the isolate prelude files numbered below 60 (the core, DOMException,
events, abort, encoding, URL, Blob, ... and the fetch files), wrapped the way L{nano.isolate.prelude} wraps them,
into a fresh MiniRacer isolate; the internal C{nano} object is kept on a test-only
global so the bridge helpers can be checked too.
"""

import json
import os

from py_mini_racer import MiniRacer
from twisted.trial.unittest import SynchronousTestCase

from nano.isolate.prelude import buildPartialPrelude, preludeFiles

# Everything below the app bridge: the isolate's prelude files numbered 00 to 59. The
# streams files (nano/streams/js/) are left out: these tests check the fallbacks used
# without them (test_js_streams_bridge checks bodies with the real streams).
_FILES = tuple(os.path.basename(path) for path in preludeFiles()
               if os.path.basename(os.path.dirname(os.path.dirname(path))) == "isolate"
               and os.path.basename(path) < "60")

# Minimal stand-ins for Blob, File and FormData while the runtime does not have them yet
# (they are implemented elsewhere), enough for the body code, which uses their public
# interfaces when their internal hooks are absent.
_FAKE_FORM_GLOBALS = """
if (typeof Blob !== 'function') {
  globalThis.Blob = class Blob {
    constructor(parts = [], options = {}) {
      const chunks = parts.map((p) => p instanceof Blob ? p._bytes : typeof p === 'string'
        ? new TextEncoder().encode(p) : new Uint8Array(p.buffer ?? p, p.byteOffset ?? 0, p.byteLength));
      let total = 0; for (const c of chunks) total += c.length;
      this._bytes = new Uint8Array(total);
      let o = 0; for (const c of chunks) { this._bytes.set(c, o); o += c.length; }
      this.type = options.type ?? '';
    }
    get size() { return this._bytes.length; }
    async arrayBuffer() { return this._bytes.slice().buffer; }
    async text() { return new TextDecoder().decode(this._bytes); }
  };
  globalThis.File = class File extends Blob {
    constructor(parts, name, options = {}) { super(parts, options); this.name = name; }
  };
}
if (typeof FormData !== 'function') {
  globalThis.FormData = class FormData {
    constructor() { this._list = []; }
    append(name, value) { this._list.push([name, value]); }
    get(name) { const e = this._list.find((e) => e[0] === name); return e ? e[1] : null; }
    *entries() { yield* this._list; }
    [Symbol.iterator]() { return this.entries(); }
  };
}
"""


def _script():
    """
    The prelude files these tests cover, as one script that leaves C{nano} on
    C{globalThis.__nano} (for these tests only).
    """
    return buildPartialPrelude(_FILES)


class FetchAPITestCase(SynchronousTestCase):
    """
    A fresh isolate with the fetch prelude files, and helpers to evaluate JS in it.
    """

    def setUp(self):
        self.ctx = MiniRacer()
        self.ctx.eval(_script())
        self.addCleanup(self.ctx.close)

    def js(self, source):
        """
        Evaluate C{source} (an expression) and return its value decoded from JSON.
        """
        return json.loads(self.ctx.eval("JSON.stringify(%s)" % (source,)))

    def runAsync(self, body):
        """
        Run C{body} as the body of an async function and return its result decoded
        from JSON.
        """
        promise = self.ctx.eval(
            "(async () => { %s })().then((v) => JSON.stringify(v === undefined ? null : v))"
            % (body,))
        return json.loads(promise.get(timeout=5))

    def errorName(self, statement):
        """
        Run C{statement} and return the constructor name of what it throws, or C{None}.
        """
        return self.js(
            "(() => { try { %s; return null; } catch (e) { return e.constructor.name; } })()"
            % (statement,))

    def rejection(self, expression):
        """
        Await C{expression} (a promise) and return the constructor name of its
        rejection reason, or C{None} if it fulfils.
        """
        return self.runAsync(
            "try { await (%s); return null; } catch (e) { return e.constructor.name; }"
            % (expression,))


class HeadersTests(FetchAPITestCase):
    """
    The C{Headers} interface.
    """

    def test_constructFromRecordAndSequence(self):
        """
        A record and a sequence of pairs both fill the headers; repeated names are
        combined with ", " by C{get}, and lookups ignore case.
        """
        self.assertEqual(
            self.js("new Headers({'Content-Type': 'text/html', 'X-A': '1'}).get('content-type')"),
            "text/html")
        self.assertEqual(
            self.js("new Headers([['X-A', '1'], ['x-a', '2']]).get('X-A')"), "1, 2")
        self.assertEqual(self.js("new Headers().get('x-missing')"), None)

    def test_constructFromHeadersCopies(self):
        """
        A C{Headers} built from another one has the same entries and is independent.
        """
        self.assertEqual(self.runAsync("""
            const a = new Headers({'x-a': '1'});
            const b = new Headers(a);
            b.set('x-a', '2');
            return [a.get('x-a'), b.get('x-a')];
        """), ["1", "2"])

    def test_badInit(self):
        """
        A pair that does not have exactly two items, a non-object init, and a value
        that is not a ByteString are TypeErrors.
        """
        self.assertEqual(self.errorName("new Headers([['a']])"), "TypeError")
        self.assertEqual(self.errorName("new Headers([['a', 'b', 'c']])"), "TypeError")
        self.assertEqual(self.errorName("new Headers(5)"), "TypeError")
        self.assertEqual(self.errorName("new Headers({'a': '\\u0100'})"), "TypeError")
        self.assertEqual(self.errorName("new Headers(null)"), "TypeError")

    def test_iterationSortedAndCombined(self):
        """
        Iteration yields lowercase names in sorted order with repeated values
        combined, except Set-Cookie, whose values stay separate.
        """
        self.assertEqual(self.runAsync("""
            const h = new Headers();
            h.append('Zeta', 'z');
            h.append('Set-Cookie', 'a=1');
            h.append('alpha', 'x');
            h.append('ALPHA', 'y');
            h.append('set-cookie', 'b=2');
            return [...h];
        """), [["alpha", "x, y"], ["set-cookie", "a=1"], ["set-cookie", "b=2"], ["zeta", "z"]])
        self.assertEqual(
            self.js("[...new Headers({b: '2', a: '1'}).keys()]"), ["a", "b"])
        self.assertEqual(
            self.js("[...new Headers({b: '2', a: '1'}).values()]"), ["1", "2"])

    def test_getSetCookie(self):
        """
        C{getSetCookie} returns every Set-Cookie value separately, in order, and an
        empty list when there is none; C{get} combines them.
        """
        self.assertEqual(self.runAsync("""
            const h = new Headers([['Set-Cookie', 'a=1; Path=/'], ['set-cookie', 'b=2']]);
            return [h.getSetCookie(), h.get('set-cookie'), new Headers().getSetCookie()];
        """), [["a=1; Path=/", "b=2"], "a=1; Path=/, b=2", []])

    def test_valueNormalised(self):
        """
        Leading and trailing HTTP whitespace (tab, space, CR, LF) is stripped from
        values; inner whitespace is kept.
        """
        self.assertEqual(
            self.js("new Headers({'x': ' \\t a  b \\r\\n'}).get('x')"), "a  b")
        self.assertEqual(self.runAsync("""
            const h = new Headers(); h.set('x', '\\n v\\t'); return h.get('x');
        """), "v")

    def test_invalidNames(self):
        """
        A name that is not an HTTP token is a TypeError for every method that takes
        a name.
        """
        for statement in [
            "new Headers().append('bad name', 'v')",
            "new Headers().set('', 'v')",
            "new Headers().get('a:b')",
            "new Headers().has('\\u00e9')",
            "new Headers().delete('a\\nb')",
            "new Headers({'a b': 'c'})",
        ]:
            self.assertEqual(self.errorName(statement), "TypeError", statement)

    def test_invalidValues(self):
        """
        A value with NUL, CR or LF inside, or with a character above U+00FF, is a
        TypeError; Latin-1 characters are allowed.
        """
        for value in ["a\\u0000b", "a\\rb", "a\\nb", "\\u2603"]:
            self.assertEqual(
                self.errorName("new Headers().append('x', '%s')" % (value,)), "TypeError", value)
        self.assertEqual(self.js("new Headers({'x': 'caf\\u00e9'}).get('x')"), "caf\u00e9")

    def test_setAndDelete(self):
        """
        C{set} replaces every value of a name with one value; C{delete} removes them
        all; C{has} reports presence.
        """
        self.assertEqual(self.runAsync("""
            const h = new Headers([['a', '1'], ['b', '2'], ['A', '3']]);
            h.set('a', '9');
            const afterSet = [...h];
            h.delete('B');
            return [afterSet, [...h], h.has('b'), h.has('A')];
        """), [[["a", "9"], ["b", "2"]], [["a", "9"]], False, True])

    def test_forEach(self):
        """
        C{forEach} calls back with (value, name, headers) in sorted order and the
        given C{this}.
        """
        self.assertEqual(self.runAsync("""
            const h = new Headers({b: '2', a: '1'});
            const seen = [];
            const self = {tag: 't'};
            h.forEach(function (value, name, target) {
                seen.push([value, name, target === h, this.tag]);
            }, self);
            return seen;
        """), [["1", "a", True, "t"], ["2", "b", True, "t"]])

    def test_iteratorShape(self):
        """
        The iterator's prototype is named "Headers Iterator", inherits from
        %IteratorPrototype%, and its C{next} rejects other receivers.
        """
        self.assertEqual(self.runAsync("""
            const it = new Headers()[Symbol.iterator]();
            const proto = Object.getPrototypeOf(it);
            const iterProto = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));
            let err = null;
            try { proto.next.call({}); } catch (e) { err = e.constructor.name; }
            return [Object.prototype.toString.call(it), Object.getPrototypeOf(proto) === iterProto,
                    err, Headers.prototype[Symbol.iterator] === Headers.prototype.entries,
                    Object.hasOwn(proto, 'constructor')];
        """), ["[object Headers Iterator]", True, "TypeError", True, False])

    def test_iterationSeesChanges(self):
        """
        An iterator reads the current sorted list at every step, so a header added
        after the iterator was made (and sorting after the current one) is seen.
        """
        self.assertEqual(self.runAsync("""
            const h = new Headers({a: '1', c: '3'});
            const names = [];
            for (const [name] of h) {
                names.push(name);
                if (name === 'a') h.append('b', '2');
            }
            return names;
        """), ["a", "b", "c"])

    def test_interfaceShape(self):
        """
        C{Headers} looks like a WebIDL interface: tagged "Headers", methods on the
        prototype, brand checks and required arguments throwing TypeError.
        """
        self.assertEqual(
            self.js("Object.prototype.toString.call(new Headers())"), "[object Headers]")
        self.assertEqual(self.js("Headers.length"), 0)
        self.assertEqual(self.js("Object.keys(new Headers())"), [])
        self.assertEqual(self.errorName("Headers.prototype.get.call({}, 'a')"), "TypeError")
        self.assertEqual(self.errorName("new Headers().append('a')"), "TypeError")
        self.assertEqual(self.errorName("Headers()"), "TypeError")


class MimeTypeTests(FetchAPITestCase):
    """
    MIME type parsing, serialising and extraction from a Content-Type value.
    """

    def mime(self, value):
        """
        The serialised MIME type extracted from the Content-Type C{value}, or C{None}.
        """
        return self.js(
            "((m) => m === null ? null : __nano.serializeMimeType(m))(__nano.extractMimeType(%s))"
            % (json.dumps(value),))

    def test_parseAndSerialize(self):
        """
        Type, subtype and parameter names are lowercased, whitespace and invalid
        parameters dropped, and values quoted only when they are not tokens.
        """
        self.assertEqual(self.mime(' Text/HTML ; Charset="utf-8" ; x ; y=" a\\"b"'),
                         'text/html;charset=utf-8;y=" a\\"b"')
        self.assertEqual(self.mime("text/"), None)
        self.assertEqual(self.mime("nope"), None)
        self.assertEqual(self.mime(None), None)

    def test_extractFromCombinedValue(self):
        """
        From a combined value the last valid type wins; its charset is inherited
        from an earlier value with the same essence; */* is skipped.
        """
        self.assertEqual(self.mime("text/plain;charset=gbk, text/html"), "text/html")
        self.assertEqual(self.mime("text/html;charset=gbk, text/html"), "text/html;charset=gbk")
        self.assertEqual(self.mime("text/html, */*"), "text/html")
        self.assertEqual(self.mime('text/html;x=",", bogus'), 'text/html;x=","')


class BodyTests(FetchAPITestCase):
    """
    The Body mixin and body extraction, through C{Response} and C{Request}.
    """

    def test_stringBody(self):
        """
        A string body has the Content-Type "text/plain;charset=UTF-8" and reads back
        as text, bytes (UTF-8) and an ArrayBuffer.
        """
        self.assertEqual(self.runAsync("""
            const r = new Response('h\\u00e9');
            return [r.headers.get('content-type'), await r.clone().text(),
                    [...await r.clone().bytes()], (await r.arrayBuffer()).byteLength];
        """), ["text/plain;charset=UTF-8", "h\u00e9", [0x68, 0xc3, 0xa9], 3])

    def test_consumeTwice(self):
        """
        Reading a body marks it used (C{bodyUsed}); reading it again rejects with a
        TypeError.
        """
        self.assertEqual(self.runAsync("""
            const r = new Response('x');
            const before = r.bodyUsed;
            await r.text();
            let err = null;
            try { await r.json(); } catch (e) { err = e.constructor.name; }
            return [before, r.bodyUsed, err];
        """), [False, True, "TypeError"])

    def test_bufferSourcesAreCopied(self):
        """
        ArrayBuffer, typed array and DataView bodies are copied at construction (a
        later change to the source is not seen), a view contributes only its range,
        and no Content-Type is set.
        """
        self.assertEqual(self.runAsync("""
            const buf = new Uint8Array([1, 2, 3, 4]);
            const a = new Response(buf.buffer);
            const b = new Response(new DataView(buf.buffer, 1, 2));
            const c = new Response(new Uint16Array([0x0201]));
            buf[1] = 99;
            return [[...await a.bytes()], [...await b.bytes()], [...await c.bytes()],
                    a.headers.get('content-type')];
        """), [[1, 2, 3, 4], [2, 3], [1, 2], None])

    def test_urlSearchParamsBody(self):
        """
        A URLSearchParams body is serialised form-urlencoded with the matching
        Content-Type.
        """
        self.assertEqual(self.runAsync("""
            const r = new Request('https://a.example/', {method: 'POST',
                body: new URLSearchParams([['a', '1 2'], ['b', '\\u00e9&']])});
            return [r.headers.get('content-type'), await r.text()];
        """), ["application/x-www-form-urlencoded;charset=UTF-8", "a=1+2&b=%C3%A9%26"])

    def test_otherValuesAreStringified(self):
        """
        A body that is none of the recognised types is converted to a string.
        """
        self.assertEqual(self.runAsync("""
            return [await new Response(42).text(), await new Response({}).text()];
        """), ["42", "[object Object]"])

    def test_json(self):
        """
        C{json()} parses the body; a body that is not JSON rejects with a SyntaxError.
        """
        self.assertEqual(self.runAsync("return await new Response('{\"a\": [1, 2]}').json();"),
                         {"a": [1, 2]})
        self.assertEqual(self.rejection("new Response('{nope').json()"), "SyntaxError")

    def test_resultTypes(self):
        """
        C{arrayBuffer()} gives an ArrayBuffer and C{bytes()} a Uint8Array.
        """
        self.assertEqual(self.runAsync("""
            return [Object.prototype.toString.call(await new Response('ab').arrayBuffer()),
                    Object.prototype.toString.call(await new Response('ab').bytes())];
        """), ["[object ArrayBuffer]", "[object Uint8Array]"])

    def test_nullBody(self):
        """
        Without a body, C{body} is null, C{bodyUsed} stays false, and every read gives
        an empty result, as often as asked.
        """
        self.assertEqual(self.runAsync("""
            const r = new Response();
            const texts = [await r.text(), await r.text()];
            return [r.body, r.bodyUsed, texts, (await r.arrayBuffer()).byteLength,
                    (await r.bytes()).length];
        """), [None, False, ["", ""], 0, 0])

    def test_utf8Decoding(self):
        """
        C{text()} replaces lone surrogates of a string body and invalid bytes of a
        bytes body with U+FFFD, and drops a leading byte order mark.
        """
        self.assertEqual(self.runAsync("""
            return [await new Response('a\\ud800b').text(),
                    await new Response(new Uint8Array([0xef, 0xbb, 0xbf, 0x68, 0xff])).text(),
                    await new Response('\\ufeffx').text()];
        """), ["a\ufffdb", "h\ufffd", "x"])

    def test_formDataNeedsFormContentType(self):
        """
        C{formData()} rejects with a TypeError when the Content-Type is neither
        form-urlencoded nor multipart.
        """
        self.assertEqual(self.rejection("new Response('a=1').formData()"), "TypeError")

    def test_formDataUrlencoded(self):
        """
        C{formData()} of a form-urlencoded body gives a FormData of its pairs; a body
        of another type rejects with a TypeError.
        """
        self.assertEqual(self.runAsync("""
            const fd = await new Response('a=1&b=x+y&a=2',
                {headers: {'content-type': 'application/x-www-form-urlencoded'}}).formData();
            return [fd instanceof FormData, fd.getAll('a'), fd.get('b')];
        """), [True, ["1", "2"], "x y"])
        self.assertEqual(self.rejection("""new Response('a=1',
            {headers: {'content-type': 'text/plain'}}).formData()"""), "TypeError")

    def test_blob(self):
        """
        C{blob()} gives a Blob of the body's bytes typed from the Content-Type
        (parsed and serialised as a MIME type).
        """
        self.assertEqual(self.runAsync("""
            const b = await new Response('hi',
                {headers: {'content-type': 'Text/HTML; Charset="utf-8"'}}).blob();
            return [b instanceof Blob, b.type, b.size, await b.text()];
        """), [True, "text/html;charset=utf-8", 2, "hi"])

    def test_blobWithoutBlob(self):
        """
        Without a Blob implementation, C{blob()} rejects with a TypeError.
        """
        self.assertEqual(self.runAsync("""
            delete globalThis.Blob;
            delete __nano.createBlob;
            try { await new Response('x').blob(); return null; } catch (e) { return e.constructor.name; }
        """), "TypeError")

    def test_bodyWithoutStreams(self):
        """
        While no ReadableStream global exists, C{body} is null even when there is a
        body (streams are installed by another part of the runtime).
        """
        self.assertEqual(self.runAsync("""
            delete globalThis.ReadableStream;
            return [new Response('x').body, new Response().body];
        """), [None, None])

    def test_bodyStreamPluggedIn(self):
        """
        Once a ReadableStream global exists, C{body} is a byte stream over the body's
        bytes, made once; reading through the Body methods then goes through that
        stream.
        """
        self.assertEqual(self.runAsync("""
            const chunks = [];
            globalThis.ReadableStream = class ReadableStream {
                constructor(source) {
                    this.type = source.type; this.locked = false; this.queue = [];
                    source.start({enqueue: (c) => this.queue.push(c), close: () => {}});
                }
                getReader() {
                    this.locked = true;
                    return {read: async () => this.queue.length ? {done: false, value: this.queue.shift()}
                                                              : {done: true, value: undefined},
                            cancel() {}};
                }
            };
            const r = new Response('ok');
            const s = r.body;
            return [s === r.body, s.type, [...s.queue[0]], await r.text(), r.bodyUsed];
        """), [True, "bytes", [0x6F, 0x6B], "ok", True])


class FormBodyTests(FetchAPITestCase):
    """
    Blob and FormData bodies and C{formData()}, with stand-in C{Blob}, C{File} and
    C{FormData} globals.
    """

    def setUp(self):
        FetchAPITestCase.setUp(self)
        self.ctx.eval(_FAKE_FORM_GLOBALS)

    def test_formDataUrlencoded(self):
        """
        A form-urlencoded body parses into a FormData (percent-escapes and "+"
        decoded, repeated names kept, a leading BOM kept as part of the first name).
        """
        self.assertEqual(self.runAsync("""
            const r = new Response('a=1&b=x+y&a=%C3%A9',
                {headers: {'content-type': 'application/x-www-form-urlencoded; charset=utf-8'}});
            return [...(await r.formData())];
        """), [["a", "1"], ["b", "x y"], ["a", "\u00e9"]])
        self.assertEqual(self.runAsync("""
            const r = new Response('\\ufefftest=\\ufeff',
                {headers: {'content-type': 'application/x-www-form-urlencoded'}});
            return [...(await r.formData())];
        """), [["\ufefftest", "\ufeff"]])

    def test_formDataBodyRoundTrip(self):
        """
        A FormData body is sent as multipart/form-data with a boundary, and
        C{formData()} reads it back: strings, and files with name, type and bytes.
        """
        self.assertEqual(self.runAsync("""
            const fd = new FormData();
            fd.append('title', 'line1\\nline2');
            fd.append('up"load', new File(['hello'], 'a.txt', {type: 'text/plain'}));
            fd.append('raw', new Blob([new Uint8Array([0, 255])]));
            const r = new Request('https://a.example/', {method: 'POST', body: fd});
            const type = r.headers.get('content-type');
            const copy = await r.clone().formData();
            const text = await r.text();
            const file = copy.get('up"load');
            const raw = copy.get('raw');
            return [/^multipart\\/form-data; boundary=\\S+$/.test(type), copy.get('title'),
                    file.name, file.type, await file.text(), raw.name, raw.type,
                    [...new Uint8Array(await raw.arrayBuffer())],
                    text.includes('name="up%22load"; filename="a.txt"\\r\\nContent-Type: text/plain\\r\\n\\r\\nhello\\r\\n')];
        """), [True, "line1\r\nline2", "a.txt", "text/plain", "hello", "blob",
               "application/octet-stream", [0, 255], True])

    def test_formDataParsesMultipart(self):
        """
        A hand-written multipart body parses: quoted names with escapes, a file
        without Content-Type (text/plain), and a closing boundary.
        """
        self.assertEqual(self.runAsync("""
            const body = '--XyZ\\r\\nContent-Disposition: form-data; name="a%22b"\\r\\n\\r\\nv1\\r\\n' +
                '--XyZ\\r\\nContent-Disposition: form-data; name="f"; filename="n.bin"\\r\\n\\r\\nabc\\r\\n' +
                '--XyZ--\\r\\n';
            const fd = await new Response(body,
                {headers: {'content-type': 'multipart/form-data; boundary=XyZ'}}).formData();
            const f = fd.get('f');
            return [fd.get('a"b'), f.name, f.type, await f.text()];
        """), ['v1', "n.bin", "text/plain", "abc"])

    def test_formDataMalformedMultipart(self):
        """
        A multipart body without a boundary parameter or without its closing
        boundary rejects with a TypeError.
        """
        self.assertEqual(self.rejection("""new Response('--b\\r\\n',
            {headers: {'content-type': 'multipart/form-data'}}).formData()"""), "TypeError")
        self.assertEqual(self.rejection("""new Response(
            '--b\\r\\nContent-Disposition: form-data; name="a"\\r\\n\\r\\nv',
            {headers: {'content-type': 'multipart/form-data; boundary=b'}}).formData()"""),
            "TypeError")

    def test_blobBody(self):
        """
        A Blob body takes its Content-Type from the Blob's type and reads back its
        bytes; C{blob()} gives a Blob typed from the Content-Type.
        """
        self.assertEqual(self.runAsync("""
            const r = new Response(new Blob(['abc'], {type: 'text/x-thing'}));
            const b = await r.clone().blob();
            return [r.headers.get('content-type'), await r.text(), b.type, b.size,
                    new Response(new Blob(['x'])).headers.get('content-type')];
        """), ["text/x-thing", "abc", "text/x-thing", 3, None])


class StreamBodyTests(FetchAPITestCase):
    """
    ReadableStream bodies, with a stand-in C{ReadableStream} global (the real one is
    installed by the streams part of the runtime).
    """

    def setUp(self):
        FetchAPITestCase.setUp(self)
        self.ctx.eval("""
            globalThis.ReadableStream = class ReadableStream {
                constructor(chunks = []) { this.chunks = chunks; this.locked = false; }
                getReader() {
                    this.locked = true;
                    return {read: async () => this.chunks.length ? {done: false, value: this.chunks.shift()}
                                                                : {done: true, value: undefined},
                            cancel() {}};
                }
            };
        """)

    def test_streamBodyRead(self):
        """
        A stream body is read chunk by chunk by the Body methods; C{body} is the
        stream itself; there is no Content-Type.
        """
        self.assertEqual(self.runAsync("""
            const s = new ReadableStream([new Uint8Array([104]), new Uint8Array([105])]);
            const r = new Response(s);
            return [r.body === s, r.headers.get('content-type'), await r.text(), r.bodyUsed];
        """), [True, None, "hi", True])

    def test_nonBytesChunk(self):
        """
        A chunk that is not a Uint8Array makes reading reject with a TypeError.
        """
        self.assertEqual(
            self.rejection("new Response(new ReadableStream(['text'])).text()"), "TypeError")

    def test_lockedStream(self):
        """
        A locked stream cannot be a body, and a body whose stream is locked cannot
        be read or cloned.
        """
        self.assertEqual(self.errorName("""
            const s = new ReadableStream(); s.getReader(); new Response(s)"""), "TypeError")
        self.assertEqual(self.runAsync("""
            const r = new Response(new ReadableStream([new Uint8Array([1])]));
            r.body.getReader();
            let cloneErr = null;
            try { r.clone(); } catch (e) { cloneErr = e.constructor.name; }
            let readErr = null;
            try { await r.text(); } catch (e) { readErr = e.constructor.name; }
            return [cloneErr, readErr];
        """), ["TypeError", "TypeError"])

    def test_requestStreamNeedsDuplex(self):
        """
        A request with a stream body needs C{duplex: "half"}.
        """
        self.assertEqual(self.errorName("""new Request('https://a.example/',
            {method: 'POST', body: new ReadableStream()})"""), "TypeError")
        self.assertEqual(self.js("""new Request('https://a.example/',
            {method: 'POST', body: new ReadableStream(), duplex: 'half'}).duplex"""), "half")

    def test_responsePartsStream(self):
        """
        C{responseParts} hands a stream body over as C{stream} (for the bridge to
        read), with no C{body}.
        """
        self.assertEqual(self.runAsync("""
            const s = new ReadableStream([new Uint8Array([1])]);
            const parts = __nano.responseParts(new Response(s, {status: 202}));
            return [parts.stream === s, 'body' in parts, parts.status];
        """), [True, False, 202])


    def test_encodeBody(self):
        """
        C{responseParts} asks for the body to be compressed (C{encode}) when its
        Content-Encoding is exactly gzip or br and encodeBody is "automatic" (the
        default), as Cloudflare Workers do; not for other or several encodings, a null
        body, or encodeBody "manual", which clones and responses made from the response
        keep. Another encodeBody value is a TypeError.
        """
        self.assertEqual(self.runAsync("""
            const encode = (r) => __nano.responseParts(r).encode ?? null;
            const ce = (value, init = {}) => new Response('x', {...init, headers: {'content-encoding': value}});
            const manual = ce('gzip', {encodeBody: 'manual'});
            const both = new Headers([['content-encoding', 'gzip'], ['content-encoding', 'br']]);
            return [encode(ce('gzip')), encode(ce('br')), encode(ce('deflate')), encode(ce('GZIP')),
                    encode(new Response('x', {headers: both})),
                    encode(new Response(null, {headers: {'content-encoding': 'gzip'}})),
                    encode(Response.json({}, {headers: {'content-encoding': 'br'}})),
                    encode(ce('gzip', {encodeBody: 'automatic'})), encode(manual.clone()),
                    encode(new Response('y', manual)), encode(manual), 'encodeBody' in manual];
        """), ["gzip", "br", None, None, None, None, "br", "gzip", None, None, None, False])
        self.assertEqual(self.errorName("new Response('x', {encodeBody: 'sometimes'})"), "TypeError")


class RequestTests(FetchAPITestCase):
    """
    The C{Request} interface.
    """

    def test_urlParsing(self):
        """
        The URL is parsed and serialised; a relative URL is a TypeError (a worker has
        no base URL), and so is a URL with credentials.
        """
        self.assertEqual(self.js("new Request('HTTP://Example.COM/a/../b?q#f').url"),
                         "http://example.com/b?q#f")
        self.assertEqual(self.js("new Request(new URL('https://a.example/x')).url"),
                         "https://a.example/x")
        self.assertEqual(self.errorName("new Request('/relative')"), "TypeError")
        self.assertEqual(self.errorName("new Request('https://u:p@a.example/')"), "TypeError")
        self.assertEqual(self.errorName("new Request()"), "TypeError")

    def test_defaults(self):
        """
        A request made from a URL alone has the spec's default attributes.
        """
        self.assertEqual(self.runAsync("""
            const r = new Request('https://a.example/');
            return [r.method, r.mode, r.credentials, r.cache, r.redirect, r.referrer,
                    r.referrerPolicy, r.integrity, r.keepalive, r.destination, r.duplex,
                    r.isReloadNavigation, r.isHistoryNavigation, r.body, r.bodyUsed,
                    [...r.headers]];
        """), ["GET", "cors", "same-origin", "default", "follow", "about:client", "", "",
               False, "", "half", False, False, None, False, []])

    def test_initOptions(self):
        """
        The init's options are kept; an empty referrer means no referrer.
        """
        self.assertEqual(self.runAsync("""
            const r = new Request('https://a.example/', {mode: 'same-origin', credentials: 'omit',
                cache: 'no-store', redirect: 'manual', referrer: '', referrerPolicy: 'origin',
                integrity: 'sha256-x', keepalive: true});
            return [r.mode, r.credentials, r.cache, r.redirect, r.referrer, r.referrerPolicy,
                    r.integrity, r.keepalive];
        """), ["same-origin", "omit", "no-store", "manual", "", "origin", "sha256-x", True])

    def test_methodNormalised(self):
        """
        The six standard methods are upper-cased whatever their case, and so are the
        others Cloudflare Workers know (PATCH, WebDAV's, QUERY); other methods keep
        their case.
        """
        self.assertEqual(self.js("""['get', 'Post', 'delete', 'patch', 'OPTIONS', 'put', 'head', 'propfind',
                                    'm-search', 'Query', 'custom', 'Link']
            .map((m) => new Request('https://a.example/', {method: m}).method)"""),
            ["GET", "POST", "DELETE", "PATCH", "OPTIONS", "PUT", "HEAD", "PROPFIND", "M-SEARCH", "QUERY",
             "custom", "Link"])

    def test_forbiddenAndInvalidMethods(self):
        """
        CONNECT, TRACE and TRACK (in any case) and methods that are not tokens are
        TypeErrors.
        """
        for method in ["CONNECT", "trace", "TrAcK", "bad method", ""]:
            self.assertEqual(
                self.errorName("new Request('https://a.example/', {method: '%s'})" % (method,)),
                "TypeError", method)

    def test_getHeadWithBody(self):
        """
        A GET or HEAD request with a body is a TypeError; a null body is fine.
        """
        self.assertEqual(
            self.errorName("new Request('https://a.example/', {body: 'x'})"), "TypeError")
        self.assertEqual(
            self.errorName("new Request('https://a.example/', {method: 'HEAD', body: 'x'})"),
            "TypeError")
        self.assertEqual(
            self.errorName("new Request('https://a.example/', {body: null})"), None)

    def test_invalidEnums(self):
        """
        An option outside its enumeration, mode "navigate", and cache
        "only-if-cached" outside mode "same-origin" are TypeErrors.
        """
        for init in ["{redirect: 'sometimes'}", "{mode: 'navigate'}", "{cache: 'only-if-cached'}",
                     "{credentials: 'all'}", "{window: {}}", "{signal: {}}"]:
            self.assertEqual(
                self.errorName("new Request('https://a.example/', %s)" % (init,)), "TypeError", init)
        self.assertEqual(self.js("""new Request('https://a.example/',
            {cache: 'only-if-cached', mode: 'same-origin'}).cache"""), "only-if-cached")

    def test_bodyContentType(self):
        """
        A body's Content-Type is added unless the init's headers already have one.
        """
        self.assertEqual(self.runAsync("""
            const a = new Request('https://a.example/', {method: 'POST', body: 'x'});
            const b = new Request('https://a.example/', {method: 'POST', body: 'x',
                headers: {'Content-Type': 'application/custom'}});
            return [a.headers.get('content-type'), b.headers.get('content-type'), await b.text()];
        """), ["text/plain;charset=UTF-8", "application/custom", "x"])

    def test_fromRequest(self):
        """
        A request made from another copies its method, URL and headers (as an
        independent list), takes over its body and leaves the original used; doing
        it again is a TypeError.
        """
        self.assertEqual(self.runAsync("""
            const a = new Request('https://a.example/p', {method: 'PUT', body: 'data',
                headers: {'x-a': '1'}});
            const b = new Request(a);
            b.headers.set('x-a', '2');
            let err = null;
            try { new Request(a); } catch (e) { err = e.constructor.name; }
            return [b.method, b.url, a.headers.get('x-a'), b.headers.get('x-a'), a.bodyUsed,
                    await b.text(), err];
        """), ["PUT", "https://a.example/p", "1", "2", True, "data", "TypeError"])

    def test_fromRequestWithInit(self):
        """
        An init applied over a request replaces what it names (here method and
        headers) and resets the referrer.
        """
        self.assertEqual(self.runAsync("""
            const a = new Request('https://a.example/', {headers: {'x-a': '1'}, referrer: ''});
            const b = new Request(a, {method: 'POST', headers: {'x-b': '2'}});
            return [b.method, [...b.headers], a.referrer, b.referrer];
        """), ["POST", [["x-b", "2"]], "", "about:client"])

    def test_clone(self):
        """
        C{clone()} gives an equal request with its own headers; both bodies can be
        read; a used body cannot be cloned.
        """
        self.assertEqual(self.runAsync("""
            const a = new Request('https://a.example/', {method: 'POST', body: 'b',
                headers: {'x': '1'}});
            const c = a.clone();
            c.headers.set('x', '2');
            const texts = [await a.text(), await c.text()];
            let err = null;
            try { a.clone(); } catch (e) { err = e.constructor.name; }
            return [c.method, c.url, a.headers.get('x'), c.headers.get('x'), texts, err];
        """), ["POST", "https://a.example/", "1", "2", ["b", "b"], "TypeError"])

    def test_signalFollowsInit(self):
        """
        A request always has a signal; it is a new one that aborts, with the same
        reason, when the init's signal does.
        """
        self.assertEqual(self.runAsync("""
            const controller = new AbortController();
            const r = new Request('https://a.example/', {signal: controller.signal});
            const plain = new Request('https://a.example/');
            const before = r.signal.aborted;
            controller.abort('why');
            return [r.signal instanceof AbortSignal, r.signal !== controller.signal, before,
                    r.signal.aborted, r.signal.reason, plain.signal.aborted,
                    new Request(r).signal.aborted];
        """), [True, True, False, True, "why", False, True])

    def test_interfaceShape(self):
        """
        C{Request} is tagged "Request", has length 1 and checks its receiver.
        """
        self.assertEqual(self.js("Object.prototype.toString.call(new Request('https://a.example/'))"),
                         "[object Request]")
        self.assertEqual(self.js("Request.length"), 1)
        self.assertEqual(
            self.errorName("Object.getOwnPropertyDescriptor(Request.prototype, 'url').get.call({})"),
            "TypeError")
        self.assertEqual(self.rejection("Request.prototype.text.call({})"), "TypeError")


class ResponseTests(FetchAPITestCase):
    """
    The C{Response} interface.
    """

    def test_defaults(self):
        """
        A response made from a body alone is a basic 200 response.
        """
        self.assertEqual(self.runAsync("""
            const r = new Response('x');
            return [r.status, r.ok, r.statusText, r.type, r.url, r.redirected];
        """), [200, True, "", "default", "", False])

    def test_statusAndStatusText(self):
        """
        Status and status text come from the init; a status outside 200-599 is a
        RangeError and a status text that is not a reason phrase is a TypeError.
        """
        self.assertEqual(self.js("""[new Response(null, {status: 404, statusText: 'Nope'})]
            .map((r) => [r.status, r.ok, r.statusText])[0]"""), [404, False, "Nope"])
        for status in ["199", "600", "0", "1000"]:
            self.assertEqual(
                self.errorName("new Response(null, {status: %s})" % (status,)), "RangeError", status)
        self.assertEqual(
            self.errorName("new Response(null, {statusText: 'a\\nb'})"), "TypeError")
        self.assertEqual(
            self.errorName("new Response(null, {statusText: '\\u0100'})"), "TypeError")

    def test_nullBodyStatus(self):
        """
        Statuses 101, 103, 204, 205 and 304 cannot have a body (TypeError) but are
        fine without one.
        """
        for status in [204, 205, 304]:
            self.assertEqual(
                self.errorName("new Response('x', {status: %d})" % (status,)), "TypeError")
            self.assertEqual(
                self.js("new Response(null, {status: %d}).status" % (status,)), status)
        self.assertEqual(self.errorName("new Response('', {status: 204})"), "TypeError")

    def test_headersInit(self):
        """
        Init headers are kept and an explicit Content-Type wins over the body's.
        """
        self.assertEqual(self.runAsync("""
            const r = new Response('x', {headers: [['Content-Type', 'text/html'], ['X-A', '1']]});
            return [...r.headers];
        """), [["content-type", "text/html"], ["x-a", "1"]])

    def test_lazyHeaders(self):
        """
        Without init headers, C{headers} is still one stable, mutable object holding
        the body's Content-Type.
        """
        self.assertEqual(self.runAsync("""
            const r = new Response('x');
            const h = r.headers;
            h.set('x-a', '1');
            return [h === r.headers, [...r.headers], [...new Response().headers]];
        """), [True, [["content-type", "text/plain;charset=UTF-8"], ["x-a", "1"]], []])

    def test_error(self):
        """
        C{Response.error()} is a network error: type "error", status 0, no body,
        immutable headers.
        """
        self.assertEqual(self.runAsync("""
            const r = Response.error();
            let err = null;
            try { r.headers.set('a', 'b'); } catch (e) { err = e.constructor.name; }
            return [r.type, r.status, r.ok, r.statusText, r.body, err];
        """), ["error", 0, False, "", None, "TypeError"])

    def test_redirect(self):
        """
        C{Response.redirect()} sets Location to the parsed URL and the status (302 by
        default), with immutable headers; other statuses are RangeErrors and
        relative URLs TypeErrors.
        """
        self.assertEqual(self.runAsync("""
            const a = Response.redirect('https://a.example/x/../y');
            const b = Response.redirect('https://a.example/', 301);
            let err = null;
            try { a.headers.append('a', 'b'); } catch (e) { err = e.constructor.name; }
            return [a.status, a.headers.get('location'), b.status, err, a.body];
        """), [302, "https://a.example/y", 301, "TypeError", None])
        self.assertEqual(
            self.errorName("Response.redirect('https://a.example/', 200)"), "RangeError")
        self.assertEqual(self.errorName("Response.redirect('/relative')"), "TypeError")

    def test_json(self):
        """
        C{Response.json()} serialises the data with Content-Type application/json
        unless the init sets one; data JSON cannot represent is a TypeError.
        """
        self.assertEqual(self.runAsync("""
            const a = Response.json({a: 1}, {status: 201});
            const b = Response.json([1], {headers: {'content-type': 'application/x'}});
            return [a.status, a.headers.get('content-type'), await a.json(),
                    b.headers.get('content-type')];
        """), [201, "application/json", {"a": 1}, "application/x"])
        self.assertEqual(self.errorName("Response.json(undefined)"), "TypeError")
        self.assertEqual(self.errorName("Response.json(1, {status: 204})"), "TypeError")

    def test_clone(self):
        """
        C{clone()} copies status, headers and body; both can be read independently,
        and a used response cannot be cloned.
        """
        self.assertEqual(self.runAsync("""
            const a = new Response(new Uint8Array([1, 2]), {status: 201, headers: {'x': '1'}});
            const b = a.clone();
            const ba = new Uint8Array(await b.arrayBuffer());
            ba[0] = 9;
            const aa = [...await a.bytes()];
            let err = null;
            try { a.clone(); } catch (e) { err = e.constructor.name; }
            return [b.status, b.headers.get('x'), aa, err];
        """), [201, "1", [1, 2], "TypeError"])

    def test_interfaceShape(self):
        """
        C{Response} is tagged "Response", its statics exist, and its getters check
        their receiver.
        """
        self.assertEqual(self.js("Object.prototype.toString.call(new Response())"),
                         "[object Response]")
        self.assertEqual(self.js("[Response.length, typeof Response.error, typeof Response.json]"),
                         [0, "function", "function"])
        self.assertEqual(
            self.errorName("Object.getOwnPropertyDescriptor(Response.prototype, 'status').get.call({})"),
            "TypeError")


class BridgeHelperTests(FetchAPITestCase):
    """
    The helpers the bridge uses: C{nano.makeIncomingRequest}, C{nano.isResponse} and
    C{nano.responseParts}.
    """

    def test_incomingRequest(self):
        """
        An incoming request keeps the method and URL as given, lowercases header
        names, keeps repeated headers, and reads its bytes body.
        """
        self.assertEqual(self.runAsync("""
            const r = __nano.makeIncomingRequest('POST', 'https://h.example/p?q=1',
                ['Host', 'h.example', 'Accept', 'a', 'accept', 'b', 'Set-Cookie', 'x', 'set-cookie', 'y'],
                new Uint8Array([104, 105]), null);
            return [r.method, r.url, r.headers.get('accept'), r.headers.getSetCookie(),
                    [...r.headers.keys()], await r.text(), r.signal.aborted];
        """), ["POST", "https://h.example/p?q=1", "a, b", ["x", "y"],
               ["accept", "host", "set-cookie", "set-cookie"], "hi", False])

    def test_incomingRequestHeadersImmutable(self):
        """
        An incoming request's headers are immutable, and so are its clone's; a
        request made from it gets mutable headers.
        """
        self.assertEqual(self.runAsync("""
            const r = __nano.makeIncomingRequest('GET', 'https://h.example/', ['x-a', '1'], null, null);
            const errs = [];
            for (const h of [r.headers, r.clone().headers]) {
                try { h.set('x-a', '2'); errs.push(null); } catch (e) { errs.push(e.constructor.name); }
            }
            const copy = new Request(r);
            copy.headers.set('x-a', '3');
            return [errs, r.headers.get('x-a'), copy.headers.get('x-a'), r.body];
        """), [["TypeError", "TypeError"], "1", "3", None])

    def test_incomingRequestRedirectManual(self):
        """
        An incoming request's redirect mode is "manual" (as on Cloudflare Workers), and
        requests made from it, or cloned, keep it unless init says otherwise; a
        request the worker makes still follows redirects.
        """
        self.assertEqual(self.runAsync("""
            const r = __nano.makeIncomingRequest('GET', 'https://h.example/', [], null, null);
            return [r.redirect, r.clone().redirect, new Request('https://up.example/', r).redirect,
                    new Request(r, {redirect: 'follow'}).redirect, new Request('https://up.example/').redirect,
                    __nano.requestInternals(new Request('https://up.example/', r)).redirect];
        """), ["manual", "manual", "manual", "follow", "follow", "manual"])

    def test_incomingRequestCf(self):
        """
        request.cf is an object on an incoming request (the same one on every read),
        carried over to clones and requests made from it, undefined on a request the
        worker makes unless init.cf gives one; a non-object init.cf is a TypeError.
        """
        self.assertEqual(self.runAsync("""
            const r = __nano.makeIncomingRequest('GET', 'https://h.example/', [], null, null);
            const bad = (() => { try { new Request('https://a.example/', {cf: 5}); return null; }
                                 catch (e) { return e.constructor.name; } })();
            return [typeof r.cf, r.cf === r.cf, r.clone().cf === r.cf, new Request('https://up.example/', r).cf === r.cf,
                    new Request('https://a.example/').cf, new Request('https://a.example/', {cf: {cacheTtl: 5}}).cf,
                    new Request(r, {cf: null}).cf, bad, Object.keys(r.cf).length,
                    'cf' in Request.prototype];
        """), ["object", True, True, True, None, {"cacheTtl": 5}, None, "TypeError", 0, True])

    def test_incomingRequestSignal(self):
        """
        The signal given by the bridge is the request's signal.
        """
        self.assertEqual(self.runAsync("""
            const c = new AbortController();
            const r = __nano.makeIncomingRequest('GET', 'https://h.example/', [], null, c.signal);
            c.abort();
            return [r.signal === c.signal, r.signal.aborted];
        """), [True, True])

    def test_isResponse(self):
        """
        C{isResponse} is a brand check: true for responses (subclasses included),
        false for look-alikes and other values.
        """
        self.assertEqual(self.js("""[new Response(), Response.error(), new (class extends Response {})(),
            Object.create(Response.prototype), {status: 200}, new Request('https://a.example/'),
            null, 'x'].map((v) => __nano.isResponse(v))"""),
            [True, True, True, False, False, False, False, False])

    def test_responsePartsString(self):
        """
        A string body is handed over as the string itself, with the default status
        and the implied Content-Type, and the body is used afterwards.
        """
        self.assertEqual(self.runAsync("""
            const r = new Response('Hello World');
            const parts = __nano.responseParts(r);
            return [parts, r.bodyUsed];
        """), [{"status": 200, "statusText": "", "headers": ["content-type", "text/plain;charset=UTF-8"],
                "body": "Hello World"}, True])

    def test_responsePartsBytesAndHeaders(self):
        """
        A bytes body is handed over as a Uint8Array; headers come as a flat list with
        lowercase names and each Set-Cookie separate.
        """
        self.assertEqual(self.runAsync("""
            const h = new Headers([['Set-Cookie', 'a=1'], ['X-Thing', 'v'], ['set-cookie', 'b=2']]);
            const parts = __nano.responseParts(new Response(new Uint8Array([1, 2, 3]),
                {status: 404, statusText: 'Gone', headers: h}));
            return [parts.status, parts.statusText, parts.headers,
                    parts.body instanceof Uint8Array, [...parts.body]];
        """), [404, "Gone", ["set-cookie", "a=1", "x-thing", "v", "set-cookie", "b=2"], True, [1, 2, 3]])

    def test_responsePartsNoBodyAndUsed(self):
        """
        A response without a body gives C{body: null}; a response whose body was
        already read is a TypeError.
        """
        self.assertEqual(self.runAsync("""
            const empty = __nano.responseParts(new Response(null, {status: 204}));
            const r = new Response('x');
            await r.text();
            let err = null;
            try { __nano.responseParts(r); } catch (e) { err = e.constructor.name; }
            return [empty.body, empty.status, empty.headers, err];
        """), [None, 204, [], "TypeError"])

    def test_responsePartsWellFormed(self):
        """
        A string body with a lone surrogate is handed over with it replaced, so the
        bridge always gets text that encodes as UTF-8.
        """
        self.assertEqual(
            self.js("__nano.responseParts(new Response('a\\udc00')).body"), "a\ufffd")

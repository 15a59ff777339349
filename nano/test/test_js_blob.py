"""
Tests for C{nano/isolate/js/55_blob.js} (C{Blob}, C{File}) and C{56_formdata.js}
(C{FormData}), and for the internals they give the Body mixin and C{structuredClone}
(C{nano.isBlob}, C{nano.blobBytes}, C{nano.formDataEntries}, ...).

Each test loads the isolate prelude files numbered below 60 (the core, DOMException, events,
encoding, URL, structuredClone, the fetch files, Blob and FormData), wrapped the way
L{nano.isolate.prelude} wraps them, into a fresh MiniRacer isolate; the internal C{nano}
object is kept on a test-only global so the internals can be checked too. The streams files
are left out, so C{globalThis.ReadableStream} does not exist unless a test defines one.
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


def _script():
    """
    The prelude files these tests cover, as one script that leaves C{nano} on
    C{globalThis.__nano} (for these tests only).
    """
    return buildPartialPrelude(_FILES)


class _JSTestCase(SynchronousTestCase):
    """
    A fresh isolate with the prelude files, and helpers to evaluate JS in it.
    """

    def setUp(self):
        self.ctx = MiniRacer()
        self.ctx.eval(_script())
        self.ctx.eval("""
          globalThis.__bytes = (u8) => Array.from(u8);
          globalThis.__errorName = (fn) => {
            try { fn(); } catch (e) { return e === null || typeof e !== 'object' ? String(e) : e.name; }
            return 'no error';
          };
        """)

    def tearDown(self):
        self.ctx.close()

    def js(self, source):
        """
        Evaluate C{source} and return its value converted through JSON.
        """
        return json.loads(self.ctx.eval("JSON.stringify((() => { %s })())" % (source,)))

    def settle(self, expression):
        """
        Evaluate C{expression} (a promise), run the microtasks, and return
        C{["ok", value]} or C{["error", "Name: message"]} through JSON.
        """
        self.ctx.eval(
            "globalThis.__settled = null; Promise.resolve(%s).then("
            "(v) => { globalThis.__settled = ['ok', v]; },"
            "(e) => { globalThis.__settled = ['error', String(e)]; });" % (expression,))
        return json.loads(self.ctx.eval("JSON.stringify(globalThis.__settled)"))


class BlobConstructorTests(_JSTestCase):
    """
    C{new Blob(blobParts, options)}.
    """

    def test_empty(self):
        """
        A Blob built without arguments is empty with an empty type, is branded
        C{[object Blob]}, and the constructor has length 0 and needs C{new}.
        """
        self.assertEqual(
            self.js("const b = new Blob(); return [b.size, b.type, String(b), Blob.length,"
                    " __errorName(() => Blob()), new Blob(undefined).size];"),
            [0, "", "[object Blob]", 0, "TypeError", 0])

    def test_mixedParts(self):
        """
        Strings (UTF-8), ArrayBuffers, typed-array and DataView windows, and Blobs are
        joined in order.
        """
        result = self.settle("""(() => {
          const ab = new Uint8Array([1, 2, 3, 4, 5]).buffer;
          const inner = new Blob(['zz']);
          return new Blob(['é', ab, new Uint8Array(ab, 1, 2), new DataView(ab, 3, 2),
                           new Uint16Array([0x4241]), inner]).bytes().then(__bytes);
        })()""")
        self.assertEqual(result, ["ok", [0xc3, 0xa9, 1, 2, 3, 4, 5, 2, 3, 4, 5, 0x41, 0x42,
                                         0x7a, 0x7a]])

    def test_copiesBuffers(self):
        """
        The Blob keeps a copy of the bytes: writing to the source buffer afterwards does
        not change it.
        """
        result = self.settle("""(() => {
          const u8 = new Uint8Array([1, 2, 3]);
          const b = new Blob([u8, u8.buffer]);
          u8[0] = 99;
          return b.bytes().then(__bytes);
        })()""")
        self.assertEqual(result, ["ok", [1, 2, 3, 1, 2, 3]])

    def test_usvStrings(self):
        """
        String parts are converted to USVStrings (a lone surrogate becomes U+FFFD) and
        other values are stringified.
        """
        result = self.settle("new Blob(['\\ud800', 12, null, {}]).text()")
        self.assertEqual(result, ["ok", "\ufffd12null[object Object]"])

    def test_nativeEndings(self):
        """
        With C{endings: "native"}, CRLF, CR and LF in string parts become LF; with the
        default C{"transparent"} they are kept; any other value is a TypeError.
        """
        self.assertEqual(
            self.settle("new Blob(['a\\r\\nb\\rc\\nd'], {endings: 'native'}).text()"),
            ["ok", "a\nb\nc\nd"])
        self.assertEqual(self.settle("new Blob(['a\\r\\nb\\r']).text()"), ["ok", "a\r\nb\r"])
        self.assertEqual(self.js("return __errorName(() => new Blob([], {endings: 'unix'}));"),
                         "TypeError")

    def test_iterableParts(self):
        """
        blobParts is a WebIDL sequence: any object with C{Symbol.iterator} works, other
        objects and primitives are TypeErrors, and errors from the iterator propagate as is.
        """
        self.assertEqual(
            self.js("""
              const iterable = {*[Symbol.iterator]() { yield 'ab'; yield 'c'; }};
              const boom = {[Symbol.iterator]() { throw 42; }};
              return [new Blob(iterable).size, new Blob(new Set(['xy'])).size,
                      __errorName(() => new Blob({0: 'a', length: 1})),
                      __errorName(() => new Blob('abc')), __errorName(() => new Blob(null)),
                      __errorName(() => new Blob(boom))];
            """),
            [3, 2, "TypeError", "TypeError", "TypeError", "42"])

    def test_type(self):
        """
        The type is lowercased, and emptied when it has a character outside U+0020-U+007E.
        """
        self.assertEqual(
            self.js("return ['TEXT/Plain;Charset=UTF-8', 'a\\tb', 'caf\\u00e9', ' x ']"
                    ".map((t) => new Blob([], {type: t}).type);"),
            ["text/plain;charset=utf-8", "", "", " x "])

    def test_options(self):
        """
        options may be undefined, null or any object; a primitive is a TypeError. Its
        members are read in lexicographic order (endings, then type).
        """
        self.assertEqual(
            self.js("""
              const seen = [];
              new Blob([], {get type() { seen.push('type'); return ''; },
                            get endings() { seen.push('endings'); return undefined; }});
              return [seen, new Blob([], null).size, new Blob([], () => 0).type,
                      __errorName(() => new Blob([], 'text/plain')),
                      __errorName(() => new Blob([], 3))];
            """),
            [["endings", "type"], 0, "", "TypeError", "TypeError"])

    def test_interfaceShape(self):
        """
        Members live on the prototype as enumerable properties, with
        C{Symbol.toStringTag} "Blob".
        """
        self.assertEqual(
            self.js("""
              const p = Blob.prototype;
              return [Object.keys(p).sort(), p[Symbol.toStringTag],
                      Object.getOwnPropertyNames(new Blob()).length,
                      typeof Object.getOwnPropertyDescriptor(p, 'size').get];
            """),
            [["arrayBuffer", "bytes", "size", "slice", "stream", "text", "type"], "Blob", 0,
             "function"])


class BlobMethodTests(_JSTestCase):
    """
    C{slice()}, C{text()}, C{arrayBuffer()}, C{bytes()} and C{stream()}.
    """

    def test_slice(self):
        """
        slice() clamps negative and overflowing positions relative to the size, gives
        an empty Blob when end precedes start, and normalises contentType.
        """
        self.assertEqual(
            self.js("""
              const b = new Blob(['0123456789']);
              const t = (s) => s.size;
              return [t(b.slice()), t(b.slice(-3)), t(b.slice(2, -2)), t(b.slice(20)),
                      t(b.slice(-20, 4)), t(b.slice(7, 3)), t(b.slice(0, 1e30)),
                      b.slice(0, 1, 'A/B').type, b.slice(0, 1, 'a\\u00ffb').type,
                      b.slice(0, 1).type, b.slice(0, 0, null).type];
            """),
            [10, 3, 6, 0, 4, 0, 10, "a/b", "", "", "null"])

    def test_sliceContents(self):
        """
        A slice of a slice of a Blob built from several parts has the right bytes.
        """
        self.assertEqual(
            self.settle("new Blob(['ab', new Blob(['cdef']), 'gh']).slice(1, 7).slice(1, -1)"
                        ".text()"),
            ["ok", "cdef"])

    def test_text(self):
        """
        text() decodes UTF-8, drops a leading BOM and replaces invalid bytes with U+FFFD.
        """
        self.assertEqual(
            self.settle("new Blob([new Uint8Array([0xef, 0xbb, 0xbf, 0x41, 0xff])]).text()"),
            ["ok", "A\ufffd"])

    def test_arrayBufferAndBytesAreCopies(self):
        """
        arrayBuffer() and bytes() give a fresh copy each time: writing to one result
        changes neither the Blob nor the next result.
        """
        result = self.settle("""(async () => {
          const b = new Blob(['abc']);
          const ab = await b.arrayBuffer();
          new Uint8Array(ab)[0] = 0;
          const u8 = await b.bytes();
          const again = await b.bytes();
          u8[1] = 0;
          return [ab instanceof ArrayBuffer, u8 instanceof Uint8Array, __bytes(again),
                  await b.text()];
        })()""")
        self.assertEqual(result, ["ok", [True, True, [97, 98, 99], "abc"]])

    def test_streamWithoutStreams(self):
        """
        Without C{globalThis.ReadableStream}, stream() throws a TypeError that says
        streams are not available yet.
        """
        self.assertEqual(
            self.js("try { new Blob(['x']).stream(); return 'no error'; }"
                    " catch (e) { return [e.name, /stream/.test(e.message)]; }"),
            ["TypeError", True])

    def test_streamWithStreams(self):
        """
        When a C{ReadableStream} global exists at call time, stream() makes a byte stream
        whose source enqueues a copy of the Blob's bytes and closes.
        """
        self.assertEqual(
            self.js("""
              globalThis.ReadableStream = class { constructor(source) { this.source = source; } };
              const s = new Blob(['hi']).stream();
              const chunks = [];
              let closed = false;
              s.source.start({enqueue: (c) => chunks.push(__bytes(c)), close: () => { closed = true; }});
              return [s instanceof ReadableStream, s.source.type, chunks, closed];
            """),
            [True, "bytes", [[104, 105]], True])

    def test_brandChecks(self):
        """
        Accessors and slice() throw a TypeError on a wrong C{this}; the promise-returning
        methods reject with one.
        """
        self.assertEqual(
            self.js("""
              const get = Object.getOwnPropertyDescriptor(Blob.prototype, 'size').get;
              return [__errorName(() => get.call({})),
                      __errorName(() => Blob.prototype.slice.call({}))];
            """),
            ["TypeError", "TypeError"])
        result = self.settle("Blob.prototype.text.call({})")
        self.assertEqual(result[0], "error")
        self.assertTrue(result[1].startswith("TypeError"))


class FileTests(_JSTestCase):
    """
    C{new File(fileBits, fileName, options)}.
    """

    def test_attributes(self):
        """
        A File is a Blob with a name, a lastModified time and an empty
        webkitRelativePath; its brand is C{[object File]}.
        """
        self.assertEqual(
            self.js("""
              const f = new File(['ab', new Blob(['c'])], 'dir/n.txt',
                                 {type: 'Text/X', lastModified: 42});
              return [f instanceof Blob, f.name, f.type, f.size, f.lastModified,
                      f.webkitRelativePath, String(f), File.length,
                      File.prototype[Symbol.toStringTag]];
            """),
            [True, "dir/n.txt", "text/x", 3, 42, "", "[object File]", 2, "File"])

    def test_requiredArguments(self):
        """
        fileBits and fileName are required; fileBits must be a sequence.
        """
        self.assertEqual(
            self.js("return [__errorName(() => new File()), __errorName(() => new File([])),"
                    " __errorName(() => new File('ab', 'n'))];"),
            ["TypeError", "TypeError", "TypeError"])

    def test_lastModified(self):
        """
        lastModified defaults to the current time and is converted as a long long
        (truncated; NaN becomes 0).
        """
        self.assertEqual(
            self.js("""
              const before = Date.now();
              const f = new File([], 'n');
              const after = Date.now();
              return [f.lastModified >= before && f.lastModified <= after,
                      new File([], 'n', {lastModified: 42.9}).lastModified,
                      new File([], 'n', {lastModified: -1.5}).lastModified,
                      new File([], 'n', {lastModified: NaN}).lastModified];
            """),
            [True, 42, -1, 0])

    def test_nameIsUSVString(self):
        """
        The name is converted to a USVString and kept as is otherwise.
        """
        self.assertEqual(self.js("return [new File([], 'a\\ud800/b').name, new File([], null).name];"),
                         ["a\ufffd/b", "null"])

    def test_fileBrandCheck(self):
        """
        File's accessors throw a TypeError on a Blob that is not a File.
        """
        self.assertEqual(
            self.js("const get = Object.getOwnPropertyDescriptor(File.prototype, 'name').get;"
                    " return __errorName(() => get.call(new Blob()));"),
            "TypeError")

    def test_structuredClone(self):
        """
        structuredClone() copies Blobs and Files: a new object of the same class with the
        same bytes, type, name and lastModified, even when the public methods have been
        replaced.
        """
        result = self.settle("""(async () => {
          Blob.prototype.slice = () => 'replaced';
          const f = new File(['data'], 'f.bin', {type: 'a/b', lastModified: 7});
          const b = new Blob(['xyz'], {type: 'c/d'});
          const [f2, b2] = structuredClone([f, b]);
          return [f2 !== f, f2 instanceof File, f2.name, f2.type, f2.lastModified,
                  await f2.text(), b2 !== b, b2 instanceof File, b2.type, await b2.text()];
        })()""")
        self.assertEqual(result, ["ok", [True, True, "f.bin", "a/b", 7, "data", True, False,
                                         "c/d", "xyz"]])


class FormDataTests(_JSTestCase):
    """
    C{FormData}: the entry list operations and iteration.
    """

    def test_constructor(self):
        """
        FormData takes no form: any argument other than undefined is a TypeError.
        """
        self.assertEqual(
            self.js("return [String(new FormData()), String(new FormData(undefined)),"
                    " __errorName(() => new FormData({})), __errorName(() => new FormData(null)),"
                    " __errorName(() => FormData())];"),
            ["[object FormData]", "[object FormData]", "TypeError", "TypeError", "TypeError"])

    def test_entryOperations(self):
        """
        append() adds at the end; get() gives the first value or null; getAll() every
        value; has() and delete() match by name; set() replaces the first entry with the
        name and removes the others, or appends.
        """
        self.assertEqual(
            self.js("""
              const fd = new FormData();
              fd.append('a', '1'); fd.append('b', '2'); fd.append('a', '3'); fd.append('c', 4);
              const before = [fd.get('a'), fd.getAll('a'), fd.get('x'), fd.has('b'), fd.has('x')];
              fd.set('a', '5');
              const afterSet = [...fd];
              fd.set('d', '6');
              fd.delete('b');
              return [before, afterSet, [...fd]];
            """),
            [["1", ["1", "3"], None, True, False],
             [["a", "5"], ["b", "2"], ["c", "4"]],
             [["a", "5"], ["c", "4"], ["d", "6"]]])

    def test_blobValues(self):
        """
        A Blob value becomes a File named "blob" (or the filename given) with the Blob's
        type and bytes; a File is kept as is unless a filename is given, which makes a new
        File with that name.
        """
        result = self.settle("""(async () => {
          const fd = new FormData();
          const blob = new Blob(['xy'], {type: 'text/plain'});
          const file = new File(['z'], 'orig.txt', {lastModified: 5});
          fd.append('b', blob);
          fd.append('n', blob, 'named.txt');
          fd.append('f', file);
          fd.set('g', file, 'renamed.txt');
          const b = fd.get('b'), n = fd.get('n'), f = fd.get('f'), g = fd.get('g');
          return [b instanceof File, b.name, b.type, await b.text(), n.name, f === file,
                  g !== file, g.name, g.lastModified, await g.text()];
        })()""")
        self.assertEqual(result, ["ok", [True, "blob", "text/plain", "xy", "named.txt", True,
                                         True, "renamed.txt", 5, "z"]])

    def test_argumentChecks(self):
        """
        append() and set() need two arguments, and with three the value must be a Blob;
        get/getAll/has/delete need one. Names and values become USVStrings.
        """
        self.assertEqual(
            self.js("""
              const fd = new FormData();
              fd.append('k\\ud800', 'v\\udc00');
              return [__errorName(() => fd.append('a')),
                      __errorName(() => fd.append('a', 'b', 'c')),
                      __errorName(() => fd.set('a')), __errorName(() => fd.get()),
                      __errorName(() => fd.has()), __errorName(() => fd.delete()),
                      [...fd],
                      __errorName(() => FormData.prototype.get.call({}, 'a'))];
            """),
            ["TypeError", "TypeError", "TypeError", "TypeError", "TypeError", "TypeError",
             [["k\ufffd", "v\ufffd"]], "TypeError"])

    def test_iteration(self):
        """
        entries(), keys() and values() return "FormData Iterator" objects that see
        entries added while iterating; Symbol.iterator is entries().
        """
        self.assertEqual(
            self.js("""
              const fd = new FormData();
              fd.append('a', '1');
              const it = fd.entries();
              const first = it.next();
              fd.append('b', '2');
              const IteratorProto = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));
              return [String(it), first, it.next(), it.next(), [...fd.keys()], [...fd.values()],
                      FormData.prototype[Symbol.iterator] === FormData.prototype.entries,
                      Object.getPrototypeOf(Object.getPrototypeOf(it)) === IteratorProto];
            """),
            ["[object FormData Iterator]", {"value": ["a", "1"], "done": False},
             {"value": ["b", "2"], "done": False}, {"done": True},
             ["a", "b"], ["1", "2"], True, True])

    def test_forEach(self):
        """
        forEach() calls the callback with (value, name, formData) and thisArg; a
        non-callable callback is a TypeError.
        """
        self.assertEqual(
            self.js("""
              const fd = new FormData();
              fd.append('a', '1'); fd.append('b', '2');
              const seen = [];
              fd.forEach(function (v, k, o) { seen.push([v, k, o === fd, this.tag]); }, {tag: 't'});
              return [seen, __errorName(() => fd.forEach({}))];
            """),
            [[["1", "a", True, "t"], ["2", "b", True, "t"]], "TypeError"])


class InternalsTests(_JSTestCase):
    """
    The internals on C{nano} and the Body mixin's use of Blob and FormData.
    """

    def test_brandHelpers(self):
        """
        nano.isBlob, nano.isFile and nano.isFormData recognise the real objects only.
        """
        self.assertEqual(
            self.js("""
              const n = __nano;
              const fake = Object.create(Blob.prototype);
              return [n.isBlob(new Blob()), n.isBlob(new File([], 'a')), n.isBlob(fake),
                      n.isBlob(null), n.isFile(new Blob()), n.isFile(new File([], 'a')),
                      n.isFormData(new FormData()), n.isFormData({})];
            """),
            [True, True, False, False, False, True, True, False])

    def test_blobBytes(self):
        """
        nano.blobBytes gives a blob's bytes synchronously, slices included.
        """
        self.assertEqual(
            self.js("return __bytes(__nano.blobBytes(new Blob(['abcdef']).slice(1, 3)));"),
            [98, 99])

    def test_createBlobAndFile(self):
        """
        nano.createBlob and nano.createFile wrap bytes into a Blob or a File.
        """
        self.assertEqual(
            self.js("""
              const b = __nano.createBlob(new Uint8Array([65]), 'X/Y');
              const f = __nano.createFile(new Uint8Array([66, 67]), 'n', 'a/b', 3);
              return [b.size, b.type, String(b), f.name, f.type, f.size, f.lastModified];
            """),
            [1, "x/y", "[object Blob]", "n", "a/b", 2, 3])

    def test_formDataEntries(self):
        """
        nano.formDataEntries returns a copy of the entry list; nano.createFormData and
        nano.formDataFromUrlencoded build a FormData from entries or urlencoded text.
        """
        self.assertEqual(
            self.js("""
              const fd = new FormData();
              fd.append('a', '1');
              const list = __nano.formDataEntries(fd);
              list.push(['x', 'y']);
              list[0][1] = 'changed';
              const made = __nano.createFormData([['k', 'v'], ['f', new Blob(['z'])]]);
              const parsed = __nano.formDataFromUrlencoded(new TextEncoder().encode('a=1&b=%20x+y'));
              return [[...fd], made.get('k'), made.get('f').name, [...parsed]];
            """),
            [[["a", "1"]], "v", "blob", [["a", "1"], ["b", " x y"]]])

    def test_responseFromBlob(self):
        """
        A Blob body gives the Response its bytes and, as Content-Type, its type.
        """
        result = self.settle("""(async () => {
          const r = new Response(new Blob(['hey'], {type: 'text/x-hey'}));
          return [r.headers.get('content-type'), await r.text()];
        })()""")
        self.assertEqual(result, ["ok", ["text/x-hey", "hey"]])

    def test_responseBlob(self):
        """
        Response.blob() gives a Blob with the body's bytes and MIME type.
        """
        result = self.settle("""(async () => {
          const b = await new Response('abc', {headers: {'content-type': 'text/plain;charset=utf-8'}}).blob();
          return [b instanceof Blob, b.type, await b.text()];
        })()""")
        self.assertEqual(result, ["ok", [True, "text/plain;charset=utf-8", "abc"]])

    def test_formDataBodyRoundTrip(self):
        """
        A FormData body is serialised as multipart/form-data and formData() parses it
        back to the same entries, files included.
        """
        result = self.settle("""(async () => {
          const fd = new FormData();
          fd.append('name', 'va"lue\\n');
          fd.append('file', new Blob(['bytes'], {type: 'application/x-test'}), 'f "1".txt');
          const r = new Response(fd);
          const back = await r.formData();
          const f = back.get('file');
          return [/^multipart\\/form-data; boundary=/.test(r.headers.get('content-type')),
                  back.get('name'), f instanceof File, f.name, f.type, await f.text()];
        })()""")
        self.assertEqual(result, ["ok", [True, 'va"lue\r\n', True, 'f "1".txt',
                                         "application/x-test", "bytes"]])

    def test_urlencodedFormData(self):
        """
        formData() on an application/x-www-form-urlencoded body gives its pairs.
        """
        result = self.settle("""(async () => {
          const fd = await new Response('a=1&b=2&a=3',
            {headers: {'content-type': 'application/x-www-form-urlencoded'}}).formData();
          return [fd instanceof FormData, fd.getAll('a'), fd.get('b')];
        })()""")
        self.assertEqual(result, ["ok", [True, ["1", "3"], "2"]])

"""
Tests for C{nano/isolate/js/58_filereader.js}: C{FileReader} and C{ProgressEvent}.

Each test loads the prelude files numbered below 60 (with the legacy encodings' tables)
into a fresh isolate whose host timers the test fires itself (L{TaskIsolate}), so every
task FileReader queues runs when, and only when, the test lets it.
"""

from twisted.trial.unittest import SynchronousTestCase

from nano.test.jstasks import TaskIsolate

_FILES = tuple("%02d_" % n for n in range(60))

# Records every FileReader event of `reader` in `log` as [type, readyState, result,
# loaded, total, lengthComputable].
_WATCH = """
globalThis.log = [];
globalThis.watch = (reader) => {
  for (const type of ["loadstart", "progress", "load", "abort", "error", "loadend"]) {
    reader.addEventListener(type, (e) => log.push([e.type, reader.readyState,
      reader.result === null ? null : typeof reader.result, e.loaded, e.total,
      e.lengthComputable]));
  }
  return reader;
};
globalThis.errorName = (fn) => {
  try { fn(); } catch (e) { return e.name + (e instanceof DOMException ? ":dom" : ""); }
  return "no error";
};
"""


class _FileReaderTestCase(SynchronousTestCase):
    """
    Base class: C{self.iso} is a fresh isolate with the helpers of C{_WATCH}.
    """

    def setUp(self):
        self.iso = TaskIsolate(_FILES, tables=True)
        self.addCleanup(self.iso.close)
        self.iso.eval(_WATCH)

    def read(self, method, blobExpression, *args):
        """
        Read the blob with a new FileReader's C{method}, run the tasks, and return the
        result through JSON (ArrayBuffers as arrays of bytes).
        """
        extra = "".join(", " + a for a in args)
        self.iso.eval("globalThis.reader = new FileReader(); reader.%s(%s%s);"
                      % (method, blobExpression, extra))
        self.iso.runTasks()
        return self.iso.json("reader.result instanceof ArrayBuffer"
                             " ? Array.from(new Uint8Array(reader.result)) : reader.result")


class InterfaceTests(_FileReaderTestCase):
    """
    The WebIDL shape of FileReader and ProgressEvent.
    """

    def test_fileReaderShape(self):
        """
        FileReader is an EventTarget with the state constants on the interface and its
        prototype, starts EMPTY with no result or error, has the six event handler
        attributes, and its members check their receiver.
        """
        self.assertEqual(self.iso.json("""(() => {
          const r = new FileReader();
          const proto = FileReader.prototype;
          const desc = Object.getOwnPropertyDescriptor(FileReader, "LOADING");
          return [FileReader.length, r instanceof EventTarget, String(r),
                  [FileReader.EMPTY, FileReader.LOADING, FileReader.DONE, r.DONE],
                  desc.writable || desc.configurable, r.readyState, r.result, r.error,
                  ["onloadstart", "onprogress", "onload", "onabort", "onerror", "onloadend"]
                    .map((k) => k in proto && r[k] === null),
                  proto.readAsText.length, Object.keys(proto).includes("readAsDataURL"),
                  errorName(() => proto.readyState), errorName(() => proto.abort.call({})),
                  errorName(() => FileReader())];
        })()"""),
            [0, True, "[object FileReader]", [0, 1, 2, 2], False, 0, None, None, [True] * 6,
             1, True, "TypeError", "TypeError", "TypeError"])

    def test_progressEvent(self):
        """
        ProgressEvent takes lengthComputable, loaded and total from its init dictionary
        (defaults false, 0, 0), rejects non-finite numbers, and is an Event.
        """
        self.assertEqual(self.iso.json("""(() => {
          const e = new ProgressEvent("progress", {loaded: 3, total: "10", lengthComputable: 1});
          const d = new ProgressEvent("x");
          return [e.loaded, e.total, e.lengthComputable, e instanceof Event, e.bubbles,
                  d.loaded, d.total, d.lengthComputable, ProgressEvent.length,
                  errorName(() => new ProgressEvent("x", {loaded: NaN})),
                  errorName(() => new ProgressEvent()), String(e)];
        })()"""),
            [3, 10, True, True, False, 0, 0, False, 1, "TypeError", "TypeError",
             "[object ProgressEvent]"])

    def test_badArguments(self):
        """
        The read methods need a Blob (a File is one) and throw a TypeError before
        starting otherwise; readAsText's label must convert to a string.
        """
        self.assertEqual(self.iso.json("""(() => {
          const r = new FileReader();
          const out = [errorName(() => r.readAsText()), errorName(() => r.readAsText("text")),
                       errorName(() => r.readAsArrayBuffer({size: 0})),
                       errorName(() => r.readAsText(new Blob([]), Symbol("x"))), r.readyState];
          r.readAsDataURL(new File(["x"], "f.txt"));
          out.push(r.readyState);
          return out;
        })()"""), ["TypeError", "TypeError", "TypeError", "TypeError", 0, 1])


class EventTests(_FileReaderTestCase):
    """
    The events of a read, their order, their tasks and their progress values.
    """

    def test_orderForNonEmptyBlob(self):
        """
        Nothing is fired during the read call; then loadstart (LOADING, no result, 0
        loaded), progress (all bytes loaded, still no result), load and loadend (DONE,
        result set) follow, none cancelable or bubbling and all trusted.
        """
        self.iso.eval("""
          const r = watch(new FileReader());
          r.onload = (e) => log.push(["flags", e.bubbles, e.cancelable, e.isTrusted,
                                      e instanceof ProgressEvent, e.target === r]);
          r.readAsText(new Blob(["hello"]));
          log.push(["sync", r.readyState]);
        """)
        self.assertEqual(self.iso.json("log"), [["sync", 1]])
        self.iso.runTasks()
        self.assertEqual(self.iso.json("log"), [
            ["sync", 1],
            ["loadstart", 1, None, 0, 5, True],
            ["progress", 1, None, 5, 5, True],
            ["load", 2, "string", 5, 5, True],
            ["flags", False, False, True, True, True],
            ["loadend", 2, "string", 5, 5, True],
        ])

    def test_eachEventItsOwnTask(self):
        """
        loadstart, progress and load come from separate tasks: a microtask queued by
        one handler runs before the next event, and each host turn fires one task.
        """
        self.iso.eval("""
          const r = new FileReader();
          for (const t of ["loadstart", "progress", "load", "loadend"]) {
            r.addEventListener(t, () => { log.push(t); queueMicrotask(() => log.push("micro " + t)); });
          }
          r.readAsArrayBuffer(new Blob(["ab"]));
        """)
        self.assertTrue(self.iso.fireNext())
        self.assertEqual(self.iso.json("log"), ["loadstart", "micro loadstart"])
        self.iso.runTasks()
        self.assertEqual(self.iso.json("log"), [
            "loadstart", "micro loadstart", "progress", "micro progress",
            "load", "loadend", "micro load", "micro loadend"])

    def test_emptyBlob(self):
        """
        An empty blob reads no chunk, so no progress event fires; the total is 0 and
        not computable.
        """
        self.iso.eval('watch(new FileReader()).readAsText(new Blob([]));')
        self.iso.runTasks()
        self.assertEqual(self.iso.json("log"), [
            ["loadstart", 1, None, 0, 0, False],
            ["load", 2, "string", 0, 0, False],
            ["loadend", 2, "string", 0, 0, False],
        ])

    def test_handlerErrorsAreReported(self):
        """
        A throwing handler is reported as uncaught and the read goes on to loadend.
        """
        self.iso.eval("""
          const r = watch(new FileReader());
          r.onload = () => { throw new Error("in onload"); };
          r.readAsBinaryString(new Blob(["x"]));
        """)
        self.iso.runTasks()
        self.assertEqual([e[0] for e in self.iso.json("log")],
                         ["loadstart", "progress", "load", "loadend"])
        self.assertEqual(len(self.iso.errors()), 1)
        self.assertIn("in onload", self.iso.errors()[0])

    def test_tasksRunUnderTheirRequest(self):
        """
        The events run under the request that started the read: a console.log in a
        handler is attributed to it.
        """
        self.iso.runAs(7, """
          const r = new FileReader();
          r.onload = () => console.log("loaded", r.result);
          r.readAsText(new Blob(["abc"]));
        """)
        self.iso.runTasks()
        logs = [m for m in self.iso.messages if m[0] == "log"]
        self.assertEqual(logs, [["log", "info", "loaded abc", 7]])


class StateTests(_FileReaderTestCase):
    """
    InvalidStateError, abort() and reads started from event handlers.
    """

    def test_invalidStateWhileLoading(self):
        """
        A second read while one is loading throws an InvalidStateError DOMException and
        leaves the first read alone.
        """
        self.iso.eval("""
          const r = watch(new FileReader());
          r.readAsText(new Blob(["first"]));
          log.push(errorName(() => r.readAsArrayBuffer(new Blob(["second"]))));
          r.onloadstart = () => log.push(errorName(() => r.readAsDataURL(new Blob([]))));
          globalThis.r = r;
        """)
        self.iso.runTasks()
        self.assertEqual(self.iso.json("[log.map((e) => typeof e === 'string' ? e : e[0]), r.result]"),
                         [["InvalidStateError:dom", "loadstart", "InvalidStateError:dom", "progress",
                           "load", "loadend"], "first"])

    def test_abortWhileLoading(self):
        """
        abort() while loading sets DONE and a null result, fires abort then loadend
        synchronously, and cancels the read's tasks: no other event follows.
        """
        self.iso.eval("""
          const r = watch(new FileReader());
          r.readAsText(new Blob(["data"]));
          r.abort();
          log.push(["after", r.readyState, r.result, r.error]);
        """)
        self.iso.runTasks()
        self.assertEqual(self.iso.json("log"), [
            ["abort", 2, None, 0, 4, True],
            ["loadend", 2, None, 0, 4, True],
            ["after", 2, None, None],
        ])

    def test_abortAfterProgress(self):
        """
        abort() from the progress handler reports the bytes loaded so far and stops the
        load event.
        """
        self.iso.eval("""
          const r = watch(new FileReader());
          r.onprogress = () => r.abort();
          r.readAsArrayBuffer(new Blob(["1234"]));
        """)
        self.iso.runTasks()
        self.assertEqual([e[:4] for e in self.iso.json("log")], [
            ["loadstart", 1, None, 0], ["progress", 1, None, 4], ["abort", 2, None, 4],
            ["loadend", 2, None, 4]])

    def test_abortWhenNotLoading(self):
        """
        abort() on an EMPTY or DONE reader fires nothing; on a DONE one it clears the
        result.
        """
        self.iso.eval("""
          globalThis.r = watch(new FileReader());
          r.abort();
          log.push(["empty", r.readyState]);
          r.readAsText(new Blob(["x"]));
        """)
        self.iso.runTasks()
        self.iso.eval('log.length = 0; log.push(["done", r.readyState, r.result]); r.abort();'
                      ' log.push(["aborted", r.readyState, r.result]);')
        self.assertEqual(self.iso.json("log"), [["done", 2, "x"], ["aborted", 2, None]])
        self.assertEqual(self.iso.runTasks(), 0)

    def test_readFromLoadHandler(self):
        """
        A read started from the load handler is allowed (the state is DONE) and
        suppresses the first read's loadend; its own events follow.
        """
        self.iso.eval("""
          const r = watch(new FileReader());
          let first = true;
          r.onload = () => { if (first) { first = false; r.readAsText(new Blob(["second"])); } };
          r.readAsText(new Blob(["first"]));
          globalThis.r = r;
        """)
        self.iso.runTasks()
        self.assertEqual(self.iso.json("[log.map((e) => e[0]), r.result]"), [
            ["loadstart", "progress", "load", "loadstart", "progress", "load", "loadend"], "second"])

    def test_readFromAbortHandler(self):
        """
        A read started from the abort handler suppresses the aborted read's loadend.
        """
        self.iso.eval("""
          const r = watch(new FileReader());
          r.onabort = () => r.readAsText(new Blob(["again"]));
          r.readAsText(new Blob(["first"]));
          r.abort();
          globalThis.r = r;
        """)
        self.iso.runTasks()
        self.assertEqual(self.iso.json("[log.map((e) => e[0]), r.result]"), [
            ["abort", "loadstart", "progress", "load", "loadend"], "again"])


def _blob(data, mimeType=None):
    """
    A JS expression for a Blob of the bytes C{data} (a list of ints), optionally typed.
    """
    options = "" if mimeType is None else ", {type: %r}" % (mimeType,)
    return "new Blob([new Uint8Array(%r)]%s)" % (list(data), options)


class PackageDataTests(_FileReaderTestCase):
    """
    What each read method makes of the bytes.
    """

    def test_arrayBuffer(self):
        """
        readAsArrayBuffer gives a new ArrayBuffer with a copy of the bytes (of a slice
        too): changing it does not change the blob.
        """
        self.assertEqual(self.read("readAsArrayBuffer", _blob([0, 1, 254, 255, 7]) + ".slice(1, 4)"),
                         [1, 254, 255])
        self.iso.eval("globalThis.b = new Blob(['ab']);"
                      " globalThis.r1 = new FileReader(); r1.readAsArrayBuffer(b);")
        self.iso.runTasks()
        self.iso.eval("new Uint8Array(r1.result)[0] = 0;"
                      " globalThis.r2 = new FileReader(); r2.readAsArrayBuffer(b);")
        self.iso.runTasks()
        self.assertEqual(
            self.iso.json("[Array.from(new Uint8Array(r2.result)), r1.result !== r2.result]"),
            [[97, 98], True])

    def test_binaryString(self):
        """
        readAsBinaryString gives one code unit per byte.
        """
        self.assertEqual(self.read("readAsBinaryString", _blob([0, 65, 128, 255])), "\x00A\x80\xff")

    def test_dataURL(self):
        """
        readAsDataURL gives a base64 data: URL with the blob's type, or
        application/octet-stream for an untyped blob.
        """
        self.assertEqual(self.read("readAsDataURL", _blob(b"TEST", "text/plain;charset=utf-8")),
                         "data:text/plain;charset=utf-8;base64,VEVTVA==")
        self.assertEqual(self.read("readAsDataURL", _blob([255, 254, 253, 0, 1])),
                         "data:application/octet-stream;base64,//79AAE=")
        self.assertEqual(self.read("readAsDataURL", _blob([], "image/png")), "data:image/png;base64,")

    def test_textDefaultsToUTF8(self):
        """
        readAsText decodes UTF-8 by default, replacing invalid sequences with U+FFFD and
        dropping a UTF-8 byte order mark.
        """
        self.assertEqual(self.read("readAsText", _blob([0xef, 0xbb, 0xbf, 0x68, 0xc3, 0xa9, 0xff])),
                         "h\u00e9\ufffd")

    def test_textEncodingChoice(self):
        """
        The label argument wins; an unknown label falls back to the blob type's charset,
        then to UTF-8; labels are matched as the Encoding Standard says (case, spaces).
        """
        latin = _blob(b"caf\xe9", "text/plain;charset=windows-1252")
        self.assertEqual(self.read("readAsText", latin), "caf\u00e9")
        self.assertEqual(self.read("readAsText", latin, "'utf-8'"), "caf\ufffd")
        self.assertEqual(self.read("readAsText", latin, "'no such label'"), "caf\u00e9")
        self.assertEqual(self.read("readAsText", _blob([0xe9]), "'  Latin1 '"), "\u00e9")
        self.assertEqual(self.read("readAsText", _blob([0xe9]), "'bogus'"), "\ufffd")
        self.assertEqual(self.read("readAsText", _blob([0x82, 0xa0]), "'shift_jis'"), "\u3042")

    def test_textByteOrderMark(self):
        """
        A UTF-16 byte order mark overrides the encoding and is dropped; without one,
        UTF-16 labels decode as asked.
        """
        self.assertEqual(self.read("readAsText", _blob([0xfe, 0xff, 0, 0x41]), "'utf-8'"), "A")
        self.assertEqual(self.read("readAsText", _blob([0xff, 0xfe, 0x41, 0])), "A")
        self.assertEqual(self.read("readAsText", _blob([0x41, 0, 0x42, 0]), "'utf-16le'"), "AB")

    def test_textReplacementEncoding(self):
        """
        A label of the replacement encoding (which TextDecoder refuses) decodes any
        non-empty input to one U+FFFD.
        """
        self.assertEqual(self.read("readAsText", "new Blob(['abc'])", "'iso-2022-kr'"), "\ufffd")
        self.assertEqual(self.read("readAsText", "new Blob([])", "'iso-2022-kr'"), "")

"""
Tests for the bodies of C{fetch()} in JS (C{nano/isolate/js/57_fetch_body.js}, with
C{57_fetch.js}): response bodies as byte streams fed within the credit JS grants,
and C{ReadableStream} request bodies sent as Python pulls them, against a host
played by the test (L{JSFetchTestCase}).
"""

import base64

from nano.test.test_js_fetch import JSFetchTestCase

_WINDOW = 256 * 1024
_PIECE = 256 * 1024
_HEAD = {"status": 200, "statusText": "OK", "headers": [], "body": "stream"}


def _b64(data):
    return base64.b64encode(data).decode()


class ResponseBodyTests(JSFetchTestCase):
    """
    The Response's body is a ReadableStream fed by C{fetch_chunk} messages.
    """

    def fetchResponse(self, head=_HEAD, url="http://h.test/"):
        """
        Start a fetch, answer its head, keep the Response as C{r}; return the handle.
        """
        self.start("fetch(%r).then((res) => { globalThis.r = res; return res.status; })" % (url,))
        ((callId, args, _),) = self.calls()
        self.send(["ret", callId, 1, head])
        self.assertEqual(self.out()[-1], ["ok", head["status"]])
        self.racer.eval("out = []")
        return args[0]

    def credits(self):
        return [args for _, args, _ in self.calls("fetch_credit")]

    def test_streamed(self):
        """
        fetch() resolves with the headers; the body is a byte stream whose chunks
        are the pieces Python sent, as they arrive; the end closes it.
        """
        handle = self.fetchResponse()
        self.racer.eval("globalThis.reader = r.body.getReader({mode: 'byob'}); globalThis.reads = [];"
                        "globalThis.readOne = () => reader.read(new Uint8Array(10)).then((x) => "
                        "reads.push(x.done ? 'done' : Array.from(x.value)));")
        self.racer.eval("readOne()")
        self.js("0")
        self.assertEqual(self.js("reads"), [])
        self.send(["fetch_chunk", handle, _b64(b"\x01\x02")])
        self.racer.eval("readOne()")
        self.send(["fetch_chunk", handle, _b64(b"\x03")], ["fetch_end", handle])
        self.racer.eval("readOne()")
        self.js("0")
        self.assertEqual(self.js("reads"), [[1, 2], [3], "done"])
        self.assertEqual(self.js("[r.bodyUsed, r.body.locked]"), [True, True])

    def test_creditAsRead(self):
        """
        The first window is granted with the call; more credit is granted only as
        the app reads (so that queued plus in-flight bytes stay within the
        window), never while the queue is full.
        """
        handle = self.fetchResponse()
        self.send(["fetch_chunk", handle, _b64(b"a" * _WINDOW)])
        self.js("0")
        self.assertEqual(self.credits(), [])
        self.racer.eval("globalThis.reader = r.body.getReader(); globalThis.got = 0;"
                        "reader.read().then((x) => { got += x.value.length; })")
        self.js("0")
        self.assertEqual(self.js("got"), _WINDOW)
        self.assertEqual(self.credits(), [[handle, _WINDOW]])
        self.send(["fetch_chunk", handle, _b64(b"b" * 1000)])
        self.js("0")
        self.assertEqual(self.credits(), [])

    def test_textReadsTheStream(self):
        """
        text() and arrayBuffer() read the stream whole, granting credit as they go.
        """
        handle = self.fetchResponse()
        self.start("r.text()")
        self.send(["fetch_chunk", handle, _b64(b"x" * _WINDOW)])
        self.assertEqual(self.credits(), [[handle, _WINDOW]])
        self.send(["fetch_chunk", handle, _b64(b"y")], ["fetch_end", handle])
        self.assertEqual(self.js("out[0][1].length"), _WINDOW + 1)

    def test_readLimit(self):
        """
        A body read whole is capped at the readLimit the host gave: past it the
        read rejects with a TypeError that names the limit, and the body is
        cancelled in Python (the connection closes). A body read as a stream has
        no cap.
        """
        head = dict(_HEAD, readLimit=2 * 1024 * 1024)
        handle = self.fetchResponse(head)
        self.start("r.arrayBuffer()")
        for _ in range(8):
            self.send(["fetch_chunk", handle, _b64(b"z" * _PIECE)])
        self.assertEqual(self.out(), [])
        self.send(["fetch_chunk", handle, _b64(b"!")])
        self.assertEqual(self.out(), [["err", "TypeError", "TypeError",
                                       "fetch: the response body is larger than 2 MiB (the app's max_body_mb), "
                                       "the most text(), json(), arrayBuffer() and the other Body methods read "
                                       "whole; read response.body as a stream instead"]])
        self.assertEqual([args for _, args, _ in self.calls("fetch_cancel")], [[handle]])
        handle = self.fetchResponse(head)
        self.racer.eval("globalThis.total = 0; globalThis.reader = r.body.getReader();"
                        "globalThis.pump = () => reader.read().then((x) => { if (!x.done) { total += x.value.length;"
                        " pump(); } else { total = 'done ' + total; } }); pump();")
        for _ in range(12):
            self.send(["fetch_chunk", handle, _b64(b"z" * _WINDOW)])
        self.send(["fetch_end", handle])
        self.assertEqual(self.js("total"), "done %d" % (12 * _WINDOW,))

    def test_cloneKeepsLimit(self):
        """
        Both branches of a cloned Response keep the cap for reads whole.
        """
        handle = self.fetchResponse(dict(_HEAD, readLimit=4))
        self.start("r.clone().text()")
        self.send(["fetch_chunk", handle, _b64(b"12345")])
        self.assertEqual(self.out()[0][:2], ["err", "TypeError"])

    def test_cancel(self):
        """
        Cancelling the body's stream sends fetch_cancel once; later chunks are
        ignored.
        """
        handle = self.fetchResponse()
        self.start("r.body.cancel('enough')")
        self.start("r.body.cancel('again')")
        self.assertEqual([args for _, args, _ in self.calls("fetch_cancel")], [[handle]])
        self.send(["fetch_chunk", handle, _b64(b"late")], ["fetch_end", handle])
        self.assertEqual([o[0] for o in self.out()], ["ok", "ok"])

    def test_errorFromHost(self):
        """
        A body that fails in Python (reset, truncated) errors the stream with a
        TypeError: the chunks read before are intact, the pending read rejects.
        """
        handle = self.fetchResponse()
        self.racer.eval("globalThis.reader = r.body.getReader()")
        self.send(["fetch_chunk", handle, _b64(b"ok")])
        self.start("reader.read().then((x) => x.value.length)")
        self.start("reader.read()")
        self.send(["fetch_error", handle, "TypeError", "fetch: the connection to the server failed"])
        self.assertEqual(self.out(), [["ok", 2], ["err", "TypeError", "TypeError",
                                                  "fetch: the connection to the server failed"]])

    def test_endBeforeHead(self):
        """
        A whole body that arrived before the call's result is the Response's body.
        """
        self.start("fetch('http://h.test/').then((r) => r.text())")
        ((callId, args, _),) = self.calls()
        self.send(["fetch_chunk", args[0], _b64(b"early")], ["fetch_end", args[0]], ["ret", callId, 1, _HEAD])
        self.assertEqual(self.out(), [["ok", "early"]])

    def test_redirectBodyDropped(self):
        """
        The body of a followed redirect is not the Response's: a body Python kept
        for it is cancelled (Python normally drops it and says "none"), late
        chunks for it are ignored, and only the final hop's body is read.
        """
        self.start("fetch('http://h.test/a').then((r) => r.text())")
        first = self.calls()[0]
        self.send(["ret", first[0], 1, {"status": 302, "statusText": "Found", "headers": ["location", "/b"],
                                        "body": "stream"}],
                  ["fetch_chunk", first[1][0], _b64(b"moved")])
        messages = [m for m in self.drain() if m[0] == "call"]
        self.assertEqual([m[3] for m in messages if m[2] == "fetch_cancel"], [[first[1][0]]])
        ((callId, args),) = [(m[1], m[3]) for m in messages if m[2] == "fetch"]
        self.assertEqual(args[2], "http://h.test/b")
        self.respond((callId, args), body=b"final")
        self.assertEqual(self.out(), [["ok", "final"]])


class RequestBodyTests(JSFetchTestCase):
    """
    A ReadableStream request body is read as Python asks for it.
    """

    def setUp(self):
        JSFetchTestCase.setUp(self)
        self.racer.eval("""
            globalThis.pulls = 0;
            globalThis.cancelled = null;
            globalThis.makeBody = (chunks) => new ReadableStream({
              pull(c) {
                pulls++;
                if (chunks.length === 0) { c.close(); return; }
                const next = chunks.shift();
                if (next instanceof Error) c.error(next); else c.enqueue(next);
              },
              cancel(reason) { cancelled = String(reason && reason.message || reason); },
            }, {highWaterMark: 0});
        """)

    def writes(self, messages):
        """
        The request body operations among C{messages} (just drained): (op, args)
        with the written bytes in place of their attachment index.
        """
        out = []
        for m in messages:
            if m[0] == "call" and m[2].startswith("fetch_body_"):
                args = list(m[3])
                if m[2] == "fetch_body_write":
                    args[1] = self.payloads[args[1]]
                out.append((m[2], args))
        return out

    def startUpload(self, chunks, extra=""):
        self.start("fetch('http://h.test/up', {method: 'POST', body: makeBody(%s), duplex: 'half'%s})"
                   ".then((r) => r.status)" % (chunks, extra))
        messages = self.drain()
        ((callId, args),) = [(m[1], m[3]) for m in messages if m[0] == "call" and m[2] == "fetch"]
        return callId, args

    def test_needsDuplex(self):
        """
        A stream body without duplex: 'half' is a TypeError, as the Fetch standard
        says; nothing is sent and the stream is not locked.
        """
        self.start("fetch('http://h.test/', {method: 'POST', body: globalThis.s = makeBody([])})")
        self.assertEqual(self.calls(), [])
        self.assertEqual(self.out()[0][:2], ["err", "TypeError"])
        self.assertEqual(self.js("s.locked"), False)

    def test_readOnlyWithCredit(self):
        """
        The call says the body is streamed and nothing is read before Python pulls;
        then chunks are read and sent while the credit lasts, the end follows the
        last chunk, and the response completes the fetch.
        """
        callId, args = self.startUpload("[new Uint8Array([1, 2, 3]), new Uint8Array([4]), "
                                        "new Uint8Array([5, 6])]")
        handle = args[0]
        self.assertEqual(args[4], True)
        self.assertEqual(self.js("pulls"), 0)
        self.send(["fetch_body_pull", handle, 4])
        self.assertEqual(self.writes(self.drain()), [("fetch_body_write", [handle, b"\x01\x02\x03"]),
                                                     ("fetch_body_write", [handle, b"\x04"])])
        self.send(["fetch_body_pull", handle, 100])
        self.assertEqual(self.writes(self.drain()), [("fetch_body_write", [handle, b"\x05\x06"]),
                                                     ("fetch_body_close", [handle])])
        self.send(["ret", callId, 1, {"status": 201, "statusText": "Created", "headers": [], "body": "none"}])
        self.assertEqual(self.out(), [["ok", 201]])

    def test_streamError(self):
        """
        A stream that errors aborts the upload in Python (fetch_body_error, and the
        call is cancelled) and rejects fetch() with a TypeError whose cause is the
        stream's error.
        """
        self.racer.eval("globalThis.p = fetch('http://h.test/x', {method: 'POST', body: "
                        "makeBody([new Uint8Array([1]), new RangeError('broken')]), duplex: 'half'}); record(p);"
                        "p.catch((e) => { globalThis.cause = e.cause.constructor.name; });")
        ((_, args, _),) = self.calls()
        self.send(["fetch_body_pull", args[0], 10])
        messages = self.drain()
        self.assertEqual(self.writes(messages), [("fetch_body_write", [args[0], b"\x01"]),
                                                 ("fetch_body_error", [args[0], "RangeError: broken"])])
        self.assertTrue([m for m in messages if m[0] == "call_cancel"])
        self.assertEqual(self.out(), [["err", "TypeError", "TypeError",
                                       "fetch: the request body stream failed: RangeError: broken"]])
        self.assertEqual(self.js("cause"), "RangeError")

    def test_notBytes(self):
        """
        A chunk that is not a Uint8Array fails the upload and cancels the stream.
        """
        _, args = self.startUpload("['a string']")
        self.send(["fetch_body_pull", args[0], 10])
        self.assertEqual(self.writes(self.drain())[0][0], "fetch_body_error")
        self.assertEqual(self.out()[0][:2], ["err", "TypeError"])
        self.assertIn("must produce Uint8Array chunks", self.out()[0][3])
        self.assertIn("must produce Uint8Array chunks", self.js("cancelled"))

    def test_cancelledByHost(self):
        """
        fetch_body_cancel (the connection closed) cancels the stream with a
        TypeError; the fetch's outcome is the call's.
        """
        callId, args = self.startUpload("[new Uint8Array([1]), new Uint8Array([2])]")
        self.send(["fetch_body_pull", args[0], 1])
        self.drain()
        self.send(["fetch_body_cancel", args[0], "fetch: the connection closed"])
        self.assertEqual(self.js("cancelled"), "fetch: the connection closed")
        self.send(["fetch_body_pull", args[0], 100])
        self.assertEqual(self.writes(self.drain()), [])
        self.send(["ret", callId, 0, ["TypeError", "fetch http://h.test/up: the connection failed"]])
        self.assertEqual(self.out()[0][:2], ["err", "TypeError"])

    def test_abortCancelsStream(self):
        """
        Aborting during the upload rejects with the signal's reason, cancels the
        call and cancels the request body's stream with the reason.
        """
        self.racer.eval("globalThis.c = new AbortController()")
        callId, args = self.startUpload("[new Uint8Array([1])]", ", signal: c.signal")
        self.racer.eval("c.abort(new TypeError('user gave up'))")
        self.assertIn(["call_cancel", callId], self.drain())
        self.assertEqual(self.js("cancelled"), "user gave up")
        self.assertEqual(self.out(), [["err", "TypeError", "TypeError", "user gave up"]])

    def test_redirect303(self):
        """
        A 303 after a streamed body is followed as a GET without a body.
        """
        callId, args = self.startUpload("[]")
        self.send(["fetch_body_pull", args[0], 10])
        self.drain()
        self.respond((callId, args), status=303, headers=[("location", "/next")])
        ((secondId, second, _),) = self.calls()
        self.assertEqual((second[1], second[2], second[4]), ("GET", "http://h.test/next", None))
        self.respond((secondId, second), body=b"")
        self.assertEqual(self.out(), [["ok", 200]])

    def test_redirect307(self):
        """
        A 307 or 308 (or a 301 after a POST) with a streamed body is a TypeError:
        the body cannot be sent again.
        """
        for status in (307, 308, 301):
            self.racer.eval("out = []")
            callId, args = self.startUpload("[]")
            self.send(["fetch_body_pull", args[0], 10])
            self.drain()
            self.respond((callId, args), status=status, headers=[("location", "/again")])
            self.assertEqual(self.calls(), [])
            self.assertEqual(self.out(), [["err", "TypeError", "TypeError",
                                           "fetch: cannot follow a %d redirect with a ReadableStream request body "
                                           "(it cannot be sent twice)" % (status,)]])

    def test_requestStreamBody(self):
        """
        An incoming request's streamed body passed on as fetch(url, request) (the
        request is the init: its method, headers, body and duplex) is streamed,
        with the request's headers; so is a Request made with a stream body.
        """
        self.racer.eval("globalThis.incoming = __nano.makeIncomingRequest('PUT', 'http://me.test/x', "
                        "['content-length', '2'], makeBody([new Uint8Array([7, 8])]), null)")
        self.start("fetch('http://up.test/x', incoming).then((r) => r.status)")
        ((callId, args, _),) = self.calls()
        self.assertEqual((args[1], args[3], args[4]), ("PUT", ["content-length", "2"], True))
        self.assertEqual(self.js("[incoming.body.locked, incoming.bodyUsed]"), [True, False])
        self.send(["fetch_body_pull", args[0], 10])
        self.assertEqual(self.writes(self.drain()), [("fetch_body_write", [args[0], b"\x07\x08"]),
                                                     ("fetch_body_close", [args[0]])])
        self.assertEqual(self.js("incoming.bodyUsed"), True)
        self.start("fetch(new Request('http://up.test/y', {method: 'POST', body: makeBody([]), duplex: 'half'}))")
        ((_, args, _),) = self.calls()
        self.assertEqual((args[1], args[4]), ("POST", True))

    def test_lockedStream(self):
        """
        A stream locked after the Request was made rejects fetch() with a TypeError.
        """
        self.start("(() => { const s = makeBody([]); const req = new Request('http://h.test/', {method: 'POST', "
                   "body: s, duplex: 'half'}); s.getReader(); return fetch(req); })()")
        self.assertEqual(self.calls(), [])
        self.assertEqual(self.out()[0][:2], ["err", "TypeError"])

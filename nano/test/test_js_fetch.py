"""
Tests for C{fetch()} in JS (C{nano/isolate/js/57_fetch.js}, C{57_data_url.js}),
against a host played by the test: it reads the C{call} messages JS sends and
answers with C{ret} and body messages, as L{nano.fetch.ops} does.
"""

import base64
import json
import os

from py_mini_racer import MiniRacer
from twisted.trial.unittest import SkipTest, SynchronousTestCase

from nano.isolate import prelude
from nano.isolate.bridge import parseFrame

_FILES = tuple("%02d_" % n for n in range(60))
_WPT_BASE64 = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared",
                           "conformance", "vendor", "wpt", "fetch", "data-urls", "resources", "base64.json")


class JSFetchTestCase(SynchronousTestCase):
    """
    An isolate with the prelude files below 60 and a scripted host.
    """

    def setUp(self):
        self.racer = MiniRacer()
        self.addCleanup(self.racer.close)
        self.racer.eval(prelude.buildPartialPrelude(_FILES))
        self.internal = self.racer.eval("__nano.internal")
        self.internal["setDoorbell"](this=self.racer.eval("(function () {})"))
        self.racer.eval("globalThis.out = []; globalThis.record = (p) => p.then("
                        "(v) => out.push(['ok', v]), (e) => out.push(['err', e.constructor.name, e.name, "
                        "String(e.message)]));")

    def js(self, source):
        return json.loads(self.racer.eval("JSON.stringify(%s)" % (source,)))

    def start(self, expression):
        """
        Evaluate C{expression} (a promise); its outcome lands in C{out} as
        C{['ok', value]} or C{['err', ctorName, name, message]}.
        """
        self.racer.eval("record(%s)" % (expression,))

    def drain(self):
        """
        The messages JS queued; bytes attached to them (C{nano.attachBytes}) are
        kept in C{self.payloads}.
        """
        out = self.internal["drain"]()
        if isinstance(out, str):
            self.payloads = []
            return json.loads(out)
        messages, self.payloads, _ = parseFrame(bytes(out))
        return messages

    def send(self, *messages):
        self.internal["dispatch"](this=json.dumps(list(messages)))

    def out(self):
        return self.js("out")

    def calls(self, op="fetch"):
        """
        The host calls of C{op} sent since the last drain, as (callId, args, rid).
        """
        return [(m[1], m[3], m[4]) for m in self.drain() if m[0] == "call" and m[2] == op]

    def respond(self, call, status=200, headers=(), body=None, statusText="OK"):
        """
        Answer one fetch call: its head, then the body as one chunk and the end.
        """
        callId, args = call[0], call[1]
        flat = [x for pair in headers for x in pair]
        messages = [["ret", callId, 1, {"status": status, "statusText": statusText, "headers": flat,
                                         "body": "none" if body is None else "stream"}]]
        if body is not None:
            messages += [["fetch_chunk", args[0], base64.b64encode(body).decode()], ["fetch_end", args[0]]]
        self.send(*messages)


class FetchTests(JSFetchTestCase):
    """
    fetch() over the host operations.
    """

    def test_simple(self):
        """
        One call per fetch with the request's parts; the Response has the status,
        immutable headers, the URL, type "default" and the body.
        """
        self.start("fetch('https://example.com/a?b#frag', {headers: {'X-A': '1'}}).then(async (r) => "
                   "[r.status, r.statusText, r.ok, r.url, r.redirected, r.type, [...r.headers], await r.text(), "
                   "(() => { try { r.headers.set('x', 'y'); return 'mutable'; } catch (e) { return e.name; } })()])")
        ((callId, args, rid),) = self.calls()
        self.assertEqual(args[1:], ["GET", "https://example.com/a?b#frag", ["x-a", "1"], None, "follow", 0, 0,
                                    256 * 1024])
        self.assertIsNone(rid)
        self.respond((callId, args), headers=[("content-type", "text/plain"), ("set-cookie", "a=1"),
                                              ("set-cookie", "b=2")], body=b"hello")
        self.assertEqual(self.out(), [["ok", [200, "OK", True, "https://example.com/a?b", False, "default",
                                              [["content-type", "text/plain"], ["set-cookie", "a=1"],
                                               ["set-cookie", "b=2"]], "hello", "TypeError"]]])

    def test_bodyBeforeResult(self):
        """
        Body messages that arrive before the call's result are kept for it.
        """
        self.start("fetch('http://h.test/').then((r) => r.text())")
        ((callId, args, _),) = self.calls()
        handle = args[0]
        self.send(["fetch_chunk", handle, base64.b64encode(b"ear").decode()],
                  ["fetch_chunk", handle, base64.b64encode(b"ly").decode()], ["fetch_end", handle],
                  ["ret", callId, 1, {"status": 200, "statusText": "OK", "headers": [], "body": "stream"}])
        self.assertEqual(self.out(), [["ok", "early"]])

    def test_requestBodyAndInput(self):
        """
        A Request input gives method, headers and body (base64, with the
        Content-Type the body implies); the call carries the running request's id.
        """
        self.racer.eval("__nano.withRequest(42, () => record(fetch(new Request('http://h.test/p', "
                        "{method: 'put', body: 'données'})).then((r) => r.status)))")
        ((callId, args, rid),) = self.calls()
        self.assertEqual(rid, 42)
        self.assertEqual(args[1], "PUT")
        self.assertEqual(args[3], ["content-type", "text/plain;charset=UTF-8"])
        self.assertEqual(base64.b64decode(args[4]), "données".encode())
        self.respond((callId, args), status=201)
        self.assertEqual(self.out(), [["ok", 201]])

    def test_incomingCount(self):
        """
        The call says how many incoming requests the isolate has started.
        """
        self.racer.eval("__nano.makeIncomingRequest('GET', 'http://x.test/', [], null, null);"
                        "__nano.makeIncomingRequest('GET', 'http://x.test/', [], null, null);")
        self.start("fetch('http://h.test/')")
        self.assertEqual(self.calls()[0][1][7], 2)

    def test_hostError(self):
        """
        A failed call rejects with the error the host named.
        """
        self.start("fetch('http://10.0.0.1/')")
        ((callId, _, _),) = self.calls()
        self.send(["ret", callId, 0, ["TypeError", "fetch http://10.0.0.1/ refused by the egress policy"]])
        self.assertEqual(self.out(), [["err", "TypeError", "TypeError",
                                       "fetch http://10.0.0.1/ refused by the egress policy"]])

    def test_bodyError(self):
        """
        A body that fails (truncated, reset) rejects its read with a TypeError
        (fetch() itself resolved with the headers).
        """
        self.start("fetch('http://h.test/').then((r) => r.text())")
        ((callId, args, _),) = self.calls()
        self.send(["ret", callId, 1, {"status": 200, "statusText": "OK", "headers": [], "body": "stream"}],
                  ["fetch_error", args[0], "TypeError", "fetch: the body was cut short"])
        self.assertEqual(self.out(), [["err", "TypeError", "TypeError", "fetch: the body was cut short"]])

    def test_noBody(self):
        """
        A response without a body (HEAD, 204) has a null body.
        """
        self.start("fetch('http://h.test/', {method: 'HEAD'}).then(async (r) => [r.status, r.body, await r.text()])")
        self.respond(self.calls()[0], status=204)
        self.assertEqual(self.out(), [["ok", [204, None, ""]]])

    def test_badInput(self):
        """
        Bad URLs, headers, methods and bodies reject with a TypeError before any
        call; so do schemes other than http(s) and data.
        """
        for expression in ["fetch('/relative')", "fetch('http://[::1')", "fetch('http://h.test/', "
                           "{headers: {'bad name': 'x'}})", "fetch('http://h.test/', {method: 'bad method'})",
                           "fetch('http://h.test/', {body: 'x'})", "fetch('file:///etc/passwd')",
                           "fetch('ftp://h.test/')", "fetch('http://user:pw@h.test/')", "fetch()",
                           "fetch('http://h.test/', {headers: {'x': 'a\\nb'}})"]:
            self.start(expression)
        self.assertEqual(self.calls(), [])
        self.assertEqual([o[:2] for o in self.out()], [["err", "TypeError"]] * 10)

    def test_noSyncThrow(self):
        """
        fetch() never throws: even bad input gives a rejected promise.
        """
        self.assertEqual(self.js("(() => { const p = fetch('::'); p.catch(() => {}); "
                                 "return p instanceof Promise; })()"), True)


class RedirectTests(JSFetchTestCase):
    """
    Redirects are followed in JS, one call per hop.
    """

    def test_follow303(self):
        """
        A 302 after a POST becomes a GET without body or body headers, to the
        Location resolved against the current URL; the fragment carries over;
        the Response says it was redirected and has the final URL.
        """
        self.start("fetch('http://h.test/a/b#f', {method: 'POST', body: 'x', headers: {'authorization': 'k', "
                   "'content-language': 'fr'}}).then((r) => [r.status, r.url, r.redirected])")
        first = self.calls()[0]
        self.respond(first, status=302, headers=[("location", "../c?d")])
        ((callId, args, _),) = self.calls()
        self.assertEqual(args[1:7], ["GET", "http://h.test/c?d#f", ["authorization", "k"], None, "follow", 1])
        self.respond((callId, args), body=b"")
        self.assertEqual(self.out(), [["ok", [200, "http://h.test/c?d", True]]])

    def test_307KeepsBodyCrossOriginDropsAuthorization(self):
        """
        A 307 resends the method and body; a redirect to another origin drops the
        Authorization header.
        """
        self.start("fetch('http://h.test/', {method: 'POST', body: 'x', headers: {'authorization': 'k'}})")
        self.respond(self.calls()[0], status=307, headers=[("location", "https://other.test/")])
        ((_, args, _),) = self.calls()
        self.assertEqual(args[1:5], ["POST", "https://other.test/", ["content-type", "text/plain;charset=UTF-8"],
                                     base64.b64encode(b"x").decode()])

    def test_tooMany(self):
        """
        The 21st redirect is a TypeError.
        """
        self.start("fetch('http://h.test/0')")
        for i in range(21):
            self.respond(self.calls()[0], status=301, headers=[("location", "/%d" % (i + 1,))])
        self.assertEqual(self.calls(), [])
        self.assertEqual(self.out(), [["err", "TypeError", "TypeError", "fetch: too many redirects (more than 20)"]])

    def test_badLocation(self):
        """
        A Location that is not a URL, or not http(s), is a TypeError.
        """
        self.start("fetch('http://h.test/')")
        self.respond(self.calls()[0], status=302, headers=[("location", "http://[bad")])
        self.start("fetch('http://h.test/')")
        self.respond(self.calls()[0], status=302, headers=[("location", "data:,x")])
        self.assertEqual([o[1] for o in self.out()], ["TypeError", "TypeError"])

    def test_modes(self):
        """
        redirect "manual" hands back the redirect itself; "error" rejects; a 3xx
        without Location is an ordinary response.
        """
        self.start("fetch('http://h.test/', {redirect: 'manual'}).then((r) => [r.status, "
                   "r.headers.get('location'), r.redirected])")
        self.respond(self.calls()[0], status=301, headers=[("location", "/x")], body=b"moved")
        self.start("fetch('http://h.test/', {redirect: 'error'})")
        self.respond(self.calls()[0], status=301, headers=[("location", "/x")])
        self.start("fetch('http://h.test/').then((r) => r.status)")
        self.respond(self.calls()[0], status=304)
        self.assertEqual(self.out()[0], ["ok", [301, "/x", False]])
        self.assertEqual(self.out()[1][:2], ["err", "TypeError"])
        self.assertEqual(self.out()[2], ["ok", 304])


class AbortTests(JSFetchTestCase):
    """
    fetch() honours its signal.
    """

    def test_alreadyAborted(self):
        """
        An aborted signal rejects at once with its reason; nothing is sent.
        """
        self.start("fetch('http://h.test/', {signal: AbortSignal.abort('why')})")
        self.start("fetch('http://h.test/', {signal: AbortSignal.abort()})")
        self.js("0")
        self.assertEqual(self.calls(), [])
        out = self.js("out.map((o) => o[0])")
        self.assertEqual(out, ["err", "err"])
        self.assertEqual(self.out()[1][:3], ["err", "DOMException", "AbortError"])

    def test_abortWhileWaiting(self):
        """
        Aborting before the response cancels the call and rejects with the reason.
        """
        self.racer.eval("globalThis.c = new AbortController();")
        self.start("fetch('http://h.test/', {signal: c.signal})")
        ((callId, args, _),) = self.calls()
        self.racer.eval("c.abort()")
        messages = self.drain()
        self.assertIn(["call_cancel", callId], messages)
        self.assertIn(["fetch_cancel", [args[0]]], [[m[2], m[3]] for m in messages if m[0] == "call"])
        self.assertEqual(self.out()[0][:3], ["err", "DOMException", "AbortError"])
        self.respond((callId, args), body=b"late")
        self.assertEqual(len(self.out()), 1)

    def test_abortDuringBody(self):
        """
        Aborting after the headers errors the body's stream with the signal's
        reason (a read in progress rejects with it) and cancels the body in Python;
        the Response itself was delivered.
        """
        self.racer.eval("globalThis.c = new AbortController();")
        self.start("fetch('http://h.test/', {signal: c.signal}).then((r) => { globalThis.r = r; return r.status; })")
        ((callId, args, _),) = self.calls()
        self.send(["ret", callId, 1, {"status": 200, "statusText": "OK", "headers": [], "body": "stream"}],
                  ["fetch_chunk", args[0], base64.b64encode(b"part").decode()])
        self.start("r.text()")
        self.racer.eval("c.abort(new TypeError('stop'))")
        self.assertIn(["fetch_cancel", [args[0]]], [[m[2], m[3]] for m in self.drain() if m[0] == "call"])
        self.assertEqual(self.out(), [["ok", 200], ["err", "TypeError", "TypeError", "stop"]])

    def test_abortAfterBody(self):
        """
        Once the body has been read, aborting the signal changes nothing and
        cancels nothing.
        """
        self.racer.eval("globalThis.c = new AbortController();")
        self.start("fetch('http://h.test/', {signal: c.signal}).then((r) => r.text())")
        self.respond(self.calls()[0], body=b"all")
        self.racer.eval("c.abort()")
        self.assertEqual(self.calls("fetch_cancel"), [])
        self.assertEqual(self.out(), [["ok", "all"]])


class DataURLTests(JSFetchTestCase):
    """
    data: URLs are answered in JS (the Fetch standard's data: URL processor).
    """

    def fetchData(self, url):
        self.racer.eval("out = []")
        self.start("fetch(%s).then(async (r) => [r.status, r.statusText, r.headers.get('content-type'), "
                   "Array.from(new Uint8Array(await r.arrayBuffer())), r.url])" % (json.dumps(url),))
        self.js("0")
        return self.out()[0]

    def test_plain(self):
        """
        Percent-encoded text with the default type; the fragment is dropped.
        """
        self.assertEqual(self.fetchData("data:,a%20b%ZZ#frag"),
                         ["ok", [200, "OK", "text/plain;charset=US-ASCII", list(b"a b%ZZ"), "data:,a%20b%ZZ"]])

    def test_base64AndType(self):
        """
        ;base64 (any case, spaces before it) is decoded forgivingly; the MIME type
        is parsed and serialised.
        """
        self.assertEqual(self.fetchData("data:Text/HTML; Charset=\"utf-8\" ;  BASE64,aGk = ")[1][2:4],
                         ["text/html;charset=utf-8", list(b"hi")])
        self.assertEqual(self.fetchData("data:;base64,aGk")[1][2:4], ["text/plain;charset=US-ASCII", list(b"hi")])
        self.assertEqual(self.fetchData("data:;x=y,hi")[1][2:4], ["text/plain;x=y", list(b"hi")])

    def test_invalid(self):
        """
        No comma, or bad base64: TypeError, and no host call.
        """
        for url in ["data:text/plain", "data:;base64,a"]:
            self.assertEqual(self.fetchData(url)[:2], ["err", "TypeError"])
        self.assertEqual(self.calls(), [])

    def test_wptBase64Vectors(self):
        """
        The WPT data: URL base64 vectors (fetch/data-urls/resources/base64.json, read
        from the shared conformance folder when present) all decode as expected.
        """
        if not os.path.isfile(_WPT_BASE64):
            raise SkipTest("the shared WPT resources are not available")
        with open(_WPT_BASE64) as f:
            vectors = json.load(f)
        failures = []
        for data, expected in vectors:
            result = self.fetchData("data:;base64," + data)
            got = None if result[0] == "err" else result[1][3]
            if got != expected:
                failures.append((data, expected, got))
        self.assertEqual(failures, [])
        self.assertGreater(len(vectors), 50)

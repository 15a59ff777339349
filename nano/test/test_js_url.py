"""
Tests for the URL prelude files (C{nano/isolate/js/30_url.js}, C{31_url_*.js},
C{32_idna.js}, C{33_urlpattern.js}, C{34_urlsearchparams.js}): the WHATWG URL parser, the
C{URL}, C{URLSearchParams} and C{URLPattern} interfaces, domain-to-ASCII and the
form-urlencoded helpers on C{nano}.

Each test loads C{00_core.js} and the URL files, wrapped the way L{nano.isolate.prelude}
wraps them, into a fresh MiniRacer isolate; the internal C{nano} object is kept on a
test-only global so the helpers meant for other prelude files can be checked too.
"""

import json

from py_mini_racer import MiniRacer
from twisted.trial.unittest import SynchronousTestCase

from nano.isolate.prelude import buildPartialPrelude

_FILES = ("00_core.js", "30_url.js", "31_url_encoding.js", "31_url_host.js", "31_url_parser.js",
          "32_idna.js", "33_urlpattern.js", "33_urlpattern_parser.js", "34_urlsearchparams.js")


def _script():
    """
    The prelude files these tests cover, as one script that leaves C{nano} on
    C{globalThis.__nano} (for these tests only).
    """
    return buildPartialPrelude(_FILES)


class URLPreludeTests(SynchronousTestCase):
    """
    Behaviour of C{URL}, C{URLSearchParams} and the C{nano} URL helpers in an isolate.
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

    def errorName(self, statement):
        """
        Run C{statement} and return the constructor name of what it throws, or C{None}.
        """
        return self.js(
            "(() => { try { %s; return null; } catch (e) { return e.constructor.name; } })()"
            % (statement,))

    def test_parseWithBase(self):
        """
        A relative reference resolves against the base: dot segments are removed and
        the query and fragment come from the reference.
        """
        self.assertEqual(
            self.js('new URL("../c/./d?x=1#frag", "http://user:pw@a.example:8080/b/e/f").href'),
            "http://user:pw@a.example:8080/b/c/d?x=1#frag")
        self.assertEqual(
            self.js('new URL("//other.example", "https://a.example/x").href'),
            "https://other.example/")

    def test_components(self):
        """
        Every getter returns its serialized component; the default port is dropped and
        special schemes get a "/" path.
        """
        self.assertEqual(
            self.js('(u => [u.protocol, u.username, u.password, u.host, u.hostname, u.port,'
                    ' u.pathname, u.search, u.hash, u.origin])'
                    '(new URL("HTTPS://u:p@EXAMPLE.com:443?q=1#h"))'),
            ["https:", "u", "p", "example.com", "example.com", "", "/", "?q=1", "#h",
             "https://example.com"])

    def test_invalidThrowsTypeError(self):
        """
        Unparseable URLs and bases, missing arguments and wrong receivers all throw
        TypeError.
        """
        self.assertEqual(self.errorName('new URL("http://[::1")'), "TypeError")
        self.assertEqual(self.errorName('new URL("relative")'), "TypeError")
        self.assertEqual(self.errorName('new URL("a", "not a base")'), "TypeError")
        self.assertEqual(self.errorName("new URL()"), "TypeError")
        self.assertEqual(
            self.errorName('Object.getOwnPropertyDescriptor(URL.prototype, "href").get.call({})'),
            "TypeError")
        self.assertEqual(self.errorName('new URLSearchParams().append("a")'), "TypeError")

    def test_staticCanParseAndParse(self):
        """
        C{URL.canParse} answers without throwing and C{URL.parse} returns a URL or null.
        """
        self.assertEqual(
            self.js('[URL.canParse("x", "http://a/"), URL.canParse("x"), URL.parse("x"),'
                    ' URL.parse("x", "http://a/b/").href,'
                    ' URL.parse("x", "http://a/") instanceof URL]'),
            [True, False, None, "http://a/b/x", True])

    def test_setters(self):
        """
        Setters re-run the parser from the right state: the host setter keeps the path,
        a default port is dropped, special and non-special schemes do not swap, and the
        pathname setter percent-encodes.
        """
        self.assertEqual(
            self.js('(u => { u.host = "b.example:81"; u.port = "80"; u.protocol = "foo";'
                    ' u.pathname = "/a b"; u.hash = "x"; u.search = "?y"; return u.href; })'
                    '(new URL("http://a.example/p"))'),
            "http://b.example/a%20b?y#x")
        self.assertEqual(
            self.js('(u => { u.protocol = "https"; u.port = "99999"; return u.href; })'
                    '(new URL("http://a.example:8000/"))'),
            "https://a.example:8000/")

    def test_searchParamsSync(self):
        """
        C{url.searchParams} is one object that follows the URL's query, and changing it
        rewrites the query (an empty list removes the "?").
        """
        self.assertEqual(
            self.js('(u => { const sp = u.searchParams; const a = sp.get("a");'
                    ' u.search = "?b=2"; const b = sp.get("b"); sp.append("c", "x y");'
                    ' const h1 = u.href; sp.delete("b"); sp.delete("c");'
                    ' return [a, b, h1, u.href, u.searchParams === sp]; })'
                    '(new URL("http://h/?a=1"))'),
            ["1", "2", "http://h/?b=2&c=x+y", "http://h/", True])

    def test_hostForms(self):
        """
        IPv4 hosts accept decimal, octal and hex parts; IPv6 hosts are serialized with
        the longest run of zeros compressed; forbidden code points fail.
        """
        self.assertEqual(
            self.js('[new URL("http://0x7f.1/").host, new URL("http://0300.0250.1.010/").host,'
                    ' new URL("http://4294967295/").host,'
                    ' new URL("http://[0:0:1:0:0:0:0:1]/").host,'
                    ' new URL("http://[::ffff:1.2.3.4]").host]'),
            ["127.0.0.1", "192.168.1.8", "255.255.255.255", "[0:0:1::1]", "[::ffff:102:304]"])
        self.assertEqual(self.errorName('new URL("http://4294967296/")'), "TypeError")
        self.assertEqual(self.errorName('new URL("http://a^b/")'), "TypeError")

    def test_idnaHost(self):
        """
        Non-ASCII domains are mapped (case, width, ignorables), NFC-normalised and
        Punycode-encoded; invalid Punycode labels and disallowed code points fail.
        """
        self.assertEqual(
            self.js('[new URL("http://Bücher.Example/").hostname,'
                    ' new URL("http://ＧＯ.com").hostname,'
                    ' new URL("http://fa\\u00df.de").hostname,'
                    ' new URL("http://a\\u00adb.com").hostname,'
                    ' new URL("http://xn--bcher-kva.example").hostname,'
                    ' new URL("http://你好你好").hostname]'),
            ["xn--bcher-kva.example", "go.com", "xn--fa-hia.de", "ab.com",
             "xn--bcher-kva.example", "xn--6qqa088eba"])
        self.assertEqual(self.errorName('new URL("http://a.b.c.xn--pokxncvks/")'),
                         "TypeError")
        self.assertEqual(self.errorName('new URL("http://\\ufdd0x.com/")'), "TypeError")

    def test_fileAndOpaqueURLs(self):
        """
        File URLs normalise drive letters and drop "localhost"; URLs with an opaque path
        keep it verbatim and have no host.
        """
        self.assertEqual(
            self.js('[new URL("file:///C|/x/../y").href, new URL("file://localhost/etc").href,'
                    ' new URL("mailto:Someone@Example.com").pathname,'
                    ' new URL("mailto:x").host, new URL("sc://h/p").host]'),
            ["file:///C:/y", "file:///etc", "Someone@Example.com", "", "h"])

    def test_urlSearchParamsConstructor(self):
        """
        URLSearchParams accepts a string (leading "?" dropped), a record, a sequence of
        pairs and another URLSearchParams; a pair of the wrong length is a TypeError.
        """
        self.assertEqual(
            self.js('[new URLSearchParams("?a=1&b=%20x+y").toString(),'
                    ' new URLSearchParams({a: "1", "b c": "2"}).toString(),'
                    ' new URLSearchParams([["x", "1"], ["x", "2"]]).getAll("x"),'
                    ' new URLSearchParams(new URLSearchParams("q=1")).get("q")]'),
            ["a=1&b=+x+y", "a=1&b+c=2", ["1", "2"], "1"])
        self.assertEqual(self.errorName('new URLSearchParams([["a"]])'), "TypeError")

    def test_urlSearchParamsMethods(self):
        """
        has/delete honour the optional value, set replaces the first match and removes
        the rest, sort is stable by UTF-16 code units, and size counts pairs.
        """
        self.assertEqual(
            self.js('(p => { const r = [p.has("a", "2"), p.has("a", "3")]; p.delete("a", "1");'
                    ' r.push(p.toString()); p.set("z", "0"); r.push(p.toString());'
                    ' p.append("\\ufb03", ""); p.append("\\u{1F308}", ""); p.sort();'
                    ' r.push([...p.keys()]); r.push(p.size); return r; })'
                    '(new URLSearchParams("z=b&a=1&a=2&z=a"))'),
            [True, False, "z=b&a=2&z=a", "z=0&a=2", ["a", "z", "\U0001F308", "\ufb03"], 4])

    def test_iterators(self):
        """
        Iterators inherit from %IteratorPrototype%, are tagged "URLSearchParams Iterator"
        and see pairs appended while iterating.
        """
        self.assertEqual(
            self.js('(p => { const it = p.entries(); const first = it.next().value;'
                    ' p.append("c", "3");'
                    ' return [Object.prototype.toString.call(it), first, [...it],'
                    ' Object.getPrototypeOf(Object.getPrototypeOf(it)) ==='
                    ' Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())),'
                    ' p[Symbol.iterator] === p.entries, String(new URL("http://a/")),'
                    ' Object.prototype.toString.call(new URL("http://a/"))]; })'
                    '(new URLSearchParams("a=1&b=2"))'),
            ["[object URLSearchParams Iterator]", ["a", "1"], [["b", "2"], ["c", "3"]], True,
             True, "http://a/", "[object URL]"])

    def test_nanoUrlencodedHelpers(self):
        """
        C{nano.parseUrlencoded} decodes "+" and percent escapes (invalid UTF-8 becomes
        U+FFFD) and C{nano.serializeUrlencoded} encodes with the form set.
        """
        self.assertEqual(
            self.js('__nano.parseUrlencoded("a=b+c&&%C2x=%41&=&d")'),
            [["a", "b c"], ["\ufffdx", "A"], ["", ""], ["d", ""]])
        self.assertEqual(
            self.js('__nano.serializeUrlencoded([["a b", "c&d=é"], ["*-._", "~!"]])'),
            "a+b=c%26d%3D%C3%A9&*-._=%7E%21")

    def test_nanoUrlencodedBytes(self):
        """
        C{nano.parseUrlencodedBytes} parses a body's bytes: percent escapes and raw bytes
        join into one UTF-8 sequence before decoding, invalid sequences become U+FFFD and
        a leading BOM stays part of the first name.
        """
        self.assertEqual(
            self.js('__nano.parseUrlencodedBytes(new Uint8Array([0xc3, 0x25, 0x41, 0x39, 0x3d,'
                    ' 0x61, 0x2b, 0x62, 0x26, 0x26, 0xff, 0x3d, 0x26, 0xef, 0xbb, 0xbf, 0x78]))'),
            [["\u00e9", "a b"], ["\ufffd", ""], ["\ufeffx", ""]])

    def test_nanoInternalHelpers(self):
        """
        Other prelude files can recognise URL and URLSearchParams objects and read
        their contents without going through user-patchable methods.
        """
        self.assertEqual(
            self.js('(() => { const u = new URL("http://a/?x=1"); const p = u.searchParams;'
                    ' URL.prototype.toString = () => "patched";'
                    ' return [__nano.isURL(u), __nano.isURL({}), __nano.urlHref(u),'
                    ' __nano.isURLSearchParams(p), __nano.urlSearchParamsList(p)]; })()'),
            [True, False, "http://a/?x=1", True, [["x", "1"]]])

    def test_ignoresPatchedBuiltins(self):
        """
        Parsing and serializing use intrinsics captured at bootstrap, so user code that
        replaces String and Array methods cannot change or break URL handling.
        """
        self.assertEqual(
            self.js('(() => { for (const m of ["split", "slice", "charCodeAt", "indexOf",'
                    ' "toLowerCase", "normalize"]) String.prototype[m] = () => { throw 1; };'
                    ' Array.prototype.join = Array.prototype.slice = () => { throw 2; };'
                    ' return [new URL("http://B\\u00fccher.de/a/../b?c=d#e").href,'
                    ' new URL("http://[1:0::]/").host, new URL("x", "file:///C:/y").href,'
                    ' new URLSearchParams("a=b+c&d=%41").toString()]; })()'),
            ["http://xn--bcher-kva.de/b?c=d#e", "[1::]", "file:///C:/x", "a=b+c&d=A"])

    def test_percentDecodedHostIsChecked(self):
        """
        A host is percent-decoded before domain-to-ASCII, so escaped forbidden code
        points (tab, space, "%") still make it invalid, IDNA path included.
        """
        self.assertEqual(self.errorName('new URL("http://\\u00e4%09b/")'), "TypeError")
        self.assertEqual(self.errorName('new URL("http://a%20b/")'), "TypeError")
        self.assertEqual(self.errorName('new URL("http://%2541/")'), "TypeError")

    def test_urlPatternComponents(self):
        """
        A URLPattern built from a constructor string splits it into components, drops a
        default port, and fills unspecified later components with "*".
        """
        self.assertEqual(
            self.js('(p => [p.protocol, p.username, p.hostname, p.port, p.pathname, p.search,'
                    ' p.hash, p.hasRegExpGroups])'
                    '(new URLPattern("https://*.example.com:443/books/:id(\\\\d+)"))'),
            ["https", "*", "*.example.com", "", "/books/:id(\\d+)", "*", "*", True])

    def test_urlPatternExec(self):
        """
        exec returns the inputs and each component's named groups; test applies a base
        URL to relative input; non-matching input gives null.
        """
        self.assertEqual(
            self.js('(p => { const r = p.exec("https://example.com/books/42?x=1");'
                    ' return [r.pathname.groups, r.hostname.input, r.inputs,'
                    ' p.test("/books/7", "https://example.com"),'
                    ' p.exec("https://example.com/books/x")]; })'
                    '(new URLPattern({pathname: "/books/:id(\\\\d+)"}))'),
            [{"id": "42"}, "example.com", ["https://example.com/books/42?x=1"], True, None])
        self.assertEqual(
            self.js('(p => [p.test({pathname: "/a/b/c"}),'
                    ' p.exec({pathname: "/a/b/c"}).pathname.groups])'
                    '(new URLPattern({pathname: "/a/:rest+"}))'),
            [True, {"rest": "b/c"}])

    def test_urlPatternRelativeStringWithoutBase(self):
        """
        A URL string without a base URL matches as on workerd (the spec would give
        null): a relative reference keeps its path (resolved from "/"), query and
        fragment, a "//host" reference its authority, and every other component is
        empty; an absolute string is unaffected; an invalid base URL still gives null.
        """
        components = ("protocol", "username", "password", "hostname", "port", "pathname", "search", "hash")
        inputs = ("/books/123?x=1#h", "books/123", "", "..", "//user:pw@host:81/p", "///x", "\\a\\b",
                  "a b", "foo:bar")
        result = self.js(
            '(p => %s.map(s => { const r = p.exec(s); return r && %s.map(k => r[k].input); }))'
            '(new URLPattern({}))' % (json.dumps(inputs), json.dumps(components)))
        self.assertEqual(result, [
            ["", "", "", "", "", "/books/123", "x=1", "h"],
            ["", "", "", "", "", "/books/123", "", ""],
            ["", "", "", "", "", "", "", ""],
            ["", "", "", "", "", "/", "", ""],
            ["", "user", "pw", "host", "81", "/p", "", ""],
            ["", "", "", "", "", "/x", "", ""],
            ["", "", "", "", "", "/\\a\\b", "", ""],
            ["", "", "", "", "", "/a%20b", "", ""],
            ["foo", "", "", "", "", "bar", "", ""],
        ])
        self.assertEqual(
            self.js('(p => [p.exec("/books/7").pathname.groups, p.test("/books/x"), p.test("books/8"),'
                    ' p.exec("/books/7", "not a url"), p.test("https://e.test/books/9")])'
                    '(new URLPattern({pathname: "/books/:id(\\\\d+)"}))'),
            [{"id": "7"}, False, True, None, True])

    def test_urlPatternErrors(self):
        """
        Invalid patterns, duplicate group names, relative strings without a base and a
        base URL given with a dictionary all throw TypeError.
        """
        self.assertEqual(self.errorName('new URLPattern({pathname: "/(foo"})'), "TypeError")
        self.assertEqual(self.errorName('new URLPattern({pathname: "/:a/:a"})'), "TypeError")
        self.assertEqual(self.errorName('new URLPattern("/relative")'), "TypeError")
        self.assertEqual(self.errorName('new URLPattern({}, "https://a/")'), "TypeError")
        self.assertEqual(self.errorName('new URLPattern({pathname: "/([a-z]"})'), "TypeError")


class SimpleURLFastPathTests(SynchronousTestCase):
    """
    The fast path for simple absolute http(s) URLs gives the same results as the full
    parser, and leaves everything else to it.
    """

    CASES = [
        "http://127.0.0.1:8099/", "https://Example.COM/a/b?x=1&y=%20#frag", "http://a.test:80/x",
        "https://a.test:443/", "http://a.test:8080", "http://a.test?q", "http://a.test/a//b/",
        "http://h.test/p?q=`{|}[]^", "http://h.test/#'frag", "http://1.2.3/", "http://0x7f.1/",
        "http://a.test/./b", "http://a.test/%2e%2E/c", "http://xn--nxasmq6b.test/", "http://a.test:0080/",
        "http://a.test:65536/", "HTTP://a.test/", "http://user:pw@a.test/", "http://a..b/", "http://-a.test/",
        "http://a.test/it's?it's", "http://255.255.255.255/", "http://256.1.1.1/", "http://a.1/",
        "http://a.test/\\\\b", "http://a.test/ b",
    ]

    def test_sameAsFullParser(self):
        """
        For each case, URL's href through urlParse (fast path first) equals the full
        state machine's, failures included.
        """
        racer = MiniRacer()
        self.addCleanup(racer.close)
        racer.eval(buildPartialPrelude(_FILES))
        results = json.loads(racer.eval("""JSON.stringify(%s.map((input) => {
            const fast = __nano.urlParse(input, null);
            const full = __nano.urlBasicParse(__nano.toUSVString(input), null);
            return [input, fast === null ? null : __nano.urlSerialize(fast),
                    full === null ? null : __nano.urlSerialize(full)];
        }))""" % (json.dumps(self.CASES),)))
        for input, fast, full in results:
            self.assertEqual(fast, full, input)

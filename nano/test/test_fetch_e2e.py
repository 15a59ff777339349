"""
End-to-end tests of C{fetch()}: a real C{twistd -n nano} subprocess whose apps
fetch from a real twisted.web upstream (L{nano.test.fetch_upstream}) on
127.0.0.1, which the test config's egress rule allows for one app only.
"""

import json
import time
import urllib.parse

from twisted.trial.unittest import SynchronousTestCase

from nano.test.e2e import startSharedServer, startSharedUpstream

_shared = {}


def _start():
    if "server" in _shared:
        return _shared["server"], _shared["upstream"]
    port = startSharedUpstream()
    limits = {"max_body_mb": 2, "timeout_ms": 1500}
    config = {
        "listen": ["tcp:0:interface=127.0.0.1"],
        "admin": None,
        "apps": [
            {"name": "fetcher", "hostnames": ["fetcher.test"], "path": "app", "limits": limits,
             "egress": {"allow": ["127.0.0.1/32"]}},
            {"name": "strict", "hostnames": ["strict.test"], "path": "app", "limits": limits},
            {"name": "capped", "hostnames": ["capped.test"], "path": "app",
             "limits": dict(limits, subrequests=2), "egress": {"allow": ["127.0.0.1"]}},
        ],
    }
    server = startSharedServer({"e2e-fetch": "app"}, config, prefix="nano-fetch-e2e-")
    _shared.update(server=server, upstream="http://127.0.0.1:%d" % (port,))
    return server, _shared["upstream"]


class FetchEndToEndTests(SynchronousTestCase):
    """
    fetch() from apps served by twistd, to a real upstream.
    """

    def setUp(self):
        self.server, self.upstream = _start()

    def fetch(self, target, host="fetcher.test", **params):
        query = urllib.parse.urlencode(dict(params, u=target))
        status, _, _, body = self.server.request("GET", "/?" + query, host=host)
        self.assertEqual(status, 200, body)
        return json.loads(body)

    def test_get(self):
        """
        Method, URL and headers reach the upstream; status, headers (each
        Set-Cookie apart), URL and body come back; the response is not redirected.
        """
        result = self.fetch(self.upstream + "/echo?x=1")
        echoed = json.loads(result["text"])
        self.assertEqual((echoed["method"], echoed["uri"]), ("GET", "/echo?x=1"))
        self.assertEqual(echoed["headers"]["x-app"], ["yes"])
        self.assertEqual(echoed["headers"]["accept-encoding"], ["gzip, deflate, br"])
        self.assertEqual(result["cookies"], ["a=1; Path=/", "b=2"])
        self.assertEqual((result["status"], result["url"], result["redirected"], result["type"]),
                         (200, self.upstream + "/echo?x=1", False, "default"))

    def test_postBody(self):
        """
        A request body is sent with its Content-Type.
        """
        echoed = json.loads(self.fetch(self.upstream + "/echo", method="POST", body="héllo")["text"])
        self.assertEqual(echoed["body"].encode("latin-1").decode("utf-8"), "héllo")
        self.assertEqual(echoed["headers"]["content-type"], ["text/plain;charset=UTF-8"])

    def test_redirects(self):
        """
        A 301 after a POST is followed as a GET; a 307 keeps the method; a loop
        fails after 20 redirects; "manual" returns the redirect.
        """
        result = self.fetch(self.upstream + "/redirect/301", method="POST", body="b")
        self.assertEqual((json.loads(result["text"])["method"], result["redirected"], result["url"]),
                         ("GET", True, self.upstream + "/echo"))
        result = self.fetch(self.upstream + "/redirect/307", method="POST", body="b")
        self.assertEqual(json.loads(result["text"])["body"], "b")
        self.assertEqual(self.fetch(self.upstream + "/loop"),
                         {"error": "fetch: too many redirects (more than 20)", "name": "TypeError"})
        result = self.fetch(self.upstream + "/redirect/302", redirect="manual")
        self.assertEqual((result["status"], result["text"]), (302, "moving"))

    def test_contentDecoding(self):
        """
        gzip, deflate and br bodies are decoded; Content-Encoding stays.
        """
        for coding in ("gzip", "deflate", "br"):
            result = self.fetch(self.upstream + "/" + coding)
            self.assertEqual(result["text"], "decoded " * 1000)
            self.assertIn(["content-encoding", coding], result["headers"])

    def test_egressRefused(self):
        """
        An app without an egress rule cannot reach 127.0.0.1, by address, by a name
        resolving to it, or by a numeric or IPv4-mapped form; the refusal is logged
        with the app's name.
        """
        port = self.upstream.rsplit(":", 1)[1]
        for target in [self.upstream + "/echo", "http://localhost:%s/echo" % (port,),
                       "http://2130706433:%s/" % (port,), "http://[::ffff:127.0.0.1]:%s/" % (port,),
                       "http://169.254.169.254/latest/meta-data/"]:
            result = self.fetch(target, host="strict.test")
            self.assertEqual(result["name"], "TypeError", target)
            self.assertIn("refused by the egress policy", result["error"])
        self.assertTrue(self.server.waitForOutput("app strict: fetch http://localhost:%s/echo refused" % (port,)))

    def test_badUpstreams(self):
        """
        A reset connection and a body cut short are TypeErrors that say so.
        """
        result = self.fetch(self.upstream + "/reset")
        self.assertEqual(result["name"], "TypeError")
        self.assertIn("connection failed before a complete response", result["error"])
        result = self.fetch(self.upstream + "/truncated")
        self.assertEqual(result["name"], "TypeError")
        self.assertIn("closed before the end of the body", result["error"])

    def test_hugeBodyCapped(self):
        """
        A 1 GiB body read whole (text()) is not buffered: reading stops at the
        app's max_body_mb with a clear TypeError, and the connection to the
        upstream is closed.
        """
        before = json.loads(self.fetch(self.upstream + "/stats")["text"])["lost"]
        result = self.fetch(self.upstream + "/huge")
        self.assertEqual(result, {"name": "TypeError", "error": "fetch: the response body is larger than 2 MiB "
                                  "(the app's max_body_mb), the most text(), json(), arrayBuffer() and the other "
                                  "Body methods read whole; read response.body as a stream instead"})
        deadline = time.monotonic() + 10
        while json.loads(self.fetch(self.upstream + "/stats")["text"])["lost"] == before:
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)

    def test_abortAndTimeout(self):
        """
        An aborted fetch rejects with the signal's reason and closes the upstream
        connection; a server that never answers fails after the app's timeout_ms.
        """
        before = json.loads(self.fetch(self.upstream + "/stats")["text"])["lost"]
        self.assertEqual(self.fetch(self.upstream + "/never", abortAfter="100")["name"], "TimeoutError")
        deadline = time.monotonic() + 10
        while json.loads(self.fetch(self.upstream + "/stats")["text"])["lost"] == before:
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)
        self.server.request("GET", "/?" + urllib.parse.urlencode({"u": self.upstream + "/never", "background": 1}),
                            host="fetcher.test")
        time.sleep(1.7)
        result = self.fetch("", result=1)
        self.assertEqual(result, {"name": "TypeError", "error": "fetch %s/never: no response within 1.5 s"
                                  % (self.upstream,)})

    def test_subrequestCap(self):
        """
        The app's subrequests limit (2 here) caps the fetches of one request, also
        after an await.
        """
        results = self.fetch(self.upstream + "/echo", host="capped.test", times=3)
        self.assertEqual([r.get("status") for r in results[:2]], [200, 200])
        self.assertEqual(results[2]["name"], "TypeError")
        self.assertIn("too many subrequests", results[2]["error"])

    def test_dataURL(self):
        """
        data: URLs work without any egress rule.
        """
        result = self.fetch("data:text/plain;base64,aGVsbG8=", host="strict.test")
        self.assertEqual((result["status"], result["text"]), (200, "hello"))

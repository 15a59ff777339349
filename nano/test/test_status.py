"""
Tests for L{nano.status}: the snapshot of real apps (on fake isolates), and the
page rendered from a snapshot, parsed back with the standard library's HTML parser.
"""

import html.parser
import os
import tempfile

from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase
from twisted.web.template import flattenString

from nano.app import App
from nano.config import singleAppConfig
from nano.metrics import AppStats
from nano.status import StatusElement, _duration, statusSnapshot
from nano.testing import FakeIsolate


class _Page(html.parser.HTMLParser):
    """
    A parsed page: its start tags C{[(tag, {attr: value})]}, its text and the
    cells of each C{<tr>} (each element boundary a space, whitespace collapsed).
    """

    def __init__(self, text):
        html.parser.HTMLParser.__init__(self)
        self.tags = []
        self.rows = []
        self._chunks = []
        self._cell = None
        self.feed(text)
        self.text = " ".join("".join(self._chunks).split())

    def handle_starttag(self, tag, attrs):
        self.handle_data(" ")
        self.tags.append((tag, dict(attrs)))
        if tag == "tr":
            self.rows.append((dict(attrs).get("class"), []))
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        self.handle_data(" ")
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1][1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        self._chunks.append(data)
        if self._cell is not None:
            self._cell.append(data)

    def row(self, name):
        """
        The cells of the app row whose first cell is C{name}.
        """
        return next(cells for cls, cells in self.rows if cls and "app" in cls.split() and cells[0] == name)


def _app(name="a", hostnames=("a.test",), state="ready", requests=0, errors=0, inflight=0, starts=1,
         lastReset=None, loadError=None):
    return {"name": name, "hostnames": list(hostnames), "state": state, "requests": requests, "errors": errors,
            "inflight": inflight, "heap_bytes": None, "isolate_starts": starts, "last_reset": lastReset,
            "load_error": loadError}


def _snapshot(apps, state="serving", now=1_000_000.0, uptime=0.0):
    states = {}
    for app in apps:
        states[app["state"]] = states.get(app["state"], 0) + 1
    totals = {key: sum(app[key] for app in apps) for key in ("requests", "errors", "inflight", "isolate_starts")}
    totals.update(apps=len(apps), states=states)
    return {"state": state, "now": now, "uptime_s": uptime, "apps": apps, "totals": totals}


def render(snapshot, refresh=5):
    """
    The page for C{snapshot}, as text (the flattening is synchronous).
    """
    out = []
    flattenString(None, StatusElement(snapshot, refresh)).addCallbacks(out.append, out.append)
    if not isinstance(out[0], bytes):
        out[0].raiseException()
    return out[0].decode("utf-8")


class SnapshotTests(SynchronousTestCase):
    """
    L{statusSnapshot} reads apps, their stats, the server state and the clock.
    """

    def setUp(self):
        directory = os.path.join(tempfile.mkdtemp(prefix="nano-test-"), "app")
        os.makedirs(directory)
        with open(os.path.join(directory, "index.js"), "w") as f:
            f.write("export default {fetch() {}}\n")
        self.clock = Clock()
        self.clock.advance(5000)
        self.isolates = []

        def factory(*args, **kw):
            isolate = FakeIsolate(*args, **kw)
            self.isolates.append(isolate)
            return isolate

        self.stats = AppStats()
        self.app = App(self.clock, singleAppConfig(directory).apps[0], isolateFactory=factory, stats=self.stats)
        self.successResultOf(self.app.start())

    def test_app(self):
        """
        Each app row has the app's counters, its isolate starts over every reason,
        the last reset with its time, and no heap figure yet.
        """
        self.app.requestStarted()
        self.app.requestFinished(500)
        self.app.requestStarted()
        self.stats.isolateStarted("recycle")
        self.clock.advance(10)
        self.isolates[0].onReset("memory")
        snapshot = statusSnapshot([self.app], False, 5030.0, 4000.0)
        [row] = snapshot["apps"]
        self.assertEqual(row, {
            "name": self.app.name, "hostnames": [], "state": "ready", "requests": 2, "errors": 1, "inflight": 1,
            "heap_bytes": None, "isolate_starts": 2, "last_reset": ("memory", 5010.0), "load_error": None})
        self.assertEqual((snapshot["state"], snapshot["now"], snapshot["uptime_s"]), ("serving", 5030.0, 1030.0))
        self.assertEqual(snapshot["totals"], {"apps": 1, "states": {"ready": 1}, "requests": 2, "errors": 1,
                                              "inflight": 1, "isolate_starts": 2})

    def test_draining(self):
        """
        Once shutdown began the server state is C{"draining"}.
        """
        self.assertEqual(statusSnapshot([self.app], True, 1.0, 0.0)["state"], "draining")

    def test_noApps(self):
        """
        Without apps the totals are zero.
        """
        snapshot = statusSnapshot([], False, 1.0, 0.0)
        self.assertEqual(snapshot["apps"], [])
        self.assertEqual(snapshot["totals"], {"apps": 0, "states": {}, "requests": 0, "errors": 0, "inflight": 0,
                                              "isolate_starts": 0})


class ElementTests(SynchronousTestCase):
    """
    L{StatusElement} shows the snapshot, escapes every string and fetches nothing.
    """

    def test_content(self):
        """
        The server state, uptime and totals head the page; each app has a row with
        its state, hostnames, counters, heap (n/a), isolate starts and last reset
        (kind and age); the footer has the update time.
        """
        page = _Page(render(_snapshot([
            _app("api", ("api.example.com", "*.api.example.com"), requests=1234567, errors=3, inflight=2, starts=4,
                 lastReset=("cpu", 1_000_000.0 - 75)),
            _app("blog", (), state="idle", starts=0),
        ], uptime=3 * 86400 + 7200 + 5)))
        self.assertIn("NANO status serving", page.text)
        self.assertIn("Uptime 3 d 2 h", page.text)
        self.assertIn("Apps 2 (1 idle, 1 ready)", page.text)
        self.assertIn("Requests 1,234,567", page.text)
        self.assertIn("Errors (5xx) 3", page.text)
        self.assertIn("In flight 2", page.text)
        self.assertEqual(page.row("api"), ["api", "ready", "api.example.com *.api.example.com", "1,234,567", "3", "2",
                                           "n/a", "4", "cpu 1 min 15 s ago"])
        self.assertEqual(page.row("blog"), ["blog", "idle", "none", "0", "0", "0", "n/a", "0", "never"])
        self.assertIn(["All apps", "1,234,567", "3", "2", "", "4", ""], [cells for _, cells in page.rows])
        self.assertIn("Updated 1970-01-12T13:46:40Z", page.text)
        times = [attrs for tag, attrs in page.tags if tag == "time"]
        self.assertEqual(times[0]["datetime"], "1970-01-12T13:45:25Z")

    def test_title(self):
        """
        The title names the server state.
        """
        text = render(_snapshot([], state="draining"))
        self.assertIn("<title>NANO status: draining</title>", text)
        self.assertIn("No apps are configured.", _Page(text).text)

    def test_refresh(self):
        """
        The page reloads itself with a meta refresh after the given seconds.
        """
        page = _Page(render(_snapshot([]), refresh=7))
        refresh = [attrs for tag, attrs in page.tags if tag == "meta" and attrs.get("http-equiv") == "refresh"]
        self.assertEqual(refresh, [{"http-equiv": "refresh", "content": "7"}])

    def test_loadError(self):
        """
        A failed app's load error is shown in a row under the app.
        """
        page = _Page(render(_snapshot([_app("bad", state="failed", starts=0,
                                            loadError="index.js:3:7: SyntaxError: Unexpected token")])))
        self.assertIn(("load-error", ["", "index.js:3:7: SyntaxError: Unexpected token"]), page.rows)

    def test_escaped(self):
        """
        Markup in an app name, a hostname or a load error is shown as text: no
        element, attribute or entity of it reaches the page.
        """
        evil = '<script>alert("x")</script>&amp;<img src=x onerror=alert(1)>'
        text = render(_snapshot([_app(evil, (evil, "ok.test"), state="failed", loadError=evil)]))
        page = _Page(text)
        self.assertEqual({tag for tag, _ in page.tags} & {"script", "img"}, set())
        self.assertFalse(any("onerror" in attrs for _, attrs in page.tags))
        self.assertEqual(page.row(evil)[0], evil)
        self.assertEqual(page.row(evil)[2], evil + " ok.test")
        self.assertIn(("load-error", ["", evil]), page.rows)
        self.assertIn("&lt;script&gt;alert(\"x\")&lt;/script&gt;&amp;amp;&lt;img", text)

    def test_selfContained(self):
        """
        Nothing on the page loads anything: no script, stylesheet link, image or
        other element with a C{src} or C{href}; the CSS is inline, intact (the
        flattener escapes text, so it has no C{<}, C{>} or C{&}).
        """
        text = render(_snapshot([_app()]))
        page = _Page(text)
        self.assertEqual([tag for tag, _ in page.tags if tag in ("script", "link", "img", "iframe", "object")], [])
        self.assertEqual([attrs for _, attrs in page.tags if "src" in attrs or "href" in attrs], [])
        style = text[text.index("<style>") + len("<style>"):text.index("</style>")]
        self.assertNotIn("&", style)
        self.assertNotIn("url(", style)


class DurationTests(SynchronousTestCase):
    """
    L{_duration} writes ages and uptimes with their two largest units.
    """

    def test_units(self):
        """
        Seconds, minutes, hours and days; negative times (clock steps) are 0 s.
        """
        self.assertEqual([_duration(s) for s in (-3, 0, 59.9, 61, 3600, 3 * 3600 + 125, 86400 * 2 + 3600 * 5)],
                         ["0 s", "0 s", "59 s", "1 min 1 s", "1 h 0 min", "3 h 2 min", "2 d 5 h"])

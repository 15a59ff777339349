"""
Tests for bench.charts: the SVG is well-formed and shows the figures.
"""

import json
import os
import tempfile
import xml.etree.ElementTree as ElementTree

from twisted.trial.unittest import SynchronousTestCase

from bench.charts import HERE, barChart, chartsFromDocument, chartsFromHistory, loadDocument, loadHistory, main
from bench.suite_report import failedCell, summariseCell
from bench.test_suite_report import document, run

SVG = "{http://www.w3.org/2000/svg}"


def texts(svg):
    root = ElementTree.fromstring(svg)
    return [element.text for element in root.iter(SVG + "text")]


class BarChartTests(SynchronousTestCase):
    def test_wellFormed(self):
        """
        The chart parses as XML, its root is an SVG element, and each value has a
        bar and a label with the formatted figure.
        """
        svg = barChart("Title", "sub", [("group", [("a", 10.0, "#000"), ("b", 5.0, "#111")])],
                       lambda v: "%.1f x" % (v,))
        root = ElementTree.fromstring(svg)
        self.assertEqual(root.tag, SVG + "svg")
        bars = [r for r in root.iter(SVG + "rect") if r.find(SVG + "title") is not None]
        self.assertEqual([float(r.get("width")) for r in bars], [360.0, 180.0])
        self.assertIn("10.0 x", texts(svg))
        self.assertIn("5.0 x", texts(svg))

    def test_escaped(self):
        """
        Labels with markup characters stay text.
        """
        svg = barChart("<b>&", "sub", [("g<", [("a&b", 1.0, "#000")])], str)
        self.assertIn("<b>&", texts(svg))
        self.assertIn("a&b", texts(svg))

    def test_missing(self):
        """
        A value given as a string is written as that text, without a bar.
        """
        svg = barChart("T", "s", [("g", [("a", "failed", "#000")])], str)
        root = ElementTree.fromstring(svg)
        self.assertEqual([r for r in root.iter(SVG + "rect") if r.find(SVG + "title") is not None], [])
        self.assertIn("failed", texts(svg))


class ChartsFromDocumentTests(SynchronousTestCase):
    def setUp(self):
        self.doc = document({
            "nano": {"hello50": summariseCell([run(19678.0, p99=3.91)]), "hello10": summariseCell([run(11000.0)]),
                     "json": summariseCell([run(15000.0)]), "echo": summariseCell([run(1251.0)]),
                     "stream": failedCell("HTTP 500")},
            "workerd": {"hello50": summariseCell([run(20708.0, p99=98.54)]),
                        "stream": summariseCell([run(868.0, mibps=880.6)])},
            "plain": {"hello50": summariseCell([run(20416.0)]), "stream": summariseCell([run(1683.0, mibps=1689.6)])},
        })

    def test_figures(self):
        """
        rps.svg, p99.svg and stream.svg are well-formed and contain the medians of
        NANO, workerd and plain twisted.web; a failed cell says so.
        """
        charts = chartsFromDocument(self.doc)
        self.assertEqual(sorted(charts), ["p99.svg", "rps.svg", "stream.svg"])
        rps, p99, stream = texts(charts["rps.svg"]), texts(charts["p99.svg"]), texts(charts["stream.svg"])
        for figure in ("19,678 req/s", "20,708 req/s", "20,416 req/s", "1,251 req/s"):
            self.assertIn(figure, rps)
        self.assertIn("3.91 ms", p99)
        self.assertIn("98.54 ms", p99)
        self.assertIn("881 MiB/s", stream)
        self.assertIn("1,690 MiB/s", stream)
        self.assertIn("failed", stream)
        for name in ("NANO", "workerd", "plain twisted.web"):
            self.assertIn(name, rps)

    def test_history(self):
        """
        From a history array, the newest entry is drawn.
        """
        older = json.loads(json.dumps(self.doc))
        older["results"]["nano"]["hello50"]["rps"] = 1.0
        path = os.path.join(tempfile.mkdtemp(), "results.json")
        self.addCleanup(os.remove, path)
        with open(path, "w") as f:
            json.dump([older, self.doc], f)
        self.assertIn("19,678 req/s", texts(chartsFromDocument(loadDocument(path))["rps.svg"]))

    def test_newestComplete(self):
        """
        By default the newest entry that measured every cell is drawn, not a newer
        run of some cells only; --entry picks any entry.
        """
        partial = json.loads(json.dumps(self.doc))
        partial["cells"] = [c for c in partial["cells"] if c["id"] == "stream"]
        path = os.path.join(tempfile.mkdtemp(), "results.json")
        self.addCleanup(os.remove, path)
        with open(path, "w") as f:
            json.dump([self.doc, partial], f)
        self.assertEqual(len(loadDocument(path)["cells"]), 5)
        self.assertEqual(len(loadDocument(path, -1)["cells"]), 1)
        self.assertIn("no entry 2 (the history has 2)", str(self.assertRaises(ValueError, loadDocument, path, 2)))

    def test_badInput(self):
        """
        An empty history or a document of another shape is refused with a clear error.
        """
        path = os.path.join(tempfile.mkdtemp(), "results.json")
        self.addCleanup(os.remove, path)
        for content, message in (([], "history is empty"), ({"a": 1}, "expected a bench/suite.py results")):
            with open(path, "w") as f:
                json.dump(content, f)
            self.assertIn(message, str(self.assertRaises(ValueError, loadDocument, path)))


class HistoryTests(SynchronousTestCase):
    """
    From a history, each chart shows the newest run that measured its cells.
    """

    def setUp(self):
        self.full = document({
            "nano": {"hello50": summariseCell([run(100.0)]), "hello10": summariseCell([run(90.0)]),
                     "json": summariseCell([run(80.0)]), "echo": summariseCell([run(70.0)]),
                     "stream": summariseCell([run(10.0, mibps=11.0)])},
        })
        self.streamOnly = document({"nano": {"stream": summariseCell([run(20.0, mibps=22.0)])}})
        self.streamOnly["cells"] = [c for c in self.streamOnly["cells"] if c["id"] == "stream"]
        self.streamOnly["time"] = "2026-12-01T03:30:00+00:00"
        self.streamOnly["versions"]["nano"] = "abc1234"

    def test_perChart(self):
        """
        A later run of /stream alone updates the streaming chart only; each
        subtitle names its run's time (UTC) and NANO commit.
        """
        charts = chartsFromHistory([self.full, self.streamOnly])
        self.assertIn("100 req/s", texts(charts["rps.svg"]))
        self.assertIn("22 MiB/s", texts(charts["stream.svg"]))
        self.assertNotIn("11 MiB/s", texts(charts["stream.svg"]))
        self.assertTrue(any(t.startswith("2026-12-01 03:30 UTC · nano abc1234 · 2 cores")
                            for t in texts(charts["stream.svg"])), texts(charts["stream.svg"]))
        self.assertTrue(any(t.startswith("2026-12-01 02:00 UTC") for t in texts(charts["rps.svg"])))

    def test_newerFull(self):
        """
        A newer full run replaces every chart.
        """
        newer = json.loads(json.dumps(self.full))
        newer["results"]["nano"]["stream"]["mibps"] = 33.0
        charts = chartsFromHistory([self.full, self.streamOnly, newer])
        self.assertIn("33 MiB/s", texts(charts["stream.svg"]))

    def test_neverMeasured(self):
        """
        A chart whose cells no run measured is drawn from the newest run and says
        so; an empty history is refused.
        """
        charts = chartsFromHistory([self.streamOnly])
        self.assertIn("not measured in this run", texts(charts["rps.svg"]))
        self.assertRaises(ValueError, chartsFromHistory, [])

    def test_loadHistory(self):
        """
        A history array is read as is; a single document as a history of one;
        another shape is refused.
        """
        path = os.path.join(tempfile.mkdtemp(), "results.json")
        self.addCleanup(os.remove, path)
        for content, count in (([self.full, self.streamOnly], 2), (self.full, 1)):
            with open(path, "w") as f:
                json.dump(content, f)
            self.assertEqual(len(loadHistory(path)), count)
        for content, message in (([], "history is empty"), ([self.full, 3], "expected a bench/suite.py results")):
            with open(path, "w") as f:
                json.dump(content, f)
            self.assertIn(message, str(self.assertRaises(ValueError, loadHistory, path)))


class CommittedResultsTests(SynchronousTestCase):
    """
    The committed bench/results.json, which the docs build draws its charts from
    (docs/package.json's prebuild runs C{bench/charts.py --out public/bench}).
    """

    def test_draws(self):
        """
        C{main} writes the three charts, well-formed, each with NANO, workerd and
        plain twisted.web measured (a bar each) in the run it shows.
        """
        out = tempfile.mkdtemp()
        main(["--input", os.path.join(HERE, "results.json"), "--out", out])
        self.assertEqual(sorted(os.listdir(out)), ["p99.svg", "rps.svg", "stream.svg"])
        for name in os.listdir(out):
            with open(os.path.join(out, name), encoding="utf-8") as f:
                svg = f.read()
            root = ElementTree.fromstring(svg)
            bars = [r.find(SVG + "title").text for r in root.iter(SVG + "rect") if r.find(SVG + "title") is not None]
            for server in ("NANO", "workerd", "plain twisted.web"):
                self.assertTrue(any(", %s: " % (server,) in bar for bar in bars), (name, server, bars))
            os.remove(os.path.join(out, name))
        os.rmdir(out)

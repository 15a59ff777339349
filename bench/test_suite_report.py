"""
Tests for bench.suite_report: summaries, ratios, the printed and recorded text, the
committed history.
"""

import json
import os
import tempfile

from twisted.trial.unittest import SynchronousTestCase

from bench.suite_report import (appendHistory, failedCell, loadHistory, ratios, renderEntry, renderTable,
                                summariseCell)


def run(rps, p99=3.0, requests=None, serverCPU=0.5, wrkCPU=0.1, non2xx=0, socketErrors=0, mibps=2.0):
    """
    One run as bench/suite.py records it.
    """
    return {"rps": rps, "p50": p99 / 2, "p99": p99, "mibps": mibps, "seconds": 10.0,
            "requests": int(rps * 10) if requests is None else requests,
            "non2xx": non2xx, "socketErrors": socketErrors, "wrkCPU": wrkCPU, "serverCPU": serverCPU}


def document(results, servers=("plain", "workerd", "nano")):
    """
    A results document with the suite's cells and the given summaries.
    """
    labels = {"plain": "plain twisted.web", "workerd": "workerd", "nano": "NANO", "nano-log": "NANO, access log on"}
    doc = {
        "date": "2026-12-01", "time": "2026-12-01T02:00:00+00:00", "command": "python bench/suite.py --record",
        "settings": {"runs": 3, "duration": 10, "warmup": 2, "threads": 2, "echo_bytes": 65536,
                     "stream_bytes": 1048576},
        "machine": {"platform": "Linux-test", "cpus": 2, "cpu_model": "Test CPU", "memory_gib": 24.0,
                    "load_start": "0.50", "load_end": "0.70"},
        "versions": {"python": "3.11.7", "nano": "abc1234", "twisted": "26.10.0", "mini-racer": "0.14.1",
                     "wrk": "4.1.0", "workerd": "2026-11-17 (npm workerd@1.20261117.1)"},
        "servers": [{"name": name, "label": labels[name], "error": None} for name in servers],
        "cells": [
            {"id": "hello50", "label": "hello", "method": "GET", "path": "/", "connections": 50},
            {"id": "hello10", "label": "hello", "method": "GET", "path": "/", "connections": 10},
            {"id": "json", "label": "JSON", "method": "GET", "path": "/json", "connections": 50},
            {"id": "stream", "label": "stream 1 MiB", "method": "GET", "path": "/stream", "connections": 50},
            {"id": "echo", "label": "echo 64 KiB", "method": "POST", "path": "/echo", "connections": 50},
        ],
        "results": results,
    }
    doc["ratios"] = ratios(doc)
    return doc


def byId(doc):
    return {r["id"]: r["value"] for r in doc["ratios"]}


class SummariseCellTests(SynchronousTestCase):
    def test_medians(self):
        """
        req/s, latencies and MiB/s are the medians of the runs.
        """
        summary = summariseCell([run(100.0, p99=9.0), run(300.0, p99=1.0), run(200.0, p99=5.0)])
        self.assertEqual((summary["rps"], summary["p99"], summary["p50"]), (200.0, 5.0, 2.5))
        self.assertIsNone(summary["failed"])
        self.assertEqual(len(summary["runs"]), 3)

    def test_cpuPerRequest(self):
        """
        CPU per request is the total CPU over the total requests, in microseconds,
        for the server and for wrk.
        """
        summary = summariseCell([run(100.0, requests=1000, serverCPU=0.05, wrkCPU=0.01),
                                 run(100.0, requests=3000, serverCPU=0.15, wrkCPU=0.01)])
        self.assertAlmostEqual(summary["server_cpu_us"], 50.0)
        self.assertAlmostEqual(summary["wrk_cpu_us"], 5.0)
        self.assertEqual(summary["requests"], 4000)

    def test_non2xxFails(self):
        """
        A single non-2xx response fails the cell, and says how many.
        """
        summary = summariseCell([run(100.0, requests=1000), run(100.0, requests=1000, non2xx=1)])
        self.assertEqual(summary["failed"], "1 non-2xx responses in 2000 requests")

    def test_socketErrors(self):
        """
        Socket errors up to 0.1% of the requests are tolerated (and counted); more
        fail the cell, with their kinds per run when known.
        """
        self.assertIsNone(summariseCell([run(100.0, requests=10000, socketErrors=10)])["failed"])
        summary = summariseCell([run(100.0, requests=10000, socketErrors=11)])
        self.assertEqual(summary["failed"], "11 socket errors in 10000 requests")
        errors = dict(run(100.0, requests=10000, socketErrors=50), socketErrorKinds="timeout 50")
        summary = summariseCell([run(100.0, requests=10000), errors])
        self.assertEqual(summary["failed"], "50 socket errors in 20000 requests (run 2: timeout 50)")


class RatiosTests(SynchronousTestCase):
    def test_targets(self):
        """
        NANO against workerd and plain twisted.web for hello req/s, /stream MiB/s and
        server CPU per request, /json and /echo relative to hello per server, and
        access log on/off.
        """
        doc = document({
            "nano": {"hello50": summariseCell([run(800.0)]), "stream": summariseCell([run(5.0, mibps=300.0)]),
                     "json": summariseCell([run(400.0)]), "echo": summariseCell([run(200.0)])},
            "workerd": {"hello50": summariseCell([run(1000.0)]), "stream": summariseCell([run(5.0, mibps=600.0)])},
            "plain": {"hello50": summariseCell([run(1600.0)])},
            "nano-log": {"hello50": summariseCell([run(600.0)])},
        })
        values = byId(doc)
        self.assertEqual(values["hello50_nano_workerd"], 0.8)
        self.assertEqual(values["hello50_nano_plain"], 0.5)
        self.assertEqual(values["stream_nano_workerd"], 0.5)
        self.assertEqual(values["json_over_hello_nano"], 0.5)
        self.assertEqual(values["echo_over_hello_nano"], 0.25)
        self.assertEqual(values["hello50_nanolog_nano"], 0.75)
        # The same CPU seconds over 8,000 requests against 10,000.
        self.assertAlmostEqual(values["hello50_cpu_nano_workerd"], 1.25)
        self.assertIsNone(values["hello10_nano_workerd"])
        self.assertIsNone(values["echo_over_hello_workerd"])

    def test_failedSide(self):
        """
        A ratio with a failed side is None, not a figure.
        """
        doc = document({"nano": {"stream": failedCell("HTTP 500: ReferenceError")},
                        "workerd": {"stream": summariseCell([run(5.0, mibps=600.0)])}})
        self.assertIsNone(byId(doc)["stream_nano_workerd"])


class RenderTests(SynchronousTestCase):
    def setUp(self):
        self.doc = document({
            "nano": {"hello50": summariseCell([run(19678.0, p99=3.91)]),
                     "stream": failedCell("HTTP 500: ReferenceError: ReadableStream is not defined")},
            "workerd": {"hello50": summariseCell([run(20708.0)])},
        })

    def test_table(self):
        """
        One row per measured or failed (cell, server), with the figures.
        """
        table = renderTable(self.doc)
        self.assertIn("| GET / | 50 | NANO | 19678 | 1.96 ms | 3.91 ms |", table)
        self.assertIn("| GET /stream | 50 | NANO | failed |", table)
        self.assertNotIn("plain twisted.web |", table)

    def test_entry(self):
        """
        The BENCHMARKS.md entry is dated and names the command, machine, versions,
        the ratios and what failed with its reason.
        """
        entry = renderEntry(self.doc)
        self.assertIn("## Suite: NANO vs workerd vs plain twisted.web, 2026-12-01 02:00 UTC\n", entry)
        self.assertIn("Command: `python bench/suite.py --record`", entry)
        self.assertIn("Linux-test, 2 cores (Test CPU), 24.0 GiB, 1-minute load average 0.50 at start and 0.70", entry)
        self.assertIn("workerd 2026-11-17 (npm workerd@1.20261117.1)", entry)
        self.assertIn("hello, 50 connections: NANO / workerd req/s = **0.95**", entry)
        self.assertIn("NANO GET /stream (50 connections): failed: HTTP 500: ReferenceError", entry)

    def test_subsetHeading(self):
        """
        A run of some cells names them in its heading and lists only their ratios.
        """
        self.doc["cells"] = [c for c in self.doc["cells"] if c["id"] == "stream"]
        self.doc["ratios"] = ratios(self.doc)
        entry = renderEntry(self.doc)
        self.assertIn("## Suite: NANO vs workerd vs plain twisted.web (only stream), 2026-12-01 02:00 UTC", entry)
        self.assertIn("- /stream: NANO / workerd MiB/s = not measured", entry)
        self.assertNotIn("hello", entry)

    def test_slimDocument(self):
        """
        A history entry (no per-run detail) renders the same table.
        """
        slim = json.loads(json.dumps(self.doc))
        for cells in slim["results"].values():
            for summary in cells.values():
                del summary["runs"]
        self.assertEqual(renderTable(slim), renderTable(self.doc))

    def test_serverNotMeasured(self):
        """
        A server that could not be started is listed with the reason.
        """
        self.doc["servers"][1]["error"] = "npm is not installed"
        self.assertIn("- workerd: not measured: npm is not installed", renderEntry(self.doc))


class HistoryTests(SynchronousTestCase):
    def test_append(self):
        """
        Each recorded run is appended to the JSON array, without the per-run detail.
        """
        path = os.path.join(tempfile.mkdtemp(), "results.json")
        self.addCleanup(os.remove, path)
        doc = document({"nano": {"hello50": summariseCell([run(100.0), run(200.0)])}})
        appendHistory(path, doc)
        appendHistory(path, doc)
        history = loadHistory(path)
        self.assertEqual(len(history), 2)
        self.assertEqual(history[1]["results"]["nano"]["hello50"]["rps"], 150.0)
        self.assertNotIn("runs", history[1]["results"]["nano"]["hello50"])

    def test_notAnArray(self):
        """
        A history file that is not a JSON array is refused with a clear error.
        """
        path = os.path.join(tempfile.mkdtemp(), "results.json")
        self.addCleanup(os.remove, path)
        with open(path, "w") as f:
            json.dump({}, f)
        error = self.assertRaises(ValueError, loadHistory, path)
        self.assertIn("expected a JSON array of results, got dict", str(error))

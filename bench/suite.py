"""
NANO against Cloudflare's workerd and a plain twisted.web resource, side by side in
one run, on the same Workers module (bench/apps/suite/index.js; the plain baseline
is bench/plain_suite.py): hello text, a small Response.json, 1 MiB streamed from a
pull ReadableStream, and a 64 KiB POST echo.

Usage: python bench/suite.py [--runs 3] [--duration 10] [--record]
                             [--servers plain,workerd,nano,nano-log] [--cells ...]

Needs wrk; workerd is installed with npm into a temporary directory for the run
(if that fails the suite says so and measures the rest). Rounds are interleaved
(plain, workerd, NANO, plain, ...) so machine noise hits every server alike; each
cell is `wrk -t2 -cC -dDs --latency`, median of the runs. Each server's CPU time per
request comes from /proc/PID/stat, wrk's from its rusage. A route a server answers
wrongly is reported as failed for that server and the rest still runs.

Prints a table and the ratios issue 7 targets, writes bench/results/latest.json;
--record also appends a dated entry to BENCHMARKS.md and the run to the committed
bench/results.json (the data bench/charts.py draws the docs' charts from).
"""

import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench import suite_report
from bench.common import HERE, ROOT, ServerError, appendToBenchmarks, freePort
from bench.suite_servers import ECHO_SIZE, STREAM_SIZE, checkRoute, nanoCommand, plainCommand, startTwistd
from bench.suite_workerd import WorkerdUnavailable, startWorkerd
from bench.suite_wrk import WrkError, runWrk, writeEchoScript, wrkVersion

LATEST = os.path.join(HERE, "results", "latest.json")
HISTORY = os.path.join(HERE, "results.json")

CELLS = [
    {"id": "hello50", "label": "hello", "method": "GET", "path": "/", "connections": 50},
    {"id": "hello10", "label": "hello", "method": "GET", "path": "/", "connections": 10},
    {"id": "json", "label": "JSON", "method": "GET", "path": "/json", "connections": 50},
    {"id": "stream", "label": "stream 1 MiB", "method": "GET", "path": "/stream", "connections": 50},
    {"id": "echo", "label": "echo 64 KiB", "method": "POST", "path": "/echo", "connections": 50},
]
SERVERS = {
    "plain": "plain twisted.web",
    "workerd": "workerd",
    "nano": "NANO",
    "nano-log": "NANO, access log on",
}
# The servers measure every cell but this one, which only adds hello at 50 connections.
_ONLY = {"nano-log": {"hello50"}}


def _parseArgs(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="rounds; every figure is the median (default 3)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of wrk per server and route first (default 2)")
    parser.add_argument("--servers", default=",".join(SERVERS),
                        help="comma-separated subset of %s, measured in this order" % (", ".join(SERVERS),))
    parser.add_argument("--cells", default=",".join(c["id"] for c in CELLS),
                        help="comma-separated subset of %s" % (", ".join(c["id"] for c in CELLS),))
    parser.add_argument("--record", action="store_true",
                        help="append the result to BENCHMARKS.md and bench/results.json")
    args = parser.parse_args(argv)
    args.servers = [s for s in args.servers.split(",") if s]
    args.cells = [c for c in args.cells.split(",") if c]
    for name in args.servers:
        if name not in SERVERS:
            parser.error("--servers: unknown server %r (expected some of %s)" % (name, ", ".join(SERVERS)))
    known = {c["id"] for c in CELLS}
    for name in args.cells:
        if name not in known:
            parser.error("--cells: unknown cell %r (expected some of %s)" % (name, ", ".join(sorted(known))))
    if args.runs < 1 or args.duration < 1 or args.warmup < 0:
        parser.error("--runs and --duration must be at least 1, --warmup at least 0")
    return args


def _command(args):
    parts = ["python bench/suite.py", "--runs %d" % args.runs, "--duration %d" % args.duration]
    if args.servers != list(SERVERS):
        parts.append("--servers " + ",".join(args.servers))
    if args.cells != [c["id"] for c in CELLS]:
        parts.append("--cells " + ",".join(args.cells))
    if args.record:
        parts.append("--record")
    return " ".join(parts)


def _git(*args):
    try:
        return subprocess.run(["git", "-C", ROOT] + list(args), capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""


def _machine():
    model = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        kib = int(next(line for line in f if line.startswith("MemTotal")).split()[1])
    return {"platform": platform.platform(), "cpus": os.cpu_count(), "cpu_model": model,
            "memory_gib": round(kib / 1024 ** 2, 1), "load_start": "%.2f" % os.getloadavg()[0]}


def _versions():
    def dist(name):
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return "not installed"
    commit = _git("rev-parse", "--short", "HEAD") or "unknown"
    if _git("status", "--porcelain", "--untracked-files=no"):
        commit += " (with uncommitted changes)"
    return {"python": platform.python_version(), "nano": commit, "twisted": dist("twisted"),
            "mini-racer": dist("mini-racer"), "wrk": wrkVersion()}


def _startNano(name, port, logfile, info, attempts=3):
    """
    Start NANO; a start that dies before listening (a crash seen under load, see
    the report) is retried up to C{attempts} times in all, and each one is noted
    in C{info["startup_failures"]} with the end of its log.
    """
    for attempt in range(attempts):
        try:
            return startTwistd(name, SERVERS[name], nanoCommand(port, logfile, name == "nano-log"), port, logfile)
        except ServerError as e:
            with open(logfile, errors="replace") as f:
                tail = f.read()[-600:]
            info.setdefault("startup_failures", []).append("%s; log ends: %s" % (e, tail))
            print("%s: start %d failed: %s" % (SERVERS[name], attempt + 1, e), flush=True)
            if attempt + 1 == attempts:
                raise


def _startServers(names, logdir, versions, serverInfo):
    """
    Start the named servers; a server that cannot start is noted in serverInfo with
    the reason and left out.
    """
    started = []
    for name in names:
        port = freePort()
        logfile = os.path.join(logdir, name + ".log")
        try:
            if name == "workerd":
                print("installing workerd with npm into a temporary directory ...", flush=True)
                server, versions["workerd"] = startWorkerd(port, logfile)
            elif name == "plain":
                server = startTwistd(name, SERVERS[name], plainCommand(logfile), port, logfile,
                                     env={"PLAIN_PORT": str(port), "PLAIN_ACCESS_LOG": "0"})
            else:
                server = _startNano(name, port, logfile, serverInfo[name])
        except (WorkerdUnavailable, ServerError) as e:
            print("%s: not measured: %s" % (SERVERS[name], e), flush=True)
            serverInfo[name]["error"] = str(e)
            continue
        started.append(server)
    return started


def _cellsFor(server, cells):
    return [c for c in cells if c["id"] in _ONLY.get(server.name, {c["id"]})]


def _wrk(server, cell, duration, echoScript):
    return runWrk(server.url(cell["path"]), duration, cell["connections"],
                  script=echoScript if cell["method"] == "POST" else None)


def _measure(servers, cells, args, echoScript):
    """
    Check every route once, warm up, then run the interleaved rounds.  Returns
    {server: {cell: [run, ...]}} and {server: {cell: reason}} for what failed.
    """
    runs = {s.name: {c["id"]: [] for c in _cellsFor(s, cells)} for s in servers}
    failed = {s.name: {} for s in servers}
    for server in servers:
        for cell in _cellsFor(server, cells):
            problem = checkRoute(server.port, cell["path"])
            if problem is not None:
                failed[server.name][cell["id"]] = problem
                print("%s %s %s: failed: %s" % (server.label, cell["method"], cell["path"], problem), flush=True)
        if args.warmup:
            # One warm-up per route (hello at 50 and at 10 connections share one).
            onePerRoute = {c["path"]: c for c in _cellsFor(server, cells) if c["id"] not in failed[server.name]}
            for cell in onePerRoute.values():
                try:
                    _wrk(server, cell, args.warmup, echoScript)
                except WrkError as e:
                    print("%s warm-up %s: %s" % (server.label, cell["path"], e), flush=True)
    for round in range(args.runs):
        for cell in cells:
            for server in servers:
                if cell["id"] not in runs[server.name] or cell["id"] in failed[server.name]:
                    continue
                if not server.alive():
                    failed[server.name][cell["id"]] = "the server exited (log: %s)" % (server.logTail(5).strip(),)
                    continue
                before = server.cpu()
                try:
                    result = _wrk(server, cell, args.duration, echoScript)
                except WrkError as e:
                    failed[server.name][cell["id"]] = str(e)
                    print("round %d %-8s %-12s failed: %s" % (round + 1, cell["id"], server.name, e), flush=True)
                    continue
                run = dict(result.asDict(), serverCPU=server.cpu() - before)
                runs[server.name][cell["id"]].append(run)
                print("round %d %-8s %-9s %8.0f req/s  p50 %7.2f ms  p99 %7.2f ms  %7.1f MiB/s  "
                      "server %4.0f µs/req  wrk %4.0f µs/req  non-2xx %d  errors %d %s" % (
                          round + 1, cell["id"], server.name, run["rps"], run["p50"], run["p99"], run["mibps"],
                          1e6 * run["serverCPU"] / max(run["requests"], 1),
                          1e6 * run["wrkCPU"] / max(run["requests"], 1), run["non2xx"], run["socketErrors"],
                          run["socketErrorKinds"]),
                      flush=True)
    return runs, failed


def main(argv=None):
    args = _parseArgs(argv)
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    now = datetime.datetime.now(datetime.timezone.utc)
    cells = [c for c in CELLS if c["id"] in args.cells]
    versions = _versions()
    serverInfo = {name: {"name": name, "label": SERVERS[name], "error": None} for name in args.servers}
    document = {
        "schema": 1, "date": now.date().isoformat(), "time": now.isoformat(timespec="seconds"),
        "command": _command(args),
        "settings": {"runs": args.runs, "duration": args.duration, "warmup": args.warmup, "threads": 2,
                     "echo_bytes": ECHO_SIZE, "stream_bytes": STREAM_SIZE},
        "machine": _machine(), "versions": versions,
        "servers": [serverInfo[name] for name in args.servers], "cells": cells, "results": {},
    }
    workdir = tempfile.mkdtemp(prefix="nano-bench-suite-")
    echoScript = os.path.join(workdir, "echo.lua")
    writeEchoScript(echoScript, ECHO_SIZE)
    servers = []
    try:
        servers = _startServers(args.servers, workdir, versions, serverInfo)
        runs, failed = _measure(servers, cells, args, echoScript)
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    document["machine"]["load_end"] = "%.2f" % os.getloadavg()[0]
    for server in servers:
        document["results"][server.name] = {
            cellId: (suite_report.failedCell(failed[server.name][cellId])
                     if cellId in failed[server.name] and not cellRuns
                     else dict(suite_report.summariseCell(cellRuns),
                               **({"failed": failed[server.name][cellId]} if cellId in failed[server.name] else {})))
            for cellId, cellRuns in runs[server.name].items()}
    document["ratios"] = suite_report.ratios(document)
    print()
    print(suite_report.renderTable(document))
    print()
    print(suite_report.renderRatios(document))
    os.makedirs(os.path.dirname(LATEST), exist_ok=True)
    with open(LATEST, "w") as f:
        json.dump(document, f, indent=1, ensure_ascii=False)
    print("\nwrote %s" % (os.path.relpath(LATEST, ROOT),))
    if args.record:
        appendToBenchmarks(suite_report.renderEntry(document))
        suite_report.appendHistory(HISTORY, document)
        print("appended to BENCHMARKS.md and %s" % (os.path.relpath(HISTORY, ROOT),))


if __name__ == "__main__":
    main()

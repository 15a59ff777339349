"""
Outbound fetch() throughput and latency: an app makes 1,000 sequential and 200
concurrent fetch() calls to a local twisted.web upstream, beside the same calls made
directly from Python with treq (one HTTPClient, a persistent pool) to the same
upstream. Each side runs in its own process (twistd nano; a plain Python process for
treq); the upstream is a third process (nano.test.fetch_upstream, path /ok: "ok").

Usage: python bench/fetch.py [--runs 3] [--sequential 1000] [--concurrent 200] [--record]

Reports, per mode, calls per second (calls / total wall time of the batch) and p50/p99
of one call's round trip (request sent to body read). The app measures with Date.now()
(1 ms resolution); treq with time.perf_counter(). --record appends a dated entry to
BENCHMARKS.md.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.request

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import (HERE, freePort, listenOn, recordEntry, startNanoConfig, startUpstream, stopProcess,
                          waitForPort)

_TREQ_CLIENT = r"""
import json, sys, time
from twisted.internet import defer, task
from twisted.web.client import Agent, HTTPConnectionPool
from treq.client import HTTPClient

def main(reactor, url, mode, n):
    pool = HTTPConnectionPool(reactor, persistent=True)
    pool.maxPersistentPerHost = 16
    client = HTTPClient(Agent(reactor, pool=pool))

    @defer.inlineCallbacks
    def one():
        start = time.perf_counter()
        response = yield client.get(url, reactor=reactor)
        yield response.content()
        return (time.perf_counter() - start) * 1000.0

    @defer.inlineCallbacks
    def run():
        begin = time.perf_counter()
        if mode == "seq":
            times = []
            for _ in range(n):
                times.append((yield one()))
        else:
            times = yield defer.gatherResults([one() for _ in range(n)])
        total = (time.perf_counter() - begin) * 1000.0
        yield pool.closeCachedConnections()
        sys.stdout.write(json.dumps({"total_ms": total, "times": times}) + "\n")
    return run()

task.react(main, [sys.argv[1], sys.argv[2], int(sys.argv[3])])
"""


def startNano(directory, port):
    shutil.copytree(os.path.join(HERE, "apps", "fetch"), os.path.join(directory, "app"))
    return startNanoConfig(directory, {
        "listen": [listenOn(port)], "admin": None,
        "egress": {"allow": ["127.0.0.1"]},
        "apps": [{"name": "fetch", "hostnames": [], "path": "app",
                  "limits": {"subrequests": 10000, "timeout_ms": 120000}}],
        "default_app": "fetch",
    })


def viaNano(port, upstream, mode, n):
    url = "http://127.0.0.1:%d/%s?n=%d&u=%s" % (port, mode, n, upstream)
    with urllib.request.urlopen(url, timeout=300) as response:
        return json.loads(response.read())


def viaTreq(upstream, mode, n):
    out = subprocess.run([sys.executable, "-c", _TREQ_CLIENT, upstream, mode, str(n)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def summary(result):
    times = result["times"]
    return {"rate": len(times) / (result["total_ms"] / 1000.0), "p50": percentile(times, 0.5),
            "p99": percentile(times, 0.99)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sequential", type=int, default=1000)
    parser.add_argument("--concurrent", type=int, default=200)
    parser.add_argument("--record", action="store_true", help="append the result to BENCHMARKS.md")
    args = parser.parse_args()
    directory = tempfile.mkdtemp(prefix="nano-bench-fetch-")
    port = freePort()
    upstream, upstreamPort = startUpstream()
    url = "http://127.0.0.1:%d/ok" % (upstreamPort,)
    nano = startNano(directory, port)
    modes = (("seq", args.sequential), ("conc", args.concurrent))
    results = {(side, mode): [] for side in ("nano", "treq") for mode, _ in modes}
    try:
        waitForPort(port)
        viaNano(port, url, "conc", 50)  # warm-up (connections, JIT)
        for run in range(args.runs):
            for mode, n in modes:
                for side, fn in (("treq", lambda: viaTreq(url, mode, n)), ("nano", lambda: viaNano(port, url, mode, n))):
                    s = summary(fn())
                    results[(side, mode)].append(s)
                    print("run %d %-4s %-4s %8.0f calls/s  p50 %6.2f ms  p99 %6.2f ms" % (
                        run + 1, side, mode, s["rate"], s["p50"], s["p99"]), flush=True)
    finally:
        stopProcess(nano)
        stopProcess(upstream, 10)
        shutil.rmtree(directory, ignore_errors=True)
    rows = []
    for mode, n in modes:
        for side in ("treq", "nano"):
            runs = results[(side, mode)]
            rows.append((mode, n, side, statistics.median(r["rate"] for r in runs),
                         statistics.median(r["p50"] for r in runs), statistics.median(r["p99"] for r in runs)))
    table = ["| calls | client | calls/s (median of %d) | p50 | p99 |" % (args.runs,), "| --- | --- | ---: | ---: | ---: |"]
    for mode, n, side, rate, p50, p99 in rows:
        label = "%d sequential" % n if mode == "seq" else "%d concurrent" % n
        who = "treq from Python" if side == "treq" else "fetch() in an app"
        table.append("| %s | %s | %.0f | %.2f ms | %.2f ms |" % (label, who, rate, p50, p99))
    print("\n".join(table))
    if args.record:
        recordEntry("Outbound fetch()", "python bench/fetch.py --runs %d --sequential %d --concurrent %d"
                    % (args.runs, args.sequential, args.concurrent),
                    "upstream: `nano.test.fetch_upstream` /ok, one process; NANO under twistd with the access log "
                    "off; the treq side is one Python process with a persistent pool of 16 per host, like NANO's "
                    "per-app pool", table)


if __name__ == "__main__":
    main()

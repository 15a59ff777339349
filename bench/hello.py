"""
Hello-world throughput: NANO serving a one-line `new Response('Hello World')` app
against a plain twisted.web resource returning the same bytes, side by side in one
run (interleaved, so machine noise hits both alike).

Usage: python bench/hello.py [--runs 3] [--duration 10] [--connections 50] [--record]

Needs wrk. Prints req/s and p50/p99 latency per run, the medians and the ratio;
--record appends a dated entry to BENCHMARKS.md.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import (HERE, cpuSeconds, freePort, listenOn, recordEntry, spawn, stopProcess, twistdCommand,
                          waitForPort)
from bench.suite_wrk import runWrk


def startNano(port, logfile, accessLog):
    """
    twistd nano serving bench/apps/hello on 127.0.0.1:C{port}.
    """
    return spawn(twistdCommand(logfile, "nano", "--app", os.path.join(HERE, "apps", "hello"),
                               "--listen", listenOn(port), *([] if accessLog else ["--no-access-log"])))


def startPlain(port, logfile, accessLog):
    """
    twistd serving bench/plain_server.py (the same bytes from a twisted.web resource).
    """
    return spawn(twistdCommand(logfile, "-y", os.path.join(HERE, "plain_server.py")),
                 env={"PLAIN_PORT": str(port), "PLAIN_ACCESS_LOG": "1" if accessLog else "0"})


def wrk(port, duration, connections):
    """
    C{wrk -t2} against / on 127.0.0.1:C{port}: a L{bench.suite_wrk.WrkResult}.
    """
    return runWrk("http://127.0.0.1:%d/" % (port,), duration, connections)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--record", action="store_true", help="append the result to BENCHMARKS.md")
    parser.add_argument("--access-log", choices=["on", "off"], default="off",
                        help="both servers log one line per request to a twistd log file (on) or not (off)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")

    servers = {}
    nanoPort, plainPort = freePort(), freePort()
    logdir = tempfile.mkdtemp(prefix="nano-bench-")
    accessLog = args.access_log == "on"
    servers["nano"] = (startNano(nanoPort, os.path.join(logdir, "nano.log"), accessLog), nanoPort)
    servers["plain"] = (startPlain(plainPort, os.path.join(logdir, "plain.log"), accessLog), plainPort)
    results = {"nano": [], "plain": []}
    cpu = {"nano": 0.0, "plain": 0.0}
    requests = {"nano": 0, "plain": 0}
    try:
        for name, (proc, port) in servers.items():
            waitForPort(port)
            wrk(port, 2, args.connections)  # warm-up
        for i in range(args.runs):
            for name in ("plain", "nano"):
                proc, port = servers[name]
                before = cpuSeconds(proc.pid)
                r = wrk(port, args.duration, args.connections)
                cpu[name] += cpuSeconds(proc.pid) - before
                requests[name] += r.rps * args.duration
                results[name].append(r)
                print("run %d %-5s %9.0f req/s  p50 %6.2f ms  p99 %6.2f ms  non-2xx %d %s" % (
                    i + 1, name, r.rps, r.p50, r.p99, r.non2xx, r.socketErrorKinds), flush=True)
    finally:
        for proc, _ in servers.values():
            stopProcess(proc)
        shutil.rmtree(logdir, ignore_errors=True)

    def median(name, key):
        return statistics.median(getattr(r, key) for r in results[name])

    summary = {}
    for name in ("nano", "plain"):
        summary[name] = {
            "rps": median(name, "rps"), "p50": median(name, "p50"), "p99": median(name, "p99"),
            "cpu_us": 1e6 * cpu[name] / max(requests[name], 1),
        }
    ratio = summary["nano"]["rps"] / summary["plain"]["rps"]
    lines = [
        "| server | req/s (median of %d) | p50 | p99 | server CPU per request |" % args.runs,
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, label in (("plain", "plain twisted.web (epoll)"), ("nano", "NANO hello app")):
        s = summary[name]
        lines.append("| %s | %.0f | %.2f ms | %.2f ms | %.0f µs |" % (label, s["rps"], s["p50"], s["p99"], s["cpu_us"]))
    lines.append("")
    lines.append("NANO / plain twisted.web = **%.2f**" % ratio)
    print("\n".join(lines))
    if args.record:
        command = "python bench/hello.py --runs %d --duration %d --connections %d --access-log %s" % (
            args.runs, args.duration, args.connections, args.access_log)
        recordEntry("Hello world, access log %s" % (args.access_log,), command,
                    "wrk -t2 -c%d -d%ds, interleaved runs, both servers under twistd with --logfile"
                    % (args.connections, args.duration), lines)


if __name__ == "__main__":
    main()

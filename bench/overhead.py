"""
What the CPU/memory watchdog and the metrics cost (issue 5): hello-world req/s of
NANO as shipped against NANO without them (bench/nano_uninstrumented.py), side by
side in one run, interleaved.

Usage: python bench/overhead.py [--runs 3] [--duration 10] [--record]
"""

import argparse
import os
import statistics
import sys
import tempfile

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import (HERE, cpuSeconds, freePort, recordEntry, spawn, stopProcess, twistdCommand, waitForPort)
from bench.hello import startNano, wrk


def startBare(port, logfile):
    return spawn(twistdCommand(logfile, "-y", os.path.join(HERE, "nano_uninstrumented.py")),
                 env={"NANO_APP": os.path.join(HERE, "apps", "hello"), "NANO_PORT": str(port)})


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    logdir = tempfile.mkdtemp(prefix="nano-overhead-")
    ports = {"shipped": freePort(), "bare": freePort()}
    servers = {
        "shipped": startNano(ports["shipped"], os.path.join(logdir, "nano.log"), False),
        "bare": startBare(ports["bare"], os.path.join(logdir, "bare.log")),
    }
    results = {"shipped": [], "bare": []}
    cpu = {"shipped": 0.0, "bare": 0.0}
    requests = {"shipped": 0, "bare": 0}
    try:
        for name, port in ports.items():
            waitForPort(port)
            wrk(port, 2, args.connections)
        for i in range(args.runs):
            for name in ("bare", "shipped"):
                before = cpuSeconds(servers[name].pid)
                r = wrk(ports[name], args.duration, args.connections)
                cpu[name] += cpuSeconds(servers[name].pid) - before
                requests[name] += r.rps * args.duration
                results[name].append(r)
                print("run %d %-8s %8.0f req/s  p99 %6.2f ms" % (i + 1, name, r.rps, r.p99), flush=True)
    finally:
        for proc in servers.values():
            stopProcess(proc)
    rps = {name: statistics.median(r.rps for r in values) for name, values in results.items()}
    lines = [
        "| NANO | req/s (median of %d) | server CPU per request |" % (args.runs,),
        "| --- | ---: | ---: |",
        "| without watchdog and metrics | %.0f | %.0f µs |" % (rps["bare"], 1e6 * cpu["bare"] / requests["bare"]),
        "| as shipped (watchdog, metrics) | %.0f | %.0f µs |" % (
            rps["shipped"], 1e6 * cpu["shipped"] / requests["shipped"]),
        "",
        "Cost of the watchdog and metrics: **%.1f%%** of req/s (%.1f%% of CPU per request)." % (
            100 * (1 - rps["shipped"] / rps["bare"]),
            100 * (cpu["shipped"] / requests["shipped"] / (cpu["bare"] / requests["bare"]) - 1)),
    ]
    print("\n".join(lines))
    if args.record:
        command = "python bench/overhead.py --runs %d --duration %d --connections %d" % (
            args.runs, args.duration, args.connections)
        recordEntry("Watchdog and metrics overhead", command,
                    "hello app, wrk -t2 -c%d, interleaved; both under twistd with no access log" % (args.connections,),
                    lines)


if __name__ == "__main__":
    main()

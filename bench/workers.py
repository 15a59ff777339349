"""
Multi-worker mode (SPEC §10, issue 7): hello-world req/s with one worker against
--workers 2 (shared listening socket, and SO_REUSEPORT sockets), interleaved in one
run, with the CPU split between wrk and the server processes; then a fault run:
SIGKILL one of two workers under load and count what failed.

Usage: python bench/workers.py [--runs 3] [--duration 10] [--connections 50]
                               [--skip-fault] [--record]

Needs wrk. Servers run under twistd with --no-access-log (the access log would be
relayed through the supervisor: that cost is measured separately with
--access-log on). --record appends a dated entry to BENCHMARKS.md.
"""

import argparse
import datetime
import os
import re
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
import urllib.request

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import (HERE, appendToBenchmarks, childCPU, cpuSeconds, freePort, listenOn, machine, spawn,
                          stopProcess, twistdCommand, waitForPort)
from bench.hello import wrk

SETUPS = {
    "1 worker": [],
    "2 workers, shared socket": ["--workers", "2", "--worker-sockets", "shared"],
    "2 workers, SO_REUSEPORT (default)": ["--workers", "2", "--worker-sockets", "reuseport"],
}


def children(pid):
    """
    The direct child process ids of C{pid}.
    """
    pids = []
    try:
        for task in os.listdir("/proc/%d/task" % (pid,)):
            with open("/proc/%d/task/%s/children" % (pid, task)) as f:
                pids.extend(int(p) for p in f.read().split())
    except OSError:
        pass
    return pids


def treeCPU(pid):
    """
    C{{pid: CPU seconds}} of C{pid} and its children.
    """
    out = {}
    for p in [pid] + children(pid):
        try:
            out[p] = cpuSeconds(p)
        except OSError:
            pass
    return out


LOG_FORMAT = ["text"]


def startServer(args, port, adminPort, logfile, accessLog):
    extra = ([] if accessLog else ["--no-access-log"]) + ["--log-format", LOG_FORMAT[0]]
    return spawn(twistdCommand(logfile, "nano", "--app", os.path.join(HERE, "apps", "hello"),
                               "--listen", listenOn(port), "--admin", listenOn(adminPort), *extra, *args))


def waitReady(adminPort, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/readyz" % (adminPort,), timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("not ready on admin port %d" % (adminPort,))


def machineCPU():
    """
    CPU seconds every process of the machine used so far (all cores, from /proc/stat).
    """
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def throughput(args):
    logdir = tempfile.mkdtemp(prefix="nano-bench-workers-")
    servers = {}
    results = {name: [] for name in SETUPS}
    cpu = {name: {"server": 0.0, "wrk": 0.0, "machine": 0.0, "split": []} for name in SETUPS}
    try:
        for name, extra in SETUPS.items():
            port, adminPort = freePort(), freePort()
            proc = startServer(extra, port, adminPort, os.path.join(logdir, "%d.log" % (port,)),
                               args.access_log == "on")
            servers[name] = (proc, port)
            waitForPort(port)
            waitReady(adminPort)
        for name, (proc, port) in servers.items():
            wrk(port, 2, args.connections)  # warm-up
        for i in range(args.runs):
            for name, (proc, port) in servers.items():
                before, wrkBefore, machineBefore = treeCPU(proc.pid), childCPU(), machineCPU()
                r = wrk(port, args.duration, args.connections)
                after, wrkAfter, machineAfter = treeCPU(proc.pid), childCPU(), machineCPU()
                cpu[name]["machine"] += machineAfter - machineBefore
                used = {p: after[p] - before.get(p, 0.0) for p in after}
                cpu[name]["server"] += sum(used.values())
                cpu[name]["wrk"] += wrkAfter - wrkBefore
                cpu[name]["split"].append(sorted((v for p, v in used.items() if p != proc.pid), reverse=True))
                cpu[name]["supervisor"] = cpu[name].get("supervisor", 0.0) + used.get(proc.pid, 0.0)
                results[name].append(r)
                print("run %d %-34s %9.0f req/s  p50 %6.2f ms  p99 %6.2f ms  server CPU %.2f s  wrk CPU %.2f s"
                      "  non-2xx %d %s" % (i + 1, name, r.rps, r.p50, r.p99, sum(used.values()),
                                            wrkAfter - wrkBefore, r.non2xx, r.socketErrorKinds), flush=True)
    finally:
        for proc, _ in servers.values():
            stopProcess(proc, 30)
        shutil.rmtree(logdir, ignore_errors=True)
    total = args.runs * args.duration
    base = statistics.median(r.rps for r in results["1 worker"])
    lines = [
        "| setup | req/s (median of %d) | vs 1 worker | p50 | p99 | server CPU (cores) | wrk CPU (cores) "
        "| everything else (cores) | per-worker CPU split |" % (args.runs,),
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for name in SETUPS:
        rps = statistics.median(r.rps for r in results[name])
        p50 = statistics.median(r.p50 for r in results[name])
        p99 = statistics.median(r.p99 for r in results[name])
        splits = cpu[name]["split"]
        if name == "1 worker":
            split = "-"
        else:
            shares = [" / ".join("%.0f%%" % (100 * v / max(sum(s), 1e-9)) for v in s) for s in splits]
            split = "; ".join(shares) + " (supervisor %.2f cores)" % (cpu[name]["supervisor"] / total,)
        other = cpu[name]["machine"] - cpu[name]["server"] - cpu[name]["wrk"]
        lines.append("| %s | %.0f | %.2fx | %.2f ms | %.2f ms | %.2f | %.2f | %.2f | %s |" % (
            name, rps, rps / base, p50, p99, cpu[name]["server"] / total, cpu[name]["wrk"] / total,
            other / total, split))
    return lines


def faultRun(args, sharing):
    """
    Two workers under wrk; SIGKILL worker 1 a third into the run.
    """
    logdir = tempfile.mkdtemp(prefix="nano-bench-fault-")
    port, adminPort = freePort(), freePort()
    logfile = os.path.join(logdir, "fault.log")
    proc = startServer(["--workers", "2", "--worker-sockets", sharing], port, adminPort, logfile, False)
    try:
        waitForPort(port)
        waitReady(adminPort)
        pids = children(proc.pid)
        victim = max(pids)
        readyAgain = []

        def kill():
            time.sleep(args.duration / 3.0)
            os.kill(victim, signal.SIGKILL)
            killed = time.monotonic()
            time.sleep(0.2)
            waitReady(adminPort, timeout=60)
            readyAgain.append(time.monotonic() - killed)

        killer = threading.Thread(target=kill, daemon=True)
        killer.start()
        r = wrk(port, args.duration, args.connections)
        killer.join(60)
        restarted = [p for p in children(proc.pid) if p not in pids]
        with open(logfile) as f:
            log = f.read()
        restartLine = re.search(r"worker \d exited \(.*\); restarting in [0-9.]+ s", log)
    finally:
        code = stopProcess(proc, 30)
        shutil.rmtree(logdir, ignore_errors=True)
    total = int(r.rps * args.duration)
    return [
        "%s: wrk -t2 -c%d -d%ds against --workers 2 --worker-sockets %s; worker pid %d sent SIGKILL "
        "after %.1f s." % (sharing, args.connections, args.duration, sharing, victim, args.duration / 3.0),
        "",
        "- requests completed: about %d (%.0f req/s); non-2xx responses: %d; socket errors: %s" % (
            total, r.rps, r.non2xx, r.socketErrorKinds or "none"),
        "- p99 %.1f ms, slowest request %.0f ms" % (r.p99, r.max),
        "- supervisor log: `%s`" % (restartLine.group(0) if restartLine else "no restart logged"),
        "- new worker process: %s; /readyz 200 again %s after the kill" % (
            "pid %s" % restarted if restarted else "none",
            "%.1f s" % readyAgain[0] if readyAgain else "never (60 s)"),
        "- supervisor exit status after SIGTERM: %s" % (code,),
        "",
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--access-log", choices=["on", "off"], default="off")
    parser.add_argument("--log-format", choices=["text", "json"], default="text",
                        help="the servers' --log-format (with --access-log on: how the supervisor relays)")
    parser.add_argument("--skip-fault", action="store_true")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--record", action="store_true", help="append the result to BENCHMARKS.md")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    LOG_FORMAT[0] = args.log_format
    loadBefore = os.getloadavg()
    lines = [] if args.skip_throughput else throughput(args)
    print("\n".join(lines))
    fault = [] if args.skip_fault else faultRun(args, "shared") + faultRun(args, "reuseport")
    print("\n".join(fault))
    if args.record:
        command = "python bench/workers.py --runs %d --duration %d --connections %d --access-log %s --log-format %s%s" % (
            args.runs, args.duration, args.connections, args.access_log, args.log_format,
            " --skip-fault" if args.skip_fault else "")
        entry = ("\n## Workers: hello world, 1 vs 2 worker processes, access log %s (%s log), %s\n\n"
                 "Command: `%s` (wrk -t2 -c%d -d%ds, interleaved runs, servers under twistd).\n%s\n"
                 "CPU columns: CPU seconds per second of wrk run (1.00 = one core); wrk and the server "
                 "share the 2 cores.\n\n%s\n" % (
                     args.access_log, args.log_format, datetime.date.today().isoformat(), command, args.connections,
                     args.duration, machine("; load average before the run %.2f" % (loadBefore[0],)),
                     "\n".join(lines)))
        if fault:
            entry += "\nFault runs:\n\n%s" % ("\n".join(fault),)
        appendToBenchmarks(entry)


if __name__ == "__main__":
    main()

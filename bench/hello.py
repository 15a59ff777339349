"""
Hello-world throughput: NANO serving a one-line `new Response('Hello World')` app
against a plain twisted.web resource returning the same bytes, side by side in one
run (interleaved, so machine noise hits both alike).

Usage: python bench/hello.py [--runs 3] [--duration 10] [--connections 50] [--record]

Needs wrk. Prints req/s and p50/p99 latency per run, the medians and the ratio;
--record appends a dated entry to BENCHMARKS.md.
"""

import argparse
import datetime
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def freePort():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def waitForPort(port, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("nothing listens on %d" % (port,))


def twistd():
    candidate = os.path.join(os.path.dirname(sys.executable), "twistd")
    return [candidate] if os.path.exists(candidate) else [sys.executable, "-c", "from twisted.scripts.twistd import run; run()"]


def startNano(port, logfile, accessLog):
    app = os.path.join(HERE, "apps", "hello")
    extra = [] if accessLog else ["--no-access-log"]
    return subprocess.Popen(
        twistd() + ["-n", "--pidfile=", "--logfile=" + logfile, "nano", "--app", app,
                    "--listen", "tcp:%d:interface=127.0.0.1" % (port,)] + extra,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def startPlain(port, logfile, accessLog):
    env = dict(os.environ, PLAIN_PORT=str(port), PLAIN_ACCESS_LOG="1" if accessLog else "0")
    return subprocess.Popen(
        twistd() + ["-n", "--pidfile=", "--logfile=" + logfile, "-y", os.path.join(HERE, "plain_server.py")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text):
    match = re.match(r"([0-9.]+)(us|ms|s)$", text)
    return float(match.group(1)) * _UNITS[match.group(2)]


def wrk(port, duration, connections, threads=2):
    out = subprocess.run(
        ["wrk", "-t%d" % threads, "-c%d" % connections, "-d%ds" % duration, "--latency",
         "http://127.0.0.1:%d/" % port],
        capture_output=True, text=True, check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socketErrors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p50": p50, "p99": p99,
            "non2xx": int(errors.group(1)) if errors else 0,
            "socket_errors": socketErrors.group(1) if socketErrors else ""}


def cpuSeconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


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
                requests[name] += r["rps"] * args.duration
                results[name].append(r)
                print("run %d %-5s %9.0f req/s  p50 %6.2f ms  p99 %6.2f ms  non-2xx %d %s" % (
                    i + 1, name, r["rps"], r["p50"], r["p99"], r["non2xx"], r["socket_errors"]), flush=True)
    finally:
        for proc, _ in servers.values():
            proc.send_signal(signal.SIGTERM)
            proc.wait(20)
        shutil.rmtree(logdir, ignore_errors=True)

    def median(name, key):
        return statistics.median(r[key] for r in results[name])

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
        entry = "\n## Hello world, access log %s, %s\n\nCommand: `%s` (wrk -t2 -c%d -d%ds, interleaved runs, both servers under twistd with --logfile).\nMachine: %s, %d cores, Python %s.\n\n%s\n" % (
            args.access_log, datetime.date.today().isoformat(), command, args.connections, args.duration,
            platform.platform(), os.cpu_count(), platform.python_version(), "\n".join(lines))
        with open(os.path.join(ROOT, "BENCHMARKS.md"), "a") as f:
            f.write(entry)


if __name__ == "__main__":
    main()

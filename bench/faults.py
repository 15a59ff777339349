"""
The fault table (issue 5): what one tenant's misbehaviour does to another.

One `twistd -n nano` serves two apps: A (`nano/test/apps/faults-tenant`, one route
per fault) and B (`nano/test/apps/faults-healthy`). A steady client runs against B
for the whole run, in a process of its own (`python -m nano.test.faultkit steady`:
W workers, each sending GETs one after the other on a keep-alive connection). For
each fault the driver triggers it on A, then polls A's /ok until A answers "ok"
again, and records:

- A's status (or statuses) for the fault;
- when A's isolate was reset (the "isolate reset" log event, with its kind) and
  when A served again, both in ms after the fault started;
- B's requests sent during the fault window (fault start to A serving again):
  count, p50, p99, max latency, and how many did not get a 200;
- the server's peak resident set size during the window.

A has cpu_ms 100, memory_mb 64, timeout_ms 3000, max_body_mb 1; the process has
rss_limit_mb 600 (the memory backstop). The server runs with --no-access-log and
--log-format json (the driver reads the reset events from the log).

Usage: python bench/faults.py [--workers 4] [--pause-ms 5] [--flood 5000] [--backlog N] [--only spin,flood]
                              [--record]

--backlog sets the listen backlog (Twisted's default is 50).

--record appends the table, the command and the machine to BENCHMARKS.md.
"""

import argparse
import datetime
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import ROOT, appendToBenchmarks, machine
from nano.test.e2e import APPS, TwistdProcess, writeConfig
from nano.test import faultkit
from nano.test.faultkit import between, flood, logEvents, resetEvents, sendBody, summarize, waitServing

_PAGE = os.sysconf("SC_PAGE_SIZE")
MAX_BODY_MB = 1


def get(port, path, host="a.test", timeout=30.0):
    """
    One GET; return C{"STATUS"} (and the body's start for a 200), or the error's name.
    """
    try:
        status, data = faultkit.get(port, host, path, timeout)
    except (OSError, http.client.HTTPException) as e:
        return type(e).__name__
    if status == 200:
        return "200 %s" % (data[:20].decode("latin-1"),)
    return str(status)


def faults(flooded):
    """
    (name, what it does, action(port) -> A's status text).
    """
    size = 2 * MAX_BODY_MB * 1024 * 1024
    return [
        ("spin", "endless loop in the handler", lambda port: get(port, "/spin")),
        ("await-spin", "endless loop after an await", lambda port: get(port, "/await-spin")),
        ("timer-spin", "endless loop in a setTimeout callback", lambda port: get(port, "/timer-spin")),
        ("heap-bomb", "allocate JS objects until the heap limit (64 MiB)", lambda port: get(port, "/heap-bomb")),
        ("buffers", "16 x 64 MiB Uint8Arrays kept alive (1 GiB outside the heap)",
         lambda port: get(port, "/buffers?n=16&mb=64")),
        ("timers", "10,000 timers armed at once, all firing 20 ms later",
         lambda port: get(port, "/timers?n=10000&ms=20")),
        ("body-length", "2 MiB body declared by Content-Length (max_body_mb 1)",
         lambda port: str(sendBody(port, "a.test", "/body", size)[0])),
        ("body-chunked", "2 MiB chunked body (max_body_mb 1)",
         lambda port: str(sendBody(port, "a.test", "/body", size, chunked=True)[0])),
        ("hang", "no answer (timeout_ms 3000)", lambda port: get(port, "/hang")),
        ("flood", "%d concurrent connections, one GET /sleep?ms=100 each" % (flooded,),
         lambda port: floodText(port, flooded)),
    ]


def floodText(port, n):
    counts, seconds = flood(port, "a.test", "/sleep?ms=100", n, timeout=60.0)
    return "%s in %.1f s" % (", ".join("%s x%d" % (k, v) for k, v in counts.most_common()), seconds)


class RSSSampler(threading.Thread):
    """
    Samples a process's resident set size every 10 ms.
    """

    def __init__(self, pid):
        threading.Thread.__init__(self, daemon=True)
        self._path = "/proc/%d/statm" % (pid,)
        self.samples = []
        self.running = True

    def run(self):
        while self.running:
            try:
                with open(self._path, "rb") as f:
                    self.samples.append((time.time(), int(f.read().split()[1]) * _PAGE))
            except (OSError, ValueError, IndexError):
                return
            time.sleep(0.01)

    def peak(self, start, end):
        """
        The largest sample from C{start} to C{end}, counting the last one taken
        before C{start} (a window can be shorter than the sampling interval).
        """
        before = [rss for when, rss in self.samples if when < start][-1:]
        values = before + [rss for when, rss in self.samples if start <= when <= end]
        return max(values) if values else 0


def startServer(directory, backlog=None):
    for name in ("faults-tenant", "faults-healthy"):
        shutil.copytree(os.path.join(APPS, name), os.path.join(directory, name))
    config = {
        "listen": ["tcp:0:interface=127.0.0.1" + (":backlog=%d" % (backlog,) if backlog else "")],
        "admin": None,
        "rss_limit_mb": 600,
        "apps": [
            {"name": "a", "hostnames": ["a.test"], "path": "faults-tenant",
             "limits": {"cpu_ms": 100, "memory_mb": 64, "timeout_ms": 3000, "max_body_mb": MAX_BODY_MB}},
            {"name": "b", "hostnames": ["b.test"], "path": "faults-healthy"},
        ],
    }
    server = TwistdProcess(["--config", writeConfig(directory, config), "--log-format", "json", "--no-access-log"],
                           cwd=directory)
    return server.start()


def run(args):
    directory = tempfile.mkdtemp(prefix="nano-bench-faults-")
    server = startServer(directory, args.backlog)
    port = server.port
    rss = RSSSampler(server.process.pid)
    rss.start()
    steady = subprocess.Popen(
        [sys.executable, "-m", "nano.test.faultkit", "steady", str(port), "b.test", str(args.workers),
         str(args.pause_ms)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    windows = []
    try:
        if steady.stdout.readline().strip() != "ready":
            raise RuntimeError("the steady client did not start")
        print(get(port, "/ok"), flush=True)
        time.sleep(0.5)
        start = time.time()
        time.sleep(1.0)
        windows.append(("none", "no fault (1 s)", "-", start, time.time(), time.time()))
        for name, what, action in faults(args.flood):
            if args.only and name not in args.only:
                continue
            started = time.time()
            status = action(port)
            answered = time.time()
            back = waitServing(port, "a.test", timeout=30.0)
            windows.append((name, what, status, started, answered, back))
            print("%-12s A: %s (%.0f ms); A serves again after %s" % (
                name, status, (answered - started) * 1000,
                "%.0f ms" % ((back - started) * 1000,) if back else "NEVER"), flush=True)
            time.sleep(0.5)
    finally:
        steady.stdin.close()
        samples = [tuple(s) for s in json.loads(steady.stdout.read() or "[]")]
        steady.wait(30)
        rss.running = False
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)
    events = logEvents(server.output)
    return windows, samples, events, rss


def table(windows, samples, events, rss):
    rows = [
        "| fault | A's status | A reset (kind, ms after the fault) | A serves again | B requests | B p50 | B p99 "
        "| B max | B errors | peak RSS |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, what, status, started, answered, back in windows:
        end = back if back is not None else answered
        b = summarize(between(samples, started, end))
        resets = resetEvents(events, "a", since=started) if name != "none" else []
        resets = [e for e in resets if e["ts"] <= end + 0.01]
        reset = ", ".join("%s %.0f ms" % (e.get("kind"), (e["ts"] - started) * 1000) for e in resets) or "none"
        again = "-" if name == "none" else ("%.0f ms" % ((back - started) * 1000) if back else "never")
        rows.append("| %s: %s | %s | %s | %s | %d | %.2f ms | %.2f ms | %.1f ms | %d | %d MiB |" % (
            name, what, status, reset, again, b["n"], b["p50"], b["p99"], b["max"], b["errors"],
            rss.peak(started, end) // (1024 * 1024)))
    notes = []
    bResets = resetEvents(events, "b")
    notes.append("Resets of B: %d." % (len(bResets),))
    backstop = [e for e in events if "process memory" in e.get("event", "")]
    for e in backstop:
        notes.append("Backstop: %s" % (e["event"],))
    errors = [e for e in events if e.get("level") in ("error", "critical") and "process memory" not in e["event"]]
    notes.append("Other error events in the log: %d%s" % (
        len(errors), "".join("\n  - " + e["event"].splitlines()[0][:160] for e in errors[:5])))
    allB = summarize(samples)
    notes.append("B overall: %d requests, %d not 200, p99 %.2f ms, max %.1f ms." % (
        allB["n"], allB["errors"], allB["p99"], allB["max"]))
    return rows, notes


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=4, help="B's steady client workers")
    parser.add_argument("--pause-ms", type=float, default=5.0, help="each worker's pause between requests")
    parser.add_argument("--flood", type=int, default=5000, help="concurrent connections of the flood fault")
    parser.add_argument("--backlog", type=int, default=None, help="listen backlog (Twisted's default: 50)")
    parser.add_argument("--only", type=lambda s: set(s.split(",")), default=None, help="faults to run (names)")
    parser.add_argument("--record", action="store_true", help="append the table to BENCHMARKS.md")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    windows, samples, events, rss = run(args)
    rows, notes = table(windows, samples, events, rss)
    print("\n".join(rows))
    print("\n".join(notes))
    if args.record:
        command = "python bench/faults.py --workers %d --pause-ms %g --flood %d%s%s" % (
            args.workers, args.pause_ms, args.flood, " --backlog %d" % (args.backlog,) if args.backlog else "",
            " --only " + ",".join(sorted(args.only)) if args.only else "")
        entry = [
            "", "## Fault table, %s" % (datetime.date.today().isoformat(),), "",
            "Command: `%s` (one twistd, --no-access-log; app A: cpu_ms 100, memory_mb 64, timeout_ms 3000, "
            "max_body_mb 1; rss_limit_mb 600; B measured by %d workers with %g ms pauses, in their own process; "
            "the B window runs from the fault's start until A answers /ok again)." % (
                command, args.workers, args.pause_ms),
            machine("; load average %.1f when the run started" % (load,)),
            "", *rows, "", *("- " + n for n in notes), "",
        ]
        appendToBenchmarks("\n".join(entry))


if __name__ == "__main__":
    main()

"""
Lifecycle under load (SPEC §9): hot reloads while clients hammer two apps, and a
SIGTERM while requests are in flight.

Usage:
    python bench/lifecycle.py reload [--duration 30] [--rewrites 20] [--connections 8] [--record]
    python bench/lifecycle.py shutdown [--requests 50] [--record]

reload: twistd nano serves three apps; wrk hammers "steady" and "changing" (one
wrk per app, keep-alive) for --duration seconds while the config is rewritten
--rewrites times, evenly spaced: each rewrite changes the "changing" app's
source (edited in place, as an editor does) and env, and alternately adds and
removes a third app "extra" (the config is replaced atomically, as a deploy tool
does). Reports per app: requests, non-2xx responses, socket errors, latency; how
many reloads were applied; and whether the last version is the one served.

shutdown: (1) --requests concurrent 2 s requests, SIGTERM while they are in
flight: every one must complete with 200, connections attempted after the signal
must be refused, the exit status must be 0 and come before the drain timeout
(10 s). (2) one request that never ends plus ten 1 s requests, drain timeout
3 s: the 1 s requests complete, the process exits 0 at about 3 s.

--record appends a dated entry to BENCHMARKS.md. Needs wrk for "reload".
"""

import argparse
import concurrent.futures
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import (HERE, freePort, listenOn, recordEntry, startNanoConfig, stopProcess, waitForPort,
                          writeConfig)
from bench.suite_wrk import parseWrk, runWrk, wrkCommand
from nano.test.faultkit import get

_CHANGING = """export default {
  fetch(request, env) {
    return new Response("changing version %d " + env.GREETING);
  },
};
"""
_STEADY = 'export default { fetch: (request, env) => new Response("steady " + env.GREETING) };\n'


def _write(path, text):
    with open(path, "w") as f:
        f.write(text)


def reload(args):
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    directory = tempfile.mkdtemp(prefix="nano-bench-reload-")
    log = os.path.join(directory, "nano.log")
    port = freePort()
    for name in ("steady", "changing", "extra"):
        os.makedirs(os.path.join(directory, name))
    _write(os.path.join(directory, "steady", "index.js"), _STEADY)
    _write(os.path.join(directory, "extra", "index.js"), _STEADY)
    _write(os.path.join(directory, "changing", "index.js"), _CHANGING % (0,))
    apps = [
        {"name": "steady", "hostnames": ["steady.bench"], "path": "steady", "env": {"GREETING": "s"}},
        {"name": "changing", "hostnames": ["changing.bench"], "path": "changing", "env": {"GREETING": "g0"}},
    ]
    extra = {"name": "extra", "hostnames": ["extra.bench"], "path": "extra", "env": {"GREETING": "x"}}
    config = {"listen": [listenOn(port)], "admin": None, "drain_timeout_ms": 5000,
              "watch": {"debounce_ms": 100}, "apps": apps}
    configPath = os.path.join(directory, "config.json")
    server = startNanoConfig(directory, config, log)
    url = "http://127.0.0.1:%d/" % (port,)
    try:
        waitForPort(port)
        time.sleep(0.5)
        for host in ("steady.bench", "changing.bench"):
            runWrk(url, 1, 4, threads=1, headers=["Host: " + host])
        wrks = {}
        for host in ("steady.bench", "changing.bench"):
            wrks[host] = subprocess.Popen(
                wrkCommand(url, args.duration, args.connections, threads=1, headers=["Host: " + host]),
                stdout=subprocess.PIPE, text=True)
        interval = (args.duration - 2.0) / max(args.rewrites, 1)
        time.sleep(1.0)
        for i in range(1, args.rewrites + 1):
            _write(os.path.join(directory, "changing", "index.js"), _CHANGING % (i,))
            apps[1]["env"] = {"GREETING": "g%d" % (i,)}
            config["apps"] = apps + ([extra] if i % 2 else [])
            writeConfig(configPath, config)
            time.sleep(interval)
        results = {host: parseWrk(proc.communicate()[0]) for host, proc in wrks.items()}
        time.sleep(0.5)
        final = get(port, "changing.bench", "/", timeout=30)
        expected = ("changing version %d g%d" % (args.rewrites, args.rewrites)).encode()
    finally:
        code = stopProcess(server, 30)
    with open(log) as f:
        text = f.read()
    shutil.rmtree(directory, ignore_errors=True)
    summary = {
        "reloads_applied": len(re.findall(r"reload: added", text)),
        "load_failures": text.count("failed to load"),
        "invalid_configs": text.count("invalid config"),
        "final_ok": final == (200, expected),
        "final": final,
        "exit": code,
    }
    lines = ["| app | requests | req/s | p50 | p99 | max | non-2xx | socket errors |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for host, r in results.items():
        lines.append("| %s | %d | %.0f | %.2f ms | %.2f ms | %.0f ms | %d | %d |" % (
            host.split(".")[0], r.requests, r.rps, r.p50, r.p99, r.max, r.non2xx, r.socketErrors))
    lines.append("")
    lines.append("Reloads applied: %d (for %d rewrites); load failures: %d; invalid configs read: %d; "
                 "last version served after the run: %s; exit status %s." % (
                     summary["reloads_applied"], args.rewrites, summary["load_failures"],
                     summary["invalid_configs"], "yes" if summary["final_ok"] else "NO (%r)" % (final,), code))
    print("\n".join(lines))
    command = "python bench/lifecycle.py reload --duration %d --rewrites %d --connections %d" % (
        args.duration, args.rewrites, args.connections)
    detail = ("wrk -t1 -c%d per app, keep-alive; twistd with --no-access-log; watch debounce 100 ms; "
              "the config replaced atomically, the changing app's index.js rewritten in place" % (args.connections,))
    return "Reload under load", command, detail, lines


def _probeRefusals(port, stop, counts):
    """
    Try to open a connection every 20 ms until C{stop} is set; count the
    outcomes.
    """
    while not stop.is_set():
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            counts["accepted"] += 1
        except ConnectionRefusedError:
            counts["refused"] += 1
        except OSError:
            counts["other"] += 1
        time.sleep(0.02)


def _scenario(requests, drainMs, forever):
    directory = tempfile.mkdtemp(prefix="nano-bench-shutdown-")
    log = os.path.join(directory, "nano.log")
    port = freePort()
    shutil.copytree(os.path.join(HERE, "apps", "slow"), os.path.join(directory, "slow"))
    config = {"listen": [listenOn(port)], "admin": None, "drain_timeout_ms": drainMs,
              "apps": [{"name": "slow", "hostnames": ["slow.bench"], "path": "slow",
                        "limits": {"timeout_ms": 120000}}]}
    server = startNanoConfig(directory, config, log)
    waitForPort(port)
    paths = list(requests) + (["/forever"] if forever else [])
    sent = threading.Barrier(len(paths) + 1)

    def one(path):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            conn.request("GET", path, headers={"Host": "slow.bench"})
            sent.wait()
            response = conn.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException) as e:
            return "error", type(e).__name__
        finally:
            conn.close()

    counts = {"accepted": 0, "refused": 0, "other": 0}
    stop = threading.Event()
    with concurrent.futures.ThreadPoolExecutor(len(paths) + 1) as pool:
        futures = [pool.submit(one, path) for path in paths]
        sent.wait()
        time.sleep(0.2)
        signalled = time.monotonic()
        server.send_signal(signal.SIGTERM)
        time.sleep(0.1)
        prober = pool.submit(_probeRefusals, port, stop, counts)
        code = server.wait(drainMs / 1000.0 + 30)
        exitAfter = time.monotonic() - signalled
        stop.set()
        prober.result()
        results = [f.result() for f in futures]
    with open(log) as f:
        text = f.read()
    shutil.rmtree(directory, ignore_errors=True)
    return results, code, exitAfter, counts, text


def shutdown(args):
    lines = ["| scenario | requests in flight at SIGTERM | completed with 200 | cut | connections after SIGTERM (accepted / refused) | exit status | exit after SIGTERM |",
             "| --- | ---: | ---: | ---: | --- | ---: | ---: |"]
    results, code, after, counts, _ = _scenario(["/slow?ms=2000"] * args.requests, 10000, False)
    ok = sum(1 for r in results if r[0] == 200)
    lines.append("| %d x 2 s requests, drain timeout 10 s | %d | %d | %d | %d / %d | %s | %.2f s |" % (
        args.requests, len(results), ok, len(results) - ok, counts["accepted"], counts["refused"], code, after))
    results, code, after, counts, text = _scenario(["/slow?ms=1000"] * 10, 3000, True)
    ok = sum(1 for r in results if r[0] == 200)
    lines.append("| 10 x 1 s requests + 1 that never ends, drain timeout 3 s | %d | %d | %d | %d / %d | %s | %.2f s |" % (
        len(results), ok, len(results) - ok, counts["accepted"], counts["refused"], code, after))
    lines.append("")
    lines.append("Second scenario log: %s." % (
        "drain timed out and the remaining connection was closed" if "drain timed out" in text else "no drain timeout logged"))
    print("\n".join(lines))
    command = "python bench/lifecycle.py shutdown --requests %d" % (args.requests,)
    detail = ("each request on its own connection; SIGTERM 0.2 s after every request was sent; a prober "
              "opens a connection every 20 ms from 0.1 s after the signal until the exit")
    return "Shutdown under load", command, detail, lines


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["reload", "shutdown"])
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--rewrites", type=int, default=20)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--record", action="store_true", help="append the result to BENCHMARKS.md")
    args = parser.parse_args()
    title, command, detail, lines = (reload if args.what == "reload" else shutdown)(args)
    if args.record:
        recordEntry(title, command, detail, lines)


if __name__ == "__main__":
    main()

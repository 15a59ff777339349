"""
Density and cold starts (issue 7): how many apps one NANO process holds, and how fast
an unloaded app answers its first request.

Usage:
    python bench/density.py cold [--apps 200] [--interval 0.1] [--record]
    python bench/density.py density [--apps 1000] [--record]
    python bench/density.py sample [--apps 10000] [--sample 300] [--interval 0.1] [--record]
    python bench/density.py burst [--apps 500] [--record]
    python bench/density.py all [--record]

Every scenario generates small apps (a router of a few lines, different in each app)
and a config.json, and runs a real C{twistd -n nano --config} with
C{--log-format json}. Cold starts are measured inside the server: the app's event
"cold start: first request answered" carries C{cold_start_ms}, from the request's
arrival to its response (headers and body, written at once) and C{load_ms}, the
isolate's start. Client-side latencies are shown beside them.

cold: --apps apps with idle_unload_s set (not loaded), one first request each, one
at a time, a new one every --interval seconds (and once more back to back,
--interval 0, in a fresh server). density: --apps apps loaded at startup: the time
until the server listens, its RSS (VmRSS, /proc/PID/smaps_rollup) before and after
one request to each app. sample: --apps apps with idle unload, a random --sample of
them requested as in "cold"; the RSS. burst: --apps idle apps, one first request to
each, all sent at once on their own connections: every response must be a 200; the
time until the last one, and the most bootstraps running at once (the pool's
burst event).

--record appends a dated entry to BENCHMARKS.md.
"""

import argparse
import asyncio
import datetime
import http.client
import json
import os
import platform
import random
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from common import freePort, twistd  # noqa: E402
from nano.test.e2e import jsonRecords  # noqa: E402

_APP = """// Generated app {n}.
const NAME = "app{n}";
const ROUTES = new Map([
  ["/", () => new Response("hello from " + NAME + "\\n", {{ headers: {{ "content-type": "text/plain" }} }})],
  ["/json", (url) => Response.json({{ app: NAME, query: url.searchParams.get("q") }})],
]);

export default {{
  async fetch(request, env) {{
    const url = new URL(request.url);
    const route = ROUTES.get(url.pathname);
    if (route === undefined) return new Response("not found", {{ status: 404 }});
    return route(url, env);
  }},
}};
"""


def writeApps(directory, count, idleUnload, port):
    """
    Write C{count} apps and a config.json serving them on C{port} under
    C{directory}; return the config path and the apps' host names.
    """
    apps, hosts = [], []
    for n in range(count):
        path = os.path.join(directory, "apps", "app%d" % n)
        os.makedirs(path)
        with open(os.path.join(path, "index.js"), "w") as f:
            f.write(_APP.format(n=n))
        host = "app%d.bench" % n
        app = {"name": "app%d" % n, "hostnames": [host], "path": path}
        if idleUnload:
            app["limits"] = {"idle_unload_s": 3600}
        apps.append(app)
        hosts.append(host)
    config = {"listen": ["tcp:%d:interface=127.0.0.1" % port], "admin": None,
              "watch": {"enabled": False}, "apps": apps}
    configPath = os.path.join(directory, "config.json")
    with open(configPath, "w") as f:
        json.dump(config, f)
    return configPath, hosts


class Server:
    """
    A C{twistd -n nano --config} subprocess logging JSON lines to a file.
    """

    def __init__(self, directory, configPath, port):
        self.port = port
        self.log = os.path.join(directory, "nano.log")
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            twistd() + ["-n", "--pidfile=", "--logfile=" + self.log, "nano", "--config", configPath,
                        "--log-format", "json", "--no-access-log"],
            cwd=directory, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )

    def waitListening(self, timeout):
        """
        Wait until the port accepts connections; return the seconds since start.
        """
        import socket

        deadline = self.started + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("nano exited with %s; see %s" % (self.process.returncode, self.log))
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return time.monotonic() - self.started
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("nano did not listen within %d s" % (timeout,))

    def memory(self):
        return memoryOf(self.process.pid)

    def events(self):
        return readEvents(self.log)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def memoryOf(pid):
    """
    The process's resident memory in MiB: C{rss} (VmRSS), C{anonymous} and
    C{file} (smaps_rollup), and its thread count.
    """
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                out["rss"] = int(line.split()[1]) / 1024.0
            elif line.startswith("Threads:"):
                out["threads"] = int(line.split()[1])
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            if line.startswith("Anonymous:"):
                out["anonymous"] = int(line.split()[1]) / 1024.0
            elif line.startswith("Pss_File:"):
                out["file"] = int(line.split()[1]) / 1024.0
    return out


def readEvents(path):
    """
    The JSON log lines of C{path} as dicts (lines that are not JSON objects are
    skipped).
    """
    with open(path, encoding="utf-8", errors="replace") as f:
        return jsonRecords(f)


def coldStarts(events):
    """
    The C{cold_start_ms} of every cold start event, in log order.
    """
    return [e["cold_start_ms"] for e in events if "cold_start_ms" in e]


def percentile(values, fraction):
    """
    The nearest-rank percentile of C{values} (C{fraction} in 0..1); None when empty.
    """
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, int(-(-fraction * len(ordered) // 1)))
    return ordered[min(rank, len(ordered)) - 1]


def summary(values):
    """
    p50, p99 and max of C{values} (milliseconds), and how many.
    """
    return {"n": len(values), "p50": percentile(values, 0.5), "p99": percentile(values, 0.99),
            "max": max(values) if values else None}


def sequential(port, hosts, interval):
    """
    One GET to each host in turn on one keep-alive connection, a new request every
    C{interval} seconds (back to back when 0). Return the client latencies (ms) and
    the statuses.
    """
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    latencies, statuses = [], []
    try:
        for host in hosts:
            began = time.monotonic()
            conn.request("GET", "/", headers={"Host": host})
            response = conn.getresponse()
            response.read()
            latencies.append((time.monotonic() - began) * 1000)
            statuses.append(response.status)
            rest = interval - (time.monotonic() - began)
            if rest > 0:
                time.sleep(rest)
    finally:
        conn.close()
    return latencies, statuses


async def _one(port, host, began):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(("GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % host).encode("ascii"))
    await writer.drain()
    data = await reader.read()
    writer.close()
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.1 ") else 0
    return status, (time.monotonic() - began) * 1000


async def _burst(port, hosts):
    began = time.monotonic()
    return await asyncio.gather(*[_one(port, host, began) for host in hosts], return_exceptions=True)


def burstRequests(port, hosts):
    """
    One GET to every host, all at once, each on its own connection. Return the
    statuses (0 or an exception for a failed request), the latencies (ms, from
    the common start) and the time until the last response (s).
    """
    began = time.monotonic()
    results = asyncio.run(_burst(port, hosts))
    elapsed = time.monotonic() - began
    statuses = [r[0] if isinstance(r, tuple) else repr(r) for r in results]
    latencies = [r[1] for r in results if isinstance(r, tuple)]
    return statuses, latencies, elapsed


def loadsInFlight(events):
    """
    The most isolate loads in progress at once, from the "app ... ready in" events
    (each ends at its log time and lasted C{ms}).
    """
    edges = []
    for e in events:
        if e.get("reason") is not None and isinstance(e.get("ms"), (int, float)) and "time" in e:
            end = datetime.datetime.fromisoformat(e["time"]).timestamp()
            edges.append((end - e["ms"] / 1000.0, 1))
            edges.append((end, -1))
    edges.sort()
    current = peak = 0
    for _, step in edges:
        current += step
        peak = max(peak, current)
    return peak


def _ms(value):
    return "-" if value is None else "%.2f ms" % value


def _fresh(args, count, idleUnload, prefix):
    directory = tempfile.mkdtemp(prefix="nano-bench-density-%s-" % prefix)
    port = freePort()
    configPath, hosts = writeApps(directory, count, idleUnload, port)
    return Server(directory, configPath, port), hosts


def cold(args):
    lines = ["| requests | pacing | server cold start p50 | p99 | max | client p50 | p99 | non-200 |",
             "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for interval in (args.interval, 0.0):
        server, hosts = _fresh(args, args.apps, True, "cold")
        try:
            server.waitListening(120)
            time.sleep(1.0)
            latencies, statuses = sequential(server.port, hosts, interval)
            time.sleep(0.5)
            inside = summary(coldStarts(server.events()))
        finally:
            server.stop()
        client = summary(latencies)
        pacing = "one every %.0f ms" % (interval * 1000) if interval else "back to back"
        lines.append("| %d | %s | %s | %s | %s | %s | %s | %d |" % (
            inside["n"], pacing, _ms(inside["p50"]), _ms(inside["p99"]), _ms(inside["max"]),
            _ms(client["p50"]), _ms(client["p99"]), sum(1 for s in statuses if s != 200)))
    return "Cold start, %d idle apps, one first request each" % (args.apps,), lines


def density(args):
    server, hosts = _fresh(args, args.apps, False, "dense")
    try:
        startup = server.waitListening(900)
        time.sleep(5.0)
        loaded = server.memory()
        _, statuses = sequential(server.port, hosts, 0.0)
        time.sleep(5.0)
        served = server.memory()
    finally:
        server.stop()
    lines = ["| apps | startup until listening | RSS | RSS per app | anonymous | threads | non-200 |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for label, memory in (("loaded", loaded), ("after one request each", served)):
        lines.append("| %d (%s) | %.1f s | %.0f MiB | %.2f MiB | %.0f MiB | %d | %s |" % (
            args.apps, label, startup, memory["rss"], memory["rss"] / args.apps, memory["anonymous"],
            memory["threads"], sum(1 for s in statuses if s != 200) if label != "loaded" else "-"))
    return "Density, %d apps loaded" % (args.apps,), lines


def sample(args):
    server, hosts = _fresh(args, args.apps, True, "sample")
    try:
        startup = server.waitListening(900)
        time.sleep(1.0)
        idle = server.memory()
        chosen = random.Random(7).sample(hosts, args.sample)
        latencies, statuses = sequential(server.port, chosen, args.interval)
        time.sleep(1.0)
        after = server.memory()
        inside = summary(coldStarts(server.events()))
    finally:
        server.stop()
    client = summary(latencies)
    lines = ["| apps | startup | RSS idle | sample | pacing | server cold start p50 | p99 | client p50 | RSS after | non-200 |",
             "| ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
             "| %d | %.1f s | %.0f MiB | %d | one every %.0f ms | %s | %s | %s | %.0f MiB | %d |" % (
                 args.apps, startup, idle["rss"], inside["n"], args.interval * 1000, _ms(inside["p50"]),
                 _ms(inside["p99"]), _ms(client["p50"]), after["rss"], sum(1 for s in statuses if s != 200))]
    return "%d idle apps, a random sample requested" % (args.apps,), lines


def burst(args):
    server, hosts = _fresh(args, args.apps, True, "burst")
    try:
        server.waitListening(300)
        time.sleep(1.0)
        statuses, latencies, elapsed = burstRequests(server.port, hosts)
        time.sleep(0.5)
        events = server.events()
        memory = server.memory()
    finally:
        server.stop()
    inside = summary(coldStarts(events))
    client = summary(latencies)
    pool = [e for e in events if "peak" in e and "takes" in e]
    peak = max((e["peak"] for e in pool), default=0)
    lines = ["| requests | 200 | other | all answered after | client p50 | p99 | server cold start p50 | p99 "
             "| max bootstraps at once | max loads in progress | RSS after |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
             "| %d | %d | %d | %.2f s | %s | %s | %s | %s | %d | %d | %.0f MiB |" % (
                 len(statuses), statuses.count(200), len(statuses) - statuses.count(200), elapsed,
                 _ms(client["p50"]), _ms(client["p99"]), _ms(inside["p50"]), _ms(inside["p99"]), peak,
                 loadsInFlight(events), memory["rss"])]
    return "Burst: first requests to %d idle apps at once" % (args.apps,), lines


_SCENARIOS = {"cold": cold, "density": density, "sample": sample, "burst": burst}
_DEFAULTS = {"cold": 200, "density": 1000, "sample": 10000, "burst": 500}


def _parseArgs(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", choices=sorted(_SCENARIOS) + ["all"])
    parser.add_argument("--apps", type=int, default=None, help="apps to generate (default per scenario)")
    parser.add_argument("--sample", type=int, default=300, help="apps requested in 'sample'")
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between first requests")
    parser.add_argument("--record", action="store_true", help="append the results to BENCHMARKS.md")
    return parser.parse_args(argv)


def main(argv=None):
    args = _parseArgs(argv)
    names = sorted(_SCENARIOS) if args.scenario == "all" else [args.scenario]
    sections = []
    for name in names:
        scenarioArgs = argparse.Namespace(**vars(args))
        if scenarioArgs.apps is None or args.scenario == "all":
            scenarioArgs.apps = _DEFAULTS[name]
        title, lines = _SCENARIOS[name](scenarioArgs)
        print("\n%s\n\n%s" % (title, "\n".join(lines)), flush=True)
        sections.append((title, lines))
    if args.record:
        command = "python bench/density.py " + " ".join(argv if argv is not None else sys.argv[1:])
        entry = ["", "## Density and cold starts, %s" % (datetime.date.today().isoformat(),), "",
                 "Command: `%s` (twistd -n nano --config, --log-format json, access log off; cold starts "
                 "from the server's \"cold start\" events, arrival to response written)." % (command,),
                 "Machine: %s, %d cores, Python %s." % (platform.platform(), os.cpu_count(),
                                                        platform.python_version())]
        for title, lines in sections:
            entry += ["", "%s:" % (title,), ""] + lines
        with open(os.path.join(ROOT, "BENCHMARKS.md"), "a") as f:
            f.write("\n".join(entry) + "\n")


if __name__ == "__main__":
    main()

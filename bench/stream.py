"""
Streamed responses (issue 3's measures), NANO and a plain twisted.web producer side by
side in one run:

- throughput: a 1 GiB response streamed as 64 KiB chunks, read by a fast local client
  (curl), MB/s for each server, median of --runs, interleaved;
- bounded memory: 200 MiB streamed from NANO to a client reading 2 MiB/s; NANO's RSS
  growth during the transfer and how far JS ran ahead of the client (chunks pulled by
  the app's stream minus chunks the client received);
- first-chunk latency of a server-sent-events style response.

Usage: python bench/stream.py [--runs 3] [--slow-mib 200] [--record]
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import (HERE, cpuSeconds, freePort, listenOn, recordEntry, spawn, stopProcess, twistdCommand,
                          waitForPort)

CHUNK = 65536


def startNano(port, logfile):
    return spawn(twistdCommand(logfile, "nano", "--app", os.path.join(HERE, "apps", "stream"),
                               "--listen", listenOn(port), "--no-access-log"))


def startPlain(port, logfile):
    return spawn(twistdCommand(logfile, "-y", os.path.join(HERE, "plain_stream.py")), env={"PLAIN_PORT": str(port)})


def rss(pid):
    with open("/proc/%d/statm" % (pid,)) as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def download(port, chunks, extra=""):
    """
    Read /big?chunks=N with curl; return (MB/s, bytes).
    """
    out = subprocess.run(
        ["curl", "-s", "-o", "/dev/null", "-w", "%{speed_download} %{size_download}",
         "http://127.0.0.1:%d/big?chunks=%d%s" % (port, chunks, extra)],
        capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]) / 1e6, int(out[1])


def slowClient(port, total, rate, samples):
    """
    Read C{total} bytes of /big at C{rate} bytes/s; C{samples} gets (time, received).
    """
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    sock.sendall(b"GET /big?chunks=%d HTTP/1.1\r\nHost: b\r\n\r\n" % (total // CHUNK,))
    received = 0
    started = time.monotonic()
    while received < total:
        data = sock.recv(CHUNK)
        if not data:
            break
        received += len(data)
        samples.append((time.monotonic() - started, received))
        behind = received / rate - (time.monotonic() - started)
        if behind > 0:
            time.sleep(behind)
    sock.close()


def firstChunkLatency(port):
    sock = socket.create_connection(("127.0.0.1", port))
    started = time.monotonic()
    sock.sendall(b"GET /big?chunks=1 HTTP/1.1\r\nHost: b\r\n\r\n")
    data = b""
    while b"\r\n\r\n" not in data or len(data) < 1024:
        data += sock.recv(CHUNK)
    latency = time.monotonic() - started
    sock.close()
    return latency * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--gib", type=float, default=1.0, help="size of the throughput transfer")
    parser.add_argument("--slow-mib", type=int, default=200, help="size of the slow-client transfer (0: skip)")
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    logdir = tempfile.mkdtemp(prefix="nano-stream-")
    nanoPort, plainPort = freePort(), freePort()
    nano = startNano(nanoPort, os.path.join(logdir, "nano.log"))
    plain = startPlain(plainPort, os.path.join(logdir, "plain.log"))
    lines = []
    try:
        waitForPort(nanoPort)
        waitForPort(plainPort)
        if args.slow_mib:
            samples = []
            download(nanoPort, 16)
            before = rss(nano.pid)
            pullsBefore = int(subprocess.run(["curl", "-s", "http://127.0.0.1:%d/pulls" % (nanoPort,)],
                                             capture_output=True, text=True).stdout)
            client = threading.Thread(target=slowClient,
                                      args=(nanoPort, args.slow_mib * 1024 * 1024, 2 * 1024 * 1024, samples))
            client.start()
            peak, ahead = before, []
            while client.is_alive():
                time.sleep(1.0)
                peak = max(peak, rss(nano.pid))
                pulls = int(subprocess.run(["curl", "-s", "http://127.0.0.1:%d/pulls" % (nanoPort,)],
                                           capture_output=True, text=True).stdout) - pullsBefore
                received = samples[-1][1] if samples else 0
                ahead.append(pulls - received // CHUNK)
            client.join()
            lines.append("Slow client: %d MiB at 2 MiB/s from NANO in %.0f s; NANO RSS %.1f MiB before, peak "
                         "%.1f MiB (growth %.1f MiB); the app's stream ran %d to %d chunks (median %d) ahead of "
                         "what the client had received (its queue, the 1 MiB window, the transport and "
                         "socket buffers)." % (
                             args.slow_mib, samples[-1][0], before / 2**20, peak / 2**20, (peak - before) / 2**20,
                             min(ahead), max(ahead), statistics.median(ahead)))
            lines.append("")
        chunks = int(args.gib * 1024 * 1024 * 1024) // CHUNK
        download(nanoPort, 64)
        download(plainPort, 64)
        # The plain producer writes one constant chunk; "nano" enqueues one constant
        # chunk too (the same work), "nano-fresh" allocates and fills a new chunk per
        # pull, as many apps do (its cost is the app's, measured for reference).
        runs = (("plain", plainPort, plain, ""), ("nano", nanoPort, nano, "&reuse=1"),
                ("nano-fresh", nanoPort, nano, ""))
        speeds = {name: [] for name, _, _, _ in runs}
        cpu = dict.fromkeys(speeds, 0.0)
        for i in range(args.runs):
            for name, port, proc, extra in runs:
                before = cpuSeconds(proc.pid)
                speed, size = download(port, chunks, extra)
                cpu[name] += cpuSeconds(proc.pid) - before
                assert size == chunks * CHUNK, (name, size)
                speeds[name].append(speed)
                print("run %d %-10s %7.0f MB/s" % (i + 1, name, speed), flush=True)
        median = {name: statistics.median(values) for name, values in speeds.items()}
        total = chunks * CHUNK * args.runs / 1e6
        lines += [
            "| server | MB/s (median of %d, %.1f GiB each) | server CPU s per GB |" % (args.runs, args.gib),
            "| --- | ---: | ---: |",
            "| plain twisted.web producer (one constant chunk) | %.0f | %.2f |" % (
                median["plain"], cpu["plain"] / total * 1000),
            "| NANO, JS ReadableStream enqueuing one constant chunk | %.0f | %.2f |" % (
                median["nano"], cpu["nano"] / total * 1000),
            "| NANO, JS ReadableStream allocating a fresh chunk per pull | %.0f | %.2f |" % (
                median["nano-fresh"], cpu["nano-fresh"] / total * 1000),
            "",
            "NANO / plain = **%.2f** (same work); with a fresh chunk per pull %.2f" % (
                median["nano"] / median["plain"], median["nano-fresh"] / median["plain"]),
            "",
        ]
        latencies = sorted(firstChunkLatency(nanoPort) for _ in range(20))
        lines.append("First chunk of a streamed response (20 requests): median %.1f ms, max %.1f ms." % (
            statistics.median(latencies), latencies[-1]))
        lines.append("")
    finally:
        for proc in (nano, plain):
            stopProcess(proc)
    print("\n".join(lines))
    if args.record:
        command = "python bench/stream.py --runs %d --gib %s --slow-mib %d" % (args.runs, args.gib, args.slow_mib)
        recordEntry("Streamed responses", command, "curl reads the throughput runs; both servers under twistd",
                    lines)


if __name__ == "__main__":
    main()

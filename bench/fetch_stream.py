"""
Streamed fetch() bodies: the throughput of a large body fetched by an app from a local
upstream and streamed on to the client (`return fetch(upstream)`), and of a large
upload streamed through an app to the upstream (`return fetch(upstream, request)`),
beside the same bodies read from (sent to) the upstream directly.

The upstream is nano.test.fetch_upstream (/huge?mb=N writes N MiB as fast as its
client takes them; /upload with X-Discard counts and drops the body); NANO runs under
twistd with the access log off. The client is a raw socket in this process reading
(or writing) 1 MiB at a time. For the NANO runs the CPU seconds of each twistd
thread are read from /proc (utime+stime) before and after.

Usage: python bench/fetch_stream.py [--runs 3] [--mb 1024] [--up-mb 256] [--record]
"""

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import sys
import tempfile
import time

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import (HERE, freePort, listenOn, recordEntry, startNanoConfig, startUpstream, stopProcess,
                          waitForPort)

_MiB = 1 << 20


def startNano(directory, port, upstreamPort):
    shutil.copytree(os.path.join(HERE, "apps", "fetch_stream"), os.path.join(directory, "app"))
    return startNanoConfig(directory, {
        "listen": [listenOn(port)], "admin": None,
        "egress": {"allow": ["127.0.0.1"]},
        "apps": [{"name": "stream", "hostnames": [], "path": "app",
                  "env": {"UPSTREAM": "http://127.0.0.1:%d" % (upstreamPort,)},
                  "limits": {"max_body_mb": 4096, "timeout_ms": 120000}}],
        "default_app": "stream",
    })


def threadCPU(pid):
    """
    {thread id: (name, CPU seconds)} for every thread of process C{pid}.
    """
    ticks = os.sysconf("SC_CLK_TCK")
    out = {}
    for tid in os.listdir("/proc/%d/task" % (pid,)):
        try:
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                stat = f.read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        out[tid] = (name, (int(fields[11]) + int(fields[12])) / ticks)
    return out


def cpuDelta(before, after):
    """
    CPU seconds per thread between two L{threadCPU} readings, the busiest first.
    """
    rows = []
    for tid, (name, seconds) in after.items():
        used = seconds - before.get(tid, (name, 0.0))[1]
        if used >= 0.05:
            rows.append((used, name, tid))
    return sorted(rows, reverse=True)


def readHead(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        block = sock.recv(65536)
        if not block:
            raise RuntimeError("the connection closed before the response head")
        data += block
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def download(port, path, expected):
    """
    GET C{path} (Connection: close) and read the whole body; return seconds. The
    body is counted raw (chunk framing included, if any): at least C{expected}
    bytes must arrive.
    """
    start = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"GET %s HTTP/1.1\r\nHost: bench.test\r\nConnection: close\r\n\r\n" % (path.encode(),))
        head, rest = readHead(sock)
        if not head.startswith(b"HTTP/1.1 200"):
            raise RuntimeError("unexpected response: %r" % (head[:200],))
        total = len(rest)
        buffer = bytearray(_MiB)
        while True:
            n = sock.recv_into(buffer)
            if n == 0:
                break
            total += n
    seconds = time.perf_counter() - start
    if total < expected:
        raise RuntimeError("got %d bytes, expected %d" % (total, expected))
    return seconds


def upload(port, nbytes):
    """
    POST C{nbytes} to /upload (through NANO's /up or directly), discarded by the
    upstream; return seconds until the answer arrived.
    """
    path = b"/up" if port != upload.upstreamPort else b"/upload"
    block = b"u" * _MiB
    start = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"POST %s HTTP/1.1\r\nHost: bench.test\r\nConnection: close\r\nX-Discard: 1\r\n"
                     b"Content-Length: %d\r\n\r\n" % (path, nbytes))
        left = nbytes
        while left > 0:
            n = min(left, len(block))
            sock.sendall(block[:n] if n < len(block) else block)
            left -= n
        response = http.client.HTTPResponse(sock)
        response.begin()
        body = response.read()
    seconds = time.perf_counter() - start
    if response.status != 200 or json.loads(body)["length"] != nbytes:
        raise RuntimeError("upload failed: %d %r" % (response.status, body[:200]))
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--mb", type=int, default=1024, help="MiB downloaded per run")
    parser.add_argument("--up-mb", type=int, default=256, help="MiB uploaded per run")
    parser.add_argument("--record", action="store_true", help="append the result to BENCHMARKS.md")
    args = parser.parse_args()
    directory = tempfile.mkdtemp(prefix="nano-bench-fetch-stream-")
    port = freePort()
    upstream, upstreamPort = startUpstream()
    upload.upstreamPort = upstreamPort
    nano = startNano(directory, port, upstreamPort)
    down, up, cpu, upCPU = {"direct": [], "nano": []}, {"direct": [], "nano": []}, [], []
    try:
        waitForPort(port)
        download(port, "/down?mb=8", 8 * _MiB)  # warm-up: the app loads, the JIT warms
        for run in range(args.runs):
            for side, target, path in (("direct", upstreamPort, "/huge?mb=%d" % args.mb),
                                       ("nano", port, "/down?mb=%d" % args.mb)):
                before = threadCPU(nano.pid)
                seconds = download(target, path, args.mb * _MiB)
                if side == "nano":
                    cpu.append(cpuDelta(before, threadCPU(nano.pid)))
                down[side].append(args.mb / seconds)
                print("run %d down %-6s %8.1f MiB/s (%.2f s)" % (run + 1, side, args.mb / seconds, seconds),
                      flush=True)
                if side == "nano":
                    print("    twistd CPU s by thread: " + ", ".join("%s/%s %.2f" % (n, t, u)
                                                                   for u, n, t in cpu[-1]), flush=True)
            for side, target in (("direct", upstreamPort), ("nano", port)):
                before = threadCPU(nano.pid)
                seconds = upload(target, args.up_mb * _MiB)
                up[side].append(args.up_mb / seconds)
                print("run %d up   %-6s %8.1f MiB/s (%.2f s)" % (run + 1, side, args.up_mb / seconds, seconds),
                      flush=True)
                if side == "nano":
                    upCPU.append(cpuDelta(before, threadCPU(nano.pid)))
                    print("    twistd CPU s by thread: " + ", ".join("%s/%s %.2f" % (n, t, u)
                                                                   for u, n, t in upCPU[-1]), flush=True)
    finally:
        stopProcess(nano)
        stopProcess(upstream, 10)
        shutil.rmtree(directory, ignore_errors=True)
    table = ["| body | path | MiB/s (median of %d) |" % (args.runs,), "| --- | --- | ---: |"]
    for label, results, mb in (("download", down, args.mb), ("upload", up, args.up_mb)):
        table.append("| %s %d MiB | client <-> upstream directly | %.1f |" % (label, mb,
                                                                          statistics.median(results["direct"])))
        table.append("| %s %d MiB | client <-> app (fetch, streamed) <-> upstream | %.1f |"
                     % (label, mb, statistics.median(results["nano"])))
    print("\n".join(table))
    if args.record:
        recordEntry("Streamed fetch() bodies", "python bench/fetch_stream.py --runs %d --mb %d --up-mb %d"
                    % (args.runs, args.mb, args.up_mb),
                    "upstream: `nano.test.fetch_upstream`, one process; NANO under twistd with the access log off; "
                    "the client is a raw socket reading or writing 1 MiB at a time", table)


if __name__ == "__main__":
    main()

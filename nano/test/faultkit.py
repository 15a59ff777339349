"""
Helpers for the fault tests (L{nano.test.test_faults_e2e}) and the fault driver
(C{bench/faults.py}): a steady client that measures a healthy app while another app
misbehaves, a reader for NANO's JSON log, request bodies over raw sockets and a
flood of concurrent requests.

C{python -m nano.test.faultkit steady PORT HOST WORKERS PAUSE_MS} runs a
L{SteadyClient} in a process of its own (so that its timings do not share a GIL
with the driver) until its standard input closes, then prints its samples as JSON.
"""

import asyncio
import collections
import datetime
import http.client
import json
import math
import socket
import sys
import threading
import time

from nano.test.e2e import jsonRecords

__all__ = ["SteadyClient", "between", "flood", "get", "logEvents", "resetEvents", "sendBody", "summarize", "waitServing"]


class SteadyClient:
    """
    C{workers} threads, each sending GETs to one app one after the other on a
    keep-alive connection (a new one after an error), pausing C{pause} seconds
    between requests.

    @ivar samples: C{(start, milliseconds, status)} per request: C{start} is
        C{time.time()} when it was sent, C{status} the HTTP status or the name of
        the exception that ended it.
    """

    def __init__(self, port, host, workers=1, path="/steady", pause=0.0, timeout=10.0):
        self._port = port
        self._host = host
        self._path = path
        self._pause = pause
        self._timeout = timeout
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._work, daemon=True) for _ in range(workers)]
        self.samples = []

    def start(self):
        for thread in self._threads:
            thread.start()
        return self

    def stop(self):
        """
        Stop the workers (each finishes the request it is in); return the samples.
        """
        self._stop.set()
        for thread in self._threads:
            thread.join(self._timeout + 1)
        return sorted(self.samples)

    def _work(self):
        conn = None
        record = self.samples.append
        while not self._stop.is_set():
            started = time.time()
            clock = time.perf_counter()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", self._port, timeout=self._timeout)
                conn.request("GET", self._path, headers={"Host": self._host})
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as e:
                status = type(e).__name__
                if conn is not None:
                    conn.close()
                conn = None
            record((started, (time.perf_counter() - clock) * 1000.0, status))
            if self._pause:
                self._stop.wait(self._pause)
        if conn is not None:
            conn.close()


def between(samples, start, end):
    """
    The samples sent from C{start} to C{end} (C{time.time()} values).
    """
    return [s for s in samples if start <= s[0] <= end]


def summarize(samples):
    """
    C{{"n", "p50", "p99", "max", "errors"}} of samples: latencies in ms (of every
    request, answered or not) and how many did not get a 200.
    """
    times = sorted(s[1] for s in samples)

    def rank(q):
        return times[max(0, math.ceil(q * len(times)) - 1)] if times else float("nan")

    return {"n": len(times), "p50": rank(0.5), "p99": rank(0.99), "max": times[-1] if times else float("nan"),
            "errors": sum(1 for s in samples if s[2] != 200)}


def logEvents(output):
    """
    The events of a C{--log-format json} log (lines that are not JSON are
    skipped), each with C{"ts"}: its time as a C{time.time()} value.
    """
    events = []
    for event in jsonRecords(output.splitlines()):
        if "time" in event:
            event["ts"] = datetime.datetime.fromisoformat(event["time"]).timestamp()
            events.append(event)
    return events


def resetEvents(events, app=None, since=0.0):
    """
    The "isolate reset" events (of C{app}, when given) logged at C{since} or later
    (log times have millisecond resolution: 1 ms of slack).
    """
    return [e for e in events if "isolate reset" in e.get("event", "") and e["ts"] >= since - 0.001
            and (app is None or e.get("app") == app)]


def get(port, host, path, timeout=10.0):
    """
    One GET of C{path} at C{host} on a connection of its own; return the status
    and the body. Connection and protocol errors are raised.
    """
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Host": host})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def waitServing(port, host, path="/ok", body=b"ok", timeout=10.0, interval=0.005):
    """
    Send C{path} until it is answered with 200 and C{body}; return the
    C{time.time()} of that answer, or None after C{timeout} seconds.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if get(port, host, path, timeout) == (200, body):
                return time.time()
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(interval)
    return None


def _status(head):
    line = head.split(b"\r\n", 1)[0].split()
    return int(line[1]) if len(line) > 1 and line[1].isdigit() else None


def sendBody(port, host, path, size, chunked=False, timeout=10.0):
    """
    POST a body of C{size} bytes (declared with Content-Length, or sent in 64 KiB
    chunks), stopping as soon as the server answers; return the status it
    answered with (None if it closed without an answer) and the seconds it took.
    """
    started = time.monotonic()
    framing = b"transfer-encoding: chunked" if chunked else b"content-length: %d" % (size,)
    piece = b"x" * 65536
    received = b""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(b"POST %s HTTP/1.1\r\nhost: %s\r\n%s\r\n\r\n" % (path.encode(), host.encode(), framing))
        sock.setblocking(False)
        sent = 0
        while time.monotonic() - started < timeout:
            try:
                data = sock.recv(65536)
                if not data:
                    break
                received += data
                if b"\r\n\r\n" in received:
                    break
            except BlockingIOError:
                pass
            except OSError:
                break
            if sent < size:
                n = min(len(piece), size - sent)
                chunk = b"%x\r\n%s\r\n" % (n, piece[:n]) if chunked else piece[:n]
                try:
                    sock.send(chunk)
                    sent += n
                    if chunked and sent >= size:
                        sock.send(b"0\r\n\r\n")
                except BlockingIOError:
                    time.sleep(0.001)
                except OSError:
                    pass
            else:
                time.sleep(0.001)
    return _status(received), time.monotonic() - started


def flood(port, host, path, n, timeout=30.0):
    """
    Open C{n} connections at once, each sending one GET; return a
    C{collections.Counter} of the statuses (or exception names) and the seconds
    until the last answer (at most C{timeout}: what has not finished by then is
    counted as C{"unfinished"}).
    """
    request = b"GET %s HTTP/1.1\r\nhost: %s\r\nconnection: close\r\n\r\n" % (path.encode(), host.encode())

    async def one():
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            try:
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                await reader.read()
                return _status(head)
            finally:
                writer.close()
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as e:
            return type(e).__name__

    async def run():
        tasks = [asyncio.ensure_future(one()) for _ in range(n)]
        done, pending = await asyncio.wait(tasks, timeout=timeout)
        for task in pending:
            task.cancel()
        counts = collections.Counter(task.result() for task in done)
        if pending:
            counts["unfinished"] = len(pending)
        return counts

    started = time.monotonic()
    counts = asyncio.run(run())
    return counts, time.monotonic() - started


def _steadyMain(port, host, workers, pauseMS):
    client = SteadyClient(int(port), host, int(workers), pause=float(pauseMS) / 1000.0).start()
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    sys.stdin.read()
    json.dump(client.stop(), sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__" and len(sys.argv) == 6 and sys.argv[1] == "steady":
    _steadyMain(*sys.argv[2:])

"""
Running wrk for the benchmarks (bench/suite.py, hello.py, workers.py, ...) and
reading its output.

`runWrk` runs one wrk measurement and returns a `WrkResult` with the figures the
benchmarks report: requests per second, p50/p99/max latency, transfer rate, the
request count, non-2xx responses and socket errors, and the CPU time wrk itself
used (from the children's rusage, so the CPU split between wrk and the server is
visible). `wrkCommand` is its command line (for runs started concurrently),
`parseWrk` the pure parsing half; `writeEchoScript` writes the Lua script that
turns wrk's GET into a POST of a fixed body.
"""

import re
import subprocess

import attr

from bench.common import childCPU

__all__ = ["WrkResult", "WrkError", "parseWrk", "runWrk", "wrkCommand", "writeEchoScript", "wrkVersion"]

_LATENCY_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
_BYTES = {"B": 1, "KB": 1024, "MB": 1024 ** 2, "GB": 1024 ** 3, "TB": 1024 ** 4}


class WrkError(Exception):
    """
    wrk failed to run or printed something this module cannot read.
    """


@attr.frozen
class WrkResult:
    """
    One wrk run.  Latencies in milliseconds (C{max} the slowest request); C{mibps} is wrk's Transfer/sec in
    MiB/s (wrk counts in powers of 1024, headers and chunk framing included);
    C{socketErrors} is the total of connect, read, write and timeout errors, and
    C{socketErrorKinds} the non-zero ones by kind (C{"read 2, timeout 48"}).
    C{wrkCPU} is wrk's own user+system CPU seconds (0.0 when not measured).
    """

    rps: float
    p50: float
    p99: float
    max: float
    mibps: float
    requests: int
    seconds: float
    non2xx: int
    socketErrors: int
    socketErrorKinds: str = ""
    wrkCPU: float = 0.0

    def asDict(self):
        return attr.asdict(self)


def _ms(text):
    match = re.fullmatch(r"([0-9.]+)(us|ms|s|m)", text)
    if match is None:
        raise WrkError("unreadable latency %r" % (text,))
    return float(match.group(1)) * _LATENCY_MS[match.group(2)]


def _bytes(text):
    match = re.fullmatch(r"([0-9.]+)(B|KB|MB|GB|TB)", text)
    if match is None:
        raise WrkError("unreadable byte count %r" % (text,))
    return float(match.group(1)) * _BYTES[match.group(2)]


def _find(pattern, out, what):
    match = re.search(pattern, out, re.M)
    if match is None:
        raise WrkError("wrk output has no %s:\n%s" % (what, out))
    return match


def parseWrk(out):
    """
    Read the output of C{wrk --latency} into a L{WrkResult} (C{wrkCPU} 0.0).
    Raises L{WrkError} naming what is missing when a figure is absent.
    """
    total = _find(r"^\s*(\d+) requests in ([0-9.]+)(us|ms|s|m),", out, "request count")
    seconds = _ms(total.group(2) + total.group(3)) / 1000.0
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socketErrors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return WrkResult(
        rps=float(_find(r"Requests/sec:\s+([0-9.]+)", out, "Requests/sec").group(1)),
        p50=_ms(_find(r"^\s+50%\s+(\S+)", out, "50% latency").group(1)),
        p99=_ms(_find(r"^\s+99%\s+(\S+)", out, "99% latency").group(1)),
        max=_ms(_find(r"^\s+Latency\s+\S+\s+\S+\s+(\S+)", out, "maximum latency").group(1)),
        mibps=_bytes(_find(r"Transfer/sec:\s+(\S+)", out, "Transfer/sec").group(1)) / 1024 ** 2,
        requests=int(total.group(1)),
        seconds=seconds,
        non2xx=int(non2xx.group(1)) if non2xx else 0,
        socketErrors=sum(int(g) for g in socketErrors.groups()) if socketErrors else 0,
        socketErrorKinds=", ".join(
            "%s %s" % (kind, count) for kind, count in zip(("connect", "read", "write", "timeout"),
                                                         socketErrors.groups()) if count != "0"
        ) if socketErrors else "",
    )


def writeEchoScript(path, size):
    """
    Write a wrk Lua script to C{path} that sends every request as a POST of C{size}
    bytes (wrk adds the Content-Length).
    """
    with open(path, "w") as f:
        f.write('-- Written by bench/suite.py: every request is a POST of %d bytes.\n' % (size,))
        f.write('wrk.method = "POST"\n')
        f.write('wrk.body = string.rep("x", %d)\n' % (size,))
        f.write('wrk.headers["Content-Type"] = "application/octet-stream"\n')


def wrkCommand(url, duration, connections, threads=2, script=None, timeout="2s", headers=()):
    """
    The command line of C{wrk -tT -cC -dDs --timeout TIMEOUT --latency URL}, with
    C{-s script} when given and one C{-H} per header line in C{headers}.
    """
    command = ["wrk", "-t%d" % threads, "-c%d" % connections, "-d%ds" % duration,
               "--timeout", timeout, "--latency"]
    if script is not None:
        command += ["-s", script]
    for header in headers:
        command += ["-H", header]
    return command + [url]


def runWrk(url, duration, connections, threads=2, script=None, timeout="2s", headers=()):
    """
    Run L{wrkCommand} and return its L{WrkResult}, C{wrkCPU} included.  Raises
    L{WrkError} when wrk exits non-zero or prints no figures (a server refusing
    connections, say).
    """
    before = childCPU()
    done = subprocess.run(wrkCommand(url, duration, connections, threads, script, timeout, headers),
                          capture_output=True, text=True)
    cpu = childCPU() - before
    if done.returncode != 0:
        raise WrkError("wrk exited %d: %s" % (done.returncode, (done.stderr or done.stdout).strip()))
    return attr.evolve(parseWrk(done.stdout), wrkCPU=cpu)


def wrkVersion():
    """
    wrk's version, from the line C{wrk -v} prints (it exits non-zero), or "unknown".
    """
    try:
        done = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    except OSError:
        return "unknown"
    lines = (done.stdout or done.stderr).strip().splitlines()
    if not lines:
        return "unknown"
    return lines[0].split(" Copyright")[0].removeprefix("wrk ").strip()

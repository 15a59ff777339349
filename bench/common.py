"""
What the benchmark scripts share: a free port, the twistd command line of this
Python, starting a server as a quiet subprocess and waiting until it listens,
stopping it, a process's CPU time from /proc, the local upstream the fetch
benchmarks call, and appending a dated entry to BENCHMARKS.md. The twistd command,
the atomic config write and the upstream's start are L{nano.test.e2e}'s, shared with
the end-to-end tests.

wrk is run and read by L{bench.suite_wrk}.
"""

import datetime
import os
import platform
import resource
import signal
import socket
import subprocess
import time

from nano.test.e2e import startUpstream as _startUpstream
from nano.test.e2e import twistdCommand as twistd
from nano.test.e2e import writeJSON as writeConfig

__all__ = ["HERE", "ROOT", "ServerError", "freePort", "waitForPort", "twistd", "twistdCommand", "listenOn",
           "spawn", "stopProcess", "writeConfig", "startNanoConfig", "startUpstream", "cpuSeconds",
           "childCPU", "machine", "recordEntry", "appendToBenchmarks"]

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


class ServerError(RuntimeError):
    """
    A server did not start, or stopped answering.
    """


def freePort():
    """
    A TCP port on 127.0.0.1 that nothing listens on right now.
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def waitForPort(port, process=None, timeout=30.0, interval=0.05):
    """
    Wait until something accepts connections on 127.0.0.1:C{port}; raise
    L{ServerError} if C{process} (when given) exits first or C{timeout} seconds
    pass.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise ServerError("exited with status %d before listening" % (process.returncode,))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(interval)
    raise ServerError("nothing listens on port %d after %.0f s" % (port, timeout))


def twistdCommand(logfile, *arguments):
    """
    C{twistd -n --pidfile= --logfile=LOGFILE ARGUMENTS...}.
    """
    return twistd() + ["-n", "--pidfile=", "--logfile=" + logfile] + list(arguments)


def listenOn(port):
    """
    The endpoint description of 127.0.0.1:C{port}.
    """
    return "tcp:%d:interface=127.0.0.1" % (port,)


def spawn(command, cwd=None, env=None):
    """
    Start C{command} with its output discarded; C{env} adds to this process's
    environment.
    """
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd,
                            env=dict(os.environ, **env) if env else None)


def stopProcess(process, timeout=20):
    """
    SIGTERM, then SIGKILL after C{timeout} seconds; return the exit status.
    Nothing happens to a process that has exited already.
    """
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def startNanoConfig(directory, config, logfile=None):
    """
    Write C{config} to C{directory}/config.json and start C{twistd nano --config}
    on it with the access log off, in C{directory} (log: C{logfile}, by default
    C{directory}/nano.log).
    """
    path = writeConfig(os.path.join(directory, "config.json"), config)
    return spawn(twistdCommand(logfile or os.path.join(directory, "nano.log"), "nano", "--config", path,
                               "--no-access-log"), cwd=directory)


def startUpstream():
    """
    Start nano.test.fetch_upstream in a process of its own (in the repository
    root); return the process and the port it listens on.
    """
    return _startUpstream(cwd=ROOT)


def cpuSeconds(pid):
    """
    User + system CPU seconds of process C{pid}, all its threads included.
    """
    with open("/proc/%d/stat" % (pid,)) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def childCPU():
    """
    User + system CPU seconds this process's waited-for children used so far.
    """
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def machine(extra=""):
    """
    C{"Machine: PLATFORM, N cores, Python X.Y.Z."}, C{extra} before the full stop.
    """
    return "Machine: %s, %d cores, Python %s%s." % (platform.platform(), os.cpu_count(),
                                                    platform.python_version(), extra)


def recordEntry(title, command, detail, lines):
    """
    Append a dated BENCHMARKS.md section: C{## TITLE, DATE}, then C{Command:
    `COMMAND` (DETAIL).}, the machine line and C{lines} (a table, usually).
    """
    appendToBenchmarks("\n## %s, %s\n\nCommand: `%s` (%s).\n%s\n\n%s\n" % (
        title, datetime.date.today().isoformat(), command, detail, machine(), "\n".join(lines)))


def appendToBenchmarks(text):
    """
    Append C{text} to BENCHMARKS.md at the repository root.
    """
    with open(os.path.join(ROOT, "BENCHMARKS.md"), "a") as f:
        f.write(text)

"""
The servers bench/suite.py measures, each a subprocess on 127.0.0.1:

- "plain": bench/plain_suite.py under twistd (twisted.web resources, no JavaScript);
- "nano": `twistd -n nano --app bench/apps/suite --no-access-log`;
- "nano-log": the same with the access log on (written to a twistd log file);
- "workerd": see bench/suite_workerd.py.

A L{Server} knows its process (for CPU time from /proc/PID/stat) and port; `checkRoute`
asks one route once and says what is wrong with the answer, if anything, so a route
a server cannot serve (NANO's /stream before streams land) is reported as failed
instead of being measured.
"""

import http.client
import json
import os
import subprocess

import attr

from bench.common import HERE, ServerError, cpuSeconds, listenOn, spawn, stopProcess, twistdCommand, waitForPort

__all__ = ["Server", "startTwistd", "nanoCommand", "plainCommand", "checkRoute", "ROUTES", "ECHO_SIZE"]

SUITE_APP = os.path.join(HERE, "apps", "suite")
STREAM_SIZE = 16 * 64 * 1024
ECHO_SIZE = 64 * 1024
ROUTES = ("/", "/json", "/stream", "/echo")
_DOCUMENT = {"id": 42, "name": "widget", "tags": ["small", "blue"],
             "price": {"amount": 1999, "currency": "EUR"}, "in_stock": True}


@attr.define
class Server:
    """
    A running server: C{name} (the key in the results), a human C{label}, its
    C{process} and C{port}, and C{cleanup} callables run after it stops.
    """

    name: str
    label: str
    process: subprocess.Popen
    port: int
    logfile: str | None = None
    cleanup: list = attr.Factory(list)

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def cpu(self):
        return cpuSeconds(self.process.pid)

    def alive(self):
        return self.process.poll() is None

    def stop(self):
        """
        SIGTERM, then SIGKILL after 20 s; then the cleanups.  Idempotent.
        """
        stopProcess(self.process)
        while self.cleanup:
            self.cleanup.pop()()

    def logTail(self, lines=20):
        if self.logfile is None or not os.path.exists(self.logfile):
            return ""
        with open(self.logfile, errors="replace") as f:
            return "".join(f.readlines()[-lines:])


def nanoCommand(port, logfile, accessLog):
    """
    The twistd command line serving the suite app with NANO on 127.0.0.1:C{port}.
    """
    return twistdCommand(logfile, "nano", "--app", SUITE_APP, "--listen", listenOn(port),
                         *([] if accessLog else ["--no-access-log"]))


def plainCommand(logfile):
    """
    The twistd command line serving bench/plain_suite.py (port from PLAIN_PORT).
    """
    return twistdCommand(logfile, "-y", os.path.join(HERE, "plain_suite.py"))


def startTwistd(name, label, command, port, logfile, env=None):
    """
    Start a twistd server and wait until it listens; return its L{Server}.
    """
    process = spawn(command, env=env)
    server = Server(name=name, label=label, process=process, port=port, logfile=logfile)
    try:
        waitForPort(port, process)
    except ServerError:
        server.stop()
        raise
    return server


def _request(port, method, path, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body,
                           headers={"content-type": "application/octet-stream"} if body else {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def checkRoute(port, path):
    """
    Ask C{path} once as the suite does and return C{None} when the answer is what
    bench/apps/suite/index.js answers, else a short description of what is wrong
    (status and start of the body, or the connection error).
    """
    try:
        if path == "/echo":
            sent = bytes(range(256)) * (ECHO_SIZE // 256)
            status, body = _request(port, "POST", path, sent)
            expected = sent
        else:
            status, body = _request(port, "GET", path)
            expected = None
    except (OSError, http.client.HTTPException) as e:
        return "request failed: %s" % (e,)
    if status != 200:
        return "HTTP %d: %s" % (status, body[:200].decode("utf-8", "replace").strip())
    if path == "/":
        ok = body == b"Hello World"
    elif path == "/json":
        try:
            ok = json.loads(body) == _DOCUMENT
        except ValueError:
            ok = False
    elif path == "/stream":
        ok = body == b"a" * STREAM_SIZE
    else:
        ok = body == expected
    if not ok:
        return "unexpected body (%d bytes): %r" % (len(body), body[:60])
    return None

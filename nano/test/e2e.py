"""
Helpers for end-to-end tests: start a real C{twistd -n nano} subprocess on
127.0.0.1, wait until it listens, talk HTTP to it, stop it.
"""

import atexit
import http.client
import json
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

__all__ = ["TwistdProcess", "APPS", "copyApp", "jsonRecords", "readUntil", "startSharedServer", "startSharedUpstream",
           "startUpstream",
           "twistdCommand", "waitUntil", "writeConfig", "writeJSON"]

APPS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "apps")
_LISTENING = re.compile(r"nano listening on (?P<host>[0-9.]+):(?P<port>\d+)")
_ADMIN = re.compile(r"nano admin listening on (?P<host>[0-9.]+):(?P<port>\d+)")


def twistdCommand():
    """
    The argv prefix that runs twistd with this interpreter.
    """
    candidate = os.path.join(os.path.dirname(sys.executable), "twistd")
    if os.path.exists(candidate):
        return [candidate]
    return [sys.executable, "-c", "from twisted.scripts.twistd import run; run()"]


def writeJSON(path, value):
    """
    Write C{value} as JSON to C{path}, replacing the file atomically (as editors
    and deploy tools do: a watching server never reads half a file); return
    C{path}.
    """
    temporary = path + ".writing"
    with open(temporary, "w") as f:
        json.dump(value, f, indent=2)
    os.replace(temporary, path)
    return path


def writeConfig(directory, config):
    """
    Write C{config} (a dict) as config.json in C{directory} (atomically, see
    L{writeJSON}); return its path.
    """
    return writeJSON(os.path.join(directory, "config.json"), config)


def copyApp(name, directory, as_=None):
    """
    Copy the test app C{name} from L{APPS} into C{directory} (as C{as_});
    return the copy's path.
    """
    target = os.path.join(directory, as_ or name)
    shutil.copytree(os.path.join(APPS, name), target)
    return target


def jsonRecords(lines):
    """
    The JSON objects among C{lines} (a JSON log: other lines are skipped), as
    dicts, in order.
    """
    records = []
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            records.append(record)
    return records


def readUntil(sock, marker, data=b"", timeout=None):
    """
    Read from C{sock} until C{marker} is in C{data} plus what was read, or the
    peer closed; return all of it. With C{timeout}, set it on C{sock} first
    (C{socket.timeout} if C{marker} does not come in time).
    """
    if timeout is not None:
        sock.settimeout(timeout)
    while marker not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def startUpstream(cwd=None):
    """
    Start L{nano.test.fetch_upstream} in a process of its own (in C{cwd}); return
    the process and the port it listens on (which it prints first).
    """
    process = subprocess.Popen([sys.executable, "-m", "nano.test.fetch_upstream"], stdout=subprocess.PIPE,
                               stdin=subprocess.DEVNULL, text=True, cwd=cwd)
    return process, int(process.stdout.readline())


def startSharedUpstream():
    """
    Start L{nano.test.fetch_upstream} for a module's tests (see L{startUpstream}),
    terminated at exit; return the port it listens on.
    """
    process, port = startUpstream()
    atexit.register(_stopUpstream, process)
    return port


def _stopUpstream(process):
    process.terminate()
    process.wait(10)


def startSharedServer(apps, config, prefix="nano-e2e-", args=(), env=None):
    """
    Start a twistd meant to be shared by a module's tests (trial has no class
    fixtures): in a new temporary directory (named with C{prefix}) holding copies
    of the test apps C{apps} (a dict: name in L{APPS} to directory name), serving
    C{config} (written there) with the further command-line C{args} and
    environment C{env}. At exit the server stops and the directory is removed.
    Return the started L{TwistdProcess}.
    """
    directory = tempfile.mkdtemp(prefix=prefix)
    for name, as_ in apps.items():
        copyApp(name, directory, as_)
    server = TwistdProcess(["--config", writeConfig(directory, config), *args], env=env, cwd=directory)
    atexit.register(_stopShared, server, directory)
    server.start()
    return server


def _stopShared(server, directory):
    server.stop()
    shutil.rmtree(directory, ignore_errors=True)


def waitUntil(condition, timeout=10.0, interval=0.05):
    """
    Call C{condition()} until it returns something true (returned) or
    C{timeout} seconds passed (then the last value is returned).
    """
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


class TwistdProcess:
    """
    A running C{twistd -n nano ...}.

    @ivar port: the TCP port it listens on (once L{start} returned).
    @ivar output: everything it printed so far (stdout and stderr merged).
    """

    def __init__(self, args, env=None, cwd=None):
        self.args = list(args)
        self.env = dict(os.environ, **(env or {}))
        self.cwd = cwd or tempfile.mkdtemp(prefix="nano-e2e-")
        self._ownCwd = cwd is None
        self.process = None
        self.port = None
        self.adminPort = None
        self._lines = []
        self._lock = threading.Lock()

    @property
    def output(self):
        with self._lock:
            return "".join(self._lines)

    def _reader(self, stream):
        for line in iter(stream.readline, ""):
            with self._lock:
                self._lines.append(line)
        stream.close()

    def start(self, timeout=30.0, expectListening=True):
        """
        Start twistd; wait until it logs that it listens (or exits).
        """
        argv = twistdCommand() + ["-n", "--pidfile=", "nano"] + self.args
        self.process = subprocess.Popen(
            argv, cwd=self.cwd, env=self.env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        threading.Thread(target=self._reader, args=(self.process.stdout,), daemon=True).start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = _LISTENING.search(self.output)
            if match is not None:
                self.port = int(match.group("port"))
                admin = _ADMIN.search(self.output)
                self.adminPort = int(admin.group("port")) if admin is not None else None
                return self
            if self.process.poll() is not None:
                time.sleep(0.1)
                if expectListening:
                    raise RuntimeError("twistd exited %s:\n%s" % (self.process.returncode, self.output))
                return self
            time.sleep(0.02)
        self.stop()
        raise RuntimeError("twistd did not listen in %s s:\n%s" % (timeout, self.output))

    def wait(self, timeout=30.0):
        """
        Wait for the process to exit; return its exit code.
        """
        try:
            return self.process.wait(timeout)
        finally:
            time.sleep(0.05)

    def waitForOutput(self, text, timeout=10.0):
        """
        Wait until C{text} appears in the output; return True if it did.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.output:
                return True
            time.sleep(0.02)
        return False

    def stop(self):
        """
        SIGTERM the process (SIGKILL after 15 s); return its exit code.
        """
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if self._ownCwd:
            shutil.rmtree(self.cwd, ignore_errors=True)
        return self.process.returncode

    def request(self, method, path, host=None, headers=(), body=None, connection=None):
        """
        One HTTP request; return (status, reason, header list, body bytes).
        """
        conn = connection or http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        skip = {}
        if host is None:
            skip["skip_host"] = True
        conn.putrequest(method, path, **skip)
        if host is not None:
            conn.putheader("Host", host)
        for name, value in headers:
            conn.putheader(name, value)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        response = conn.getresponse()
        data = response.read()
        result = (response.status, response.reason, response.getheaders(), data)
        if connection is None:
            conn.close()
        return result

    def signal(self, number):
        """
        Send signal C{number} to the process.
        """
        self.process.send_signal(number)

    def admin(self, method, path, body=None, token=None, raw=None):
        """
        One request to the admin listener; return (status, headers, parsed JSON
        body or text).
        """
        conn = http.client.HTTPConnection("127.0.0.1", self.adminPort, timeout=15)
        headers = {}
        if token is not None:
            headers["Authorization"] = "Bearer " + token
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            content = response.read()
        finally:
            conn.close()
        kind = response.getheader("content-type") or ""
        payload = json.loads(content) if kind.startswith("application/json") and content else content.decode()
        return response.status, response.getheaders(), payload

    def rawRequest(self, data, timeout=10.0):
        """
        Send raw bytes; return everything the server sent until it closed (or timeout).
        """
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as sock:
            sock.sendall(data)
            chunks = []
            try:
                while True:
                    chunk = sock.recv(65536)
                    if not chunk:
                        break
                    chunks.append(chunk)
            except (socket.timeout, ConnectionResetError):
                pass
        return b"".join(chunks)

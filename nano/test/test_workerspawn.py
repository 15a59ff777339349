"""
Tests for L{nano.workerspawn}: how worker processes are started.
"""

import os
import sys

from twisted.trial.unittest import SynchronousTestCase

from nano.tap import Options
from nano.workerspawn import ProcessSpawner, workerArgv


class SpawnerTests(SynchronousTestCase):
    """
    How a worker process is started.
    """

    def test_argv(self):
        """
        A worker runs twistd nano with the supervisor's config (absolute path),
        listen overrides, log format and flags, and the reactor the supervisor
        was given.
        """
        options = Options()
        options.parseOptions(["--config", "c.json", "--workers", "2", "--port", "8080", "--dev",
                              "--no-access-log", "--admin", "tcp:1"])
        argv = workerArgv(options, "poll")
        self.assertEqual(argv[:2], ["-c", "from twisted.scripts.twistd import run; run()"])
        self.assertEqual(argv[2:], [
            "-n", "--pidfile=", "--logfile=-", "--reactor", "poll", "nano",
            "--config", os.path.abspath("c.json"), "--listen", "tcp:8080", "--log-format", "text",
            "--dev", "--no-access-log"])
        options = Options()
        options.parseOptions(["--app", "dir", "--log-format", "json"])
        self.assertEqual(workerArgv(options)[5:], ["nano", "--app", os.path.abspath("dir"), "--log-format", "json"])

    def test_spawn(self):
        """
        The spawner maps the inherited sockets to descriptors 4 and up, pipes
        0-3 to the supervisor, and passes the environment.
        """
        calls = []

        class Reactor:
            def spawnProcess(self, protocol, executable, args, env, childFDs):
                calls.append((protocol, executable, args, env, childFDs))
                return "process"

        class Sock:
            def __init__(self, fd):
                self._fd = fd

            def fileno(self):
                return self._fd

        spawner = ProcessSpawner(Reactor(), ["-c", "x", "nano"], environ={"A": "1"})
        result = spawner(1, "protocol", [(Sock(7), "tcp:80"), (Sock(9), "unix:/s")], "/tmp/w/worker-1.sock")
        self.assertEqual(result, "process")
        protocol, executable, args, env, childFDs = calls[0]
        self.assertEqual(executable, sys.executable)
        self.assertEqual(args, [sys.executable, "-c", "x", "nano", "--worker-index", "1",
                                "--inherit", "4=tcp:80", "--inherit", "5=unix:/s",
                                "--worker-admin", "/tmp/w/worker-1.sock"])
        self.assertEqual(env, {"A": "1"})
        self.assertEqual(childFDs, {0: "w", 1: "r", 2: "r", 3: "r", 4: 7, 5: 9})

"""
Tests for bench.common: the helpers the benchmark scripts share.
"""

import datetime
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile

from twisted.trial.unittest import SynchronousTestCase

from bench import common
from bench.common import (ServerError, cpuSeconds, freePort, listenOn, machine, stopProcess, twistdCommand,
                          waitForPort, writeConfig)


class PortTests(SynchronousTestCase):
    def test_listening(self):
        """
        waitForPort returns once something accepts connections on the port.
        """
        with socket.socket() as server:
            server.bind(("127.0.0.1", 0))
            server.listen(1)
            waitForPort(server.getsockname()[1], timeout=5.0)

    def test_nothingListens(self):
        """
        When nothing listens before the timeout, ServerError names the port.
        """
        port = freePort()
        error = self.assertRaises(ServerError, waitForPort, port, timeout=0.2)
        self.assertIn("port %d" % (port,), str(error))

    def test_processExited(self):
        """
        When the given process exits first, ServerError says so with its status.
        """
        process = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
        process.wait()
        error = self.assertRaises(ServerError, waitForPort, freePort(), process, timeout=5.0)
        self.assertEqual(str(error), "exited with status 3 before listening")


class CommandTests(SynchronousTestCase):
    def test_twistdCommand(self):
        """
        The twistd command runs in the foreground, without a pid file, logging to
        the given file, with the arguments after.
        """
        command = twistdCommand("/tmp/x.log", "nano", "--listen", listenOn(8080))
        self.assertEqual(command[-6:], ["-n", "--pidfile=", "--logfile=/tmp/x.log", "nano", "--listen",
                                        "tcp:8080:interface=127.0.0.1"])

    def test_machine(self):
        """
        The machine line names the cores and the Python version, with the extra
        text before the full stop.
        """
        line = machine("; load 0.5")
        self.assertTrue(line.startswith("Machine: "))
        self.assertIn("%d cores" % (os.cpu_count(),), line)
        self.assertTrue(line.endswith("; load 0.5."))


class ProcessTests(SynchronousTestCase):
    def test_stopProcess(self):
        """
        stopProcess ends a running process with SIGTERM and returns its status;
        a second call leaves the exited process alone.
        """
        process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        self.assertEqual(stopProcess(process), -15)
        self.assertEqual(stopProcess(process), -15)

    def test_cpuSeconds(self):
        """
        A process's CPU time is read from /proc: this one's is positive.
        """
        self.assertGreater(cpuSeconds(os.getpid()), 0.0)


class WriteConfigTests(SynchronousTestCase):
    def test_replaces(self):
        """
        writeConfig replaces the file with the JSON document, leaving no
        temporary file beside it.
        """
        directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, directory)
        path = os.path.join(directory, "config.json")
        writeConfig(path, {"apps": []})
        writeConfig(path, {"apps": [1]})
        with open(path) as f:
            self.assertEqual(json.load(f), {"apps": [1]})
        self.assertEqual(os.listdir(directory), ["config.json"])


class RecordEntryTests(SynchronousTestCase):
    def test_entry(self):
        """
        recordEntry appends a dated section: title, command with its detail, the
        machine line, then the lines.
        """
        appended = []
        self.patch(common, "appendToBenchmarks", appended.append)
        self.patch(common, "machine", lambda: "Machine: M.")
        common.recordEntry("Title", "python bench/x.py --runs 3", "one process", ["| a |", "| 1 |"])
        self.assertEqual(appended, ["\n## Title, %s\n\nCommand: `python bench/x.py --runs 3` (one process).\n"
                                    "Machine: M.\n\n| a |\n| 1 |\n" % (datetime.date.today().isoformat(),)])

"""
Tests for bench.suite_servers: the plain baseline (bench/plain_suite.py) under a real
twistd answers the suite's four routes as bench/apps/suite/index.js does, and
checkRoute says what is wrong with a wrong answer.
"""

import os
import tempfile

from twisted.trial.unittest import SynchronousTestCase

from bench.common import freePort
from bench.suite_servers import ROUTES, checkRoute, plainCommand, startTwistd


class PlainServerTests(SynchronousTestCase):
    def setUp(self):
        port = freePort()
        logfile = os.path.join(tempfile.mkdtemp(), "plain.log")
        self.server = startTwistd("plain", "plain twisted.web", plainCommand(logfile), port, logfile,
                                  env={"PLAIN_PORT": str(port), "PLAIN_ACCESS_LOG": "0"})
        self.addCleanup(self.server.stop)

    def test_routes(self):
        """
        Every route answers 200 with the app's bytes: hello text, the JSON
        document, 1 MiB of "a", the 64 KiB body echoed.
        """
        for path in ROUTES:
            self.assertIsNone(checkRoute(self.server.port, path), path)

    def test_wrongAnswer(self):
        """
        A route that answers something else is described with its status and body.
        """
        self.assertEqual(checkRoute(self.server.port, "/nope"), "HTTP 404: not found")

    def test_cpu(self):
        """
        The server's CPU time is readable from /proc and positive once it started.
        """
        self.assertGreater(self.server.cpu(), 0.0)

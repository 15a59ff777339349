"""
Tests for bench.suite_wrk: reading wrk's output and writing the echo script.
"""

import os
import tempfile

from twisted.trial.unittest import SynchronousTestCase

from bench.suite_wrk import WrkError, parseWrk, writeEchoScript

# Real wrk 4.1.0 output (against bench/plain_suite.py).
STREAM = """\
Running 1s test @ http://127.0.0.1:19400/stream
  2 threads and 10 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     5.30ms    2.15ms  19.49ms   75.09%
    Req/Sec     0.94k   192.55     1.28k    70.00%
  Latency Distribution
     50%    4.94ms
     75%    6.09ms
     90%    7.89ms
     99%   13.80ms
  1873 requests in 1.00s, 1.83GB read
Requests/sec:   1867.78
Transfer/sec:      1.83GB
"""

NOT_FOUND = """\
Running 1s test @ http://127.0.0.1:19400/nope
  2 threads and 10 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.13ms    1.66ms  14.25ms   87.63%
    Req/Sec     7.99k     4.10k   18.28k    66.67%
  Latency Distribution
     50%  517.00us
     75%  689.00us
     90%    3.32ms
     99%    1.21s
  16677 requests in 1.10s, 2.32MB read
  Socket errors: connect 0, read 2, write 1, timeout 4
  Non-2xx or 3xx responses: 16677
Requests/sec:  15168.38
Transfer/sec:      2.11MB
"""


class ParseWrkTests(SynchronousTestCase):
    def test_figures(self):
        """
        Requests per second, p50 and p99 in milliseconds, the request count and
        duration, and Transfer/sec in MiB/s (wrk's units are powers of 1024).
        """
        result = parseWrk(STREAM)
        self.assertEqual((result.rps, result.p50, result.p99), (1867.78, 4.94, 13.80))
        self.assertEqual((result.requests, result.seconds), (1873, 1.0))
        self.assertAlmostEqual(result.mibps, 1.83 * 1024)
        self.assertEqual((result.non2xx, result.socketErrors, result.wrkCPU), (0, 0, 0.0))

    def test_errors(self):
        """
        Non-2xx responses are counted, socket errors summed over their kinds, and
        microsecond and second latencies converted to milliseconds.
        """
        result = parseWrk(NOT_FOUND)
        self.assertEqual((result.non2xx, result.socketErrors), (16677, 7))
        self.assertEqual(result.socketErrorKinds, "read 2, write 1, timeout 4")
        self.assertAlmostEqual(result.p50, 0.517)
        self.assertEqual(result.p99, 1210.0)
        self.assertAlmostEqual(result.mibps, 2.11)

    def test_max(self):
        """
        The slowest request is read from the Latency row's Max column, in
        milliseconds.
        """
        self.assertEqual(parseWrk(STREAM).max, 19.49)
        self.assertEqual(parseWrk(NOT_FOUND).max, 14.25)

    def test_missing(self):
        """
        Output without figures (wrk could not connect, say) raises WrkError naming
        what is missing.
        """
        error = self.assertRaises(WrkError, parseWrk, "unable to connect to 127.0.0.1:1 Connection refused\n")
        self.assertIn("request count", str(error))


class EchoScriptTests(SynchronousTestCase):
    def test_script(self):
        """
        The Lua script makes every request a POST of the given size.
        """
        path = os.path.join(tempfile.mkdtemp(), "echo.lua")
        self.addCleanup(os.remove, path)
        writeEchoScript(path, 65536)
        with open(path) as f:
            script = f.read()
        self.assertIn('wrk.method = "POST"', script)
        self.assertIn('wrk.body = string.rep("x", 65536)', script)

"""
Helpers for tests that drive a real L{nano.isolate.runtime.Isolate} with a
L{nano.testing.PumpedReactor}: the test apps' directory, a sink that keeps the
response (or error) of one request, and one request carried to its answer.
"""

import os

__all__ = ["APPS", "ResponseSink", "pumpedFetch"]

APPS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "apps")


class ResponseSink:
    """
    The receiver of one request's outcome, as C{Isolate.fetch} takes it.

    @ivar result: None until the isolate answers, then the response or the error.
    """

    requestId = None
    result = None

    def gotResponse(self, response):
        self.result = response

    def gotError(self, error):
        self.result = error


def pumpedFetch(reactor, isolate, method, url, headers=(), body=None, advance=0.0):
    """
    Send one request to C{isolate} and pump C{reactor} (advancing its clock by
    C{advance} when idle) until the isolate answers; return the response or the
    error.
    """
    sink = ResponseSink()
    isolate.fetch(method, url, list(headers), body, sink)
    reactor.pump(lambda: sink.result is not None, advance=advance)
    return sink.result

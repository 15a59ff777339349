"""
The contracts between NANO's parts, as zope interfaces. Implementations declare them
with C{@implementer}; the fakes in L{nano.testing} implement them too.
"""

from zope.interface import Attribute, Interface

__all__ = ["IIsolate", "IResponseSink"]


class IResponseSink(Interface):
    """
    Receives the outcome of one request sent to an isolate: exactly one call.
    """

    requestId = Attribute("The request's X-Request-Id (str), given to its log events.")

    def gotResponse(response):
        """
        The handler returned a Response.

        @param response: a L{nano.isolate.runtime.ResponseStart}.
        """

    def gotError(error):
        """
        The request failed.

        @param error: a L{nano.isolate.runtime.ScriptError} (the handler threw or
            returned something else than a Response) or an
            L{nano.isolate.runtime.IsolateFailure} (the isolate died or closed).
        """

    def bodyChunk(data):
        """
        A chunk of a streamed body (after C{gotResponse} with C{streamed}); C{data}
        is C{bytes}.
        """

    def bodyEnd():
        """
        The streamed body ended normally (no more calls follow).
        """

    def bodyPulled(received, desired):
        """
        JS's stream of the request body wants more: it received C{received} bytes
        so far and wants C{desired} more (only for a request sent with a streamed
        body).
        """

    def bodyCancelled():
        """
        JS cancelled its stream of the request body: the rest is not wanted.
        """

    def bodyFailed(error):
        """
        The streamed body failed (the stream errored or produced something other
        than bytes: a L{nano.isolate.runtime.ScriptError}; or the isolate died: an
        L{nano.isolate.runtime.IsolateFailure}). No more calls follow.
        """


class IIsolate(Interface):
    """
    One app's JavaScript isolate, as the HTTP side sees it.
    """

    appName = Attribute("The name of the app this isolate runs (str).")
    inflight = Attribute("How many requests wait for their response (int).")
    closed = Attribute("True once the isolate was closed; it then fails every request.")

    def load(graph, envJSON, memoryLimit=None):
        """
        Create the isolate and evaluate the app's module graph.

        @return: a Deferred firing with None, or failing with
            L{nano.isolate.runtime.LoadError}.
        """

    def fetch(method, url, headers, body, sink):
        """
        Send one request to the app's fetch handler.

        @param headers: flat list C{[name, value, ...]} of str.
        @param body: bytes or None.
        @param sink: an L{IResponseSink}.
        @return: the request id, for L{cancel}.
        """

    def cancel(rid):
        """
        The client of request C{rid} went away: its sink will not be called and
        JS sees C{request.signal} abort (and its streamed body, if any, cancelled).
        """

    def bodyChunk(rid, data):
        """
        A chunk of request C{rid}'s streamed body (C{bytes}).
        """

    def bodyEnd(rid):
        """
        Request C{rid}'s streamed body is complete.
        """

    def bodyError(rid, message):
        """
        Request C{rid}'s streamed body cannot be delivered (its JS stream errors).
        """

    def grant(rid, nbytes):
        """
        Let JS read C{nbytes} more bytes of request C{rid}'s streamed body.
        """

    def cancelStream(rid, reason):
        """
        Cancel request C{rid}'s streamed body (for example for a HEAD request); its
        sink hears nothing more.
        """

    def pendingWork():
        """
        Deferreds of the C{ctx.waitUntil} work still running.
        """

    def close():
        """
        Close the isolate: drop its timers and fail its requests in flight.
        """

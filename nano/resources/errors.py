"""
Error responses written by NANO itself (never by an app): JSON for routing and
limit errors, short plain text for script errors. Bodies are serialised, never
built as HTML by hand.
"""

import json

__all__ = ["writeJSONError", "writeTextError", "rawErrorResponse"]


def _finish(request, status, contentType, body, extraHeaders=()):
    request.setResponseCode(status)
    request.responseHeaders.setRawHeaders(b"content-type", [contentType])
    request.responseHeaders.setRawHeaders(b"content-length", [b"%d" % (len(body),)])
    for name, value in extraHeaders:
        request.responseHeaders.setRawHeaders(name, [value])
    request.write(body)
    request.finish()


def writeJSONError(request, status, payload, extraHeaders=()):
    """
    Finish C{request} with C{status} and C{payload} (a dict) as JSON.
    """
    body = json.dumps(payload, sort_keys=True).encode("utf-8") + b"\n"
    _finish(request, status, b"application/json", body, extraHeaders)


def writeTextError(request, status, text, extraHeaders=()):
    """
    Finish C{request} with C{status} and C{text} as C{text/plain; charset=utf-8}.
    """
    body = text.encode("utf-8", "replace") + b"\n"
    _finish(request, status, b"text/plain; charset=utf-8", body, extraHeaders)


def rawErrorResponse(status, reason, payload):
    """
    A complete HTTP/1.1 response (bytes) that closes the connection, for errors found
    before twisted.web has a request to answer (for example a body over the limit,
    refused while it is still arriving).
    """
    body = json.dumps(payload, sort_keys=True).encode("utf-8") + b"\n"
    return (
        b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n"
        b"connection: close\r\n\r\n" % (status, reason, len(body))
    ) + body

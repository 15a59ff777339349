"""
Baseline for bench/suite.py: the four routes of bench/apps/suite/index.js as plain
twisted.web resources (no JavaScript), served by twistd (default epoll reactor) like
NANO, answering the same bytes:

    GET  /        "Hello World" (text/plain;charset=UTF-8)
    GET  /json    the same small JSON document as the app's Response.json
    GET  /stream  1 MiB as 16 chunks of 64 KiB from a pull producer (chunked encoding)
    POST /echo    the request body, sent back

Run as a twistd application file:

    PLAIN_PORT=8081 PLAIN_ACCESS_LOG=0 twistd -n -y bench/plain_suite.py

PLAIN_ACCESS_LOG=1 keeps twisted.web's access log (one line per request); 0 (the
default here) turns it off, like NANO's --no-access-log.
"""

import json
import os

from twisted.application import internet, service
from twisted.internet.interfaces import IPullProducer
from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET, Site
from zope.interface import implementer

CHUNK = b"a" * (64 * 1024)
CHUNKS = 16
DOCUMENT = json.dumps({
    "id": 42,
    "name": "widget",
    "tags": ["small", "blue"],
    "price": {"amount": 1999, "currency": "EUR"},
    "in_stock": True,
}, separators=(",", ":")).encode("utf-8")


class Hello(Resource):
    isLeaf = True

    def render_GET(self, request):
        request.setHeader(b"content-type", b"text/plain;charset=UTF-8")
        return b"Hello World"


class JSONDocument(Resource):
    isLeaf = True

    def render_GET(self, request):
        request.setHeader(b"content-type", b"application/json")
        return DOCUMENT


@implementer(IPullProducer)
class _Chunks:
    """
    Writes one 64 KiB chunk each time the transport asks for more, then finishes the
    request; stops early when the client goes away.
    """

    def __init__(self, request):
        self._request = request
        self._left = CHUNKS
        self._stopped = False

    def resumeProducing(self):
        if self._stopped:
            return
        self._request.write(CHUNK)
        self._left -= 1
        if self._left == 0:
            self._stopped = True
            self._request.unregisterProducer()
            self._request.finish()

    def stopProducing(self):
        self._stopped = True


class Stream(Resource):
    isLeaf = True

    def render_GET(self, request):
        request.setHeader(b"content-type", b"application/octet-stream")
        producer = _Chunks(request)
        request.notifyFinish().addErrback(lambda _: producer.stopProducing())
        request.registerProducer(producer, False)
        return NOT_DONE_YET


class Echo(Resource):
    isLeaf = True

    def render_POST(self, request):
        request.setHeader(b"content-type", b"application/octet-stream")
        return request.content.read()


class NotFound(Resource):
    isLeaf = True

    def render(self, request):
        request.setResponseCode(404)
        return b"not found\n"


class Root(Resource):
    """
    Dispatches on the whole path (like the app's pathname check), so "/" is a leaf
    answer and not a child lookup.
    """

    isLeaf = True
    _routes = {b"/": Hello(), b"/json": JSONDocument(), b"/stream": Stream(), b"/echo": Echo()}
    _missing = NotFound()

    def render(self, request):
        return self._routes.get(request.path, self._missing).render(request)


site = Site(Root())
if os.environ.get("PLAIN_ACCESS_LOG", "0") != "1":
    site.log = lambda request: None
application = service.Application("plain-suite")
internet.TCPServer(int(os.environ["PLAIN_PORT"]), site, interface="127.0.0.1").setServiceParent(application)

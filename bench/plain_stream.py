"""
Baseline for bench/stream.py: a plain twisted.web resource that streams N chunks of
64 KiB through an IPushProducer, as NANO does for a JS stream.

    PLAIN_PORT=8082 twistd -n -y bench/plain_stream.py
"""

import os

from twisted.application import internet, service
from twisted.internet.interfaces import IPushProducer
from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET, Site
from zope.interface import implementer

CHUNK = b"a" * 65536


@implementer(IPushProducer)
class Chunks:
    def __init__(self, request, count):
        self.request = request
        self.left = count
        self.paused = False
        self.done = False

    def resumeProducing(self):
        self.paused = False
        while not self.paused and not self.done:
            if self.left <= 0:
                self.done = True
                self.request.unregisterProducer()
                self.request.finish()
                return
            self.left -= 1
            self.request.write(CHUNK)

    def pauseProducing(self):
        self.paused = True

    def stopProducing(self):
        self.done = True


class Big(Resource):
    isLeaf = True

    def render_GET(self, request):
        count = int(request.args.get(b"chunks", [b"16"])[0])
        request.setHeader(b"content-type", b"application/octet-stream")
        producer = Chunks(request, count)
        request.registerProducer(producer, True)
        producer.resumeProducing()
        return NOT_DONE_YET


site = Site(Big())
site.log = lambda request: None
application = service.Application("plain-stream")
internet.TCPServer(int(os.environ["PLAIN_PORT"]), site, interface="127.0.0.1").setServiceParent(application)

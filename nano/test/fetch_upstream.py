"""
The upstream HTTP server of the fetch end-to-end tests: a twisted.web site on
127.0.0.1 with paths that behave well and badly. Run as
C{python -m nano.test.fetch_upstream}; it prints its port on the first line.
"""

import brotli
import gzip
import hashlib
import json
import sys
import zlib

from twisted.internet import reactor
from twisted.protocols.basic import FileSender
from twisted.web import resource, server

# lost: responses whose client went away before the end; written: bytes of the
# latest /huge body written so far; uploads: request bodies received whole;
# cut: request bodies whose connection closed before they were complete.
STATS = {"lost": 0, "written": 0, "uploads": 0, "cut": 0}


class CountingRequest(server.Request):
    """
    Counts request bodies that arrive whole and those cut short. A request with
    an C{X-Discard} header has its body counted and dropped instead of kept (for
    benchmarks that upload a lot); with C{X-Stall-Ms: N} nothing of its body is
    read for N ms.
    """

    _receiving = False
    discarded = None

    def gotLength(self, length):
        self._receiving = length is None or length > 0
        server.Request.gotLength(self, length)
        if self.requestHeaders.hasHeader(b"x-discard"):
            self.discarded = 0
        stall = self.requestHeaders.getRawHeaders(b"x-stall-ms")
        if stall:
            # Read nothing of the body for that long (a server that is slow to read).
            transport = self.channel.transport
            transport.pauseProducing()
            reactor.callLater(int(stall[0]) / 1000.0, transport.resumeProducing)

    def handleContentChunk(self, data):
        if self.discarded is None:
            server.Request.handleContentChunk(self, data)
        else:
            self.discarded += len(data)

    def requestReceived(self, command, path, version):
        if self._receiving:
            self._receiving = False
            STATS["uploads"] += 1
        server.Request.requestReceived(self, command, path, version)

    def connectionLost(self, reason):
        if self._receiving:
            self._receiving = False
            STATS["cut"] += 1
        server.Request.connectionLost(self, reason)


class Upstream(resource.Resource):
    isLeaf = True

    def render(self, request):
        path = request.path.decode()
        if path == "/echo":
            headers = {k.decode().lower(): [v.decode() for v in vs] for k, vs in request.requestHeaders.getAllRawHeaders()}
            request.setHeader(b"content-type", b"application/json")
            request.responseHeaders.setRawHeaders(b"set-cookie", [b"a=1; Path=/", b"b=2"])
            return json.dumps({"method": request.method.decode(), "uri": request.uri.decode(), "headers": headers,
                               "body": request.content.read().decode("latin-1")}).encode()
        if path == "/body":
            # Answers with the body and content type the query asks for (?type=&text=).
            args = request.args
            request.setHeader(b"content-type", args.get(b"type", [b"text/plain"])[0])
            return args.get(b"text", [b""])[0]
        if path.startswith("/redirect/"):
            request.setResponseCode(int(path.split("/")[2]))
            request.setHeader(b"location", b"/echo")
            return b"moving"
        if path == "/loop":
            request.setResponseCode(302)
            request.setHeader(b"location", b"/loop")
            return b""
        if path in ("/gzip", "/deflate", "/br"):
            text = b"decoded " * 1000
            coding = path[1:]
            data = {"gzip": gzip.compress, "deflate": zlib.compress, "br": brotli.compress}[coding](text)
            request.setHeader(b"content-encoding", coding.encode())
            return data
        if path == "/reset":
            request.transport.abortConnection()
            return server.NOT_DONE_YET
        if path == "/truncated":
            request.write(b"partial")
            reactor.callLater(0.05, request.transport.loseConnection)
            return server.NOT_DONE_YET
        if path == "/never":
            request.notifyFinish().addErrback(lambda _: STATS.__setitem__("lost", STATS["lost"] + 1))
            return server.NOT_DONE_YET
        if path == "/huge":
            return self.huge(request, int(request.args.get(b"mb", [b"1024"])[0]))
        if path == "/upload" and request.discarded is not None:
            return json.dumps({"length": request.discarded}).encode()
        if path == "/upload":
            data = request.content.read()
            length, chunked = request.getHeader(b"content-length"), request.getHeader(b"transfer-encoding")
            return json.dumps({"length": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                               "method": request.method.decode(),
                               "contentLength": length and length.decode(),
                               "chunked": chunked and chunked.decode()}).encode()
        if path == "/mirror":
            return self.mirror(request)
        if path == "/reset-mid":
            request.setHeader(b"content-length", str(10 << 20).encode())
            request.write(b"r" * (1 << 20))
            reactor.callLater(0.1, request.transport.abortConnection)
            return server.NOT_DONE_YET
        if path == "/stats":
            return json.dumps(STATS).encode()
        return b"ok"

    def mirror(self, request):
        """
        The request body sent back, read from its file as the client takes it.
        """
        content = request.content
        content.seek(0, 2)
        request.setHeader(b"content-length", str(content.tell()).encode())
        content.seek(0)
        d = FileSender().beginFileTransfer(content, request)
        d.addCallbacks(lambda _: request.finish(), lambda _: STATS.__setitem__("lost", STATS["lost"] + 1))
        return server.NOT_DONE_YET

    def huge(self, request, mebibytes):
        """
        C{mebibytes} MiB (1 GiB by default), written as fast as the client takes it
        (a push producer); STATS["written"] counts what was written.
        """
        chunk = b"x" * (1 << 20)
        left = [mebibytes]
        STATS["written"] = 0
        request.setHeader(b"content-length", str(mebibytes << 20).encode())

        class Producer:
            paused = False

            def resumeProducing(self):
                self.paused = False
                while not self.paused and left[0] > 0:
                    left[0] -= 1
                    STATS["written"] += len(chunk)
                    request.write(chunk)
                if left[0] == 0 and not self.paused:
                    request.unregisterProducer()
                    request.finish()

            def pauseProducing(self):
                self.paused = True

            def stopProducing(self):
                left[0] = 0

        producer = Producer()
        request.registerProducer(producer, True)
        request.notifyFinish().addErrback(lambda _: STATS.__setitem__("lost", STATS["lost"] + 1))
        reactor.callLater(0, producer.resumeProducing)
        return server.NOT_DONE_YET


def main():
    # A deep backlog: a benchmark opens hundreds of connections at once, and a
    # full backlog delays them by a SYN retry (1 s).
    site = server.Site(Upstream())
    site.requestFactory = CountingRequest
    port = reactor.listenTCP(0, site, backlog=1024, interface="127.0.0.1")
    sys.stdout.write("%d\n" % (port.getHost().port,))
    sys.stdout.flush()
    reactor.run()


if __name__ == "__main__":
    main()

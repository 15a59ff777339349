"""
The upstream HTTP server of the fetch end-to-end tests: a twisted.web site on
127.0.0.1 with paths that behave well and badly. Run as
C{python -m nano.test.fetch_upstream}; it prints its port on the first line.
"""

import brotli
import gzip
import json
import sys
import zlib

from twisted.internet import reactor
from twisted.web import resource, server

STATS = {"lost": 0}


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
            return self.huge(request)
        if path == "/stats":
            return json.dumps(STATS).encode()
        return b"ok"

    def huge(self, request):
        """
        1 GiB, written as fast as the client takes it (a push producer).
        """
        chunk = b"x" * (1 << 20)
        left = [1024]
        request.setHeader(b"content-length", str(1 << 30).encode())

        class Producer:
            paused = False

            def resumeProducing(self):
                self.paused = False
                while not self.paused and left[0] > 0:
                    left[0] -= 1
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
    port = reactor.listenTCP(0, server.Site(Upstream()), backlog=1024, interface="127.0.0.1")
    sys.stdout.write("%d\n" % (port.getHost().port,))
    sys.stdout.flush()
    reactor.run()


if __name__ == "__main__":
    main()

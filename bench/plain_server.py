"""
Baseline for the benchmarks: a plain twisted.web resource answering the same bytes
as the hello app, on twistd's default (epoll) reactor.

Usage: python bench/plain_server.py PORT
"""

import sys

from twisted.internet import endpoints, reactor
from twisted.web.resource import Resource
from twisted.web.server import Site


class Hello(Resource):
    isLeaf = True

    def render_GET(self, request):
        request.setHeader(b"content-type", b"text/plain;charset=UTF-8")
        return b"Hello World"


def main():
    port = int(sys.argv[1])
    site = Site(Hello())
    site.log = lambda request: None
    endpoints.TCP4ServerEndpoint(reactor, port, interface="127.0.0.1").listen(site)
    reactor.run()


if __name__ == "__main__":
    main()

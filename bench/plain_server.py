"""
Baseline for the benchmarks: a plain twisted.web resource answering the same bytes
as the hello app, served by twistd (default epoll reactor) like NANO.

Run as a twistd application file:

    PLAIN_PORT=8081 PLAIN_ACCESS_LOG=1 twistd -n -y bench/plain_server.py

PLAIN_ACCESS_LOG=1 keeps twisted.web's access log (one line per request, like NANO's
default); 0 turns it off (like NANO's --no-access-log).
"""

import os

from twisted.application import internet, service
from twisted.web.resource import Resource
from twisted.web.server import Site


class Hello(Resource):
    isLeaf = True

    def render_GET(self, request):
        request.setHeader(b"content-type", b"text/plain;charset=UTF-8")
        return b"Hello World"


site = Site(Hello())
if os.environ.get("PLAIN_ACCESS_LOG", "1") != "1":
    site.log = lambda request: None
application = service.Application("plain")
internet.TCPServer(int(os.environ["PLAIN_PORT"]), site, interface="127.0.0.1").setServiceParent(application)

"""
Tests for L{nano.service.NanoService}: startup, reload hooks, and the order and
bounds of the shutdown drain, on a memory reactor with fake isolates and real
twisted.web channels over string transports.
"""

import io
import signal

import attrs
from twisted.internet.address import IPv4Address
from twisted.internet.defer import Deferred
from twisted.internet.testing import MemoryReactorClock, StringTransport
from twisted.trial.unittest import SynchronousTestCase

from nano.service import NanoService
from nano.test.lifecycle import ControlledIsolate, Fixture


class _Port:
    def __init__(self, reactor, factory, port):
        self._reactor = reactor
        self.factory = factory
        self.port = port

    def getHost(self):
        return IPv4Address("TCP", "127.0.0.1", self.port)

    def stopListening(self):
        self._reactor.events.append(("stop", self.port))


class _Reactor(MemoryReactorClock):
    """
    A memory reactor whose ports record when they stop listening, and which runs
    C{callFromThread} calls at once.
    """

    def __init__(self):
        MemoryReactorClock.__init__(self)
        self.events = []
        self.ports = []

    def listenTCP(self, port, factory, backlog=50, interface=""):
        listening = _Port(self, factory, port)
        self.ports.append(listening)
        self.events.append(("listen", port))
        return listening

    def callFromThread(self, f, *args, **kwargs):
        f(*args, **kwargs)


class _Base(SynchronousTestCase):
    def setUp(self):
        self.fixture = Fixture(self.mktemp())
        self.fixture.app("a", "export default { fetch() {} };\n")
        self.fixture.app("bad", "BROKEN")
        self.fixture.write({
            "listen": ["tcp:1001:interface=127.0.0.1"],
            "admin": {"listen": "tcp:1002:interface=127.0.0.1"},
            "drain_timeout_ms": 10000, "watch": {"enabled": False},
            "apps": [{"name": "a", "hostnames": ["a.test"], "path": "a"},
                     {"name": "bad", "hostnames": ["bad.test"], "path": "bad"}]})
        self.reactor = _Reactor()
        self.stderr = io.StringIO()
        self.service = NanoService(self.fixture.load(), self.reactor, stderr=self.stderr,
                                   accessLog=False, isolateFactory=ControlledIsolate, environ={})
        self.successResultOf(self.service.startService())
        self.app = self.service.deployer.get("a")

    def connect(self):
        """
        A client connection to the main site; return its channel.
        """
        channel = self.service.site.buildProtocol(IPv4Address("TCP", "127.0.0.1", 5000))
        channel.makeConnection(StringTransport())
        return channel

    def closed(self, channel):
        """
        Let the transport's close reach the channel (a string transport does not
        call back).
        """
        self.assertTrue(channel.transport.disconnecting)
        channel.connectionLost(None)

    def request(self, channel):
        channel.dataReceived(b"GET / HTTP/1.1\r\nHost: a.test\r\n\r\n")
        [rid] = [r for r in self.app.isolate.requests if r not in self.answered]
        return rid

    answered = ()


class StartTests(_Base):
    """
    Startup.
    """

    def test_listeners(self):
        """
        The main and admin listeners are up; a failed app is reported on stderr.
        """
        self.assertEqual([e for e in self.reactor.events], [("listen", 1001), ("listen", 1002)])
        self.assertIs(self.service.adminPort.factory, self.service.adminSite)
        self.assertEqual([p.factory for p in self.service.ports], [self.service.site])
        self.assertIn("nano: app bad failed to load: index.js:1:1: SyntaxError: BROKEN on purpose",
                      self.stderr.getvalue())

    def test_adminDisabled(self):
        """
        C{"admin": null} means no admin site and no admin listener.
        """
        config = attrs.evolve(self.fixture.load(), admin=None)
        service = NanoService(config, _Reactor(), stderr=io.StringIO(), isolateFactory=ControlledIsolate)
        self.assertIsNone(service.adminSite)

    def test_sighup(self):
        """
        With signal handling on, SIGHUP reloads, and the previous handler comes
        back at shutdown.
        """
        previous = signal.getsignal(signal.SIGHUP)
        self.addCleanup(signal.signal, signal.SIGHUP, previous)
        service = NanoService(self.fixture.load(), self.reactor, stderr=io.StringIO(),
                              isolateFactory=ControlledIsolate, installSignals=True, environ={})
        self.successResultOf(service.startService())
        self.assertEqual(signal.getsignal(signal.SIGHUP), service._sighup)
        before = service.deployer.get("a")
        self.fixture.app("a", "export default { fetch() { return 2 } };\n")
        signal.getsignal(signal.SIGHUP)(signal.SIGHUP, None)
        self.assertIsNot(service.deployer.get("a"), before)
        self.successResultOf(service.stopService())
        self.assertEqual(signal.getsignal(signal.SIGHUP), previous)


class DrainTests(_Base):
    """
    L{NanoService.stopService}: the ordered drain.
    """

    def test_order(self):
        """
        Main listener stops first and /health turns 503; an idle keep-alive
        connection closes at once; the busy one closes after its response;
        the isolates close after the request and then its waitUntil work; the
        admin listener stops last; the exit is clean.
        """
        idle = self.connect()
        busy = self.connect()
        rid = self.request(busy)
        self.reactor._exitSignal = signal.SIGTERM
        d = self.service.stopService()
        self.assertEqual(self.reactor.events[2:], [("stop", 1001)])
        self.assertTrue(self.service.draining)
        self.closed(idle)
        self.assertFalse(busy.transport.disconnecting)
        self.assertNoResult(d)
        work = Deferred()
        self.app.isolate.work.append(work)
        self.app.isolate.respond(rid, body=b"done")
        self.assertIn(b"connection: close", busy.transport.value().lower())
        self.assertTrue(busy.transport.value().endswith(b"done"))
        self.closed(busy)
        self.assertNoResult(d)
        self.assertFalse(self.app.isolate.closed)
        self.assertEqual(self.reactor.events[-1], ("stop", 1001))
        work.callback(None)
        self.successResultOf(d)
        self.assertTrue(self.app.isolate.closed)
        self.assertEqual(self.reactor.events[-1], ("stop", 1002))
        self.assertIsNone(self.reactor._exitSignal)

    def test_requestArrivingDuringDrain(self):
        """
        A request whose headers were still arriving when the drain began is
        served, with C{connection: close}, and its connection closes after the
        response.
        """
        channel = self.connect()
        channel.dataReceived(b"GET / HTTP/1.1\r\nHost: a.test\r\n")
        d = self.service.stopService()
        self.assertFalse(channel.transport.disconnecting)
        channel.dataReceived(b"\r\n")
        [rid] = self.app.isolate.requests
        self.app.isolate.respond(rid, body=b"served")
        self.assertIn(b"connection: close", channel.transport.value().lower())
        self.closed(channel)
        self.successResultOf(d)

    def test_timeout(self):
        """
        A request that never ends: at drain_timeout_ms the remaining connections
        are aborted, the isolates closed and the stop completes.
        """
        channel = self.connect()
        self.request(channel)
        d = self.service.stopService()
        self.reactor.advance(9.9)
        self.assertNoResult(d)
        self.assertFalse(channel.transport.disconnected)
        self.reactor.advance(0.1)
        self.assertTrue(channel.transport.disconnected)
        self.successResultOf(d)
        self.assertTrue(self.app.isolate.closed)

    def test_drainingVersionsClosed(self):
        """
        Old versions still draining from a reload are waited for and closed too.
        """
        channel = self.connect()
        rid = self.request(channel)
        self.fixture.app("a", "export default { fetch() { return 3 } };\n")
        self.successResultOf(self.service.reload("test"))
        old = self.app
        self.assertEqual(old.state, "draining")
        d = self.service.stopService()
        self.assertNoResult(d)
        old.isolate.respond(rid)
        self.closed(channel)
        self.successResultOf(d)
        self.assertTrue(self.service.deployer.get("a").isolate.closed)

    def test_changesRefused(self):
        """
        Once shutdown began the deployer refuses changes, and stopping twice gives
        the same Deferred.
        """
        d = self.service.stopService()
        self.assertIs(self.service.stopService(), d)
        self.assertIsNone(self.successResultOf(self.service.reload("late")))

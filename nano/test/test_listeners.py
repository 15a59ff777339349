"""
Tests for L{nano.listeners}: the supervisor binds real sockets on 127.0.0.1 and
unix paths; a worker adopts them into Twisted ports (on a private, never-run
L{SelectReactor}).
"""

import os
import socket
import stat

from twisted.internet.error import ConnectionDone
from twisted.internet.protocol import Factory, Protocol
from twisted.internet.selectreactor import SelectReactor
from twisted.python.failure import Failure
from twisted.trial.unittest import SynchronousTestCase

from nano.listeners import adoptListeners, bindListener, parseInherited, resolveSharing, unixEndpoint


def _blocking(sock):
    return sock.getblocking()


class BindTests(SynchronousTestCase):
    """
    L{bindListener}.
    """

    def test_sharedTCP(self):
        """
        A shared TCP listener is one listening, non-blocking socket on the asked
        interface; port 0 picks a port.
        """
        listener = bindListener("tcp:0:interface=127.0.0.1", slots=3, sharing="shared")
        self.addCleanup(listener.close)
        self.assertEqual(len(listener.sockets), 1)
        sock = listener.socketFor(2)
        self.assertIs(sock, listener.sockets[0])
        self.assertFalse(_blocking(sock))
        host, port = sock.getsockname()
        self.assertEqual((host, listener.address()), ("127.0.0.1", "127.0.0.1:%d" % (port,)))
        self.assertEqual(sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN), 1)
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass

    def test_reusePort(self):
        """
        C{reuseport} binds one socket per slot, all on the same port with
        C{SO_REUSEPORT}.
        """
        listener = bindListener("tcp:0:interface=127.0.0.1", slots=3, sharing="reuseport")
        self.addCleanup(listener.close)
        self.assertEqual(len(listener.sockets), 3)
        ports = {sock.getsockname()[1] for sock in listener.sockets}
        self.assertEqual(len(ports), 1)
        self.assertEqual([listener.socketFor(i) for i in range(3)], listener.sockets)
        for sock in listener.sockets:
            self.assertEqual(sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT), 1)

    def test_releaseAndRebind(self):
        """
        Releasing a slot's socket sends every new connection to the others;
        the slot gets a new socket on the same port when asked again. With a
        shared socket, releasing does nothing.
        """
        listener = bindListener("tcp:0:interface=127.0.0.1", slots=2, sharing="reuseport")
        self.addCleanup(listener.close)
        kept, released = listener.sockets
        address = kept.getsockname()
        listener.release(1)
        self.assertEqual(listener.sockets[1], None)
        self.assertEqual(released.fileno(), -1)
        clients = [socket.create_connection(address, timeout=5) for _ in range(8)]
        self.addCleanup(lambda: [c.close() for c in clients])
        accepted = []
        kept.settimeout(5)
        for _ in clients:
            accepted.append(kept.accept()[0])
        for sock in accepted:
            sock.close()
        renewed = listener.socketFor(1)
        self.assertEqual(renewed.getsockname(), address)
        self.assertIs(listener.socketFor(1), renewed)
        self.assertEqual(listener.address(), "%s:%d" % address)
        shared = bindListener("tcp:0:interface=127.0.0.1", slots=2, sharing="shared")
        self.addCleanup(shared.close)
        shared.release(1)
        self.assertIs(shared.socketFor(1), shared.sockets[0])
        self.assertEqual(shared.sockets[0].getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN), 1)

    def test_tcp6(self):
        """
        C{tcp6} binds an IPv6 socket (here on ::1).
        """
        try:
            listener = bindListener("tcp6:0:interface=\\:\\:1")
        except OSError as e:
            raise self.skipTest("no IPv6 loopback: %s" % (e,))
        self.addCleanup(listener.close)
        self.assertEqual(listener.sockets[0].family, socket.AF_INET6)

    def test_inUse(self):
        """
        A port another socket listens on cannot be bound, in either mode, even
        when that socket has C{SO_REUSEPORT} too (a second NANO on the same port).
        """
        for first, second in (("shared", "shared"), ("reuseport", "reuseport"), ("shared", "reuseport")):
            listener = bindListener("tcp:0:interface=127.0.0.1", slots=2, sharing=first)
            self.addCleanup(listener.close)
            port = listener.sockets[0].getsockname()[1]
            self.assertRaises(OSError, bindListener, "tcp:%d:interface=127.0.0.1" % (port,), 2, second)

    def test_unix(self):
        """
        A unix listener binds the path with the asked mode, holds the lock file,
        and closing it removes both.
        """
        path = os.path.abspath(self.mktemp())
        listener = bindListener(unixEndpoint(path) + ":mode=600", slots=2, sharing="reuseport")
        self.assertEqual(len(listener.sockets), 1)
        self.assertTrue(stat.S_ISSOCK(os.stat(path).st_mode))
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
        self.assertTrue(os.path.lexists(path + ".lock"))
        self.assertEqual(listener.address(), path)
        listener.close()
        self.assertFalse(os.path.exists(path))
        self.assertFalse(os.path.lexists(path + ".lock"))

    def test_unixStale(self):
        """
        A socket file left by a dead process (its lock is stale) is replaced.
        """
        path = os.path.abspath(self.mktemp())
        stale = socket.socket(socket.AF_UNIX)
        stale.bind(path)
        stale.close()
        os.symlink("999999999", path + ".lock")
        listener = bindListener(unixEndpoint(path))
        self.addCleanup(listener.close)
        with socket.socket(socket.AF_UNIX) as client:
            client.connect(path)

    def test_auto(self):
        """
        C{auto} is C{reuseport} on Linux, C{shared} elsewhere.
        """
        import sys

        listener = bindListener("tcp:0:interface=127.0.0.1", slots=2)
        self.addCleanup(listener.close)
        expected = 2 if sys.platform.startswith("linux") else 1
        self.assertEqual(len(listener.sockets), expected)
        self.assertEqual(resolveSharing("shared"), "shared")
        self.assertEqual(resolveSharing("auto"), "reuseport" if expected == 2 else "shared")

    def test_badSharing(self):
        """
        An unknown sharing mode is refused.
        """
        error = self.assertRaises(ValueError, bindListener, "tcp:0", sharing="magic")
        self.assertIn("auto, shared, reuseport", str(error))


class InheritTests(SynchronousTestCase):
    """
    L{parseInherited} and L{unixEndpoint}.
    """

    def test_parse(self):
        """
        C{FD=ENDPOINT}, the endpoint as given (it may hold C{=}).
        """
        self.assertEqual(parseInherited("3=tcp:80:interface=127.0.0.1"), (3, "tcp:80:interface=127.0.0.1"))
        for bad in ("3", "x=tcp:80", "3=", "3=bogus:1"):
            self.assertRaises(ValueError, parseInherited, bad)

    def test_unixEndpoint(self):
        """
        Colons and backslashes in a path are escaped.
        """
        self.assertEqual(unixEndpoint("/a:b\\c"), "unix:/a\\:b\\\\c")


class _Count(Protocol):
    def connectionMade(self):
        self.factory.connected.append(self)


class AdoptTests(SynchronousTestCase):
    """
    L{adoptListeners} on sockets passed down as descriptors.
    """

    def setUp(self):
        self.reactor = SelectReactor()
        self.factory = Factory.forProtocol(_Count)
        self.factory.connected = []

    def adopt(self, listener):
        fd = os.dup(listener.sockets[0].fileno())
        ports = adoptListeners(self.reactor, [(fd, listener.description)], self.factory)
        self.assertRaises(OSError, os.fstat, fd)  # the passed descriptor is closed
        return ports[0]

    def test_tcp(self):
        """
        A TCP socket becomes a listening port on the same address that accepts
        one connection at a time; closing the port closes only its own
        descriptor.
        """
        listener = bindListener("tcp:0:interface=127.0.0.1:backlog=7")
        self.addCleanup(listener.close)
        port = self.adopt(listener)
        self.assertEqual((port.getHost().host, port.getHost().port), listener.sockets[0].getsockname())
        self.assertIn(port, self.reactor.getReaders())
        clients = [socket.create_connection(listener.sockets[0].getsockname(), timeout=5) for _ in range(3)]
        self.addCleanup(lambda: [c.close() for c in clients])
        # One connection per readiness event, however many wait.
        port.doRead()
        port.doRead()
        self.assertEqual(len(self.factory.connected), 2)
        for protocol in self.factory.connected:
            protocol.transport.socket.close()
        port.connectionLost(Failure(ConnectionDone()))
        self.assertNotIn(port, self.reactor.getReaders())
        # Stopping one process's port leaves the socket listening for the others.
        with socket.create_connection(listener.sockets[0].getsockname(), timeout=5):
            pass

    def test_unixKeepsPath(self):
        """
        An adopted unix port leaves the socket file to the supervisor when it
        stops listening.
        """
        path = os.path.abspath(self.mktemp())
        listener = bindListener(unixEndpoint(path))
        self.addCleanup(listener.close)
        port = self.adopt(listener)
        self.assertEqual(port.getHost().name, path.encode() if isinstance(port.getHost().name, bytes) else path)
        port.connectionLost(Failure(ConnectionDone()))
        self.assertTrue(os.path.exists(path))
        with socket.socket(socket.AF_UNIX) as client:
            client.connect(path)  # the supervisor's copy still listens

    def test_tls(self):
        """
        An C{ssl} listener is bound as TCP by the supervisor; the worker serves
        it through TLS with the certificate its description names.
        """
        from twisted.protocols.tls import TLSMemoryBIOFactory

        pem = _selfSignedPEM()
        path = os.path.abspath(self.mktemp())
        with open(path, "wb") as f:
            f.write(pem)
        listener = bindListener("ssl:0:interface=127.0.0.1:privateKey=%s" % (path,), sharing="shared")
        self.addCleanup(listener.close)
        port = self.adopt(listener)
        self.assertIsInstance(port.factory, TLSMemoryBIOFactory)
        self.assertIs(port.factory.wrappedFactory, self.factory)
        port.connectionLost(Failure(ConnectionDone()))


def _selfSignedPEM():
    """
    A key and a self-signed certificate for localhost, PEM.
    """
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()) + cert.public_bytes(serialization.Encoding.PEM)

"""
Listening sockets shared by worker processes (SPEC §10).

In multi-worker mode the supervisor binds every main listener itself
(L{bindListener}) and its workers adopt the sockets (L{adoptListeners}): the
supervisor passes each socket to a worker as an inherited file descriptor, and the
worker wraps it in a Twisted listening port of its own. The supervisor never
accepts; it keeps its copies so that a listener outlives its workers (a
restarted worker adopts the same socket, and connections that arrive while no
worker accepts wait in the backlog).

Two ways to share a TCP listener (C{--worker-sockets}):

 - C{reuseport} (the default on Linux): one socket per worker slot, each bound to
   the same address with C{SO_REUSEPORT}; the kernel spreads new connections over
   them by a hash of the client's address and port, so each worker gets its share
   whatever the scheduling. When a worker dies while another runs, the
   supervisor closes the dead worker's socket (L{Listener.release}; connections
   queued in it in the moment before are reset) so that new connections go to
   the live workers during the restart, and binds a new socket for the next
   worker. Kept open, the socket held its share of new connections until the
   new worker accepted: 13 of wrk's requests timed out after 2 s (BENCHMARKS.md).
   When no other worker runs, the socket is kept: connections wait in its
   backlog for the new worker instead of being refused.
 - C{shared} (the default elsewhere): one socket for every worker; whichever
   worker accepts first takes the connection. Nothing waits for a dead worker,
   but a burst of new connections can all land on one worker when the others are
   not scheduled at that moment, and with persistent connections (a load
   balancer's pool, wrk) that worker then serves them all.

Unix sockets are always shared (C{SO_REUSEPORT} does not balance them).
BENCHMARKS.md compares the two under wrk, and with a worker killed under load.
"""

import os
import socket
import stat
import sys

from twisted.internet import tcp, unix
from twisted.python.lockfile import FilesystemLock

from nano.config import endpointOptions

__all__ = [
    "Listener", "SHARING", "adoptListeners", "bindListener", "parseInherited", "resolveSharing", "unixEndpoint",
]

SHARING = ("auto", "shared", "reuseport")


def resolveSharing(sharing):
    """
    C{"auto"} as C{"reuseport"} where the kernel balances C{SO_REUSEPORT}
    sockets (Linux), else C{"shared"}; other values as they are.
    """
    if sharing != "auto":
        return sharing
    if sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT"):
        return "reuseport"
    return "shared"


def _tcpAddress(kind, options):
    """
    The C{(family, address)} a C{tcp}, C{tcp6} or C{ssl} endpoint binds.
    """
    port = int(options["port"])
    interface = options.get("interface")
    if kind == "tcp6":
        return socket.AF_INET6, (interface or "::", port)
    if interface is None:
        return socket.AF_INET, ("0.0.0.0", port)
    if interface == "localhost":
        return socket.AF_INET, ("127.0.0.1", port)
    if ":" in interface:
        return socket.AF_INET6, (interface, port)
    return socket.AF_INET, (interface, port)


def _tcpSocket(family, address, backlog, reusePort):
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reusePort:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
        sock.listen(backlog)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


class Listener:
    """
    One main listener bound by the supervisor.

    @ivar description: the endpoint string it was bound from.
    @ivar sockets: the bound, listening, non-blocking sockets: one, or one per
        worker slot (C{reuseport}; None for a slot whose socket was released).
    """

    def __init__(self, description, sockets, path=None, lock=None, rebind=None):
        """
        @param rebind: with one socket per slot, binds a new socket for a slot
            whose socket was released; None when all slots share one socket.
        """
        self.description = description
        self.sockets = list(sockets)
        self._path = path
        self._lock = lock
        self._rebind = rebind

    def socketFor(self, slot):
        """
        The socket worker slot C{slot} adopts (bound again if it was released).

        @raise OSError: when a released slot's socket cannot be bound again.
        """
        if self._rebind is None:
            return self.sockets[0]
        if self.sockets[slot] is None:
            self.sockets[slot] = self._rebind()
        return self.sockets[slot]

    def release(self, slot):
        """
        Close the socket of slot C{slot} (its worker died) so that the kernel
        gives new connections to the other slots' sockets until it is bound
        again; nothing when all slots share one socket.
        """
        if self._rebind is not None and self.sockets[slot] is not None:
            self.sockets[slot].close()
            self.sockets[slot] = None

    def address(self):
        """
        The bound address as text (C{host:port}, or the unix socket path).
        """
        name = next(sock for sock in self.sockets if sock is not None).getsockname()
        if isinstance(name, tuple):
            return "%s:%d" % (name[0], name[1])
        return name if isinstance(name, str) else name.decode("utf-8", "replace")

    def close(self):
        """
        Close the supervisor's copies (workers keep theirs); a unix socket's path
        is removed and its lock released.
        """
        for sock in self.sockets:
            if sock is not None:
                sock.close()
        self.sockets = []
        if self._path is not None:
            try:
                os.unlink(self._path)
            except FileNotFoundError:
                pass
            self._path = None
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None


def _bindUNIX(description, options):
    path = options["address"]
    lock = None
    if options.get("lockfile", "1") == "1":
        lock = FilesystemLock(path + ".lock")
        if not lock.lock():
            raise OSError("another process holds the lock %s.lock" % (path,))
        if not lock.clean:
            # The previous owner died: its socket file is stale.
            try:
                if stat.S_ISSOCK(os.stat(path).st_mode):
                    os.unlink(path)
            except OSError:
                pass
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(path)
        os.chmod(path, int(options.get("mode", "666"), 8))
        sock.listen(int(options.get("backlog", "50")))
        sock.setblocking(False)
    except BaseException:
        sock.close()
        if lock is not None:
            lock.unlock()
        raise
    return Listener(description, [sock], path=path, lock=lock)


def bindListener(description, slots=1, sharing="auto"):
    """
    Bind the listener C{description} (a valid endpoint string).

    @param slots: how many worker slots will adopt it.
    @param sharing: C{"auto"}, C{"shared"} or C{"reuseport"} (see the module
        docstring and L{resolveSharing}).
    @raise OSError: when it cannot be bound.
    """
    if sharing not in SHARING:
        raise ValueError("sharing must be one of %s, got %r" % (", ".join(SHARING), sharing))
    sharing = resolveSharing(sharing)
    kind, options = endpointOptions(description)
    if kind == "unix":
        return _bindUNIX(description, options)
    family, address = _tcpAddress(kind, options)
    backlog = int(options.get("backlog", "50"))
    reusePort = sharing == "reuseport"
    if reusePort:
        # Another process's SO_REUSEPORT socket (a second NANO started by
        # mistake) would accept a bind with SO_REUSEPORT and silently share the
        # traffic: a plain bind first fails with "address in use" as usual.
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
            address = (address[0], probe.getsockname()[1])
    sockets = [_tcpSocket(family, address, backlog, reusePort)]
    try:
        # With port 0 the first bind picks the port; the others join it.
        address = (address[0], sockets[0].getsockname()[1])
        for _ in range(1, slots if reusePort else 1):
            sockets.append(_tcpSocket(family, address, backlog, reusePort))
    except BaseException:
        for sock in sockets:
            sock.close()
        raise
    if not reusePort:
        return Listener(description, sockets)
    return Listener(description, sockets, rebind=lambda: _tcpSocket(family, address, backlog, True))


def unixEndpoint(path):
    """
    The endpoint string of a unix socket at C{path} (colons and backslashes
    escaped).
    """
    return "unix:" + path.replace("\\", "\\\\").replace(":", "\\:")


# -- the worker's side -------------------------------------------------------

def parseInherited(text):
    """
    Parse a C{--inherit FD=DESCRIPTION} value into C{(fd, description)}.

    @raise ValueError: when it is malformed.
    """
    fd, sep, description = text.partition("=")
    if not sep or not fd.isdigit() or not description:
        raise ValueError("expected FD=ENDPOINT, got %r" % (text,))
    endpointOptions(description)
    return int(fd), description


class _SharedTCPPort(tcp.Port):
    """
    A TCP port on a socket other processes may accept from too: it takes one
    connection per readiness event. Twisted's port accepts up to 100 at a time
    and more under load, so with a shared socket the first worker to wake took a
    whole burst of new connections (all 50 of wrk's in most runs, measured in
    BENCHMARKS.md); one at a time, each worker goes back to its event loop
    between accepts and another worker can take the next connection.
    """

    _shouldShutdown = False

    def doRead(self):
        self.numberAccepts = 1
        return tcp.Port.doRead(self)


class _SharedUNIXPort(unix.Port):
    """
    A unix port on a socket the supervisor owns: closing it leaves the socket
    file alone (the supervisor removes it when it stops).
    """

    _shouldShutdown = False

    def connectionLost(self, reason):
        tcp.Port.connectionLost(self, reason)


def _tlsWrapped(reactor, description, factory):
    """
    C{factory} behind TLS as the C{ssl} endpoint C{description} configures it.
    """
    from twisted.internet import endpoints
    from twisted.protocols.tls import TLSMemoryBIOFactory

    endpoint = endpoints.serverFromString(reactor, description)
    return TLSMemoryBIOFactory(endpoint._sslContextFactory, False, factory)


def adoptListeners(reactor, inherited, factory):
    """
    Listen with C{factory} on inherited sockets.

    @param inherited: C{[(fd, description), ...]}, each C{fd} a listening socket
        the supervisor passed down, bound as C{description} says. Each C{fd} is
        closed once adopted (the port holds its own duplicate).
    @return: the listening ports.
    """
    ports = []
    for fd, description in inherited:
        kind, options = endpointOptions(description)
        probe = socket.socket(fileno=fd)
        family = probe.family
        probe.detach()
        portFactory = _tlsWrapped(reactor, description, factory) if kind == "ssl" else factory
        # Both port classes close only this process's descriptor: Twisted's ports
        # call shutdown() first, which would stop the shared socket listening in
        # every process (one worker stopping would stop them all).
        if family == socket.AF_UNIX:
            port = _SharedUNIXPort._fromListeningDescriptor(reactor, fd, portFactory)
        else:
            port = _SharedTCPPort._fromListeningDescriptor(reactor, fd, family, portFactory)
        port.startListening()
        # Adopting listens again with Twisted's default backlog: restore ours.
        port.socket.listen(int(options.get("backlog", "50")))
        os.close(fd)
        ports.append(port)
    return ports

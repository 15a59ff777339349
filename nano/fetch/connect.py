"""
Connections for outbound C{fetch()} that obey the egress policy without a DNS
rebinding window.

L{CheckedEndpointFactory} is the L{IAgentEndpointFactory} of the fetch agent
(C{Agent.usingEndpointFactory}). Its endpoints resolve the URL's host themselves
(the reactor's L{IHostnameResolver}), check B{every} resolved address against the
L{EgressPolicy} (one refused address refuses the host: a name that resolves to a
public and a private address is an attack, not a fallback), and then connect to
the checked addresses, in order, by address. Nothing resolves the name again
between the check and the connection. For C{https}, TLS is layered over that
connection with the original host name, so SNI and certificate verification use
the name, not the address; the C{Host} header is the agent's, from the URL.
"""

import ipaddress

from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.defer import Deferred, inlineCallbacks
from twisted.internet.endpoints import TCP4ClientEndpoint, TCP6ClientEndpoint, wrapClientTLS
from twisted.internet.error import DNSLookupError
from twisted.internet.interfaces import IResolutionReceiver, IStreamClientEndpoint
from twisted.web.client import BrowserLikePolicyForHTTPS
from twisted.web.iweb import IAgentEndpointFactory
from zope.interface import implementer

from nano.fetch.egress import EgressRefused, parseIPv4Host

__all__ = ["CheckedEndpointFactory", "resolveHost"]


@implementer(IResolutionReceiver)
class _Receiver:
    def __init__(self, done):
        self._done = done
        self._addresses = []

    def resolutionBegan(self, resolution):
        pass

    def addressResolved(self, address):
        self._addresses.append(address.host)

    def resolutionComplete(self):
        done, self._done = self._done, None
        if done is not None and not done.called:
            done.callback(self._addresses)


def resolveHost(resolver, host, port):
    """
    Every address C{host} resolves to.

    @param resolver: an L{IHostnameResolver} (C{reactor.nameResolver}).
    @return: a Deferred firing with a list of address strings (IPv4 and IPv6), or
        failing with L{DNSLookupError} when there is none.
    """
    done = Deferred()
    resolver.resolveHostName(_Receiver(done), host, port, [IPv4Address, IPv6Address], "TCP")

    def check(addresses):
        if not addresses:
            raise DNSLookupError("%s does not resolve to any address" % (host,))
        return addresses

    return done.addCallback(check)


def literalAddress(host):
    """
    The address a URL host denotes when it is an address literal (C{[::1]},
    C{127.0.0.1}, or a WHATWG numeric IPv4 form such as C{2130706433}), else None.

    @raise EgressRefused: a host that ends in a number but is not an address.
    """
    if host.startswith("[") and host.endswith("]"):
        try:
            return str(ipaddress.IPv6Address(host[1:-1]))
        except ValueError:
            raise EgressRefused("%s is not a valid IPv6 address" % (host,))
    if ":" in host:
        try:
            return str(ipaddress.IPv6Address(host))
        except ValueError:
            raise EgressRefused("%s is not a valid host" % (host,))
    try:
        ip = parseIPv4Host(host)
    except ValueError as e:
        raise EgressRefused(str(e))
    return None if ip is None else str(ip)


@implementer(IStreamClientEndpoint)
class _CheckedEndpoint:
    """
    Resolve, check, connect by address; TLS with the host name when asked.
    """

    def __init__(self, reactor, resolver, policy, host, port, tlsCreator, timeout):
        self._reactor = reactor
        self._resolver = resolver
        self._policy = policy
        self._host = host
        self._port = port
        self._tlsCreator = tlsCreator
        self._timeout = timeout

    @inlineCallbacks
    def _addresses(self):
        literal = literalAddress(self._host)
        if literal is not None:
            addresses = [literal]
        else:
            addresses = yield resolveHost(self._resolver, self._host, self._port)
        for address in addresses:
            self._policy.check(self._host, address)
        return addresses

    def _endpointFor(self, address):
        endpointClass = TCP6ClientEndpoint if ":" in address else TCP4ClientEndpoint
        endpoint = endpointClass(self._reactor, address, self._port, timeout=self._timeout)
        if self._tlsCreator is not None:
            endpoint = wrapClientTLS(self._tlsCreator, endpoint)
        return endpoint

    @inlineCallbacks
    def connect(self, protocolFactory):
        addresses = yield self._addresses()
        failure = None
        for address in addresses:
            try:
                protocol = yield self._endpointFor(address).connect(protocolFactory)
            except Exception as e:
                failure = e
                continue
            return protocol
        raise failure


@implementer(IAgentEndpointFactory)
class CheckedEndpointFactory:
    """
    Endpoints for the fetch agent that enforce an L{EgressPolicy}.

    @param reactor: connects the TCP connections.
    @param policy: the app's L{EgressPolicy}.
    @param resolver: an L{IHostnameResolver}; default C{reactor.nameResolver}.
    @param tlsPolicy: an L{IPolicyForHTTPS} making TLS connection creators from a
        host name; default L{BrowserLikePolicyForHTTPS} (system trust roots).
    @param connectTimeout: seconds for one TCP connection attempt.
    """

    def __init__(self, reactor, policy, resolver=None, tlsPolicy=None, connectTimeout=30):
        self._reactor = reactor
        self._policy = policy
        self._resolver = resolver
        self._tlsPolicy = tlsPolicy if tlsPolicy is not None else BrowserLikePolicyForHTTPS()
        self._connectTimeout = connectTimeout

    def endpointForURI(self, uri):
        """
        The checked endpoint for a parsed L{twisted.web.client.URI}.
        """
        host = uri.host.decode("ascii")
        tls = None
        if uri.scheme == b"https":
            tls = self._tlsPolicy.creatorForNetloc(uri.host.strip(b"[]"), uri.port)
        resolver = self._resolver if self._resolver is not None else self._reactor.nameResolver
        return _CheckedEndpoint(self._reactor, resolver, self._policy, host, uri.port, tls,
                                self._connectTimeout)

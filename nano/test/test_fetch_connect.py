"""
Tests for L{nano.fetch.connect}.
"""

from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.error import ConnectionRefusedError, DNSLookupError
from twisted.internet.interfaces import IHostnameResolver, IStreamClientEndpoint
from twisted.internet.protocol import Factory, Protocol
from twisted.internet.testing import MemoryReactorClock
from twisted.trial.unittest import SynchronousTestCase
from twisted.web.client import URI
from twisted.web.iweb import IAgentEndpointFactory, IPolicyForHTTPS
from zope.interface import implementer
from zope.interface.verify import verifyObject

from nano.config import EgressConfig
from nano.fetch.connect import CheckedEndpointFactory, literalAddress, resolveHost
from nano.fetch.egress import EgressPolicy, EgressRefused


@implementer(IHostnameResolver)
class FakeResolver:
    """
    Resolves names from a table, at once; counts the lookups.
    """

    def __init__(self, table):
        self.table = table
        self.lookups = []

    def resolveHostName(self, receiver, hostName, portNumber=0, addressTypes=None, transportSemantics="TCP"):
        self.lookups.append(hostName)
        receiver.resolutionBegan(None)
        for address in self.table.get(hostName, []):
            kind = IPv6Address if ":" in address else IPv4Address
            receiver.addressResolved(kind("TCP", address, portNumber))
        receiver.resolutionComplete()


@implementer(IPolicyForHTTPS)
class RecordingTLSPolicy:
    """
    Records the names TLS connection creators are asked for.
    """

    def __init__(self):
        self.names = []

    def creatorForNetloc(self, hostname, port):
        self.names.append((hostname, port))
        from twisted.internet.ssl import optionsForClientTLS
        return optionsForClientTLS(hostname.decode("ascii"))


class CheckedEndpointTests(SynchronousTestCase):
    """
    Endpoints of L{CheckedEndpointFactory} resolve, check every address, and connect
    by address.
    """

    def setUp(self):
        self.reactor = MemoryReactorClock()
        self.resolver = FakeResolver({
            "public.example": ["93.184.216.34", "2606:2800:220:1::1"],
            "sneaky.example": ["93.184.216.34", "10.0.0.7"],
            "metadata.example": ["169.254.169.254"],
            "mapped.example": ["::ffff:127.0.0.1"],
            "internal.example": ["10.1.2.3"],
        })
        self.tls = RecordingTLSPolicy()

    def factory(self, egress=None):
        return CheckedEndpointFactory(self.reactor, EgressPolicy.fromConfig(egress), resolver=self.resolver,
                                      tlsPolicy=self.tls, connectTimeout=5)

    def connect(self, url, egress=None):
        endpoint = self.factory(egress).endpointForURI(URI.fromBytes(url))
        return endpoint.connect(Factory.forProtocol(Protocol))

    def test_interface(self):
        """
        The factory provides L{IAgentEndpointFactory}.
        """
        verifyObject(IAgentEndpointFactory, self.factory())
        verifyObject(IStreamClientEndpoint, self.factory().endpointForURI(URI.fromBytes(b"http://h.test/")))

    def test_connectsToResolvedAddress(self):
        """
        A public name is resolved once and the connection goes to its first address,
        not to the name.
        """
        self.connect(b"http://public.example:8080/x")
        self.assertEqual(self.resolver.lookups, ["public.example"])
        self.assertEqual([(h, p) for h, p, *_ in self.reactor.tcpClients], [("93.184.216.34", 8080)])

    def test_nextAddressOnFailure(self):
        """
        When connecting to one checked address fails, the next one is tried.
        """
        d = self.connect(b"http://public.example/")
        self.reactor.tcpClients[0][2].clientConnectionFailed(None, ConnectionRefusedError())
        self.assertEqual([h for h, *_ in self.reactor.tcpClients], ["93.184.216.34", "2606:2800:220:1::1"])
        self.reactor.tcpClients[1][2].clientConnectionFailed(None, ConnectionRefusedError())
        self.failureResultOf(d, ConnectionRefusedError)

    def test_anyPrivateAddressRefuses(self):
        """
        A name with one private address among public ones is refused before any
        connection is made; so are names resolving to link-local and IPv4-mapped
        loopback addresses.
        """
        for url, problem in [(b"http://sneaky.example/", "10.0.0.7, which is not a public address (private)"),
                             (b"http://metadata.example/", "(link-local)"),
                             (b"http://mapped.example/", "loopback (embeds 127.0.0.1)")]:
            error = self.failureResultOf(self.connect(url), EgressRefused).value
            self.assertIn(problem, str(error))
        self.assertEqual(self.reactor.tcpClients, [])

    def test_literals(self):
        """
        Address literals are checked without a lookup, in every form the URL
        parser or getaddrinfo might read as an address.
        """
        for url in [b"http://127.0.0.1/", b"http://[::1]/", b"http://[::ffff:7f00:1]/", b"http://2130706433/",
                    b"http://0x7f.1/", b"http://0177.0.0.1/", b"http://169.254.169.254/"]:
            self.failureResultOf(self.connect(url), EgressRefused)
        self.assertEqual((self.resolver.lookups, self.reactor.tcpClients), ([], []))

    def test_allowed(self):
        """
        An allowed network or host name lets the connection through, still by
        address.
        """
        self.connect(b"http://127.0.0.1:9/", EgressConfig(False, ("127.0.0.1/32",)))
        self.connect(b"http://internal.example:10/", EgressConfig(False, ("internal.example",)))
        self.assertEqual([(h, p) for h, p, *_ in self.reactor.tcpClients], [("127.0.0.1", 9), ("10.1.2.3", 10)])

    def test_tlsUsesHostName(self):
        """
        For https the TLS connection creator is made for the host name (SNI and
        certificate checks), while TCP goes to the checked address.
        """
        self.connect(b"https://public.example/")
        self.assertEqual(self.tls.names, [(b"public.example", 443)])
        self.assertEqual([(h, p) for h, p, *_ in self.reactor.tcpClients], [("93.184.216.34", 443)])

    def test_unresolvable(self):
        """
        A name with no address fails with L{DNSLookupError}.
        """
        self.failureResultOf(self.connect(b"http://nowhere.example/"), DNSLookupError)


class HelperTests(SynchronousTestCase):
    """
    L{literalAddress} and L{resolveHost}.
    """

    def test_literalAddress(self):
        """
        Literals are normalised; names are not literals; a bad numeric host is
        refused.
        """
        self.assertEqual(literalAddress("[::FFFF:127.0.0.1]"), "::ffff:7f00:1")
        self.assertEqual(literalAddress("0x7f.1"), "127.0.0.1")
        self.assertIsNone(literalAddress("example.com"))
        self.assertRaises(EgressRefused, literalAddress, "1.2.3.999")
        self.assertRaises(EgressRefused, literalAddress, "[not-ipv6]")

    def test_resolveHost(self):
        """
        Every resolved address is returned, IPv4 and IPv6.
        """
        resolver = FakeResolver({"h": ["1.2.3.4", "::2"]})
        self.assertEqual(self.successResultOf(resolveHost(resolver, "h", 80)), ["1.2.3.4", "::2"])

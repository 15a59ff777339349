"""
Tests for L{nano.fetch.egress}.
"""

import ipaddress

from twisted.trial.unittest import SynchronousTestCase

from nano.config import EgressConfig
from nano.fetch.egress import EgressPolicy, EgressRefused, addressProblem, parseIPv4Host


class AddressProblemTests(SynchronousTestCase):
    """
    L{addressProblem} names why a non-public address may not be reached.
    """

    def test_public(self):
        """
        Globally routable IPv4 and IPv6 addresses are fine.
        """
        for address in ["8.8.8.8", "1.1.1.1", "2606:4700::1111", "93.184.216.34"]:
            self.assertIsNone(addressProblem(address), address)

    def test_categories(self):
        """
        Each kind of non-public address is named.
        """
        cases = {
            "0.0.0.0": "unspecified", "0.1.2.3": "unspecified", "::": "unspecified",
            "127.0.0.1": "loopback", "127.255.0.9": "loopback", "::1": "loopback",
            "10.1.2.3": "private", "172.16.0.1": "private", "172.31.255.255": "private",
            "192.168.0.1": "private", "fc00::1": "private", "fd12:3456::1": "private",
            "169.254.169.254": "link-local", "fe80::1": "link-local", "fe80::1%lo": "link-local",
            "100.64.0.1": "shared (carrier-grade NAT)", "100.127.255.254": "shared (carrier-grade NAT)",
            "224.0.0.1": "multicast", "239.255.255.250": "multicast", "ff02::1": "multicast",
            "240.0.0.1": "reserved", "255.255.255.255": "reserved", "192.0.2.1": "reserved",
            "2001:db8::1": "reserved",
        }
        for address, problem in cases.items():
            self.assertEqual(addressProblem(address), problem, address)

    def test_embeddedIPv4(self):
        """
        IPv6 addresses that carry an IPv4 address are judged by it too: mapped,
        compatible, NAT64, 6to4 and Teredo forms of a private address are refused,
        and the message names the embedded address.
        """
        self.assertEqual(addressProblem("::ffff:127.0.0.1"), "loopback (embeds 127.0.0.1)")
        self.assertEqual(addressProblem("::ffff:a9fe:a9fe"), "link-local (embeds 169.254.169.254)")
        self.assertEqual(addressProblem("::7f00:1"), "loopback (embeds 127.0.0.1)")
        self.assertEqual(addressProblem("64:ff9b::a00:1"), "private (embeds 10.0.0.1)")
        self.assertEqual(addressProblem("2002:c0a8:0101::1"), "private (embeds 192.168.1.1)")
        self.assertIsNotNone(addressProblem("2001:0:4136:e378:8000:63bf:3fff:fdd2"))
        # A mapped public address reaches a public address: allowed.
        self.assertIsNone(addressProblem("::ffff:8.8.8.8"))

    def test_ipaddressObjects(self):
        """
        L{ipaddress} objects are accepted as well as strings.
        """
        self.assertEqual(addressProblem(ipaddress.ip_address("10.0.0.1")), "private")


class ParseIPv4HostTests(SynchronousTestCase):
    """
    L{parseIPv4Host} reads hosts as the WHATWG URL parser does.
    """

    def test_numericForms(self):
        """
        Decimal, hex, octal and shortened forms all denote their address.
        """
        for host in ["2130706433", "0x7f000001", "0x7f.1", "0177.0.0.1", "127.1", "127.0.0.1", "127.0.0.1."]:
            self.assertEqual(parseIPv4Host(host), ipaddress.IPv4Address("127.0.0.1"), host)
        self.assertEqual(parseIPv4Host("0xA9.0376.43518"), ipaddress.IPv4Address("169.254.169.254"))

    def test_names(self):
        """
        Domain names are not addresses.
        """
        for host in ["example.com", "localhost", "1.2.3.example", "0x7f.example"]:
            self.assertIsNone(parseIPv4Host(host), host)

    def test_invalid(self):
        """
        A host that ends in a number but is not a valid address is an error.
        """
        for host in ["256.0.0.1", "1.2.3.4.5", "4294967296", "1.2.3.09", "1..2"]:
            self.assertRaises(ValueError, parseIPv4Host, host)


class EgressPolicyTests(SynchronousTestCase):
    """
    L{EgressPolicy.check} refuses non-public destinations unless config allows them.
    """

    def test_defaultRefuses(self):
        """
        By default a private address is refused, whether the URL named it or a host
        name resolved to it; the message says which.
        """
        policy = EgressPolicy()
        error = self.assertRaises(EgressRefused, policy.check, "127.0.0.1", "127.0.0.1")
        self.assertEqual(str(error), "127.0.0.1 is not a public address (loopback)")
        error = self.assertRaises(EgressRefused, policy.check, "metadata.internal", "169.254.169.254")
        self.assertEqual(str(error), "metadata.internal resolves to 169.254.169.254, which is not a "
                         "public address (link-local)")
        error = self.assertRaises(EgressRefused, policy.check, "[::1]", "::1")
        self.assertIn("loopback", str(error))
        policy.check("example.com", "93.184.216.34")

    def test_allowHosts(self):
        """
        A listed host name (exact or wildcard) may resolve to anything; other names
        may not, and a wildcard does not match the bare domain.
        """
        policy = EgressPolicy.fromConfig(EgressConfig(False, ("db.internal", "*.svc.local")))
        policy.check("db.internal", "10.0.0.5")
        policy.check("DB.Internal.", "10.0.0.5")
        policy.check("a.svc.local", "10.0.0.6")
        policy.check("a.b.svc.local", "10.0.0.6")
        self.assertRaises(EgressRefused, policy.check, "svc.local", "10.0.0.6")
        self.assertRaises(EgressRefused, policy.check, "other.internal", "10.0.0.5")

    def test_allowNetworks(self):
        """
        Listed addresses and networks may be reached, whatever name led there.
        """
        policy = EgressPolicy.fromConfig(EgressConfig(False, ("127.0.0.1", "10.1.0.0/16", "fd00::/8")))
        policy.check("127.0.0.1", "127.0.0.1")
        policy.check("anything.example", "10.1.2.3")
        policy.check("[fd00::1]", "fd00::1")
        self.assertRaises(EgressRefused, policy.check, "127.0.0.2", "127.0.0.2")
        self.assertRaises(EgressRefused, policy.check, "x", "10.2.0.1")

    def test_allowPrivate(self):
        """
        C{allow_private} lifts the ban entirely.
        """
        policy = EgressPolicy.fromConfig(EgressConfig(True, ()))
        for address in ["127.0.0.1", "10.0.0.1", "169.254.169.254", "::1"]:
            policy.check("h", address)

    def test_fromNone(self):
        """
        No config is the default policy.
        """
        self.assertEqual(EgressPolicy.fromConfig(None), EgressPolicy())

"""
The egress policy of outbound C{fetch()} (SPEC §6): which addresses an app may
connect to.

By default an app may reach only globally routable addresses. Refused, with the
reason named:

  - unspecified: C{0.0.0.0/8}, C{::}
  - loopback: C{127.0.0.0/8}, C{::1}
  - private: C{10.0.0.0/8}, C{172.16.0.0/12}, C{192.168.0.0/16}, C{fc00::/7}
  - shared address space: C{100.64.0.0/10} (carrier-grade NAT; in clouds and
    overlay networks such as Tailscale it holds internal hosts, so it is refused
    like the private ranges)
  - link-local: C{169.254.0.0/16} (cloud metadata services live at
    C{169.254.169.254}), C{fe80::/10}
  - multicast: C{224.0.0.0/4}, C{ff00::/8}
  - reserved or special-purpose: everything else Python's L{ipaddress} does not
    call global (C{240.0.0.0/4}, broadcast, documentation and benchmarking
    ranges, ...)

IPv6 addresses that embed an IPv4 address (IPv4-mapped C{::ffff:a.b.c.d},
IPv4-compatible C{::a.b.c.d}, NAT64 C{64:ff9b::/96} and C{64:ff9b:1::/48}, 6to4
C{2002::/16}, Teredo C{2001::/32}) are judged by the IPv4 address they carry too.

The check is made on the addresses a host name resolves to (L{nano.fetch.connect}
resolves, checks every address, then connects to a checked one), never on the
name alone. Exceptions come from config (SPEC §2, L{nano.config.EgressConfig}):
C{allow_private} lifts the ban entirely; C{allow} lists host names (exact, or
C{*.} for any subdomain) whose addresses may be anything, and IP addresses or
networks that may be reached.
"""

import ipaddress

import attrs

__all__ = ["EgressPolicy", "EgressRefused", "addressProblem", "parseIPv4Host"]


class EgressRefused(Exception):
    """
    The egress policy refuses a destination; C{str()} says which and why.
    """


_SHARED = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_COMPATIBLE = ipaddress.ip_network("::/96")
_PRIVATE = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"))


def _classify(ip):
    """
    Why C{ip} (an L{ipaddress} address, no embedded address considered) is not
    globally reachable, or None.
    """
    if ip.is_unspecified or (ip.version == 4 and ip in ipaddress.ip_network("0.0.0.0/8")):
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if any(ip in network for network in _PRIVATE if network.version == ip.version):
        return "private"
    if ip.version == 4 and ip in _SHARED:
        return "shared (carrier-grade NAT)"
    if not ip.is_global:
        return "reserved"
    return None


def _embedded(ip):
    """
    The IPv4 address an IPv6 address carries, or None.
    """
    if ip.version != 6:
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    for network in _NAT64:
        if ip in network:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in _COMPATIBLE and int(ip) > 1:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def addressProblem(address):
    """
    Why the address may not be reached by default, or None if it may.

    @param address: an address string (IPv6 scope ids allowed) or an L{ipaddress}
        address.
    @return: a short reason (C{"loopback"}, C{"private"}, C{"link-local"}, ...),
        naming the embedded IPv4 address when that is what is refused.
    """
    ip = address if not isinstance(address, str) else ipaddress.ip_address(address)
    if ip.version == 6 and ip.scope_id:
        ip = ipaddress.IPv6Address(str(ip).split("%", 1)[0])
    inner = _embedded(ip)
    if inner is not None:
        problem = _classify(inner)
        if problem is not None:
            return "%s (embeds %s)" % (problem, inner)
    return _classify(ip)


def _ipv4Number(part):
    """
    One part of a WHATWG IPv4 host: decimal, C{0x} hex or leading-zero octal.
    """
    if part == "":
        raise ValueError("empty part")
    radix = 10
    if part[:2] in ("0x", "0X"):
        part, radix = part[2:], 16
    elif len(part) > 1 and part[0] == "0":
        part, radix = part[1:], 8
    if part == "":
        return 0
    return int(part, radix)


def parseIPv4Host(host):
    """
    The IPv4 address a host string denotes under the WHATWG URL rules
    (C{"2130706433"}, C{"0x7f.1"}, C{"0177.0.0.1"} are all 127.0.0.1), or None when
    the host is a domain name. The JS URL parser already turns such hosts into
    dotted decimal; this is the same rule on the Python side, so that a host that
    C{getaddrinfo} would read as a number is judged as that address.

    @raise ValueError: the host ends in a number but is not a valid IPv4 address.
    """
    parts = host.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts = parts[:-1]
    last = parts[-1]
    isNumber = last != "" and (last.isdigit() or (
        last[:2] in ("0x", "0X") and all(c in "0123456789abcdefABCDEF" for c in last[2:])))
    if not isNumber:
        return None
    if len(parts) > 4:
        raise ValueError("an IPv4 address has at most four parts")
    try:
        numbers = [_ipv4Number(p) for p in parts]
    except ValueError:
        raise ValueError("not a valid IPv4 address: %r" % (host,))
    if any(n > 255 for n in numbers[:-1]) or numbers[-1] >= 256 ** (5 - len(numbers)):
        raise ValueError("IPv4 address out of range: %r" % (host,))
    value = numbers[-1]
    for i, n in enumerate(numbers[:-1]):
        value += n << (8 * (3 - i))
    return ipaddress.IPv4Address(value)


def _hostMatches(pattern, host):
    if pattern.startswith("*."):
        return host.endswith(pattern[1:]) and len(host) > len(pattern) - 1
    return host == pattern


@attrs.frozen
class EgressPolicy:
    """
    Which destinations one app may connect to.

    @ivar allowPrivate: lift the ban on non-global addresses entirely.
    @ivar hosts: host names (lowercase; C{*.example.com} matches any subdomain)
        whose resolved addresses are not checked.
    @ivar networks: L{ipaddress} networks that may be reached.
    """

    allowPrivate: bool = False
    hosts: tuple = ()
    networks: tuple = ()

    @classmethod
    def fromConfig(cls, egress):
        """
        The policy of an L{nano.config.EgressConfig} (None: the default policy).
        """
        if egress is None:
            return cls()
        hosts, networks = [], []
        for entry in egress.allow:
            try:
                networks.append(ipaddress.ip_network(entry))
            except ValueError:
                hosts.append(entry.lower().rstrip("."))
        return cls(egress.allow_private, tuple(hosts), tuple(networks))

    def hostAllowed(self, host):
        """
        Whether C{host} (a name from a URL) is listed, so that any address it
        resolves to may be reached.
        """
        host = host.lower().rstrip(".")
        return any(_hostMatches(pattern, host) for pattern in self.hosts)

    def check(self, host, address):
        """
        Refuse connecting to C{address} for a URL whose host is C{host}.

        @param host: the host from the URL (a name or an address literal).
        @param address: the address about to be connected to (a string).
        @raise EgressRefused: when the policy does not allow it; the message names
            the host, the address and the reason.
        """
        if self.allowPrivate:
            return
        problem = addressProblem(address)
        if problem is None or self.hostAllowed(host):
            return
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if any(ip.version == n.version and ip in n for n in self.networks):
            return
        if host.strip("[]") == address:
            raise EgressRefused("%s is not a public address (%s)" % (address, problem))
        raise EgressRefused("%s resolves to %s, which is not a public address (%s)" % (host, address, problem))

"""
Outbound C{fetch()} for apps (SPEC §6): the host operations behind the JS
C{fetch()} (L{nano.fetch.ops}), the treq client (L{nano.fetch.client}), the egress
policy and the connections that enforce it (L{nano.fetch.egress},
L{nano.fetch.connect}), body streaming both ways and content decoding
(L{nano.fetch.body}, L{nano.fetch.upload}, L{nano.fetch.decoding}) and the
subrequest cap
(L{nano.fetch.subrequests}).

Importing this package registers the fetch family in L{nano.hostops.FAMILIES}.
"""

from nano import hostops
from nano.fetch.ops import fetchOps

__all__ = ["fetchOps"]

if fetchOps not in hostops.FAMILIES:
    hostops.FAMILIES.append(fetchOps)

"""
The table of asynchronous host operations an app's isolate may call
(C{nano.hostCall(op, args)} in JS; see L{nano.isolate.hostcalls}).

Each family of operations (outbound fetch, WebCrypto, compression) lives in its own
module and contributes a function C{ops(context)} that returns a mapping of
operation names to functions; L{opsFor} merges them for one app. What an app can do
outside its isolate is exactly this table.
"""

import attrs

__all__ = ["HostContext", "opsFor", "FAMILIES"]


@attrs.frozen
class HostContext:
    """
    What a family of operations may know about the app it serves.

    @ivar reactor: the reactor (operations must not block it).
    @ivar app: the app's L{nano.config.AppConfig}.
    @ivar config: the whole L{nano.config.NanoConfig} (deployment-wide settings such
        as the egress policy), or None.
    @ivar stats: the app's L{nano.metrics.AppStats} (operations count what they
        did there, e.g. C{fetched(status)}), or None.
    """

    reactor: object
    app: object
    config: object = None
    stats: object = None


# Functions context -> {name: op}; each operation family appends its own at import.
FAMILIES = []


def opsFor(context):
    """
    Every host operation for one app: the merged tables of L{FAMILIES}.

    @raise ValueError: when two families define the same operation name.
    """
    table = {}
    for family in FAMILIES:
        for name, op in family(context).items():
            if name in table:
                raise ValueError("host operation %r is defined twice" % (name,))
            table[name] = op
    return table


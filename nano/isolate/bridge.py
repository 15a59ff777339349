"""
The bridge's wire format from JS to Python: a drain returns either the JSON text of
the queued messages or, when bytes are attached to them (C{nano.attachBytes}), a
binary frame: C{[u32 LE length of the head][head: JSON of [messages, [payload
lengths]] as UTF-8][payloads, in order]}. Messages refer to their payloads by index.
"""

import json

__all__ = ["parseFrame"]


def parseFrame(data):
    """
    Split a binary drain frame (see C{drain()} in C{00_core.js}) into the messages
    and the list of attached payloads.

    @raise ValueError: for a malformed frame.
    """
    if len(data) < 4:
        raise ValueError("short frame")
    headLength = int.from_bytes(data[:4], "little")
    messages, lengths = json.loads(data[4:4 + headLength].decode("utf-8", "surrogatepass"))
    payloads = []
    offset = 4 + headLength
    for length in lengths:
        payloads.append(data[offset:offset + length])
        offset += length
    if offset != len(data):
        raise ValueError("frame length mismatch")
    return messages, payloads

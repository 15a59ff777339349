"""
The bridge's wire format from JS to Python: a drain returns either the JSON text of
the queued messages or, when bytes are attached to them (C{nano.attachBytes}), a
binary frame: C{[u32 LE length of the head][head: JSON of [messages, [payload
lengths], frame id] as UTF-8][payloads, in order]}. Messages refer to their payloads
by index. JS reuses frame buffers: once Python has copied what it needs, it sends
C{["frame_free", id]} back.
"""

import json

__all__ = ["parseFrame"]


def parseFrame(data):
    """
    Split a binary drain frame (see C{drain()} in C{00_core.js}) into the messages
    and the list of attached payloads.

    @param data: C{bytes}, or a C{memoryview} (each payload is then copied out: the
        view may not outlive the call).
    @return: C{(messages, payloads, frameId)}, payloads as C{bytes}; C{frameId} is
        None for a frame without one.
    @raise ValueError: for a malformed frame.
    """
    if len(data) < 4:
        raise ValueError("short frame")
    headLength = int.from_bytes(data[:4], "little")
    head = json.loads(bytes(data[4:4 + headLength]).decode("utf-8", "surrogatepass"))
    messages, lengths = head[0], head[1]
    frameId = head[2] if len(head) > 2 else None
    payloads = []
    offset = 4 + headLength
    for length in lengths:
        payloads.append(bytes(data[offset:offset + length]))
        offset += length
    if offset != len(data):
        raise ValueError("frame length mismatch")
    return messages, payloads, frameId

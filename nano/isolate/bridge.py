"""
The bridge's wire format.

From JS to Python: a drain returns either the JSON text of the queued messages or,
when bytes are attached to them (C{nano.attachBytes}), a binary frame: C{[u32 LE
length of the head][head: JSON of [messages, [payload lengths], frame id] as
UTF-8][payloads, in order]}. Messages refer to their payloads by index. JS reuses
frame buffers: once Python has copied what it needs, it sends C{["frame_free", id]}
back.

From Python to JS: one JSON array of messages per dispatch (L{encodeBatch}). Bytes
travel as base64 text inside it. A message may be queued already encoded
(L{chunkMessage}, a L{PreEncoded} text) so that its base64 text is not scanned
again by C{json.dumps}: escaping text that never needs it cost 2.1 ms per MiB of
body on the reactor thread, more than making the base64 (0.9 ms), for a fetched
body streamed through an app (twistd --profile, BENCHMARKS.md).
"""

import json

__all__ = ["PreEncoded", "chunkMessage", "encodeBatch", "parseFrame"]


class PreEncoded(str):
    """
    One message already encoded as JSON text (placed into the batch as it is).
    """


def chunkMessage(op, target, base64Text):
    """
    The message C{[op, target, base64Text]}, encoded.

    @param op: the handler's name (letters, digits and C{_} only).
    @param target: an int (the body's id).
    @param base64Text: base64 text (nothing in it needs escaping in JSON).
    """
    if type(target) is not int:
        raise TypeError("chunkMessage: expected an int target, got %r" % (target,))
    return PreEncoded('["%s",%d,"%s"]' % (op, target, base64Text))


def encodeBatch(batch):
    """
    The JSON text of a list of messages (lists, or L{PreEncoded} texts).
    """
    if not any(type(message) is PreEncoded for message in batch):
        return json.dumps(batch, separators=(",", ":"))
    return "[" + ",".join(message if type(message) is PreEncoded else json.dumps(message, separators=(",", ":"))
                          for message in batch) + "]"


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

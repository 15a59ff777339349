"""
The bridge's wire format from JS to Python: a drain returns either the JSON text of
the queued messages or, when bytes are attached to them (C{nano.attachBytes}), a
binary frame: C{[u32 LE length of the head][head: JSON of [messages, [payload
lengths], frame id] as UTF-8][payloads, in order]}. Messages refer to their payloads
by index. JS reuses frame buffers: once Python has copied what it needs, it sends
C{["frame_free", id]} back.

From Python to JS a batch is JSON text; bytes in it (L{JSBytes}) travel through the
isolate's inbound buffer when they fit, else as base64 (L{Inbound}, L{dumps}).
"""

import base64
import json

__all__ = ["Inbound", "JSBytes", "dumps", "parseFrame"]


def parseFrame(data, copy=True):
    """
    Split a binary drain frame (see C{frame()} in C{00_core.js}: the payloads, then
    the head's JSON, then the head's length as a little-endian u32) into the messages
    and the list of attached payloads.

    @param data: C{bytes}, or a C{memoryview}.
    @param copy: payloads as C{bytes} copies (True), or as slices of C{data}
        (False: memoryviews no more durable than C{data}).
    @return: C{(messages, payloads, frameId)}. Messages refer to payloads by index,
        numbered across frames until the isolate has sent every payload: when the
        frame's first payload has index N, C{payloads} starts with N C{None}s so
        that the indexes hold.
    @raise ValueError: for a malformed frame.
    """
    size = len(data)
    if size < 4:
        raise ValueError("short frame")
    headLength = int.from_bytes(data[size - 4:], "little")
    headStart = size - 4 - headLength
    if headStart < 0:
        raise ValueError("frame head longer than the frame")
    head = json.loads(bytes(data[headStart:size - 4]).decode("utf-8", "surrogatepass"))
    messages, lengths, frameId, first = head
    payloads = [None] * first
    offset = 0
    for length in lengths:
        piece = data[offset:offset + length]
        payloads.append(bytes(piece) if copy else piece)
        offset += length
    if offset != headStart:
        raise ValueError("frame length mismatch")
    return messages, payloads, frameId


class JSBytes:
    """
    Bytes for JS inside a message to the isolate. When the batch is serialised they
    become C{[offset, length]} in the isolate's inbound buffer (a copy with the GIL
    released, no encoding) or, when that is busy or too small, base64 text; JS reads
    either with C{nano.base64ToBytes}.
    """

    __slots__ = ("data",)

    def __init__(self, data):
        self.data = data


class Inbound:
    """
    The isolate's inbound buffer, split in two halves used in turn: a half is
    written while its previous batch's dispatch has finished (JS copies every
    payload out during the dispatch), so a batch can be written while the one
    before it is still being handled.

    @param memory: the L{nano.isolate.engine.SharedMemory} of the buffer.
    @param write: C{write(memory, offset, data)} copies bytes into it.
    @param completed: C{completed(callId)} tells whether a posted call finished.
    """

    def __init__(self, memory, write, completed):
        self._memory = memory
        self._write = write
        self._completed = completed
        self._half = memory.length // 2
        self._owners = [None, None]
        self._turn = 0
        self._base = None
        self._used = 0

    def begin(self):
        """
        Start serialising a batch: pick a free half (or none).
        """
        self._base = None
        for i in (self._turn, 1 - self._turn):
            owner = self._owners[i]
            if owner is None or self._completed(owner):
                self._owners[i] = None
                self._base = i * self._half
                self._turn = i
                break
        self._used = 0

    def default(self, obj):
        """
        The C{json.dumps} hook that turns L{JSBytes} into a reference or base64.
        """
        if not isinstance(obj, JSBytes):
            raise TypeError("cannot serialise %r for the isolate" % (obj,))
        data = obj.data
        if self._base is not None and self._used + len(data) <= self._half:
            offset = self._base + self._used
            self._write(self._memory, offset, data)
            self._used += len(data)
            return [offset, len(data)]
        return base64.b64encode(data).decode("ascii")

    def sent(self, callId):
        """
        The batch was posted as C{callId}: its half is busy until that call finished.
        """
        if self._base is not None and self._used:
            self._owners[self._turn] = callId
            self._turn = 1 - self._turn


def dumps(batch, inbound=None):
    """
    A batch of messages as the JSON text of a dispatch.
    """
    if inbound is None:
        return json.dumps(batch, separators=(",", ":"), default=_base64Default)
    inbound.begin()
    return json.dumps(batch, separators=(",", ":"), default=inbound.default)


def _base64Default(obj):
    if not isinstance(obj, JSBytes):
        raise TypeError("cannot serialise %r for the isolate" % (obj,))
    return base64.b64encode(obj.data).decode("ascii")

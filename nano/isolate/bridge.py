"""
The bridge's wire format from JS to Python: a drain returns either the JSON text of
the queued messages or, when bytes are attached to them (C{nano.attachBytes}), a
binary frame: C{[payloads, in order][head: JSON of [messages, [payload lengths],
frame id, index of the first payload] as UTF-8][u32 LE length of the head]}. Messages
refer to their payloads by index (numbered on across the frames of one split outbox).
JS reuses frame buffers: once Python has copied what it needs, it sends
C{["frame_free", id]} back.

From Python to JS a batch is JSON text; bytes in it (L{JSBytes}) travel through the
isolate's inbound buffer when they fit, else as base64 (L{Inbound}, L{dumps}).
"""

import base64
import collections
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
    The isolate's inbound buffer, used as a ring: each batch's bytes are written
    after the previous batch's, wrapping to the start when the end is reached, and
    the space a batch used is free again once the dispatch that carried it has
    finished (JS copies every payload out during the dispatch). Dispatches finish in
    the order they were posted, so space is freed in ring order. Bytes that do not
    fit in the free space go as base64.

    A ring rather than fixed halves: under load a batch is posted every reactor turn
    while the one or two before it are still running, and 50 uploads of 64 KiB make
    batches of 3.2 MiB; with halves, both were often busy and whole batches went as
    base64 (json.dumps and b64encode took 13% of the reactor thread).

    @param memory: the L{nano.isolate.engine.SharedMemory} of the buffer.
    @param write: C{write(memory, offset, data)} copies bytes into it.
    @param completed: C{completed(callId)} tells whether a posted call finished.
    """

    def __init__(self, memory, write, completed):
        self._memory = memory
        self._write = write
        self._completed = completed
        self._size = memory.length
        self._busy = collections.deque()  # (callId, start, end), oldest first
        self._head = 0  # where the next bytes go
        self._pending = []  # (start, end) written for the batch being serialised

    def begin(self):
        """
        Start serialising a batch: free the space of finished dispatches.
        """
        busy = self._busy
        while busy and self._completed(busy[0][0]):
            busy.popleft()
        self._pending = []
        if not busy:
            self._head = 0

    def _allocate(self, n):
        """
        The offset of C{n} free bytes at the ring's head, or None. The space in use
        runs from the start of the oldest busy or pending batch bytes (the tail) to
        the head, wrapping past the end of the buffer.
        """
        head, size = self._head, self._size
        if self._busy:
            tail = self._busy[0][1]
        elif self._pending:
            tail = self._pending[0][0]
        else:
            return head if head + n <= size else (0 if n <= size else None)
        if head > tail:
            if head + n <= size:
                return head
            return 0 if n <= tail else None
        if head < tail and head + n <= tail:
            return head
        return None

    def default(self, obj):
        """
        The C{json.dumps} hook that turns L{JSBytes} into a reference or base64.
        """
        if not isinstance(obj, JSBytes):
            raise TypeError("cannot serialise %r for the isolate" % (obj,))
        data = obj.data
        n = len(data)
        offset = self._allocate(n) if n else None
        if offset is None:
            return base64.b64encode(data).decode("ascii")
        self._write(self._memory, offset, data)
        self._pending.append((offset, offset + n))
        self._head = offset + n
        return [offset, n]

    def sent(self, callId):
        """
        The batch was posted as C{callId}: its space is busy until that call finished.
        """
        for start, end in self._pending:
            self._busy.append((callId, start, end))
        self._pending = []


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

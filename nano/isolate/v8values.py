"""
mini-racer 0.14.1's values as Python sees them, without the library itself (which only
L{nano.isolate.engine} loads): the value type codes of its C API, the exceptions a
failed task becomes, and L{convert}, which reads a raw value struct.
"""

import ctypes

__all__ = [
    "JSError",
    "JSParseError",
    "JSTerminated",
    "JSOutOfMemory",
    "IsolateClosed",
    "Handle",
    "SharedMemory",
    "convert",
]

# Value types of mini-racer 0.14.1 (mini_racer.cc).
_T_NULL = 1
_T_BOOL = 2
_T_INT = 3
_T_DOUBLE = 4
_T_STR = 5
_T_UNDEFINED = 11
_T_SHARED_ARRAY_BUFFER = 101
_T_ARRAY_BUFFER = 102
_T_EXECUTE_EXC = 200
_T_PARSE_EXC = 201
_T_OOM_EXC = 202
_T_TIMEOUT_EXC = 203
_T_TERMINATED_EXC = 204
_T_VALUE_EXC = 205
_T_KEY_EXC = 206

class JSError(Exception):
    """
    JavaScript threw while running a task. C{str()} is V8's text: for an uncaught
    error C{"<file>:<line>: <Name>: <message>"}, the source line, a caret line and the
    stack.
    """


class JSParseError(JSError):
    """
    The script did not compile (V8's parse exception).
    """


class JSTerminated(JSError):
    """
    Execution was terminated: the task was cancelled (deadline) or the isolate closed.
    """


class JSOutOfMemory(JSError):
    """
    The isolate hit its hard memory limit.
    """


class IsolateClosed(Exception):
    """
    The isolate was closed before the operation completed.
    """


_ERRORS = {
    _T_EXECUTE_EXC: JSError,
    _T_PARSE_EXC: JSParseError,
    _T_OOM_EXC: JSOutOfMemory,
    _T_TIMEOUT_EXC: JSTerminated,
    _T_TERMINATED_EXC: JSTerminated,
    _T_VALUE_EXC: JSError,
    _T_KEY_EXC: JSError,
}


class SharedMemory:
    """
    A JS C{SharedArrayBuffer} whose memory Python writes directly (the isolate's
    inbound buffer). Its value handle is kept until the context closes, which keeps
    the backing store alive.
    """

    __slots__ = ("address", "length", "raw")

    def __init__(self, address, length, raw):
        self.address = address
        self.length = length
        self.raw = raw


class Handle:
    """
    A JS value kept alive for Python (a function, object or array). Freed by
    L{V8Context.free} or when the context closes.
    """

    __slots__ = ("raw",)

    def __init__(self, raw):
        self.raw = raw


def convert(raw):
    """
    Read a raw mini-racer value (a pointer to its value struct): strings and bytes
    are copied, objects become L{Handle}s, shared buffers L{SharedMemory}, errors
    exceptions.

    @return: C{(value, keep)}: C{keep} is True when the value holds on to C{raw},
        which the caller must then not free.
    """
    contents = raw.contents
    typ = contents.type
    if typ == _T_STR:
        return ctypes.string_at(contents.value.value_ptr, contents.len).decode("utf-8", "surrogatepass"), False
    if typ in _ERRORS:
        text = ctypes.string_at(contents.value.value_ptr, contents.len).decode("utf-8", "replace")
        return _ERRORS[typ](text), False
    if typ == _T_UNDEFINED or typ == _T_NULL:
        return None, False
    if typ == _T_BOOL:
        return contents.value.int_val == 1, False
    if typ == _T_INT:
        return contents.value.int_val, False
    if typ == _T_DOUBLE:
        return contents.value.double_val, False
    if typ == _T_ARRAY_BUFFER:
        return ctypes.string_at(contents.value.value_ptr, contents.len), False
    if typ == _T_SHARED_ARRAY_BUFFER:
        return SharedMemory(contents.value.value_ptr, contents.len, raw), True
    return Handle(raw), True

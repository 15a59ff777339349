"""
Tests for L{nano.isolate.v8values}: reading mini-racer's raw values.
"""

import ctypes
from types import SimpleNamespace

from twisted.trial.unittest import SynchronousTestCase

from nano.isolate import v8values
from nano.isolate.v8values import Handle, JSOutOfMemory, JSParseError, SharedMemory, convert


def _raw(typ, data=b"", int_val=0, double_val=0.0):
    """
    A stand-in for a pointer to mini-racer's value struct, with C{data} at a real
    address (kept alive on the object).
    """
    buffer = ctypes.create_string_buffer(data, len(data) or 1)
    value = SimpleNamespace(value_ptr=ctypes.addressof(buffer), int_val=int_val, double_val=double_val)
    return SimpleNamespace(contents=SimpleNamespace(type=typ, len=len(data), value=value), buffer=buffer)


class ConvertTests(SynchronousTestCase):
    """
    L{convert} copies strings and bytes, maps scalars, and keeps the raw value
    only for handles and shared memory.
    """

    def test_scalars(self):
        """
        Null, undefined, booleans, integers and doubles become Python values.
        """
        cases = [
            (_raw(v8values._T_NULL), None),
            (_raw(v8values._T_UNDEFINED), None),
            (_raw(v8values._T_BOOL, int_val=1), True),
            (_raw(v8values._T_BOOL, int_val=0), False),
            (_raw(v8values._T_INT, int_val=-7), -7),
            (_raw(v8values._T_DOUBLE, double_val=1.5), 1.5),
        ]
        for raw, expected in cases:
            self.assertEqual(convert(raw), (expected, False))

    def test_copies(self):
        """
        Strings (UTF-8 with lone surrogates allowed) and array buffers are copied.
        """
        text = "a\u2713\ud800".encode("utf-8", "surrogatepass")
        self.assertEqual(convert(_raw(v8values._T_STR, text)), ("a\u2713\ud800", False))
        self.assertEqual(convert(_raw(v8values._T_ARRAY_BUFFER, b"\x00\xff")), (b"\x00\xff", False))

    def test_errors(self):
        """
        Exception values become the matching exception, with V8's text.
        """
        value, keep = convert(_raw(v8values._T_PARSE_EXC, b"SyntaxError: x"))
        self.assertIsInstance(value, JSParseError)
        self.assertEqual((str(value), keep), ("SyntaxError: x", False))
        self.assertIsInstance(convert(_raw(v8values._T_OOM_EXC, b"oom"))[0], JSOutOfMemory)

    def test_kept(self):
        """
        Shared buffers and other values hold on to the raw value.
        """
        raw = _raw(v8values._T_SHARED_ARRAY_BUFFER, b"abcd")
        memory, keep = convert(raw)
        self.assertIsInstance(memory, SharedMemory)
        self.assertEqual((memory.length, memory.raw, keep), (4, raw, True))
        raw = _raw(99)
        handle, keep = convert(raw)
        self.assertIsInstance(handle, Handle)
        self.assertEqual((handle.raw, keep), (raw, True))

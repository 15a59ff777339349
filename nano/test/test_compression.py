"""
Tests for L{nano.streams.compression}: the zlib host operations behind
CompressionStream and DecompressionStream.
"""

import gzip
import zlib

from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

from nano import hostops
from nano.config import AppConfig
from nano.hostops import HostContext, opsFor
from nano.isolate.hostcalls import HostCall, HostCallError, HostScope, b64decode, b64encode
from nano.streams import compression


# Every family of the process builds its table here (the fetch family, registered
# by any module that imports nano.fetch, reads the app's limits).
_APP = AppConfig(name="a", hostnames=(), path="/")


class _Ops:
    """
    Calls the compression operations the way one isolate would (one L{HostScope}).
    """

    def __init__(self):
        self.scope = HostScope()
        self.table = compression.ops(None)

    def __call__(self, name, *args):
        return self.table["compression." + name](HostCall("app", None, list(args), None, self.scope))

    def open(self):
        return compression.openStreams(self.scope)

    def write(self, streamId, mode, fmt, data):
        out, more = self("write", streamId, mode, fmt, b64encode(data))
        return b64decode(out), more

    def drain(self, streamId, first):
        """
        The output of a call and of every "more" call it asked for.
        """
        out, more = first
        pieces = [out]
        while more:
            piece, more = self("more", streamId)
            pieces.append(b64decode(piece))
        return pieces

    def finish(self, streamId, mode, fmt):
        pieces = []
        more = True
        while more:
            out, more = self("finish", streamId, mode, fmt)
            pieces.append(b64decode(out))
        return b"".join(pieces)


class RoundTripTests(SynchronousTestCase):
    """
    Compressing and decompressing in each format.
    """

    def test_formats(self):
        """
        Each format round-trips, and its output is what Python's zlib and gzip read
        (gzip, the zlib format for "deflate", raw DEFLATE for "deflate-raw").
        """
        data = b"hello compression " * 1000
        readers = {
            "gzip": gzip.decompress,
            "deflate": zlib.decompress,
            "deflate-raw": lambda b: zlib.decompress(b, -15),
        }
        for n, fmt in enumerate(["gzip", "deflate", "deflate-raw"]):
            ops = _Ops()
            out, more = ops.write(n, "compress", fmt, data[:5000])
            packed = out + ops.write(n, "compress", fmt, data[5000:])[0] + ops.finish(n, "compress", fmt)
            self.assertFalse(more)
            self.assertEqual(readers[fmt](packed), data)
            unpacked = b"".join(ops.drain(100 + n, ops.write(100 + n, "decompress", fmt, packed)))
            unpacked += ops.finish(100 + n, "decompress", fmt)
            self.assertEqual(unpacked, data)
            self.assertEqual(ops.open(), 0)

    def test_brotli(self):
        """
        "br" compresses (brotli, for a response whose Content-Encoding is br) but does
        not decompress.
        """
        import brotli

        data = b"hello brotli " * 500
        ops = _Ops()
        packed = ops.write(1, "compress", "br", data)[0] + ops.finish(1, "compress", "br")
        self.assertEqual(brotli.decompress(packed), data)
        self.assertEqual(ops.open(), 0)
        error = self.assertRaises(HostCallError, ops.write, 2, "decompress", "br", packed)
        self.assertEqual(error.name, "TypeError")

    def test_emptyStream(self):
        """
        Finishing a compression with no input gives a valid empty stream.
        """
        ops = _Ops()
        self.assertEqual(gzip.decompress(ops.finish(1, "compress", "gzip")), b"")


class LimitTests(SynchronousTestCase):
    """
    What protects the host: bounded output per call, bounded input per call, a bounded
    number of open streams.
    """

    def test_decompressionBomb(self):
        """
        64 MiB of zeros (64 KiB compressed) come back at most MAX_OUTPUT bytes per
        call, each call saying whether more is waiting.
        """
        bomb = zlib.compress(bytes(64 * 1024 * 1024), 9)
        ops = _Ops()
        first = ops.write(1, "decompress", "deflate", bomb)
        self.assertEqual(len(first[0]), compression.MAX_OUTPUT)
        self.assertTrue(first[1])
        pieces = ops.drain(1, first)
        self.assertTrue(all(len(p) <= compression.MAX_OUTPUT for p in pieces))
        self.assertEqual(sum(len(p) for p in pieces), 64 * 1024 * 1024)
        self.assertEqual(ops.finish(1, "decompress", "deflate"), b"")

    def test_inputLimit(self):
        """
        A call with more than MAX_INPUT bytes is refused with a TypeError.
        """
        ops = _Ops()
        error = self.assertRaises(HostCallError, ops.write, 1, "compress", "gzip",
                                  bytes(compression.MAX_INPUT + 4))
        self.assertEqual(error.name, "TypeError")

    def test_streamLimit(self):
        """
        At most MAX_STREAMS streams are open in one isolate; closing one makes room.
        """
        ops = _Ops()
        for n in range(compression.MAX_STREAMS):
            ops.write(n, "compress", "gzip", b"x")
        error = self.assertRaises(HostCallError, ops.write, 999, "compress", "gzip", b"x")
        self.assertEqual(error.name, "TypeError")
        self.assertIn("too many", error.message)
        ops("close", 0)
        ops.write(999, "compress", "gzip", b"x")

    def test_isolateCloseFreesContexts(self):
        """
        Closing the isolate's scope closes every open context.
        """
        ops = _Ops()
        ops.write(1, "compress", "gzip", b"x")
        ops.write(2, "decompress", "gzip", gzip.compress(b"abc")[:5])
        self.assertEqual(ops.open(), 2)
        ops.scope.close()
        self.assertEqual(ops.open(), 0)


class ErrorTests(SynchronousTestCase):
    """
    Bad compressed data is a TypeError, and the failed stream is forgotten.
    """

    def assertTypeError(self, fn, *args):
        error = self.assertRaises(HostCallError, fn, *args)
        self.assertEqual(error.name, "TypeError")
        return error

    def test_invalidData(self):
        """
        Data that is not in the format is a TypeError; the context is dropped.
        """
        ops = _Ops()
        self.assertTypeError(ops.write, 1, "decompress", "gzip", b"not gzip at all")
        self.assertEqual(ops.open(), 0)

    def test_trailingData(self):
        """
        Data after the end of the compressed stream, including a second gzip member,
        is a TypeError.
        """
        ops = _Ops()
        self.assertTypeError(ops.write, 1, "decompress", "deflate", zlib.compress(b"a") + b"junk")
        self.assertTypeError(ops.write, 2, "decompress", "gzip", gzip.compress(b"a") + gzip.compress(b"b"))
        ops.write(3, "decompress", "deflate-raw", zlib.compress(b"abc")[2:-4])
        self.assertTypeError(ops.write, 3, "decompress", "deflate-raw", b"more")

    def test_truncatedData(self):
        """
        Input that ends before the compressed stream does fails at finish.
        """
        ops = _Ops()
        ops.write(1, "decompress", "gzip", gzip.compress(b"abcdef" * 100)[:-6])
        self.assertTypeError(ops.finish, 1, "decompress", "gzip")
        self.assertTypeError(ops.finish, 2, "decompress", "deflate")

    def test_badArguments(self):
        """
        Unknown formats, modes, stream ids and argument shapes are TypeErrors.
        """
        ops = _Ops()
        self.assertTypeError(ops.write, 1, "compress", "brotli", b"x")
        self.assertTypeError(ops.write, 1, "squash", "gzip", b"x")
        self.assertTypeError(ops.write, -1, "compress", "gzip", b"x")
        self.assertTypeError(ops, "more", 7)
        self.assertTypeError(ops, "write", 1)


class RegistrationTests(SynchronousTestCase):
    """
    The family is part of every app's host operations.
    """

    def test_registered(self):
        """
        Importing the module (as L{nano.service} does) puts the compression
        operations in L{nano.hostops.FAMILIES}.
        """
        self.assertIn(compression.ops, hostops.FAMILIES)
        table = opsFor(HostContext(reactor=Clock(), app=_APP))
        self.assertEqual(sorted(name for name in table if name.startswith("compression.")),
                         ["compression.close", "compression.finish", "compression.more",
                          "compression.write"])

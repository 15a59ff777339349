"""
The host operations behind C{CompressionStream} and C{DecompressionStream}
(C{nano/streams/js/36_compression_streams.js}): zlib does the byte work, on the reactor
thread, in bounded slices.

Each JS stream has a numeric id chosen by JS; its zlib context is created by its first
C{compression.write} (or C{compression.finish}) and kept in the isolate's
L{nano.isolate.hostcalls.HostScope} (under C{data["compression"]}) until the stream
finishes, fails, is cancelled or the isolate closes. Operations (arguments and results
are JSON; bytes are base64):

    - C{compression.write [id, mode, format, data]} -> C{[output, more]}
    - C{compression.more [id]} -> C{[output, more]}: the next output of a
      decompression whose last call stopped at the output cap
    - C{compression.finish [id, mode, format]} -> C{[output, more]}: end of input (the
      compressor's trailer; the decompressor checks the data was complete). While
      C{more} is true, JS calls it again for the rest of the output.
    - C{compression.close [id]} -> None: forget the stream (cancelled)

C{mode} is C{"compress"} or C{"decompress"}; C{format} is C{"gzip"}, C{"deflate"} (zlib)
or C{"deflate-raw"}, or, to compress only, C{"br"} (brotli: not a CompressionFormat, but
what a response whose Content-Encoding is br is encoded with, as on Cloudflare Workers). Invalid or truncated compressed data, data after the end of the
compressed stream, and more than one gzip member are C{TypeError}s, as the Compression
Standard says.

Limits (a decompression bomb must not exhaust memory): one call takes at most
L{MAX_INPUT} bytes of input (JS slices bigger chunks) and returns at most L{MAX_OUTPUT}
bytes of output; when a decompression has more, C{more} is true and JS asks for the
rest with C{compression.more} only when the stream's reader wants more. An isolate may
have at most L{MAX_STREAMS} streams open at once.
"""

import zlib

import brotli

from nano.hostops import FAMILIES
from nano.isolate.hostcalls import HostCallError, b64decode, b64encode

__all__ = ["MAX_INPUT", "MAX_OUTPUT", "MAX_STREAMS", "ops", "openStreams"]

MAX_INPUT = 256 * 1024
MAX_OUTPUT = 1024 * 1024
MAX_STREAMS = 64

_WBITS = {"deflate": 15, "deflate-raw": -15, "gzip": 31}
_KIND = "compression"


def _typeError(message):
    return HostCallError("TypeError", message)


class _Compressor:
    """
    One CompressionStream's zlib compressor.
    """

    def __init__(self, format):
        self._z = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, _WBITS[format])

    def write(self, data):
        return self._z.compress(data), False

    def more(self):
        return b"", False

    def finish(self):
        return self._z.flush(zlib.Z_FINISH), False

    def close(self):
        self._z = None


class _BrotliCompressor:
    """
    A response body's brotli compressor (compress mode only).
    """

    def __init__(self, format):
        self._b = brotli.Compressor()

    def write(self, data):
        return self._b.process(data), False

    def more(self):
        return b"", False

    def finish(self):
        return self._b.finish(), False

    def close(self):
        self._b = None


class _Decompressor:
    """
    One DecompressionStream's zlib decompressor; output is produced at most
    L{MAX_OUTPUT} bytes at a time.
    """

    def __init__(self, format):
        self._z = zlib.decompressobj(_WBITS[format])

    def _run(self, data):
        z = self._z
        try:
            out = z.decompress(data, MAX_OUTPUT)
        except zlib.error as e:
            raise _typeError("invalid compressed data: %s" % (e,))
        if z.eof and z.unused_data:
            raise _typeError("there is data after the end of the compressed stream")
        return out, bool(z.unconsumed_tail) or len(out) == MAX_OUTPUT

    def write(self, data):
        if self._z.eof and data:
            raise _typeError("there is data after the end of the compressed stream")
        return self._run(self._z.unconsumed_tail + data)

    def more(self):
        return self._run(self._z.unconsumed_tail)

    def finish(self):
        out, more = self._run(self._z.unconsumed_tail)
        if not more and not self._z.eof:
            raise _typeError("the compressed data is incomplete")
        return out, more

    def close(self):
        self._z = None


def _streamId(value):
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _typeError("compression: expected a stream id")
    return value


class _Streams:
    """
    One isolate's open compression streams, by id.
    """

    def __init__(self):
        self.codecs = {}

    def forget(self, streamId):
        codec = self.codecs.pop(streamId, None)
        if codec is not None:
            codec.close()

    def close(self):
        codecs, self.codecs = self.codecs, {}
        for codec in codecs.values():
            codec.close()


def _streams(call):
    """
    The isolate's open streams (made on first use; closed with the isolate).
    """
    streams = call.scope.data.get(_KIND)
    if streams is None:
        streams = call.scope.data[_KIND] = _Streams()
        call.scope.onClose(streams.close)
    return streams


def openStreams(scope):
    """
    How many compression streams an isolate (its L{HostScope}) has open.
    """
    streams = scope.data.get(_KIND)
    return 0 if streams is None else len(streams.codecs)


def _open(call, streamId, mode, format):
    """
    The stream's codec, created on first use.
    """
    streams = _streams(call)
    codec = streams.codecs.get(streamId)
    if codec is not None:
        return codec
    if mode not in ("compress", "decompress"):
        raise _typeError("compression: unsupported mode %r" % (mode,))
    if format not in _WBITS and (format != "br" or mode != "compress"):
        raise _typeError("compression: unsupported format %r" % (format,))
    if len(streams.codecs) >= MAX_STREAMS:
        raise _typeError("too many compression streams are open in this isolate (at most %d)" % (MAX_STREAMS,))
    if mode == "decompress":
        codec = _Decompressor(format)
    elif format == "br":
        codec = _BrotliCompressor(format)
    else:
        codec = _Compressor(format)
    streams.codecs[streamId] = codec
    return codec


def _result(call, streamId, step):
    """
    Run C{step()} (-> (bytes, more)); a failed stream forgets its codec.
    """
    try:
        out, more = step()
    except HostCallError:
        _streams(call).forget(streamId)
        raise
    return [b64encode(out), more]


def _write(call):
    args = call.args
    if len(args) != 4 or not isinstance(args[3], str):
        raise _typeError("compression.write: expected [id, mode, format, data]")
    if len(args[3]) > (MAX_INPUT // 3 + 1) * 4:
        raise _typeError("compression.write: at most %d bytes per call" % (MAX_INPUT,))
    streamId = _streamId(args[0])
    codec = _open(call, streamId, args[1], args[2])
    data = b64decode(args[3])
    return _result(call, streamId, lambda: codec.write(data))


def _more(call):
    args = call.args
    streamId = _streamId(args[0] if args else None)
    codec = _streams(call).codecs.get(streamId)
    if codec is None:
        raise _typeError("compression.more: no such stream")
    return _result(call, streamId, codec.more)


def _finish(call):
    args = call.args
    if len(args) != 3:
        raise _typeError("compression.finish: expected [id, mode, format]")
    streamId = _streamId(args[0])
    codec = _open(call, streamId, args[1], args[2])
    result = _result(call, streamId, codec.finish)
    if not result[1]:
        _streams(call).forget(streamId)
    return result


def _close(call):
    args = call.args
    _streams(call).forget(_streamId(args[0] if args else None))
    return None


def ops(context):
    """
    The compression operations (the same for every app).
    """
    return {
        "compression.write": _write,
        "compression.more": _more,
        "compression.finish": _finish,
        "compression.close": _close,
    }


if ops not in FAMILIES:
    FAMILIES.append(ops)

"""
Content decoding of fetched response bodies, as browsers do it
(https://fetch.spec.whatwg.org/#http-network-or-cache-fetch, "handle content
codings"): C{gzip} (and C{x-gzip}), C{deflate} (zlib-wrapped, or raw deflate as
some servers send it) and C{br} (with the C{brotli} package), in the reverse of
the order they were applied. An unknown coding leaves the body as it came, as
browsers do. The response headers (C{Content-Encoding}, C{Content-Length}) are not
changed.

Decoders yield bounded pieces (at most L{PIECE} bytes each for gzip and deflate;
brotli grows its output buffer in steps, up to twice that), so that a small
compressed input that expands enormously (a decompression bomb) is produced a
piece at a time, under the caller's flow control, instead of at once.
"""

import zlib

try:
    import brotli
except ImportError:  # pragma: no cover - brotli is a dependency
    brotli = None

__all__ = ["DecodingError", "PIECE", "decoderFor"]

PIECE = 256 * 1024


class DecodingError(Exception):
    """
    The body is not valid data of its declared content coding.
    """


class _Identity:
    def feed(self, data):
        if data:
            yield data

    def flush(self):
        return iter(())


class _Zlib:
    """
    gzip or deflate; for deflate, the first bytes decide between the zlib wrapper
    and raw deflate.
    """

    def __init__(self, coding):
        self._coding = coding
        self._z = zlib.decompressobj(47) if coding == "gzip" else None
        self._head = b""
        self._finished = False

    def _start(self, data):
        if self._z is not None:
            return data
        data = self._head + data
        if len(data) < 2:
            self._head = data
            return b""
        self._head = b""
        wrapped = (data[0] & 0x0F) == 8 and ((data[0] << 8) | data[1]) % 31 == 0
        self._z = zlib.decompressobj(15 if wrapped else -15)
        return data

    def feed(self, data):
        data = self._start(data)
        while data and not self._finished:
            try:
                out = self._z.decompress(data, PIECE)
            except zlib.error as e:
                raise DecodingError("invalid %s data: %s" % (self._coding, e))
            if out:
                yield out
            if self._z.eof:
                # Whatever follows the end of the stream is ignored, as browsers do.
                self._finished = True
                return
            data = self._z.unconsumed_tail

    def flush(self):
        if self._z is None:
            if self._head:
                raise DecodingError("truncated %s data" % (self._coding,))
            return
        if not self._finished:
            try:
                out = self._z.flush()
            except zlib.error as e:
                raise DecodingError("invalid %s data: %s" % (self._coding, e))
            if not self._z.eof:
                raise DecodingError("truncated %s data" % (self._coding,))
            if out:
                yield out


class _Brotli:
    def __init__(self):
        self._d = brotli.Decompressor()

    def feed(self, data):
        try:
            out = self._d.process(data, output_buffer_limit=PIECE)
            # While output comes, more may be pending: ask with empty input until
            # none comes (new input is only allowed once everything was taken).
            while out:
                yield out
                if self._d.is_finished():
                    break
                out = self._d.process(b"", output_buffer_limit=PIECE)
        except brotli.error as e:
            raise DecodingError("invalid br data: %s" % (e,))

    def flush(self):
        if not self._d.is_finished():
            raise DecodingError("truncated br data")
        return iter(())


class _Chain:
    """
    Several codings: the last one applied is undone first.
    """

    def __init__(self, decoders):
        self._decoders = decoders

    def _through(self, pieces, index):
        if index == len(self._decoders):
            yield from pieces
            return
        decoder = self._decoders[index]
        for piece in pieces:
            yield from self._through(decoder.feed(piece), index + 1)

    def feed(self, data):
        return self._through(iter((data,)), 0)

    def flush(self):
        for index, decoder in enumerate(self._decoders):
            yield from self._through(decoder.flush(), index + 1)


def _single(coding):
    if coding in ("gzip", "x-gzip"):
        return _Zlib("gzip")
    if coding == "deflate":
        return _Zlib("deflate")
    if coding == "br" and brotli is not None:
        return _Brotli()
    return None


def decoderFor(contentEncoding):
    """
    A decoder for a response's C{Content-Encoding} values.

    @param contentEncoding: the header's values (a list of str, possibly empty).
    @return: an object with C{feed(data)} and C{flush()}, both iterables of
        decoded pieces, which raise L{DecodingError} for bad data. With no coding,
        C{identity}, or any coding it does not know, the body passes unchanged.
    """
    codings = [c.strip().lower() for value in contentEncoding for c in value.split(",")]
    codings = [c for c in codings if c and c != "identity"]
    if not codings:
        return _Identity()
    decoders = []
    for coding in reversed(codings):
        decoder = _single(coding)
        if decoder is None:
            return _Identity()
        decoders.append(decoder)
    return decoders[0] if len(decoders) == 1 else _Chain(decoders)

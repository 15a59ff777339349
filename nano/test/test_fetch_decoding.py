"""
Tests for L{nano.fetch.decoding}.
"""

import gzip
import zlib

import brotli
from twisted.trial.unittest import SynchronousTestCase

from nano.fetch.decoding import PIECE, DecodingError, decoderFor


def decodeAll(decoder, data, step=7):
    """
    Feed C{data} in small slices and flush; return the pieces.
    """
    pieces = []
    for i in range(0, len(data), step):
        pieces.extend(decoder.feed(data[i:i + step]))
    pieces.extend(decoder.flush())
    return pieces


class DecoderTests(SynchronousTestCase):
    """
    L{decoderFor} undoes the content codings browsers undo.
    """

    text = b"hello, world " * 100

    def test_identity(self):
        """
        No coding, C{identity}, or an unknown coding: the body passes unchanged.
        """
        for values in ([], ["identity"], ["compress"], ["gzip, zstd"]):
            self.assertEqual(b"".join(decodeAll(decoderFor(values), b"raw")), b"raw", values)

    def test_gzip(self):
        """
        gzip and x-gzip bodies are decoded, whatever the slicing.
        """
        for name in ("gzip", "x-gzip", "GZIP"):
            self.assertEqual(b"".join(decodeAll(decoderFor([name]), gzip.compress(self.text))), self.text)

    def test_deflate(self):
        """
        deflate is zlib-wrapped per the RFC, but raw deflate is accepted too.
        """
        wrapped = zlib.compress(self.text)
        raw = zlib.compressobj(wbits=-15)
        raw = raw.compress(self.text) + raw.flush()
        for data in (wrapped, raw):
            self.assertEqual(b"".join(decodeAll(decoderFor(["deflate"]), data)), self.text)

    def test_brotli(self):
        """
        br bodies are decoded.
        """
        self.assertEqual(b"".join(decodeAll(decoderFor(["br"]), brotli.compress(self.text))), self.text)

    def test_chain(self):
        """
        Several codings are undone last first.
        """
        data = brotli.compress(gzip.compress(self.text))
        self.assertEqual(b"".join(decodeAll(decoderFor(["gzip", "br"]), data)), self.text)
        self.assertEqual(b"".join(decodeAll(decoderFor(["gzip", " br"]), data, step=1000)), self.text)

    def test_invalid(self):
        """
        Data that is not of the coding is a L{DecodingError}.
        """
        for name in ("gzip", "deflate", "br"):
            self.assertRaises(DecodingError, decodeAll, decoderFor([name]), b"this is not compressed data")

    def test_truncated(self):
        """
        A compressed body cut short is a L{DecodingError} at the end.
        """
        for name, data in (("gzip", gzip.compress(self.text)), ("deflate", zlib.compress(self.text)),
                           ("br", brotli.compress(self.text))):
            self.assertRaises(DecodingError, decodeAll, decoderFor([name]), data[:len(data) // 2])

    def test_boundedPieces(self):
        """
        A small input that expands hugely comes out in pieces of about L{PIECE}
        bytes (gzip: at most L{PIECE}; brotli grows its buffer in steps, so at most
        twice that), produced one at a time.
        """
        big = b"\0" * (8 * PIECE)
        for name, data in (("gzip", gzip.compress(big)), ("br", brotli.compress(big))):
            self.assertLess(len(data), PIECE)
            pieces = decoderFor([name]).feed(data)
            bound = PIECE if name == "gzip" else 2 * PIECE
            first = next(iter(pieces))
            self.assertLessEqual(len(first), bound)
            rest = list(pieces)
            self.assertTrue(all(len(p) <= bound for p in rest))
            self.assertEqual(len(first) + sum(map(len, rest)), len(big))

"""
Tests for L{nano.isolate.prelude}: the files are joined in name order, minified,
and the result stays a one-byte string for V8.
"""

import os

from twisted.trial.unittest import SynchronousTestCase

from nano.isolate import prelude
from nano.isolate.minify import minify


class PreludeTests(SynchronousTestCase):
    """
    The bootstrap script every isolate evaluates.
    """

    def test_latin1(self):
        """
        The whole bootstrap script is Latin-1: a single character above U+00FF makes
        V8 keep the whole text (which stays on every isolate's heap) as a two-byte
        string, twice the size. Write such characters as escapes.
        """
        script = prelude.buildPrelude({"seed": "0" * 64})
        wide = sorted({c for c in script if ord(c) > 0xFF})
        self.assertEqual(wide, [])

    def test_everyFileMinified(self):
        """
        Every prelude file minifies (a file the minifier cannot read with
        certainty would silently stay at full size).
        """
        for path in prelude.preludeFiles():
            with open(path, encoding="utf-8") as f:
                _text, stats = minify(f.read())
            self.assertIsNone(stats.reason, path)

    def jsFile(self, text):
        """
        Write C{text} to a prelude-like file in a new directory; return its path
        and a cache directory beside it (not made yet).
        """
        directory = self.mktemp()
        os.makedirs(directory)
        path = os.path.join(directory, "99_test.js")
        with open(path, "w") as f:
            f.write(text)
        return path, os.path.join(directory, "cache")

    def test_fileSourceMinified(self):
        """
        L{prelude.fileSource} gives a file's minified text, and reads the file again
        once it changed.
        """
        path, cacheDir = self.jsFile("// comment\nconst a = 1;\n")
        self.assertEqual(prelude.fileSource(path, cacheDir), "const a=1;\n")
        with open(path, "w") as f:
            f.write("// comment\nconst b  =  22;\n")
        self.assertEqual(prelude.fileSource(path, cacheDir), "const b=22;\n")

    def test_diskCache(self):
        """
        The minified text is kept in the cache directory, by a digest of the
        source, and read back by later processes (here: after the process cache
        is emptied).
        """
        path, cacheDir = self.jsFile("const  c = 3;\n")
        self.assertEqual(prelude.fileSource(path, cacheDir), "const c=3;\n")
        [name] = os.listdir(cacheDir)
        with open(os.path.join(cacheDir, name), "w") as f:
            f.write("from the disk cache\n")
        self.patch(prelude, "_files", {})
        self.assertEqual(prelude.fileSource(path, cacheDir), "from the disk cache\n")

    def test_unusableCacheDirectory(self):
        """
        When the cache directory cannot be made, the file is minified anyway.
        """
        path, _ = self.jsFile("const  d = 4;\n")
        blocker = os.path.join(os.path.dirname(path), "not-a-directory")
        with open(blocker, "w") as f:
            f.write("")
        self.assertEqual(prelude.fileSource(path, os.path.join(blocker, "cache")), "const d=4;\n")

    def test_cacheDirectory(self):
        """
        The cache lives under $XDG_CACHE_HOME, else ~/.cache.
        """
        self.assertEqual(prelude.cacheDirectory({"XDG_CACHE_HOME": "/x"}), "/x/nano/prelude")
        self.assertEqual(prelude.cacheDirectory({}), os.path.join(os.path.expanduser("~"), ".cache", "nano", "prelude"))

    def test_order(self):
        """
        The files of both folders are merged in file-name order.
        """
        names = [os.path.basename(p) for p in prelude.preludeFiles()]
        self.assertEqual(names, sorted(names))
        self.assertIn("25_readable_stream.js", names)
        self.assertLess(names.index("24_streams_core.js"), names.index("30_url.js"))

    def test_partial(self):
        """
        A partial prelude holds only the files asked for, minified.
        """
        script = prelude.buildPartialPrelude(("00_",))
        self.assertIn(prelude.fileSource(prelude.preludeFiles()[0]), script)
        self.assertNotIn("class Headers", script)

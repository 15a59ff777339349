"""
Tests for L{nano.isolate.graphcache}: graphs are reused while their files are
unchanged, rebuilt when anything they depend on changed, and bounded in size.
"""

import os
import time

from twisted.trial.unittest import SynchronousTestCase

from nano.isolate.graphcache import GraphCache, sharedGraphCache
from nano.isolate.modules import ModuleLoadError, loadModuleGraph


class _CountingBuild:
    def __init__(self):
        self.built = []

    def __call__(self, appDir, main):
        self.built.append((appDir, main))
        return loadModuleGraph(appDir, main)


class GraphCacheTests(SynchronousTestCase):
    """
    L{GraphCache.load} returns the graph it built before while the app's files
    keep their stamps.
    """

    def setUp(self):
        self.build = _CountingBuild()
        # File times are a minute old for the cache: not "racy".
        self.cache = GraphCache(build=self.build, now=lambda: time.time() + 60)

    def app(self, source="import {x} from './lib.js';\nexport default { fetch() { return x; } };\n"):
        directory = os.path.abspath(self.mktemp())
        os.makedirs(directory)
        self.write(directory, "index.js", source)
        self.write(directory, "lib.js", "export const x = 1;\n")
        return directory

    def write(self, directory, name, text, tick=0):
        path = os.path.join(directory, name)
        with open(path, "w") as f:
            f.write(text)
        if tick:
            info = os.stat(path)
            os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + tick))

    def test_reused(self):
        """
        Unchanged files: the same graph, built once.
        """
        directory = self.app()
        graph = self.cache.load(directory)
        self.assertIs(self.cache.load(directory), graph)
        self.assertEqual(len(self.build.built), 1)
        self.assertEqual((len(self.cache), self.cache.size), (1, sum(len(s) for _, s in graph.modules)))

    def test_fileChanged(self):
        """
        A module that changed (here only its modification time) is read again.
        """
        directory = self.app()
        graph = self.cache.load(directory)
        self.write(directory, "lib.js", "export const x = 1;\n", tick=10 ** 9)
        self.assertIsNot(self.cache.load(directory), graph)
        self.assertEqual(len(self.build.built), 2)

    def test_fileAdded(self):
        """
        A file added to a module's directory (which may change how an import
        resolves) makes the graph be built again.
        """
        directory = self.app()
        self.cache.load(directory)
        before = os.stat(directory)
        self.write(directory, "other.js", "")
        os.utime(directory, ns=(before.st_atime_ns, before.st_mtime_ns + 10 ** 9))
        self.cache.load(directory)
        self.assertEqual(len(self.build.built), 2)

    def test_fileRemoved(self):
        """
        A module removed: the graph is built again, and its error raised.
        """
        directory = self.app()
        self.cache.load(directory)
        os.remove(os.path.join(directory, "lib.js"))
        self.assertRaises(ModuleLoadError, self.cache.load, directory)
        self.assertEqual(len(self.cache), 0)

    def test_entryIsPartOfTheKey(self):
        """
        The same directory with another entry is another graph.
        """
        directory = self.app()
        self.cache.load(directory)
        self.cache.load(directory, "lib.js")
        self.assertEqual(self.build.built, [(directory, None), (directory, "lib.js")])

    def test_racy(self):
        """
        A graph whose files changed in the last two seconds is not kept.
        """
        cache = GraphCache(build=self.build)
        directory = self.app()
        cache.load(directory)
        cache.load(directory)
        self.assertEqual((len(self.build.built), len(cache)), (2, 0))

    def test_budget(self):
        """
        Past the budget the least recently used graphs leave; a graph larger than a
        quarter of the budget is not kept.
        """
        apps = [self.app() for _ in range(5)]
        size = sum(len(s) for _, s in loadModuleGraph(apps[0]).modules)
        cache = GraphCache(budget=size * 4, build=self.build, now=lambda: time.time() + 60)
        for directory in apps[:4]:
            cache.load(directory)
        cache.load(apps[0])
        cache.load(apps[4])
        self.assertEqual((len(cache), cache.size, len(self.build.built)), (4, size * 4, 5))
        cache.load(apps[0])
        self.assertEqual(len(self.build.built), 5)
        cache.load(apps[1])
        self.assertEqual(len(self.build.built), 6)
        small = GraphCache(budget=size * 3, build=self.build, now=lambda: time.time() + 60)
        small.load(apps[0])
        self.assertEqual(len(small), 0)

    def test_failureNotKept(self):
        """
        A graph that fails to build raises each time.
        """
        directory = self.app("export default {\n")
        self.assertRaises(ModuleLoadError, self.cache.load, directory)
        self.assertRaises(ModuleLoadError, self.cache.load, directory)
        self.assertEqual(len(self.build.built), 2)

    def test_shared(self):
        """
        The process has one shared cache.
        """
        self.assertIs(sharedGraphCache(), sharedGraphCache())

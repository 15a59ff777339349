"""
Module graphs kept between loads of the same app files.

Building a graph (L{nano.isolate.modules.loadModuleGraph}) reads, parses and
transforms every module on the reactor thread: for a small app about 0.2-1 ms,
for a bundle of a few hundred KB tens of ms. An app with C{idle_unload_s} builds
its graph when it starts (to report a broken app at once) and again at each cold
start. L{GraphCache.load} gives back the graph built before for the same directory
and entry as long as every file it read, and every directory that holds one, has
kept its size, modification time and inode (a directory changes when a file is
added to it, which could change how an import resolves); otherwise it builds the
graph again. The cached graphs hold at most C{budget} characters of module text
in all, the least recently used leave first; a graph larger than a quarter of the
budget is not kept, nor one whose files changed in the last two seconds (they may
have changed between their reading and their stamp).
"""

import collections
import os
import time

from nano.isolate.modules import loadModuleGraph

__all__ = ["GraphCache", "sharedGraphCache"]

_BUDGET = 32 * 1024 * 1024
_RACY = 2.0


def _stamps(files):
    """
    The (path, size, modification time, inode) of each file and of each directory
    holding one; None when one of them is gone.
    """
    paths = list(files)
    paths.extend(sorted({os.path.dirname(path) for path in files}))
    stamps = []
    for path in paths:
        try:
            info = os.stat(path)
        except OSError:
            return None
        stamps.append((path, info.st_size, info.st_mtime_ns, info.st_ino))
    return tuple(stamps)


class GraphCache:
    """
    Recently built module graphs, checked against the files before each reuse.

    @ivar size: the characters of module text held now.
    """

    def __init__(self, budget=_BUDGET, build=loadModuleGraph, now=time.time):
        """
        @param budget: the most characters of module text to keep.
        @param build: builds a graph: C{build(appDir, main)}.
        @param now: the wall clock (file times are wall-clock times).
        """
        self._budget = budget
        self._build = build
        self._now = now
        self._graphs = collections.OrderedDict()
        self.size = 0

    def load(self, appDir, main=None):
        """
        The module graph of the app in C{appDir} with entry C{main}: the one built
        before when its files did not change, else a new one.

        @raise nano.isolate.modules.ModuleLoadError: as
            L{nano.isolate.modules.loadModuleGraph} (failures are not kept).
        """
        key = (os.path.abspath(appDir), main)
        entry = self._graphs.get(key)
        if entry is not None:
            stamps, graph, size = entry
            if _stamps(graph.files) == stamps:
                self._graphs.move_to_end(key)
                return graph
            self._forget(key)
        graph = self._build(appDir, main)
        stamps = _stamps(graph.files)
        size = sum(len(source) for _path, source in graph.modules)
        if stamps is not None and size <= self._budget // 4 and not self._racy(stamps):
            self._graphs[key] = (stamps, graph, size)
            self.size += size
            while self.size > self._budget:
                self._forget(next(iter(self._graphs)))
        return graph

    def _racy(self, stamps):
        """
        Whether a file or directory changed less than C{_RACY} seconds ago: it may
        have changed between the read and the stamp, so the graph is not kept.
        """
        newest = max(mtime for _path, _size, mtime, _inode in stamps)
        return newest > (self._now() - _RACY) * 1e9

    def _forget(self, key):
        _stamps_, _graph, size = self._graphs.pop(key)
        self.size -= size

    def __len__(self):
        return len(self._graphs)


_shared = []


def sharedGraphCache():
    """
    The process's graph cache (created on first use).
    """
    if not _shared:
        _shared.append(GraphCache())
    return _shared[0]

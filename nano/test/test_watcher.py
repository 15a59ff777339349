"""
Tests for L{nano.watcher}: the debounce on an injected clock, polling over real
temporary files, the inotify backend's event filtering with a fake notifier, and
source fingerprints.
"""

import os

from twisted.internet.task import Clock
from twisted.python.filepath import FilePath
from twisted.trial.unittest import SynchronousTestCase

from nano.watcher import Watcher, ignoredName, sourceFingerprint


def _write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def _bump(path):
    """
    Give C{path} a new modification time (file systems with coarse clocks would
    otherwise hide a rewrite within the same tick).
    """
    info = os.stat(path)
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))


class _FakeNotifier:
    """
    Stands in for C{twisted.internet.inotify.INotify}: records watches; the test
    delivers events with L{event} and closes it with L{lose}.
    """

    def __init__(self, reactor, onLost):
        self.onLost = onLost
        self.watches = {}
        self.closed = False

    def watch(self, path, mask=0, autoAdd=False, callbacks=None, recursive=False):
        self.watches[path.asBytesMode().path] = callbacks[0]

    def ignore(self, path):
        del self.watches[path.asBytesMode().path]

    def loseConnection(self):
        self.closed = True

    def event(self, path, mask=0x2):
        """
        Deliver an event for C{path} (str) to the watch of its directory (or of
        itself).
        """
        raw = path.encode()
        callback = self.watches.get(raw) or self.watches[os.path.dirname(raw)]
        callback(None, FilePath(raw), mask)

    def lose(self):
        self.closed = True
        self.onLost()


class IgnoredNameTests(SynchronousTestCase):
    """
    L{ignoredName} skips what is never app source.
    """

    def test_names(self):
        """
        Dot files, backups, node_modules and __pycache__ are ignored; sources are not.
        """
        for name in (".index.js.swp", ".git", "index.js~", "node_modules", b"__pycache__"):
            self.assertTrue(ignoredName(name), name)
        for name in ("index.js", b"lib", "data.json"):
            self.assertFalse(ignoredName(name), name)


class FingerprintTests(SynchronousTestCase):
    """
    L{sourceFingerprint} changes exactly when an app's source files change.
    """

    def setUp(self):
        self.app = os.path.abspath(self.mktemp())
        _write(os.path.join(self.app, "index.js"), "export default {}")
        _write(os.path.join(self.app, "lib", "util.js"), "export const x = 1")

    def test_stable(self):
        """
        Two looks at an unchanged directory agree.
        """
        self.assertEqual(sourceFingerprint(self.app), sourceFingerprint(self.app))

    def test_changes(self):
        """
        Editing, adding and removing a file (also in a subdirectory) each change
        the fingerprint.
        """
        seen = {sourceFingerprint(self.app)}
        _write(os.path.join(self.app, "lib", "util.js"), "export const x = 22")
        _bump(os.path.join(self.app, "lib", "util.js"))
        seen.add(sourceFingerprint(self.app))
        _write(os.path.join(self.app, "lib", "more.js"), "")
        seen.add(sourceFingerprint(self.app))
        os.remove(os.path.join(self.app, "index.js"))
        seen.add(sourceFingerprint(self.app))
        self.assertEqual(len(seen), 4)

    def test_ignoredFiles(self):
        """
        Swap files, backups and node_modules do not change it.
        """
        before = sourceFingerprint(self.app)
        _write(os.path.join(self.app, ".index.js.swp"), "x")
        _write(os.path.join(self.app, "index.js~"), "x")
        _write(os.path.join(self.app, "node_modules", "pkg", "index.js"), "x")
        self.assertEqual(sourceFingerprint(self.app), before)

    def test_missing(self):
        """
        A missing directory has a fingerprint unlike any existing one.
        """
        missing = sourceFingerprint(self.app + "-gone")
        self.assertNotEqual(missing, sourceFingerprint(self.app))
        self.assertEqual(missing, sourceFingerprint(self.app + "-also-gone"))


class DebounceTests(SynchronousTestCase):
    """
    The watcher reports a burst of changes once, after the quiet period.
    """

    def setUp(self):
        self.clock = Clock()
        self.calls = []
        self.watcher = Watcher(self.clock, lambda: self.calls.append(self.clock.seconds()), 0.3, method="poll")

    def test_trailing(self):
        """
        Changes 0.1 s apart keep postponing the call; it comes 0.3 s after the last.
        """
        for _ in range(5):
            self.watcher.changed()
            self.clock.advance(0.1)
        self.assertEqual(self.calls, [])
        self.clock.advance(0.2)
        self.assertEqual(self.calls, [0.7])
        self.clock.advance(10)
        self.assertEqual(self.calls, [0.7])

    def test_separateBursts(self):
        """
        Two bursts separated by a quiet period give two calls.
        """
        self.watcher.changed()
        self.clock.advance(0.3)
        self.watcher.changed()
        self.clock.advance(0.3)
        self.assertEqual(self.calls, [0.3, 0.6])

    def test_stopDropsPending(self):
        """
        A change pending when the watcher stops is dropped.
        """
        self.watcher.start()
        self.watcher.changed()
        self.watcher.stop()
        self.clock.advance(1)
        self.assertEqual(self.calls, [])


class PollingTests(SynchronousTestCase):
    """
    Polling compares stats every interval; the debounce follows.
    """

    def setUp(self):
        base = os.path.abspath(self.mktemp())
        self.config = os.path.join(base, "config.json")
        self.app = os.path.join(base, "apps", "one")
        _write(self.config, "{}")
        _write(os.path.join(self.app, "index.js"), "a")
        self.clock = Clock()
        self.calls = []
        self.watcher = Watcher(self.clock, lambda: self.calls.append(self.clock.seconds()), 0.2,
                               method="poll", pollInterval=1.0)
        self.watcher.watch([self.config], [self.app])
        self.watcher.start()
        self.addCleanup(self.watcher.stop)

    def test_method(self):
        """
        C{"auto"} on a reactor that cannot watch file descriptors polls.
        """
        self.assertEqual(self.watcher.method, "poll")
        auto = Watcher(self.clock, lambda: None, 0.1)
        auto.start()
        self.addCleanup(auto.stop)
        self.assertEqual(auto.method, "poll")

    def test_quiet(self):
        """
        Nothing changes, nothing is reported.
        """
        self.clock.pump([1.0] * 5)
        self.assertEqual(self.calls, [])

    def test_sourceChange(self):
        """
        A rewritten source file is seen at the next poll, reported after the
        debounce.
        """
        _write(os.path.join(self.app, "index.js"), "bb")
        self.clock.advance(1.0)
        self.assertEqual(self.calls, [])
        self.clock.advance(0.2)
        self.assertEqual(self.calls, [1.2])

    def test_configReplaced(self):
        """
        A config file replaced by a rename (a new inode) is seen.
        """
        temporary = self.config + ".tmp"
        _write(temporary, "{}")
        os.replace(temporary, self.config)
        self.clock.pump([1.0, 0.2])
        self.assertEqual(len(self.calls), 1)

    def test_newFileInNewDirectory(self):
        """
        Files added in a new subdirectory are seen; ignored names are not.
        """
        _write(os.path.join(self.app, ".swap"), "x")
        self.clock.pump([1.0, 0.2])
        self.assertEqual(self.calls, [])
        _write(os.path.join(self.app, "lib", "x.js"), "x")
        self.clock.pump([1.0, 0.2])
        self.assertEqual(len(self.calls), 1)

    def test_watchUpdated(self):
        """
        After L{Watcher.watch} with a new set, changes in an added tree are seen
        and a dropped tree is no longer watched.
        """
        other = os.path.join(os.path.dirname(self.app), "two")
        _write(os.path.join(other, "index.js"), "x")
        self.watcher.watch([self.config], [other])
        self.clock.pump([1.0, 0.2])
        calls = len(self.calls)
        _write(os.path.join(self.app, "index.js"), "changed")
        self.clock.pump([1.0, 0.2])
        self.assertEqual(len(self.calls), calls)
        _write(os.path.join(other, "index.js"), "changed too")
        self.clock.pump([1.0, 0.2])
        self.assertEqual(len(self.calls), calls + 1)


class INotifyTests(SynchronousTestCase):
    """
    The inotify backend (with a fake notifier): which directories are watched and
    which events count.
    """

    def setUp(self):
        self.base = os.path.abspath(self.mktemp())
        self.config = os.path.join(self.base, "config.json")
        self.app = os.path.join(self.base, "apps", "one")
        _write(self.config, "{}")
        _write(os.path.join(self.app, "lib", "util.js"), "x")
        _write(os.path.join(self.app, "node_modules", "p", "i.js"), "x")
        self.clock = Clock()
        self.calls = []
        self.notifiers = []

        def factory(reactor, onLost):
            notifier = _FakeNotifier(reactor, onLost)
            self.notifiers.append(notifier)
            return notifier

        self.watcher = Watcher(self.clock, lambda: self.calls.append(self.clock.seconds()), 0.1,
                               method="inotify", notifierFactory=factory)
        self.watcher.watch([self.config], [self.app])
        self.watcher.start()

    @property
    def notifier(self):
        return self.notifiers[-1]

    def test_watchedDirectories(self):
        """
        The config's directory, the app's parent and every app directory are
        watched, node_modules is not.
        """
        self.assertEqual(self.watcher.method, "inotify")
        self.assertEqual(sorted(self.notifier.watches), sorted(p.encode() for p in [
            self.base, os.path.dirname(self.app), self.app, os.path.join(self.app, "lib")]))

    def test_configEvents(self):
        """
        In the config's directory only the config file's name counts.
        """
        self.notifier.event(os.path.join(self.base, "other.txt"))
        self.clock.advance(1)
        self.assertEqual(self.calls, [])
        self.notifier.event(self.config)
        self.clock.advance(1)
        self.assertEqual(len(self.calls), 1)

    def test_appEvents(self):
        """
        Any file of the app tree counts, except ignored names; in the app's parent
        only the app directory's own name counts.
        """
        self.notifier.event(os.path.join(self.app, ".util.js.swp"))
        self.notifier.event(os.path.join(os.path.dirname(self.app), "unrelated"))
        self.clock.advance(1)
        self.assertEqual(self.calls, [])
        self.notifier.event(os.path.join(self.app, "lib", "util.js"))
        self.clock.advance(1)
        self.notifier.event(self.app)
        self.clock.advance(1)
        self.assertEqual(len(self.calls), 2)

    def test_overflow(self):
        """
        A queue overflow counts as a change.
        """
        self.notifier.event(os.path.join(self.base, "other.txt"), mask=0x4000)
        self.clock.advance(1)
        self.assertEqual(len(self.calls), 1)

    def test_newSubdirectoryWatchedAfterSync(self):
        """
        A directory created in the app is watched once the watched set is synced
        again (after the reload the change triggers); a deleted one is dropped.
        """
        _write(os.path.join(self.app, "new", "x.js"), "x")
        self.watcher.watch([self.config], [self.app])
        self.assertIn(os.path.join(self.app, "new").encode(), self.notifier.watches)
        os.remove(os.path.join(self.app, "new", "x.js"))
        os.rmdir(os.path.join(self.app, "new"))
        self.watcher.watch([self.config], [self.app])
        self.assertNotIn(os.path.join(self.app, "new").encode(), self.notifier.watches)

    def test_notifierLost(self):
        """
        Twisted closes the notifier when a watched directory is deleted: a new one
        takes over with every watch, and a change is reported.
        """
        self.notifier.lose()
        self.assertEqual(len(self.notifiers), 2)
        self.assertIn(self.app.encode(), self.notifier.watches)
        self.clock.advance(1)
        self.assertEqual(len(self.calls), 1)

    def test_stop(self):
        """
        Stopping closes the notifier without starting another.
        """
        self.watcher.stop()
        self.assertTrue(self.notifier.closed)
        self.assertEqual(len(self.notifiers), 1)

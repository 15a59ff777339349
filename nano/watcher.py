"""
Watching the config file and the apps' source files for hot reload (SPEC §9).

A L{Watcher} calls its C{onChange} once the watched files have been quiet for the
debounce delay (a trailing debounce on the injected clock): an editor's burst of
writes, or a config file written in several pieces, gives one reload, and the
reload reads the files after the writer stopped. A file read while still half
written fails to parse, which keeps the running config (parse-or-keep), and its
final write triggers another reload.

Two ways to notice changes:

 - inotify (Linux, C{twisted.internet.inotify}): the config file's directory
   (events for the config file's name only), each app directory's parent (events
   for the app directory's name, so an app directory replaced by a rename is
   seen), and every directory of each app tree.
 - polling (elsewhere, or C{"method": "poll"}): every C{pollInterval} seconds the
   size, modification time and inode of every watched file are compared with the
   previous look.

Names starting with a dot (editor swap files, C{.git}), ending with C{~} (backups),
C{node_modules} and C{__pycache__} are ignored, in events and in
L{sourceFingerprint} alike. The watched set is updated with L{Watcher.watch} after
every reload (apps come and go).
"""

import hashlib
import os

from twisted.internet.interfaces import IReactorFDSet
from twisted.internet.task import LoopingCall
from twisted.logger import Logger
from twisted.python import runtime
from twisted.python.filepath import FilePath

__all__ = ["Watcher", "sourceFingerprint", "ignoredName"]

_SKIP_DIRS = frozenset(["node_modules", "__pycache__"])


def ignoredName(name):
    """
    Whether a file or directory name is never part of an app's source (C{str} or
    C{bytes}).
    """
    if isinstance(name, bytes):
        name = name.decode("utf-8", "surrogateescape")
    return name.startswith(".") or name.endswith("~") or name in _SKIP_DIRS


def _walk(top):
    """
    Yield C{(path, stat, isDirectory)} for every directory and file under C{top}
    (C{top} included), skipping ignored names; entries that vanish meanwhile are
    skipped. Symbolic links to directories are not followed.
    """
    try:
        yield top, os.stat(top), True
    except OSError:
        return
    stack = [top]
    while stack:
        directory = stack.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if ignoredName(entry.name):
                continue
            try:
                info = entry.stat()
                isDirectory = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            yield entry.path, info, isDirectory
            if isDirectory:
                stack.append(entry.path)


def sourceFingerprint(directory):
    """
    A digest of what an app directory holds: the relative path of every file and
    directory under it, and each file's size, modification time and inode
    (ignored names skipped, so an editor's swap file changes nothing). Two calls
    give the same digest unless something in the app changed. A missing
    directory has a digest of its own.
    """
    digest = hashlib.sha256()
    for path, info, isDirectory in _walk(directory):
        relative = os.path.relpath(path, directory)
        if isDirectory:
            line = "d %s\n" % (relative,)
        else:
            line = "f %s\0%d\0%d\0%d\n" % (relative, info.st_size, info.st_mtime_ns, info.st_ino)
        digest.update(line.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


class _Debouncer:
    """
    Calls C{fn} once C{delay} seconds passed since the last L{poke}.
    """

    def __init__(self, clock, delay, fn):
        self._clock = clock
        self._delay = delay
        self._fn = fn
        self._call = None

    def poke(self):
        if self._call is not None and self._call.active():
            self._call.reset(self._delay)
        else:
            self._call = self._clock.callLater(self._delay, self._fire)

    def _fire(self):
        self._call = None
        self._fn()

    def cancel(self):
        if self._call is not None and self._call.active():
            self._call.cancel()
        self._call = None

    @property
    def pending(self):
        return self._call is not None and self._call.active()


class _Polling:
    """
    Notice changes by comparing the stat of every watched path every C{interval}
    seconds.
    """

    def __init__(self, clock, interval, onEvent):
        self._clock = clock
        self._interval = interval
        self._onEvent = onEvent
        self._files = ()
        self._trees = ()
        self._snapshot = None
        self._loop = None

    def _look(self):
        seen = {}
        for path in self._files:
            try:
                info = os.stat(path)
            except OSError:
                continue
            seen[path] = (info.st_ino, info.st_size, info.st_mtime_ns)
        for tree in self._trees:
            for path, info, isDirectory in _walk(tree):
                seen[path] = (info.st_ino, 0, 0) if isDirectory else (info.st_ino, info.st_size, info.st_mtime_ns)
        return seen

    def sync(self, files, trees):
        self._files, self._trees = tuple(files), tuple(trees)
        if self._snapshot is None:
            self._snapshot = self._look()

    def start(self):
        self._loop = LoopingCall(self._poll)
        self._loop.clock = self._clock
        self._loop.start(self._interval, now=False)

    def _poll(self):
        snapshot = self._look()
        if snapshot != self._snapshot:
            self._snapshot = snapshot
            self._onEvent()

    def stop(self):
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self._loop = None


def _notifierFactory(reactor, onLost):
    """
    A C{twisted.internet.inotify.INotify} that tells C{onLost} when it stops
    (Twisted closes the whole notifier when any watched directory is deleted).
    """
    from twisted.internet import inotify

    class Notifier(inotify.INotify):
        def connectionLost(self, reason):
            inotify.INotify.connectionLost(self, reason)
            onLost()

    notifier = Notifier(reactor)
    notifier.startReading()
    return notifier


class _INotify:
    """
    Notice changes with inotify: one watch per wanted directory, each with a name
    filter (C{None}: every name but the ignored ones).
    """

    _log = Logger()

    def __init__(self, reactor, onEvent, notifierFactory):
        from twisted.internet import inotify

        self._reactor = reactor
        self._onEvent = onEvent
        self._factory = notifierFactory
        self._mask = (
            inotify.IN_MODIFY | inotify.IN_ATTRIB | inotify.IN_CREATE | inotify.IN_DELETE
            | inotify.IN_MOVED_FROM | inotify.IN_MOVED_TO | inotify.IN_CLOSE_WRITE
            | inotify.IN_DELETE_SELF | inotify.IN_MOVE_SELF
        )
        self._overflow = inotify.IN_Q_OVERFLOW
        self._filters = {}
        self._watched = {}
        self._stopped = False
        self._notifier = notifierFactory(reactor, self._lost)

    def _wanted(self, files, trees):
        filters = {}

        def name(directory, entry):
            current = filters.setdefault(directory, set())
            if current is not None:
                current.add(entry)

        for path in files:
            directory, entry = os.path.split(path)
            name(directory.encode("utf-8", "surrogateescape"), entry.encode("utf-8", "surrogateescape"))
        for tree in trees:
            directory, entry = os.path.split(tree)
            name(directory.encode("utf-8", "surrogateescape"), entry.encode("utf-8", "surrogateescape"))
            for path, info, isDirectory in _walk(tree):
                if isDirectory:
                    filters[path.encode("utf-8", "surrogateescape")] = None
        return filters

    def sync(self, files, trees):
        self._files, self._trees = tuple(files), tuple(trees)
        filters = self._wanted(files, trees)
        inodes = {}
        for path in filters:
            try:
                inodes[path] = os.stat(path).st_ino
            except OSError:
                pass
        for path, inode in list(self._watched.items()):
            if inodes.get(path) != inode:
                del self._watched[path]
                try:
                    self._notifier.ignore(FilePath(path))
                except (KeyError, OSError):
                    pass
        for path, inode in inodes.items():
            if path in self._watched:
                continue
            try:
                self._notifier.watch(FilePath(path), mask=self._mask, callbacks=[self._event])
            except Exception as e:  # INotifyError: the directory vanished, or no watches left
                self._log.warn("cannot watch {path}: {error}", path=path.decode("utf-8", "replace"), error=e)
                continue
            self._watched[path] = inode
        self._filters = filters

    def _event(self, ignored, filepath, mask):
        if mask & self._overflow:
            self._onEvent()
            return
        path = filepath.path
        if path in self._filters:
            self._onEvent()
            return
        directory, name = os.path.split(path)
        if directory not in self._filters:
            self._onEvent()
            return
        names = self._filters[directory]
        if (names is None and not ignoredName(name)) or (names is not None and name in names):
            self._onEvent()

    def _lost(self):
        """
        The notifier closed (a watched directory was deleted): start a new one.
        """
        if self._stopped:
            return
        self._watched = {}
        self._notifier = self._factory(self._reactor, self._lost)
        self.sync(self._files, self._trees)
        self._onEvent()

    def start(self):
        pass

    def stop(self):
        self._stopped = True
        self._notifier.loseConnection()


class Watcher:
    """
    Calls C{onChange()} after the watched files changed and then stayed quiet for
    C{debounce} seconds.

    @ivar method: C{"inotify"} or C{"poll"}, once started.
    """

    _log = Logger()

    def __init__(self, reactor, onChange, debounce, method="auto", pollInterval=1.0, notifierFactory=None):
        """
        @param reactor: a clock; for inotify also an C{IReactorFDSet}.
        @param method: C{"auto"} (inotify on Linux when the reactor can watch file
            descriptors, else polling), C{"inotify"} or C{"poll"}.
        @param notifierFactory: C{f(reactor, onLost)} returning an object like
            C{twisted.internet.inotify.INotify} (for tests).
        """
        self._reactor = reactor
        self._debouncer = _Debouncer(reactor, debounce, self._fire)
        self._onChange = onChange
        self._requested = method
        self._pollInterval = pollInterval
        self._notifierFactory = notifierFactory or _notifierFactory
        self._files = ()
        self._trees = ()
        self._backend = None
        self.method = None

    def watch(self, files, trees):
        """
        Watch these files (the config file) and directory trees (the apps); replaces
        what was watched before.
        """
        self._files = tuple(os.path.abspath(f) for f in files)
        self._trees = tuple(os.path.abspath(t) for t in trees)
        if self._backend is not None:
            self._backend.sync(self._files, self._trees)

    def _choose(self):
        method = self._requested
        if method == "auto":
            usable = runtime.platform.isLinux() and IReactorFDSet.providedBy(self._reactor)
            method = "inotify" if usable else "poll"
        if method == "inotify":
            try:
                return "inotify", _INotify(self._reactor, self.changed, self._notifierFactory)
            except Exception as e:  # no inotify here (or no instances left): poll instead
                self._log.warn("inotify is not available ({error}): polling for changes instead", error=e)
        return "poll", _Polling(self._reactor, self._pollInterval, self.changed)

    def start(self):
        """
        Start watching.
        """
        self.method, self._backend = self._choose()
        self._backend.sync(self._files, self._trees)
        self._backend.start()
        self._log.info(
            "watching {n} app directories and {m} config files for changes ({method})",
            n=len(self._trees), m=len(self._files), method=self.method,
        )

    def changed(self):
        """
        Something changed: (re)start the quiet period.
        """
        self._debouncer.poke()

    def _fire(self):
        self._onChange()

    def stop(self):
        """
        Stop watching; a pending change is dropped.
        """
        self._debouncer.cancel()
        if self._backend is not None:
            self._backend.stop()
            self._backend = None

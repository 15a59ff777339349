"""
What the changes to the running apps share: their outcomes (L{DeployError},
L{ReloadResult}), the queue that runs them one at a time (L{ChangeQueue}), and the
rule that keeps hostnames unique when some apps of a reload keep their running
version (L{settleHostnames}).
"""

import attrs
from twisted.internet.defer import Deferred, maybeDeferred
from twisted.logger import Logger
from twisted.python.failure import Failure

__all__ = ["ChangeQueue", "DeployError", "ReloadResult", "settleHostnames"]


class DeployError(Exception):
    """
    A change was refused. C{status} is the HTTP status the admin API answers with
    (400 invalid, 404 unknown app, 409 clash, 422 load failure, 503 shutting
    down); C{error} a sentence; C{details} a list of strings.
    """

    def __init__(self, status, error, details=()):
        Exception.__init__(self, error)
        self.status = status
        self.error = error
        self.details = list(details)


@attrs.frozen
class ReloadResult:
    """
    What a reload did, by app name; C{failed} holds C{(name, error)} pairs.
    """

    added: tuple = ()
    removed: tuple = ()
    changed: tuple = ()
    unchanged: tuple = ()
    failed: tuple = ()

    def toJSON(self):
        result = {"added": list(self.added), "removed": list(self.removed),
                  "changed": list(self.changed), "unchanged": list(self.unchanged)}
        if self.failed:
            result["failed"] = [{"name": name, "error": error} for name, error in self.failed]
        return result


class ChangeQueue:
    """
    Runs changes one at a time, in submission order. A change of a kind listed
    in C{coalesce} submitted while one of the same kind waits (not started) shares
    that one's run and outcome: it reads its inputs when it starts, so nothing is
    lost.
    """

    _log = Logger()

    def __init__(self, coalesce=(), after=None):
        """
        @param after: called after each change, before its waiters hear the
            outcome.
        """
        self._coalesce = frozenset(coalesce)
        self._after = after
        self._waiting = []
        self.busy = False

    def submit(self, kind, fn, *args):
        """
        Run C{fn(*args)} (which may return a Deferred) when the changes before it
        are done.

        @return: a Deferred with its outcome.
        """
        if kind in self._coalesce and self._waiting and self._waiting[-1].kind == kind:
            return self._waiting[-1].wait()
        change = _Change(kind, fn, args)
        self._waiting.append(change)
        d = change.wait()
        self._next()
        return d

    def _next(self):
        if self.busy or not self._waiting:
            return
        change = self._waiting.pop(0)
        self.busy = True

        def done(result):
            self.busy = False
            if self._after is not None:
                try:
                    self._after()
                except Exception:
                    self._log.failure("after a change")
            change.finished(result)
            self._next()

        maybeDeferred(change.fn, *change.args).addBoth(done)

    def close(self, error):
        """
        Fail every change still waiting with C{error}.
        """
        waiting, self._waiting = self._waiting, []
        for change in waiting:
            change.finished(Failure(error))


class _Change:
    """
    One queued change: what to run and who waits for its outcome.
    """

    def __init__(self, kind, fn, args):
        self.kind = kind
        self.fn = fn
        self.args = args
        self._waiters = []

    def wait(self):
        d = Deferred()
        self._waiters.append(d)
        return d

    def finished(self, result):
        """
        Give C{result} (a value or a L{Failure}) to everybody waiting.
        """
        waiters, self._waiters = self._waiters, []
        for d in waiters:
            if isinstance(result, Failure):
                d.errback(result)
            else:
                d.callback(result)


def settleHostnames(final, running, failed):
    """
    Drop new versions from C{final} (name to the app version that should serve)
    until no two apps claim one hostname. Only possible when an app kept its
    running version (its new one failed) while another app's new version took
    over one of its hostnames: that new version is dropped too (the app keeps its
    running version, or is not added).

    @param running: name to the app version running now.
    @param failed: name to error; the dropped apps are added to it.
    @return: the C{(name, error)} pairs added.
    """
    dropped = []
    while True:
        owners, clash = {}, None
        for app in final.values():
            for hostname in app.config.hostnames:
                other = owners.setdefault(hostname, app)
                if other is not app:
                    clash = (hostname, other, app)
                    break
            if clash:
                break
        if clash is None:
            return dropped
        hostname, first, second = clash
        newer = second if running.get(second.name) is not second else first
        keeper = first if newer is second else second
        error = 'hostname "%s" is still used by app "%s" (which kept its running version)' % (
            hostname, keeper.name)
        failed[newer.name] = error
        dropped.append((newer.name, error))
        old = running.get(newer.name)
        if old is None:
            del final[newer.name]
        else:
            final[newer.name] = old

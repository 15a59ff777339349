"""
The CPU and memory watchdog: finds isolates whose JS runs away, whatever shape the
runaway takes.

V8 can terminate a task that is running, but JS that runs after an C{await} or in
a promise job runs between tasks, where nothing can be cancelled
(research/miniracer.md §Q2). So the watchdog does not rely on cancelling: every
C{interval} seconds it reads the CPU clock of each active isolate's pump thread
(C{pthread_getcpuclockid}, well under a microsecond) and counts how many times that
thread came back to Python (task completions and doorbells: the boundaries between
stretches of JS). CPU time spent with no boundary in between is one uninterrupted
stretch of JS; past the isolate's C{cpu_ms} it is a runaway and the isolate is
reset (L{Isolate.runaway}): its requests fail with 503 and the app gets a fresh
isolate. A hard memory limit that V8 reports reached (also outside any task) resets
it the same way.

A thread can also stop without using CPU (WebAssembly's atomic wait on a shared
memory nobody notifies): an isolate whose oldest batch of messages has waited more
than C{stuckAfter} seconds of wall time for its turn to end is reset as C{"stuck"}.
The limit is generous (machines under load stretch wall time), so this is a last
resort; Atomics.wait itself is not available to apps.

An isolate is watched from the moment work is sent to it until a tick finds its
thread idle with nothing pending, so thousands of idle isolates cost nothing.

The process memory backstop: V8's heap limit does not count ArrayBuffer memory
(research/miniracer.md §Q3), and mini-racer reports no per-isolate external memory.
So each tick also reads the process's resident set size and attributes its growth to
the isolates whose threads ran during that tick, in proportion to the CPU each used
(a growth of the process happens on the thread that allocates). When the resident
set passes C{rssLimit}, the isolate with the most attributed growth is reset, then
the backstop waits C{rssCooldown} seconds for the memory to be returned before it
acts again. This is a heuristic, documented as such: memory that grows while
several isolates run is shared out among them.
"""

import os
import weakref

from twisted.logger import Logger

__all__ = ["Watchdog", "processRSS"]

_INTERVAL = 0.025
_PAGE = os.sysconf("SC_PAGE_SIZE")


def processRSS():
    """
    This process's resident set size in bytes (0 where /proc is unavailable).
    """
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


class Watchdog:
    """
    Watches active isolates.

    @ivar resets: how many isolates it reset, by reason (C{"cpu"}, C{"memory"}: the
        V8 heap limit, C{"rss"}: the process memory backstop, C{"stuck"}).
    """

    _log = Logger()

    def __init__(self, clock, interval=_INTERVAL, rssLimit=None, rssCooldown=1.0, rss=processRSS,
                 stuckAfter=120.0):
        """
        @param stuckAfter: seconds after which an isolate whose oldest batch has not
            finished is reset (whatever its CPU use).
        @param rssLimit: the process resident set size (bytes) past which the
            isolate that grew it most is reset; None turns the backstop off.
        """
        self._clock = clock
        self._interval = interval
        self._active = {}
        self._call = None
        self._stuckAfter = stuckAfter
        self._rssLimit = rssLimit
        self._rssCooldown = rssCooldown
        self._rss = rss
        self._lastRSS = rss() if rssLimit is not None else 0
        self._quietUntil = 0.0
        # isolate -> bytes of process growth attributed to it (kept while it lives).
        self.growth = weakref.WeakKeyDictionary()
        self.resets = {"cpu": 0, "memory": 0, "rss": 0, "stuck": 0}
        self._ticks = 0

    def watch(self, isolate):
        """
        Start watching C{isolate} (work was just sent to it). Cheap when it is
        watched already.

        C{isolate} provides C{cpuTime()}, C{boundaries()}, C{memoryLimitReached()},
        C{stuckFor()}, C{hasPendingWork()}, C{cpuLimit} (seconds), C{closed} and
        C{runaway(kind, reason=None)}.
        """
        if isolate in self._active:
            return
        self._active[isolate] = [isolate.boundaries(), isolate.cpuTime(), 0.0]
        if self._call is None:
            self._call = self._clock.callLater(self._interval, self._tick)

    def watching(self, isolate):
        return isolate in self._active

    def _tick(self):
        self._call = None
        ran = {}
        self._ticks += 1
        # About once a second, busy isolates report their heap and ArrayBuffer
        # memory (they check memory_mb against both when they answer).
        askStats = self._ticks % max(1, int(round(1.0 / self._interval))) == 0
        for isolate, state in list(self._active.items()):
            if isolate.closed:
                del self._active[isolate]
                continue
            boundaries = isolate.boundaries()
            cpu = isolate.cpuTime()
            used = cpu - state[1]
            if boundaries != state[0]:
                # The thread came back to Python during this interval; what it ran
                # since then is at most this interval's CPU.
                stretch = min(used, self._interval)
            else:
                stretch = state[2] + used
            state[0], state[1], state[2] = boundaries, cpu, stretch
            if used > 0.0:
                ran[isolate] = used
            kind = None
            if isolate.memoryLimitReached():
                kind = "memory"
            elif isolate.cpuLimit is not None and stretch > isolate.cpuLimit:
                kind = "cpu"
            elif used <= 0.0 and isolate.stuckFor() > self._stuckAfter:
                kind = "stuck"
            if kind is not None:
                del self._active[isolate]
                self.resets[kind] += 1
                isolate.runaway(kind)
                continue
            if askStats:
                requestStats = getattr(isolate, "requestStats", None)
                if requestStats is not None:
                    requestStats()
            if used <= 0.0 and not isolate.hasPendingWork():
                del self._active[isolate]
        if self._rssLimit is not None:
            self._checkRSS(ran)
        if self._active or (self._rssLimit is not None and self._lastRSS > self._rssLimit):
            self._call = self._clock.callLater(self._interval, self._tick)

    def _checkRSS(self, ran):
        rss = self._rss()
        delta = rss - self._lastRSS
        self._lastRSS = rss
        growth = self.growth
        if delta > 0 and ran:
            total = sum(ran.values())
            for isolate, used in ran.items():
                growth[isolate] = growth.get(isolate, 0) + delta * used / total
        elif delta < 0 and len(growth):
            # Memory came back: take it off every isolate in proportion.
            owed = sum(growth.values())
            if owed > 0:
                keep = max(0.0, 1.0 + delta / owed)
                for isolate in list(growth.keys()):
                    growth[isolate] *= keep
        now = self._clock.seconds()
        if rss <= self._rssLimit or now < self._quietUntil:
            return
        candidates = [(size, id(i), i) for i, size in growth.items() if not i.closed]
        if not candidates:
            return
        size, _, biggest = max(candidates)
        self._quietUntil = now + self._rssCooldown
        self._log.error(
            "process memory {rss} bytes is over the limit of {limit}: resetting app {app}, which grew it by "
            "about {size} bytes", rss=rss, limit=self._rssLimit, app=getattr(biggest, "appName", "?"),
            size=int(size))
        self.resets["rss"] += 1
        growth.pop(biggest, None)
        self._active.pop(biggest, None)
        biggest.runaway("memory", "the process memory backstop: it grew the process by about %d MiB, outside "
                                  "its V8 heap (ArrayBuffers, other external memory)" % (size // (1024 * 1024),))

    def stop(self):
        """
        Stop ticking (at shutdown).
        """
        if self._call is not None and self._call.active():
            self._call.cancel()
        self._call = None
        self._active.clear()


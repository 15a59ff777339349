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

An isolate is watched from the moment work is sent to it until a tick finds its
thread idle with nothing pending, so thousands of idle isolates cost nothing.
"""

from twisted.logger import Logger

__all__ = ["Watchdog"]

_INTERVAL = 0.025


class Watchdog:
    """
    Watches active isolates.

    @ivar resets: how many isolates it reset, by reason (C{"cpu"}, C{"memory"}).
    """

    _log = Logger()

    def __init__(self, clock, interval=_INTERVAL):
        self._clock = clock
        self._interval = interval
        self._active = {}
        self._call = None
        self.resets = {"cpu": 0, "memory": 0}

    def watch(self, isolate):
        """
        Start watching C{isolate} (work was just sent to it). Cheap when it is
        watched already.

        C{isolate} provides C{cpuTime()}, C{boundaries()}, C{memoryLimitReached()},
        C{hasPendingWork()}, C{cpuLimit} (seconds), C{closed} and C{runaway(kind)}.
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
            kind = None
            if isolate.memoryLimitReached():
                kind = "memory"
            elif isolate.cpuLimit is not None and stretch > isolate.cpuLimit:
                kind = "cpu"
            if kind is not None:
                del self._active[isolate]
                self.resets[kind] += 1
                isolate.runaway(kind)
                continue
            if used <= 0.0 and not isolate.hasPendingWork():
                del self._active[isolate]
        if self._active:
            self._call = self._clock.callLater(self._interval, self._tick)

    def stop(self):
        """
        Stop ticking (at shutdown).
        """
        if self._call is not None and self._call.active():
            self._call.cancel()
        self._call = None
        self._active.clear()


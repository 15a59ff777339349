"""
The host side of an isolate's timers (C{40_timers.js}): JS keeps its timers in a
queue of its own and asks the host for one timer at a time, for the head of that
queue, with how many queued timers fall due with it.
"""

__all__ = ["HostTimers", "BURST"]

# The most "timer" messages one host timer sends (40_timers.js asks for at most 64).
BURST = 64


class HostTimers:
    """
    The armed host timers of one isolate.

    @param clock: an L{IReactorTime}.
    @param fire: C{fire(tid, count)}, called when timer C{tid} is due: the isolate
        should get C{count} "timer" messages for it, each in a task of its own.
    """

    def __init__(self, clock, fire):
        self._clock = clock
        self._fire = fire
        self._calls = {}

    def __bool__(self):
        """
        True while a timer is armed.
        """
        return bool(self._calls)

    def set(self, tid, delay, count=1):
        """
        Arm timer C{tid} (replacing an armed one of that id): after C{delay} ms,
        fire it with C{count} (1 to L{BURST}; anything else counts as 1). A timer
        already due fires at once rather than after one more reactor iteration.
        """
        self.clear(tid)
        try:
            seconds = max(0.0, float(delay)) / 1000.0
        except (TypeError, ValueError):
            seconds = 0.0
        count = min(count, BURST) if isinstance(count, int) and count > 1 else 1
        if seconds == 0.0:
            self._fire(tid, count)
            return
        self._calls[tid] = self._clock.callLater(seconds, self._due, tid, count)

    def clear(self, tid):
        """
        Disarm timer C{tid}, if armed.
        """
        call = self._calls.pop(tid, None)
        if call is not None and call.active():
            call.cancel()

    def clearAll(self):
        """
        Disarm every timer (the isolate closes).
        """
        calls, self._calls = self._calls, {}
        for call in calls.values():
            if call.active():
                call.cancel()

    def _due(self, tid, count):
        del self._calls[tid]
        self._fire(tid, count)

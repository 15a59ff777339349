"""
The per-request subrequest cap of C{fetch()} (SPEC §6, config C{subrequests}).

A fetch() made while a handler runs synchronously (or from a timer or microtask it
queued) carries its request's id; one made after an C{await} carries none, because
the JS runtime cannot follow a request across promise jobs (V8 gives embedders
that only through a C++ API that mini-racer does not expose). So the cap is kept in
two ways at once, per isolate:

  - every incoming request deposits C{limit} credits, which expire C{lifetime}
    seconds after it started (twice C{timeout_ms}: the handler's wall time plus
    the C{waitUntil} time after it); every fetch() takes one credit, oldest first,
    whether its request is known or not. A fetch() with no credit left fails. So
    an isolate never makes more than C{limit} subrequests per incoming request,
    and an app whose every request stays within its cap (and within its lifetime)
    is never refused (the oldest-first order guarantees it).
  - a fetch() whose request is known also counts against that request alone, so
    the (C{limit} + 1)-th attributed fetch() of one request fails even when other
    requests left credits unused.

What this cannot do: after an C{await}, a request that goes over its cap uses
credits that concurrent requests in the same isolate left unused, until they are
spent; the (limit + 1)-th fetch() then fails in whichever request makes it. A
fetch() long after every request finished (a timer loop started by an old
request, streaming bodies that outlive the lifetime) finds no credit and fails.
Redirects a fetch() follows are part of it and take no credit.
"""

import collections

__all__ = ["SubrequestBudget", "SubrequestLimit"]


class SubrequestLimit(Exception):
    """
    A fetch() would go over the subrequest cap; C{str()} says why.
    """


class SubrequestBudget:
    """
    The subrequest credits of one isolate.

    @param limit: subrequests per incoming request.
    @param lifetime: seconds after a request's start that its credits last.
    @param clock: gives C{seconds()}.
    """

    def __init__(self, limit, lifetime, clock):
        self._limit = limit
        self._lifetime = lifetime
        self._clock = clock
        self._started = 0
        self._credits = collections.deque()  # [expires, remaining], oldest first
        self._perRequest = collections.OrderedDict()  # requestId -> [count, expires]

    def charge(self, requestId, started):
        """
        Take one credit for a fetch().

        @param requestId: the request the fetch() is known to belong to, or None.
        @param started: how many incoming requests the isolate has started so far
            (counted in JS; new ones deposit their credits now).
        @raise SubrequestLimit: when the fetch() may not be made.
        """
        now = self._clock.seconds()
        if isinstance(started, int) and started > self._started:
            self._credits.append([now + self._lifetime, (started - self._started) * self._limit])
            self._started = started
        while self._credits and (self._credits[0][0] <= now or self._credits[0][1] <= 0):
            self._credits.popleft()
        while self._perRequest:
            oldest = next(iter(self._perRequest.values()))
            if oldest[1] > now:
                break
            self._perRequest.popitem(last=False)
        entry = None
        if requestId is not None:
            entry = self._perRequest.get(requestId)
            if entry is None:
                entry = self._perRequest[requestId] = [0, now + self._lifetime]
            if entry[0] >= self._limit:
                raise SubrequestLimit(
                    "this request already made %d subrequests, the app's limit (subrequests)" % (self._limit,))
        if not self._credits:
            raise SubrequestLimit(
                "no subrequest left: the app's requests in flight have used their %d subrequests each "
                "(subrequests), or no request is in flight" % (self._limit,))
        self._credits[0][1] -= 1
        if entry is not None:
            entry[0] += 1

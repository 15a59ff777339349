"""
Prometheus metrics (SPEC §5), exposed with prometheus_client.

The request path only does arithmetic on plain Python numbers held per app name
(L{AppStats}); the metric families are built when C{/metrics} is scraped, by a
collector registered in a prometheus_client C{CollectorRegistry} beside the process
collector. prometheus_client's own C{Counter.labels(...).inc()} and
C{Histogram.observe()} take a lock and a label lookup each, which measured about 4 µs
per request on the hello-world path, close to 10% of its cost.

Stats are kept by app name, not by app version, so counters survive reloads and
replacements (a removed app's counters stay until the process exits, as Prometheus
expects of counters).
"""

import bisect

from prometheus_client import CollectorRegistry, PlatformCollector, ProcessCollector, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

__all__ = ["AppStats", "Metrics", "DURATION_BUCKETS", "LIMIT_KINDS", "START_REASONS"]

# Seconds; the request duration histogram's upper bounds (+Inf is added).
DURATION_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
LIMIT_KINDS = ("cpu", "wall", "memory", "body")
START_REASONS = ("cold", "reload", "recycle")


class AppStats:
    """
    The numbers of one app name.

    @ivar requests: C{{status: count}} of finished requests.
    @ivar inflight: requests between arrival and the end of their response.
    @ivar limits: C{{kind: count}} of limits exceeded (cpu, wall, memory, body).
    @ivar starts: C{{reason: count}} of isolates started (cold, reload, recycle).
    @ivar fetches: C{{status: count}} of outbound fetches (0 for network errors).
    @ivar heapBytes: the V8 heap in use at the last reading (live objects), or
        None before the first (an isolate reports while it is busy, about once a
        second).
    @ivar externalBytes: the ArrayBuffer memory of the app's isolate at the last
        reading (V8's heap figure does not include it), or None.
    @ivar lastReset: C{(kind, seconds since the epoch)} of the last isolate reset
        for a limit, or None.
    """

    __slots__ = ("requests", "inflight", "limits", "starts", "fetches", "heapBytes", "externalBytes", "lastReset",
                 "_buckets", "_sum", "_count")

    def __init__(self):
        self.requests = {}
        self.inflight = 0
        self.limits = dict.fromkeys(LIMIT_KINDS, 0)
        self.starts = dict.fromkeys(START_REASONS, 0)
        self.fetches = {}
        self.heapBytes = None
        self.externalBytes = None
        self.lastReset = None
        self._buckets = [0] * (len(DURATION_BUCKETS) + 1)
        self._sum = 0.0
        self._count = 0

    def requestStarted(self):
        self.inflight += 1

    def requestFinished(self, status, seconds):
        """
        A request ended with C{status} after C{seconds}.
        """
        self.inflight -= 1
        requests = self.requests
        requests[status] = requests.get(status, 0) + 1
        self._buckets[bisect.bisect_left(DURATION_BUCKETS, seconds)] += 1
        self._sum += seconds
        self._count += 1

    def limitExceeded(self, kind):
        self.limits[kind] = self.limits.get(kind, 0) + 1

    def isolateReset(self, kind, when):
        """
        The isolate was reset for limit C{kind} at C{when} (seconds since the
        epoch): counted as that limit exceeded, and remembered as the last reset.
        """
        self.limitExceeded(kind)
        self.lastReset = (kind, when)

    def isolateStarted(self, reason):
        self.starts[reason] = self.starts.get(reason, 0) + 1

    def fetched(self, status):
        self.fetches[status] = self.fetches.get(status, 0) + 1

    def histogram(self):
        """
        Cumulative C{[(upper bound text, count), ...]} ending with C{+Inf}, and the
        sum of observed seconds.
        """
        out = []
        total = 0
        for bound, count in zip(DURATION_BUCKETS + (float("inf"),), self._buckets):
            total += count
            out.append(("+Inf" if bound == float("inf") else repr(bound), total))
        return out, self._sum


class _Collector:
    """
    Builds NANO's metric families from the stats at scrape time.
    """

    def __init__(self, metrics):
        self._metrics = metrics

    def collect(self):
        apps = sorted(self._metrics.stats.items())
        requests = CounterMetricFamily("nano_requests", "Requests answered, by app and status code.",
                                       labels=["app", "code"])
        duration = HistogramMetricFamily("nano_request_duration_seconds",
                                         "Time from request arrival to the end of its response.",
                                         labels=["app"])
        inflight = GaugeMetricFamily("nano_inflight_requests", "Requests being answered.", labels=["app"])
        heap = GaugeMetricFamily("nano_isolate_heap_bytes", "V8 heap in use by the app's isolate.",
                                 labels=["app"])
        external = GaugeMetricFamily("nano_isolate_external_bytes",
                                     "ArrayBuffer memory of the app's isolate (not in the V8 heap).",
                                     labels=["app"])
        limits = CounterMetricFamily("nano_limit_exceeded", "Limits exceeded, by kind (cpu, wall, memory, body).",
                                     labels=["app", "kind"])
        starts = CounterMetricFamily("nano_isolate_starts", "Isolates started, by reason (cold, reload, recycle).",
                                     labels=["app", "reason"])
        fetches = CounterMetricFamily("nano_fetch", "Outbound fetch() calls, by status code (0: network error).",
                                      labels=["app", "code"])
        for name, stats in apps:
            for status, count in sorted(stats.requests.items()):
                requests.add_metric([name, str(status)], count)
            buckets, total = stats.histogram()
            duration.add_metric([name], buckets, total)
            inflight.add_metric([name], stats.inflight)
            if stats.heapBytes is not None:
                heap.add_metric([name], stats.heapBytes)
                external.add_metric([name], stats.externalBytes)
            for kind, count in sorted(stats.limits.items()):
                limits.add_metric([name, kind], count)
            for reason, count in sorted(stats.starts.items()):
                starts.add_metric([name, reason], count)
            for status, count in sorted(stats.fetches.items()):
                fetches.add_metric([name, str(status)], count)
        states = GaugeMetricFamily("nano_apps", "Configured apps, by state.", labels=["state"])
        for state, count in sorted(self._metrics.appStates().items()):
            states.add_metric([state], count)
        return [requests, duration, inflight, heap, external, limits, starts, fetches, states]


class Metrics:
    """
    The process's metrics.

    @ivar stats: C{{app name: AppStats}}.
    @ivar registry: the prometheus_client registry (NANO's families, process and
        platform collectors).
    """

    def __init__(self, appStates=None):
        """
        @param appStates: returns C{{state: number of apps}} at scrape time.
        """
        self.stats = {}
        self.appStates = appStates or (lambda: {})
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(_Collector(self))
        self.registry.register(ProcessCollector(registry=None))
        self.registry.register(PlatformCollector(registry=None))

    def app(self, name):
        """
        The stats of app C{name} (created on first use, kept across reloads).
        """
        stats = self.stats.get(name)
        if stats is None:
            stats = self.stats[name] = AppStats()
        return stats

    def exposition(self):
        """
        The text exposition format (bytes), as served on C{/metrics}.
        """
        return generate_latest(self.registry)

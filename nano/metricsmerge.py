"""
One C{/metrics} for several worker processes (multi-worker mode, SPEC §5, §10).

Each worker keeps its own L{nano.metrics.Metrics} and serves it on its private
admin socket; the supervisor scrapes every worker when its own C{/metrics} is
scraped and merges the expositions:

 - NANO's families (C{nano_requests_total}, C{nano_request_duration_seconds},
   C{nano_inflight_requests}, ...) are summed per label set: counters, every
   histogram bucket with its C{_sum} and C{_count}, and gauges (in-flight
   requests and heap bytes add up across processes).
 - Families that describe one process (C{process_*}, C{python_*}, and
   C{nano_apps}, which counts the apps each process runs) are not summed: each
   worker's series gets a C{worker} label (C{sum by (...)} in PromQL adds them).
   The supervisor's own process metrics join them with C{worker="supervisor"}.
 - The supervisor adds C{nano_workers} (configured worker processes),
   C{nano_worker_up} (1 while a worker runs and answered the scrape) and
   C{nano_worker_restarts_total}.

A worker that restarts starts its counters from zero, so the summed counters
drop by what the dead worker had counted: Prometheus's C{rate()} and
C{increase()} read a drop as a counter reset. prometheus_client's own
multiprocess mode (shared memory-mapped files) would keep a dead worker's counts,
but it only covers prometheus_client's metric classes, and NANO's request path
keeps plain numbers per app (L{nano.metrics}) because those classes cost about
10% of a hello-world request.
"""

from prometheus_client import CollectorRegistry, ProcessCollector, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.parser import text_string_to_metric_families

__all__ = ["mergeExpositions", "perProcess", "relabelled", "supervisorFamilies", "render"]


def perProcess(name):
    """
    Whether the family C{name} describes one process (kept per worker, not summed).
    """
    return name.startswith(("process_", "python_")) or name == "nano_apps"


def relabelled(families, worker):
    """
    C{families} (prometheus_client metric families) with a C{worker} label on
    every sample.
    """
    out = []
    for family in families:
        metric = Metric(family.name, family.documentation, family.type, getattr(family, "unit", ""))
        for sample in family.samples:
            metric.add_sample(sample.name, dict(sample.labels, worker=str(worker)), sample.value,
                              sample.timestamp)
        out.append(metric)
    return out


def mergeExpositions(scrapes, own=()):
    """
    Merge worker expositions (see the module docstring).

    @param scrapes: C{[(worker index, exposition text), ...]}.
    @param own: the supervisor's families (L{supervisorFamilies}): their
        samples join the workers' families of the same name, unsummed.
    @return: the merged metric families, in order of first appearance.
    @raise ValueError: when a text is not the Prometheus text format.
    """
    families = {}
    sums = {}
    for worker, text in scrapes:
        for family in text_string_to_metric_families(text):
            merged = families.get(family.name)
            if merged is None:
                merged = families[family.name] = Metric(family.name, family.documentation, family.type)
                sums[family.name] = {}
            if perProcess(family.name):
                merged.samples.extend(relabelled([family], worker)[0].samples)
                continue
            values = sums[family.name]
            for sample in family.samples:
                key = (sample.name, tuple(sorted(sample.labels.items())))
                values[key] = values.get(key, 0.0) + sample.value
    for name, values in sums.items():
        for (sampleName, labels), value in values.items():
            families[name].add_sample(sampleName, dict(labels), value)
    for family in own:
        merged = families.setdefault(family.name, Metric(family.name, family.documentation, family.type))
        merged.samples.extend(family.samples)
    return list(families.values())


def supervisorFamilies(workers, configured):
    """
    The supervisor's own families.

    @param workers: C{[(index, up, restarts), ...]}.
    @param configured: how many worker processes are configured.
    """
    count = GaugeMetricFamily("nano_workers", "Worker processes configured.", value=configured)
    up = GaugeMetricFamily("nano_worker_up", "1 while the worker process runs and answered this scrape.",
                           labels=["worker"])
    restarts = CounterMetricFamily("nano_worker_restarts", "Worker processes restarted after they exited.",
                                   labels=["worker"])
    for index, isUp, restarted in workers:
        up.add_metric([str(index)], 1 if isUp else 0)
        restarts.add_metric([str(index)], restarted)
    return [count, up, restarts] + relabelled(ProcessCollector(registry=None).collect(), "supervisor")


class _Families:
    def __init__(self, families):
        self._families = families

    def collect(self):
        return self._families


def render(families):
    """
    The text exposition (bytes) of C{families}.
    """
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Families(families))
    return generate_latest(registry)

"""
Tests for L{nano.metrics}: the exposition is parsed with prometheus_client's own
parser.
"""

from prometheus_client.parser import text_string_to_metric_families
from twisted.trial.unittest import SynchronousTestCase

from nano.metrics import Metrics


def _samples(metrics):
    out = {}
    for family in text_string_to_metric_families(metrics.exposition().decode("utf-8")):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


class MetricsTests(SynchronousTestCase):
    """
    L{Metrics} exposes every series of SPEC §5 with its labels.
    """

    def setUp(self):
        self.metrics = Metrics(appStates=lambda: {"ready": 2, "failed": 1})

    def test_requests(self):
        """
        Requests are counted by app and code; durations land in the histogram's
        cumulative buckets; in-flight requests are a gauge.
        """
        api = self.metrics.app("api")
        for status, seconds in ((200, 0.002), (200, 0.04), (503, 2.0)):
            api.requestStarted()
            api.requestFinished(status, seconds)
        api.requestStarted()
        samples = _samples(self.metrics)
        self.assertEqual(samples[("nano_requests_total", (("app", "api"), ("code", "200")))], 2)
        self.assertEqual(samples[("nano_requests_total", (("app", "api"), ("code", "503")))], 1)
        self.assertEqual(samples[("nano_request_duration_seconds_bucket", (("app", "api"), ("le", "0.0025")))], 1)
        self.assertEqual(samples[("nano_request_duration_seconds_bucket", (("app", "api"), ("le", "0.05")))], 2)
        self.assertEqual(samples[("nano_request_duration_seconds_bucket", (("app", "api"), ("le", "+Inf")))], 3)
        self.assertEqual(samples[("nano_request_duration_seconds_count", (("app", "api"),))], 3)
        self.assertAlmostEqual(samples[("nano_request_duration_seconds_sum", (("app", "api"),))], 2.042)
        self.assertEqual(samples[("nano_inflight_requests", (("app", "api"),))], 1)

    def test_otherSeries(self):
        """
        Limits by kind, isolate starts by reason, fetches by code, heap bytes, apps
        by state and process metrics are all exposed.
        """
        api = self.metrics.app("api")
        api.limitExceeded("cpu")
        api.isolateStarted("cold")
        api.isolateStarted("recycle")
        api.fetched(200)
        api.heapBytes = 12345
        api.externalBytes = 678
        samples = _samples(self.metrics)
        self.assertEqual(samples[("nano_limit_exceeded_total", (("app", "api"), ("kind", "cpu")))], 1)
        self.assertEqual(samples[("nano_limit_exceeded_total", (("app", "api"), ("kind", "memory")))], 0)
        self.assertEqual(samples[("nano_isolate_starts_total", (("app", "api"), ("reason", "recycle")))], 1)
        self.assertEqual(samples[("nano_fetch_total", (("app", "api"), ("code", "200")))], 1)
        self.assertEqual(samples[("nano_isolate_heap_bytes", (("app", "api"),))], 12345)
        self.assertEqual(samples[("nano_isolate_external_bytes", (("app", "api"),))], 678)
        self.assertEqual(samples[("nano_apps", (("state", "failed"),))], 1)
        self.assertIn(("process_cpu_seconds_total", ()), samples)

    def test_isolateReset(self):
        """
        An isolate reset counts as its limit exceeded and is remembered, with its
        time, as the last reset.
        """
        api = self.metrics.app("api")
        self.assertIsNone(api.lastReset)
        api.isolateReset("cpu", 10.0)
        api.isolateReset("memory", 12.5)
        self.assertEqual(api.lastReset, ("memory", 12.5))
        self.assertEqual((api.limits["cpu"], api.limits["memory"]), (1, 1))

    def test_survivesReload(self):
        """
        Stats belong to the app name: asking again gives the same numbers.
        """
        self.metrics.app("api").requestStarted()
        self.assertEqual(self.metrics.app("api").inflight, 1)

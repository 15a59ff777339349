"""
Tests for L{nano.metricsmerge}: merging the expositions of real
L{nano.metrics.Metrics} objects, as two workers would serve them.
"""

from prometheus_client.parser import text_string_to_metric_families
from twisted.trial.unittest import SynchronousTestCase

from nano.metrics import Metrics
from nano.metricsmerge import mergeExpositions, perProcess, render, supervisorFamilies


def _samples(text):
    """
    C{{(sample name, frozenset(labels)): value}} of an exposition.
    """
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return out


def _key(name, **labels):
    return (name, frozenset(labels.items()))


class MergeTests(SynchronousTestCase):
    """
    L{mergeExpositions} and L{render}.
    """

    def setUp(self):
        self.workers = []
        for index, (states, statuses) in enumerate([({"ready": 2}, [200, 200, 500]), ({"ready": 1, "failed": 1}, [200])]):
            metrics = Metrics(appStates=lambda states=states: states)
            api = metrics.app("api")
            for status in statuses:
                api.requestStarted()
                api.requestFinished(status, 0.003)
            api.requestStarted()  # one in flight
            api.isolateStarted("cold")
            metrics.app("web" if index else "api").heapBytes = 1000 * (index + 1)
            metrics.app("web" if index else "api").externalBytes = 0
            self.workers.append((index, metrics.exposition().decode()))

    def merged(self, own=()):
        return _samples(render(mergeExpositions(self.workers, own)).decode())

    def test_countersAndHistograms(self):
        """
        Counters and every histogram series are summed per label set; label sets
        only one worker has are kept.
        """
        samples = self.merged()
        self.assertEqual(samples[_key("nano_requests_total", app="api", code="200")], 3)
        self.assertEqual(samples[_key("nano_requests_total", app="api", code="500")], 1)
        self.assertEqual(samples[_key("nano_request_duration_seconds_count", app="api")], 4)
        self.assertAlmostEqual(samples[_key("nano_request_duration_seconds_sum", app="api")], 0.012)
        self.assertEqual(samples[_key("nano_request_duration_seconds_bucket", app="api", le="0.001")], 0)
        self.assertEqual(samples[_key("nano_request_duration_seconds_bucket", app="api", le="0.005")], 4)
        self.assertEqual(samples[_key("nano_request_duration_seconds_bucket", app="api", le="+Inf")], 4)
        self.assertEqual(samples[_key("nano_isolate_starts_total", app="api", reason="cold")], 2)
        self.assertEqual(samples[_key("nano_request_duration_seconds_count", app="web")], 0)

    def test_gauges(self):
        """
        Gauges of NANO's families are summed too.
        """
        samples = self.merged()
        self.assertEqual(samples[_key("nano_inflight_requests", app="api")], 2)
        self.assertEqual(samples[_key("nano_isolate_heap_bytes", app="api")], 1000)
        self.assertEqual(samples[_key("nano_isolate_heap_bytes", app="web")], 2000)

    def test_perProcess(self):
        """
        Process families and C{nano_apps} keep one series per worker, labelled.
        """
        self.assertTrue(perProcess("process_cpu_seconds"))
        self.assertTrue(perProcess("nano_apps"))
        self.assertFalse(perProcess("nano_requests"))
        samples = self.merged()
        self.assertEqual(samples[_key("nano_apps", state="ready", worker="0")], 2)
        self.assertEqual(samples[_key("nano_apps", state="ready", worker="1")], 1)
        self.assertEqual(samples[_key("nano_apps", state="failed", worker="1")], 1)
        self.assertIn(_key("process_resident_memory_bytes", worker="0"), samples)
        self.assertIn(_key("process_resident_memory_bytes", worker="1"), samples)
        self.assertNotIn(_key("process_resident_memory_bytes"), samples)

    def test_supervisorFamilies(self):
        """
        The supervisor adds its worker gauges and restart counters, and its own
        process metrics labelled C{worker="supervisor"}, inside the families of
        the same names (one HELP/TYPE each).
        """
        text = render(mergeExpositions(self.workers, supervisorFamilies([(0, True, 0), (1, False, 3)], 2))).decode()
        samples = _samples(text)
        self.assertEqual(samples[_key("nano_workers")], 2)
        self.assertEqual(samples[_key("nano_worker_up", worker="0")], 1)
        self.assertEqual(samples[_key("nano_worker_up", worker="1")], 0)
        self.assertEqual(samples[_key("nano_worker_restarts_total", worker="1")], 3)
        self.assertIn(_key("process_resident_memory_bytes", worker="supervisor"), samples)
        self.assertEqual(text.count("# TYPE process_resident_memory_bytes "), 1)

    def test_noWorkers(self):
        """
        With no worker answering, only the supervisor's families remain.
        """
        self.workers = []
        samples = self.merged(supervisorFamilies([(0, False, 0)], 1))
        self.assertEqual(samples[_key("nano_worker_up", worker="0")], 0)
        self.assertFalse([key for key in samples if key[0].startswith("nano_requests")])

    def test_garbage(self):
        """
        A text that is not the exposition format raises ValueError.
        """
        self.assertRaises(ValueError, mergeExpositions, [(0, "this is { not metrics\n")])

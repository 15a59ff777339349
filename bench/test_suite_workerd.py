"""
Tests for bench.suite_workerd: the generated workerd config.
"""

from twisted.trial.unittest import SynchronousTestCase

from bench.suite_workerd import COMPATIBILITY_DATE, capnpConfig


class CapnpConfigTests(SynchronousTestCase):
    def test_config(self):
        """
        The config serves the module file beside it as an ES module, on
        127.0.0.1 and the given port, with the pinned compatibility date.
        """
        config = capnpConfig(18931)
        self.assertIn('address = "127.0.0.1:18931"', config)
        self.assertIn('esModule = embed "index.js"', config)
        self.assertIn('compatibilityDate = "%s"' % (COMPATIBILITY_DATE,), config)
        self.assertIn('import "/workerd/workerd.capnp"', config)

"""
Tests for L{nano.hostops}.
"""

from twisted.trial.unittest import SynchronousTestCase

from nano import hostops
from nano.hostops import HostContext, opsFor


class OpsForTests(SynchronousTestCase):
    """
    L{opsFor} merges the operation families for one app.
    """

    def test_merged(self):
        """
        Every family sees the app's context; their tables are merged.
        """
        seen = []
        self.patch(hostops, "FAMILIES", [
            lambda context: seen.append(context) or {"a": 1},
            lambda context: {"b": 2},
        ])
        context = HostContext(reactor=None, app="app")
        self.assertEqual(opsFor(context), {"a": 1, "b": 2})
        self.assertEqual(seen, [context])

    def test_clash(self):
        """
        Two families defining one name is a programming error, reported at once.
        """
        self.patch(hostops, "FAMILIES", [lambda c: {"a": 1}, lambda c: {"a": 2}])
        self.assertRaises(ValueError, opsFor, HostContext(reactor=None, app="app"))

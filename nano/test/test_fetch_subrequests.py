"""
Tests for L{nano.fetch.subrequests}.
"""

from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

from nano.fetch.subrequests import SubrequestBudget, SubrequestLimit


class SubrequestBudgetTests(SynchronousTestCase):
    """
    L{SubrequestBudget} caps fetch() calls per incoming request.
    """

    def setUp(self):
        self.clock = Clock()
        self.budget = SubrequestBudget(3, 60.0, self.clock)

    def charge(self, rid, started, times=1):
        for _ in range(times):
            self.budget.charge(rid, started)

    def test_knownRequestCapped(self):
        """
        A request known by id may make C{limit} fetches; the next one fails even
        when other requests left credits.
        """
        self.charge(1, 3, times=3)
        error = self.assertRaises(SubrequestLimit, self.budget.charge, 1, 3)
        self.assertIn("already made 3 subrequests", str(error))
        self.charge(2, 3, times=3)

    def test_unknownRequestsShareCredits(self):
        """
        Fetches with no known request take credits of the requests started: at most
        C{limit} per started request in total.
        """
        self.charge(None, 2, times=6)
        error = self.assertRaises(SubrequestLimit, self.budget.charge, None, 2)
        self.assertIn("no subrequest left", str(error))
        self.charge(None, 3, times=3)
        self.assertRaises(SubrequestLimit, self.budget.charge, None, 3)

    def test_mixedNeverFalselyRefused(self):
        """
        Requests that each stay within the cap are never refused, however their
        known and unknown fetches interleave.
        """
        self.charge(1, 1)
        self.charge(None, 2)
        self.charge(2, 2)
        self.charge(None, 2)
        self.charge(1, 2)
        self.charge(None, 2)
        self.assertRaises(SubrequestLimit, self.budget.charge, None, 2)

    def test_creditsExpire(self):
        """
        Credits last C{lifetime} seconds after their request started; a fetch with
        no request in flight then fails.
        """
        self.charge(None, 1)
        self.clock.advance(60)
        self.assertRaises(SubrequestLimit, self.budget.charge, None, 1)
        self.charge(None, 2)

    def test_noRequest(self):
        """
        Before any request started there is no credit.
        """
        self.assertRaises(SubrequestLimit, self.budget.charge, None, 0)

    def test_perRequestCountsPruned(self):
        """
        The per-request counts of requests past their lifetime are forgotten.
        """
        for rid in range(1, 100):
            self.charge(rid, rid)
        self.clock.advance(61)
        self.charge(100, 100)
        self.assertEqual(len(self.budget._perRequest), 1)

"""
Tests for L{nano.registry}.
"""

import attrs
from twisted.trial.unittest import SynchronousTestCase

from nano.registry import AppRegistry, normalizeHost


@attrs.frozen
class _Config:
    hostnames: tuple


@attrs.define
class _App:
    name: str
    config: _Config


def _app(name, *hostnames):
    return _App(name, _Config(tuple(hostnames)))


class NormalizeHostTests(SynchronousTestCase):
    """
    L{normalizeHost} lowercases and strips ports, keeping IPv6 literals whole.
    """

    def test_forms(self):
        """
        Case, ports, trailing dots, IPv6 literals with and without ports, bytes and
        missing values.
        """
        self.assertEqual(normalizeHost(b"Example.COM:8080"), "example.com")
        self.assertEqual(normalizeHost("example.com."), "example.com")
        self.assertEqual(normalizeHost("[::1]:8080"), "[::1]")
        self.assertEqual(normalizeHost("[FE80::1]"), "[fe80::1]")
        self.assertEqual(normalizeHost(None), "")
        self.assertEqual(normalizeHost(b""), "")


class AppRegistryTests(SynchronousTestCase):
    """
    L{AppRegistry} matches hosts to apps.
    """

    def setUp(self):
        self.registry = AppRegistry()
        self.api = _app("api", "api.example.com", "*.api.example.com")
        self.wide = _app("wide", "*.example.com")
        self.v6 = _app("v6", "[::1]")
        for app in (self.api, self.wide, self.v6):
            self.registry.add(app)

    def test_exactBeforeWildcard(self):
        """
        Exact names win; the longest wildcard suffix wins over a shorter one.
        """
        self.assertIs(self.registry.match("API.example.com:443"), self.api)
        self.assertIs(self.registry.match("v1.api.example.com"), self.api)
        self.assertIs(self.registry.match("www.example.com"), self.wide)
        self.assertIs(self.registry.match("[::1]:80"), self.v6)

    def test_wildcardNeedsALabel(self):
        """
        C{*.example.com} does not match C{example.com} itself.
        """
        self.assertIsNone(self.registry.match("example.com"))

    def test_default(self):
        """
        Without a match the default app serves, if there is one.
        """
        self.assertIsNone(self.registry.match("other.org"))
        self.registry.defaultApp = "api"
        self.assertIs(self.registry.match("other.org"), self.api)
        self.assertIs(self.registry.match(None), self.api)

    def test_replaceAndRemove(self):
        """
        Adding an app with a known name replaces it (its old hostnames are dropped);
        removing unregisters every hostname.
        """
        new = _app("api", "new.example.org")
        self.assertIs(self.registry.add(new), self.api)
        self.assertIs(self.registry.match("new.example.org"), new)
        self.assertIs(self.registry.match("api.example.com"), self.wide)
        self.assertIs(self.registry.remove("api"), new)
        self.assertIsNone(self.registry.match("new.example.org"))
        self.assertEqual([a.name for a in self.registry.apps()], ["wide", "v6"])


class RetiredTests(SynchronousTestCase):
    """
    Retired apps (removed, still draining) keep the hostnames no active app claims.
    """

    def setUp(self):
        self.registry = AppRegistry()
        self.old = _app("old", "old.test", "*.old.test", "shared.test")
        self.registry.add(self.old)

    def test_retiredStillMatches(self):
        """
        A retired app answers its hostnames until it is forgotten; it is no longer
        listed as active.
        """
        self.assertIs(self.registry.retire("old"), self.old)
        self.assertEqual(self.registry.apps(), [])
        self.assertEqual(self.registry.retired(), [self.old])
        self.assertIs(self.registry.match("old.test"), self.old)
        self.assertIs(self.registry.match("a.old.test"), self.old)
        self.registry.forget(self.old)
        self.assertIsNone(self.registry.match("old.test"))
        self.assertIsNone(self.registry.retire("old"))

    def test_activeWins(self):
        """
        An active app claiming a retired app's exact or wildcard hostname gets it.
        """
        self.registry.retire("old")
        new = _app("new", "shared.test", "*.old.test")
        self.registry.add(new)
        self.assertIs(self.registry.match("shared.test"), new)
        self.assertIs(self.registry.match("x.old.test"), new)
        self.assertIs(self.registry.match("old.test"), self.old)

    def test_sameNameReplacesRetired(self):
        """
        Adding an app under a retired app's name drops the retired one; forgetting
        the retired one later leaves the new app alone.
        """
        self.registry.retire("old")
        again = _app("old", "again.test")
        self.registry.add(again)
        self.assertIsNone(self.registry.match("old.test"))
        self.registry.forget(self.old)
        self.assertIs(self.registry.match("again.test"), again)
        self.assertEqual(self.registry.retired(), [])

    def test_retiredDefault(self):
        """
        A retired default app still serves unknown hosts while it drains.
        """
        self.registry.defaultApp = "old"
        self.registry.retire("old")
        self.assertIs(self.registry.match("unknown.test"), self.old)


class MatchCacheTests(SynchronousTestCase):
    """
    L{AppRegistry.match} remembers answers per Host value, and forgets them whenever
    the registry changes.
    """

    def test_forgetsOnChange(self):
        """
        A Host that matched nothing matches an app added later, and stops matching
        once the app is removed; a default app set later serves it too.
        """
        registry = AppRegistry()
        self.assertIsNone(registry.match(b"new.example.com"))
        app = _app("new", "new.example.com")
        registry.add(app)
        self.assertIs(registry.match(b"new.example.com"), app)
        registry.remove("new")
        self.assertIsNone(registry.match(b"new.example.com"))
        other = _app("other", "other.example.com")
        registry.add(other)
        registry.defaultApp = "other"
        self.assertIs(registry.match(b"new.example.com"), other)

    def test_bounded(self):
        """
        However many distinct Hosts clients send, the cache stays bounded.
        """
        from nano.registry import _MATCH_CACHE

        registry = AppRegistry()
        for i in range(_MATCH_CACHE * 2 + 3):
            registry.match(b"h%d.example.com" % (i,))
        self.assertLessEqual(len(registry._matches), _MATCH_CACHE)

"""
The app registry: names and hostnames to L{nano.app.App}s.

Host matching is case-insensitive, ignores the port, handles IPv6 literals
(C{[::1]:8080}), prefers exact names over wildcards and longer wildcards over shorter
ones (C{*.a.example.com} before C{*.example.com}); a wildcard matches one or more
labels in front of its suffix, not the bare suffix. Without a match the default app
(if any) serves.
"""

__all__ = ["AppRegistry", "normalizeHost"]

_MATCH_CACHE = 4096


def normalizeHost(host):
    """
    Lowercase a Host header value and strip its port.

    @param host: C{bytes} or C{str} (C{"Example.COM:8080"}, C{"[::1]:80"}).
    @return: C{str}, e.g. C{"example.com"}, C{"[::1]"}; C{""} for a missing host.
    """
    if host is None:
        return ""
    if isinstance(host, bytes):
        host = host.decode("latin-1")
    host = host.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        return host[: end + 1] if end != -1 else host
    if host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host.rstrip(".")


class AppRegistry:
    """
    Apps by name and hostname.

    Besides the active apps, the registry keeps I{retired} apps: removed apps that
    are still draining (SPEC §9). A retired app keeps answering the hostnames no
    active app claims (with 503 and C{Retry-After}, as its state is
    C{"draining"}) until it is L{forgotten <forget>}. Every change is one
    assignment of new indexes, so a request sees the registry before or after a
    change, never in between.
    """

    def __init__(self, defaultApp=None):
        self._apps = {}
        self._retired = {}
        self._exact = {}
        self._wildcards = []
        self._matches = {}
        self._defaultApp = defaultApp

    @property
    def defaultApp(self):
        """
        The name of the app that serves Hosts no app claims, or None.
        """
        return self._defaultApp

    @defaultApp.setter
    def defaultApp(self, name):
        self._defaultApp = name
        self._matches = {}

    def _reindex(self):
        """
        Rebuild the host indexes: retired apps first, so that active apps override
        them; among wildcards the longest suffix wins, and for equal suffixes the
        active app.
        """
        exact = {}
        wildcards = []
        for rank, apps in ((1, self._retired.values()), (0, self._apps.values())):
            for app in apps:
                for hostname in app.config.hostnames:
                    if hostname.startswith("*."):
                        wildcards.append((hostname[1:], rank, app))
                    else:
                        exact[hostname] = app
        wildcards.sort(key=lambda entry: (-len(entry[0]), entry[1]))
        self._exact = exact
        self._wildcards = [(suffix, app) for suffix, _, app in wildcards]
        self._matches = {}

    def add(self, app):
        """
        Register C{app} under its name and hostnames, replacing an app of the same
        name atomically (a retired app of that name is forgotten).

        @return: the app it replaced, or None.
        """
        old = self._apps.get(app.name)
        self._apps[app.name] = app
        self._retired.pop(app.name, None)
        self._reindex()
        return old

    def remove(self, name):
        """
        Unregister the app called C{name} at once; return it (or None).
        """
        app = self._apps.pop(name, None)
        if app is not None:
            self._reindex()
        return app

    def retire(self, name):
        """
        Move the active app called C{name} to the retired apps: it keeps its
        hostnames (unless an active app claims them) until L{forget} is called.

        @return: the app, or None if no active app has that name.
        """
        app = self._apps.pop(name, None)
        if app is not None:
            self._retired[name] = app
            self._reindex()
        return app

    def apply(self, added=(), retired=()):
        """
        Several changes at once, with one rebuild of the indexes: L{add} every app
        of C{added}, then L{retire} every name of C{retired}.
        """
        for app in added:
            self._apps[app.name] = app
            self._retired.pop(app.name, None)
        for name in retired:
            app = self._apps.pop(name, None)
            if app is not None:
                self._retired[name] = app
        self._reindex()

    def forget(self, app):
        """
        Drop C{app} if it is still retired (an app added since under the same name
        is left alone).
        """
        if self._retired.get(app.name) is app:
            del self._retired[app.name]
            self._reindex()

    def get(self, name):
        """
        The active app called C{name}, or None.
        """
        return self._apps.get(name)

    def apps(self):
        """
        Every active app, in registration order.
        """
        return list(self._apps.values())

    def retired(self):
        """
        Every retired (draining) app.
        """
        return list(self._retired.values())

    def match(self, host):
        """
        The app serving C{host} (a Host header value), or None.

        Answers are remembered per distinct Host value until the registry changes
        (at most L{_MATCH_CACHE} of them: clients send few distinct Hosts).
        """
        matches = self._matches
        try:
            return matches[host]
        except KeyError:
            pass
        except TypeError:
            return self._match(host)
        app = self._match(host)
        if len(matches) >= _MATCH_CACHE:
            matches.clear()
        matches[host] = app
        return app

    def _match(self, host):
        name = normalizeHost(host)
        app = self._exact.get(name)
        if app is not None:
            return app
        for suffix, candidate in self._wildcards:
            if name.endswith(suffix) and len(name) > len(suffix):
                return candidate
        if self._defaultApp is not None:
            default = self._apps.get(self._defaultApp)
            return default if default is not None else self._retired.get(self._defaultApp)
        return None

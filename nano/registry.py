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
    """

    def __init__(self, defaultApp=None):
        self._apps = {}
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

    def add(self, app):
        """
        Register C{app} under its name and hostnames (replacing an app of the same
        name atomically).
        """
        old = self._apps.get(app.name)
        if old is not None:
            self._unindex(old)
        self._apps[app.name] = app
        for hostname in app.config.hostnames:
            if hostname.startswith("*."):
                self._wildcards.append((hostname[1:], app))
            else:
                self._exact[hostname] = app
        self._wildcards.sort(key=lambda pair: -len(pair[0]))
        self._matches = {}
        return old

    def _unindex(self, app):
        self._exact = {h: a for h, a in self._exact.items() if a is not app}
        self._wildcards = [(s, a) for s, a in self._wildcards if a is not app]

    def remove(self, name):
        """
        Unregister the app called C{name}; return it (or None).
        """
        app = self._apps.pop(name, None)
        if app is not None:
            self._unindex(app)
            self._matches = {}
        return app

    def get(self, name):
        return self._apps.get(name)

    def apps(self):
        """
        Every registered app, in registration order.
        """
        return list(self._apps.values())

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
            return self._apps.get(self._defaultApp)
        return None

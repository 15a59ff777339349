"""
The running set of apps and every change to it: startup, reloads (watcher, SIGHUP,
C{POST /admin/reload}) and the admin API's add, replace and remove (SPEC §5, §9).

Changes run one at a time, in arrival order: a reload asked for while another
change is loading waits its turn (reloads waiting together share one run, which
reads the files when it starts, so no edit is lost). A change loads every new
version first; only then does the registry switch, in one reactor turn, and the
old versions drain (L{nano.app.App.drain}).

A reload diffs the config file against what runs, by app name: added, removed,
changed (anything in the app's config, or its source files, see
L{nano.watcher.sourceFingerprint}) and unchanged. An invalid config changes
nothing. An app whose new version fails to load keeps its running version (a new
app that fails is not added); if that leaves two apps claiming a hostname, the
newer claim is dropped as well. Every error is logged and reported.
"""

import attrs
from twisted.internet.defer import DeferredList, fail
from twisted.logger import Logger

from nano.changes import ChangeQueue, DeployError, ReloadResult, settleHostnames
from nano.config import ConfigError, appFromJSON, loadConfig
from nano.configfile import ConfigFileError, checkWritable, plainJSON, updateApps
from nano.isolate.runtime import LoadError
from nano.watcher import sourceFingerprint

__all__ = ["DeployError", "Deployer", "ReloadResult"]

# Settings a reload cannot change in a running process (sockets, processes).
_RESTART_ONLY = ("listen", "admin", "workers", "watch")


class Deployer:
    """
    Owns the running config and the active app versions.

    @ivar config: the L{nano.config.NanoConfig} in effect (its C{apps} are the
        configs of the active versions).
    @ivar started: True once the startup loads have all finished.
    """

    _log = Logger()

    def __init__(self, reactor, config, registry, appFactory, baseDir, environ=None,
                 fingerprint=sourceFingerprint, overrides=()):
        """
        @param appFactory: C{appFactory(appConfig, config)} returns a new, unstarted
            L{nano.app.App}.
        @param baseDir: the directory against which relative app paths of the
            admin API resolve (the config file's directory).
        @param overrides: names of the restart-only settings (C{listen},
            C{admin}) set on the command line: a reload neither changes them nor
            warns about them.
        Each app version is started with the reason C{"cold"} (startup, a new
        app) or C{"reload"} (a new version of a running app); the app reports its
        isolate starts itself (in its L{nano.metrics.AppStats}).
        """
        self._reactor = reactor
        self.config = config
        self.registry = registry
        self._appFactory = appFactory
        self._baseDir = baseDir
        self._environ = environ
        self._fingerprint = fingerprint
        self._overrides = frozenset(overrides)
        self._apps = {}
        self._draining = set()
        self._queue = ChangeQueue(coalesce=("reload",), after=self._changed)
        self._closed = False
        self.started = False
        self.onChanged = None

    # -- queries -------------------------------------------------------------

    def apps(self):
        """
        The active app versions, in config order.
        """
        return list(self._apps.values())

    def get(self, name):
        return self._apps.get(name)

    def draining(self):
        """
        Every old version still draining.
        """
        return list(self._draining)

    def ready(self):
        """
        Whether startup finished and every configured app is loaded.
        """
        return self.started and all(app.state in ("ready", "idle") for app in self._apps.values())

    # -- the queue -----------------------------------------------------------

    @property
    def busy(self):
        """
        Whether a change is running now.
        """
        return self._queue.busy

    def close(self):
        """
        Refuse every later change and every change still waiting (503); a change
        already loading finishes without switching anything.
        """
        self._closed = True
        self._queue.close(DeployError(503, "the server is shutting down"))

    def _enqueue(self, kind, fn, *args):
        if self._closed:
            return fail(DeployError(503, "the server is shutting down"))
        return self._queue.submit(kind, fn, *args)

    def _changed(self):
        if self.onChanged is not None:
            self.onChanged()

    # -- startup -------------------------------------------------------------

    def start(self):
        """
        Register and load every app of the config. An app that fails stays
        registered in state C{"failed"} (it answers 503 with its load error).

        @return: a Deferred firing with a list of C{(name, error)} for the apps
            that failed (C{error} None for those that loaded).
        """
        return self._enqueue("start", self._start)

    def _start(self):
        loads = []
        for appConfig in self.config.apps:
            app = self._appFactory(appConfig, self.config)
            app.fingerprint = self._fingerprint(appConfig.path)
            self._apps[app.name] = app
            loads.append(self._startApp(app, "cold"))
        self.registry.apply(added=self._apps.values())
        self.registry.defaultApp = self.config.default_app

        def loaded(results):
            self.started = True
            return [result for _, result in results]

        return DeferredList(loads).addCallback(loaded)

    def _startApp(self, app, reason):
        """
        Start C{app}; fire with C{(name, None)} when it loaded, C{(name, error)}
        when it failed (its state is then C{"failed"}).
        """
        try:
            d = app.start(reason)
        except Exception as e:  # a bug in building the isolate: the app is failed
            d = fail(e)

        def failed(failure):
            if not failure.check(LoadError):
                self._log.failure("app {app}: could not start", failure, app=app.name)
                app.stop()
                app.state = "failed"
                app.loadError = "internal error: %s" % (failure.getErrorMessage(),)
            return (app.name, app.loadError or failure.getErrorMessage())

        def loaded(_):
            return (app.name, None)

        d.addCallbacks(loaded, failed)
        return d

    def _load(self, appConfig, config, fingerprint):
        reason = "reload" if appConfig.name in self._apps else "cold"
        app = self._appFactory(appConfig, config)
        app.fingerprint = fingerprint
        return self._startApp(app, reason).addCallback(lambda pair: (app, pair[1]))

    # -- reload --------------------------------------------------------------

    def reload(self):
        """
        Re-read the config file (in single-app mode: the app's files) and apply
        the differences.

        @return: a Deferred firing with a L{ReloadResult}, or failing with
            L{DeployError} (400 with every problem when the config is invalid;
            nothing changed then).
        """
        return self._enqueue("reload", self._reload)

    def _reload(self):
        if self.config.path is None:
            desired = self.config
        else:
            try:
                desired = loadConfig(self.config.path, self._environ)
            except ConfigError as e:
                for problem in e.problems:
                    self._log.error("reload: invalid config, keeping the running one: {problem}",
                                    problem=str(problem))
                return fail(DeployError(400, "invalid config", [str(p) for p in e.problems]))
        return self.apply(desired)

    def _restartOnly(self, desired):
        kept = {}
        for name in _RESTART_ONLY:
            if getattr(desired, name) != getattr(self.config, name):
                if name not in self._overrides:
                    self._log.warn("reload: a change of \"{setting}\" needs a restart; keeping the running value",
                                   setting=name)
                kept[name] = getattr(self.config, name)
        return attrs.evolve(desired, **kept) if kept else desired

    def apply(self, desired):
        """
        Make the running apps those of C{desired} (a valid
        L{nano.config.NanoConfig}); see the module docstring. Not queued: call it
        through L{reload}.
        """
        desired = self._restartOnly(desired)
        egressChanged = desired.egress != self.config.egress
        added, changed, unchanged, loads = [], [], [], []
        for appConfig in desired.apps:
            old = self._apps.get(appConfig.name)
            fingerprint = self._fingerprint(appConfig.path)
            if old is not None and old.config == appConfig and old.fingerprint == fingerprint and not egressChanged:
                unchanged.append(appConfig.name)
                continue
            (changed if old is not None else added).append(appConfig.name)
            loads.append(self._load(appConfig, desired, fingerprint))
        wanted = {appConfig.name for appConfig in desired.apps}
        removed = [name for name in self._apps if name not in wanted]
        d = DeferredList(loads, fireOnOneErrback=True, consumeErrors=True)
        d.addCallback(lambda results: self._switch(desired, [r for _, r in results], added, changed, unchanged, removed))
        return d

    def _switch(self, desired, loaded, added, changed, unchanged, removed):
        news = {app.name: (app, error) for app, error in loaded}
        if self._closed:
            for app, _ in news.values():
                app.stop()
            raise DeployError(503, "the server is shutting down")
        failed = {}
        final = {}
        for appConfig in desired.apps:
            name = appConfig.name
            old = self._apps.get(name)
            if name not in news:
                final[name] = old
                continue
            new, error = news[name]
            if error is None or (old is not None and old.state == "failed"):
                final[name] = new
                if error is not None:
                    failed[name] = error
                continue
            failed[name] = error
            if old is not None:
                self._log.error("app {app}: the new version failed to load, the running one stays: {error}",
                                app=name, error=error)
                final[name] = old
        for name, error in settleHostnames(final, self._apps, failed):
            self._log.error("app {app}: not switched: {error}", app=name, error=error)
        defaultApp = desired.default_app if desired.default_app in final else (
            self.config.default_app if self.config.default_app in final else None)
        switched, retiring = [], []
        for name, app in final.items():
            old = self._apps.get(name)
            if app is not old:
                switched.append(app)
                if old is not None:
                    retiring.append(old)
        self.registry.apply(added=switched, retired=removed)
        self.registry.defaultApp = defaultApp
        for name in removed:
            self._drainVersion(self._apps[name], retired=True)
        for old in retiring:
            self._drainVersion(old, retired=False)
        for new, _ in news.values():
            if final.get(new.name) is not new:
                new.stop()
        self._apps = final
        self.config = attrs.evolve(desired, apps=tuple(app.config for app in final.values()), default_app=defaultApp)
        result = ReloadResult(
            added=tuple(n for n in added if final.get(n) is not None and n not in failed),
            removed=tuple(removed),
            changed=tuple(n for n in changed if n not in failed),
            unchanged=tuple(unchanged),
            failed=tuple(sorted(failed.items())),
        )
        if result.added or result.removed or result.changed or result.failed:
            self._log.info(
                "reload: added {added}, removed {removed}, changed {changed}, {n} unchanged, failed {failed}",
                added=list(result.added), removed=list(result.removed), changed=list(result.changed),
                n=len(result.unchanged), failed=[name for name, _ in result.failed],
            )
        return result

    def _drainVersion(self, app, retired):
        self._draining.add(app)
        d = app.drain(self.config.drain_timeout_ms / 1000.0)

        def drained(clean):
            self._draining.discard(app)
            if retired:
                self.registry.forget(app)
            self._log.info("app {app}: old version {how}", app=app.name,
                           how="drained" if clean else "closed at the drain timeout")

        d.addCallback(drained)
        d.addErrback(lambda f: self._log.failure("app {app}: drain failed", f, app=app.name))

    # -- admin API -----------------------------------------------------------

    def _parseApp(self, obj):
        try:
            return appFromJSON(obj, self._baseDir, self.config.defaults, self._environ, source="body")
        except ConfigError as e:
            raise DeployError(400, "invalid app", [
                "%s: %s" % (p.jsonPath, p.message) if p.jsonPath else p.message for p in e.problems])

    def _checkClashes(self, appConfig, exceptName=None):
        details = []
        for other in self._apps.values():
            if other.name == exceptName:
                continue
            for hostname in appConfig.hostnames:
                if hostname in other.config.hostnames:
                    details.append('hostname "%s" is already used by app "%s"' % (hostname, other.name))
        if details:
            raise DeployError(409, "hostname clash", details)

    def _checkFile(self):
        if self.config.path is None:
            return
        try:
            checkWritable(self.config.path)
        except ConfigFileError as e:
            raise DeployError(409, "the config file cannot be updated", [str(e)])

    def _save(self, name, obj=None, remove=False):
        if self.config.path is None:
            return
        try:
            updateApps(self.config.path, name, obj, remove=remove)
        except ConfigFileError as e:
            self._log.error("admin: app {app} changed but not saved: {error}", app=name, error=str(e))
            raise DeployError(500, "the change is live but the config file could not be written", [str(e)])

    def addApp(self, obj):
        """
        Add an app (a parsed JSON object as in config.json's C{apps}).

        @return: a Deferred firing with the new L{nano.app.App}, or failing with
            L{DeployError} (400, 409 name or hostname clash, 422 load error).
        """
        return self._enqueue("add", self._add, obj)

    def _add(self, obj):
        appConfig = self._parseApp(obj)
        if appConfig.name in self._apps:
            raise DeployError(409, "app exists", ['an app named "%s" exists (PUT /admin/apps/%s replaces it)' % (
                appConfig.name, appConfig.name)])
        self._checkClashes(appConfig)
        self._checkFile()

        def loaded(app):
            self.registry.apply(added=[app])
            self._apps[app.name] = app
            self.config = attrs.evolve(self.config, apps=self.config.apps + (appConfig,))
            self._log.info("admin: app {app} added", app=app.name)
            self._save(app.name, plainJSON(obj))
            return app

        return self._loadVersion(appConfig).addCallback(loaded)

    def replaceApp(self, name, obj):
        """
        Replace the app called C{name}: the new version loads first, then takes
        new requests while the old one drains.

        @return: a Deferred firing with the new L{nano.app.App}, or failing with
            L{DeployError} (400, 404, 409, 422: the old version keeps serving).
        """
        return self._enqueue("replace", self._replace, name, obj)

    def _replace(self, name, obj):
        if name not in self._apps:
            raise DeployError(404, "no such app", ['no app named "%s"' % (name,)])
        obj = plainJSON(obj)
        if not isinstance(obj, dict):
            raise DeployError(400, "invalid app", ["expected an app object"])
        if "name" not in obj:
            obj = dict({"name": name}, **obj)
        elif obj["name"] != name:
            raise DeployError(400, "invalid app", ['name: the body names app %r but the URL names "%s"' % (
                obj["name"], name)])
        appConfig = self._parseApp(obj)
        self._checkClashes(appConfig, exceptName=name)
        self._checkFile()

        def loaded(app):
            old = self._apps[name]
            self.registry.apply(added=[app])
            self._apps[name] = app
            self._drainVersion(old, retired=False)
            self.config = attrs.evolve(self.config, apps=tuple(
                appConfig if a.name == name else a for a in self.config.apps))
            self._log.info("admin: app {app} replaced", app=name)
            self._save(name, obj)
            return app

        return self._loadVersion(appConfig).addCallback(loaded)

    def _loadVersion(self, appConfig):
        """
        Load a new app version for an admin change.

        @return: a Deferred firing with the loaded L{nano.app.App}, or failing with
            L{DeployError} (422: it did not load; 503: shutdown began meanwhile),
            the version stopped then.
        """
        def loaded(pair):
            app, error = pair
            if error is not None:
                app.stop()
                raise DeployError(422, "app failed to load", [error])
            if self._closed:
                app.stop()
                raise DeployError(503, "the server is shutting down")
            return app

        return self._load(appConfig, self.config, self._fingerprint(appConfig.path)).addCallback(loaded)

    def removeApp(self, name):
        """
        Remove the app called C{name}: its new requests get 503 with
        C{Retry-After} while those in flight finish, then it unloads.

        @return: a Deferred firing with the removed (draining) L{nano.app.App}, or
            failing with L{DeployError} (404; 409 for the C{default_app}).
        """
        return self._enqueue("remove", self._remove, name)

    def _remove(self, name):
        app = self._apps.get(name)
        if app is None:
            raise DeployError(404, "no such app", ['no app named "%s"' % (name,)])
        if name == self.config.default_app:
            raise DeployError(409, "app is the default_app", [
                '"%s" serves every unknown host (default_app); change default_app in the config first' % (name,)])
        self._checkFile()
        self.registry.apply(retired=[name])
        del self._apps[name]
        self._drainVersion(app, retired=True)
        self.config = attrs.evolve(self.config, apps=tuple(a for a in self.config.apps if a.name != name))
        self._log.info("admin: app {app} removed, draining", app=name)
        self._save(name, remove=True)
        return app

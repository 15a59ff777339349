"""
The C{twistd nano} command: L{Options} and L{makeService}.

Parsing options has no side effects; C{makeService} reads and validates the config
(printing every problem and exiting 1 when it is invalid) but creates no isolate:
V8 starts in C{startService}, after twistd has daemonized.
"""

import os
import sys

import attrs
from twisted.python import usage

from nano.config import (
    AdminConfig, ConfigError, ConfigProblem, endpointProblem, isLoopbackEndpoint, loadConfig,
    singleAppConfig,
)
from nano.listeners import SHARING, parseInherited, unixEndpoint

__all__ = ["Options", "makeService"]


class Options(usage.Options):
    """
    Options of C{twistd nano}.
    """

    synopsis = "[--config config.json | --app DIR] [options]"
    longdesc = (
        "Serve Cloudflare-Workers-style JavaScript apps, each in its own V8 isolate. "
        "Multi-app mode (--config) routes by Host header; single-app mode (--app) serves "
        "one app for every Host."
    )
    optParameters = [
        ["config", "c", None, "Path of config.json (multi-app mode)."],
        ["app", "a", None, "Directory of one app to serve for every Host (single-app mode)."],
        ["port", "p", None, "Shorthand for --listen tcp:PORT.", int],
        ["admin", None, None,
         "Admin listener endpoint (health, readiness, metrics, admin API), e.g. "
         "tcp:8081:interface=127.0.0.1, or 'none' to turn it off. Overrides the config's "
         "admin.listen. Off by default in single-app mode; beyond loopback it needs a token "
         "(admin.token_env in the config; NANO_ADMIN_TOKEN in single-app mode)."],
        ["workers", "w", None,
         "Worker processes (1-64; overrides the config's workers). With more than one, this "
         "process supervises: it binds the listeners and the admin listener, and N workers "
         "serve the listeners.", int],
        ["worker-sockets", None, "auto",
         "How workers share a TCP listener: reuseport (one SO_REUSEPORT socket per worker, "
         "the kernel spreads connections), shared (one socket, the first worker to accept "
         "takes the connection), or auto: reuseport on Linux, else shared."],
        ["worker-index", None, None, "Internal: the index of a worker process (set by the supervisor).", int],
        ["worker-admin", None, None, "Internal: a worker's private admin socket path (set by the supervisor)."],
        ["log-format", None, "text",
         "Log format: text (twistd's own) or json (one JSON object per line with time, level, "
         "event, app, request_id and the event's fields)."],
    ]
    optFlags = [
        ["dev", None, "Development mode: script errors include the stack in the 500 body."],
        ["no-access-log", None, "Do not log one event per request (errors and console output are still logged)."],
    ]

    def __init__(self):
        usage.Options.__init__(self)
        self["listen"] = []
        self["inherit"] = []

    def opt_inherit(self, value):
        """
        Internal: FD=ENDPOINT, a listening socket inherited from the supervisor.
        """
        try:
            self["inherit"].append(parseInherited(value))
        except ValueError as e:
            raise usage.UsageError("--inherit: %s" % (e,))

    def opt_listen(self, description):
        """
        Listen on this Twisted endpoint (repeatable), e.g. tcp:8080,
        tcp:8080:interface=127.0.0.1, unix:/run/nano.sock. Overrides the config's
        listeners. Default tcp:8080.
        """
        self["listen"].append(description)

    def postOptions(self):
        if self["config"] is None and self["app"] is None:
            raise usage.UsageError("one of --config or --app is required")
        if self["config"] is not None and self["app"] is not None:
            raise usage.UsageError("--config and --app cannot be used together")
        if self["log-format"] not in ("text", "json"):
            raise usage.UsageError("--log-format must be text or json, got %r" % (self["log-format"],))
        if self["workers"] is not None and not 1 <= self["workers"] <= 64:
            raise usage.UsageError("--workers must be 1..64, got %d" % (self["workers"],))
        if self["worker-sockets"] not in SHARING:
            raise usage.UsageError("--worker-sockets must be %s, got %r" % (
                ", ".join(SHARING), self["worker-sockets"]))
        if self["worker-index"] is not None and self["worker-index"] < 0:
            raise usage.UsageError("--worker-index must be 0 or more, got %d" % (self["worker-index"],))
        if self["port"] is not None:
            if not 0 <= self["port"] <= 65535:
                raise usage.UsageError("--port must be 0..65535, got %d" % (self["port"],))
            self["listen"].append("tcp:%d" % (self["port"],))


def _adminFromOption(description, admin, environ):
    """
    The admin config for C{--admin DESCRIPTION} given the config's own C{admin}
    (None in single-app mode, where the token comes from C{NANO_ADMIN_TOKEN}).
    """
    if description.lower() == "none":
        return None
    problem = endpointProblem(description)
    if problem:
        raise ConfigError([ConfigProblem("command line", "--admin", problem)])
    if admin is not None:
        tokenEnv, token = admin.token_env, admin.token
    else:
        tokenEnv = "NANO_ADMIN_TOKEN" if environ.get("NANO_ADMIN_TOKEN") else None
        token = environ.get("NANO_ADMIN_TOKEN") or None
    if token is None and not isLoopbackEndpoint(description):
        raise ConfigError([ConfigProblem(
            "command line", "--admin",
            "admin listener %r is reachable beyond loopback, so a token is required: set "
            "admin.token_env in the config (single-app mode: the NANO_ADMIN_TOKEN environment "
            "variable)" % (description,))])
    return AdminConfig(description, tokenEnv, token)


def loadFromOptions(options, environ=None):
    """
    The L{nano.config.NanoConfig} described by parsed L{Options}.

    @raise ConfigError: when the config is invalid.
    """
    environ = os.environ if environ is None else environ
    listen = tuple(options["listen"])
    if options["app"] is not None:
        config = singleAppConfig(options["app"], listen=listen or ("tcp:8080",), admin=None)
    else:
        config = loadConfig(options["config"], environ)
        if listen:
            config = attrs.evolve(config, listen=listen)
    if options["admin"] is not None:
        config = attrs.evolve(config, admin=_adminFromOption(options["admin"], config.admin, environ))
    return config


def overridesFromOptions(options):
    """
    The restart-only settings the command line fixes (a reload keeps them).
    """
    overrides = []
    if options["listen"]:
        overrides.append("listen")
    if options["admin"] is not None:
        overrides.append("admin")
    return tuple(overrides)


def _observer(options, outFile=None, **kwargs):
    """
    The log observer of C{--log-format} writing to C{outFile} (default: where
    twistd would log).
    """
    from nano.logs import JSONLinesObserver, TextLinesObserver, logFileFor

    if outFile is None:
        outFile = logFileFor(getattr(options, "parent", None))
    kind = JSONLinesObserver if options["log-format"] == "json" else TextLinesObserver
    return kind(outFile, **kwargs)


def _supervisor(options, config, count, reactor):
    """
    The L{nano.workers.WorkerSupervisor} of C{count} workers.
    """
    from nano.workeradmin import SupervisorAdminSite, WorkerClient
    from nano.workers import WorkerSupervisor
    from nano.workerspawn import ProcessSpawner, workerArgv

    parent = getattr(options, "parent", None)
    reactorName = parent.get("reactor") if parent is not None else None
    spawner = ProcessSpawner(reactor, workerArgv(options, reactorName))

    def adminSite(supervisor):
        client = WorkerClient(reactor, supervisor.adminPath)
        return SupervisorAdminSite(supervisor, client, token=config.admin.token,
                                   canChangeApps=config.path is not None, reactor=reactor)

    service = WorkerSupervisor(config, reactor, count, spawner, sharing=options["worker-sockets"],
                               installSignals=True, adminSiteFactory=adminSite)
    # Always NANO's observer (twistd's format with --log-format text): the
    # workers' lines are written through it.
    service.logObserver = _observer(options)
    return service


def _worker(options, config, reactor):
    """
    The L{nano.service.NanoService} of one worker process: it adopts the
    listeners its supervisor passed down, serves its admin site on the private
    socket without a token, logs lines tagged with its index on standard output,
    and shuts down when the supervisor is gone.
    """
    from nano.service import NanoService
    from nano.workerlink import SupervisorLink, workerOutput
    from nano.workerspawn import CONTROL_FD

    admin = AdminConfig(unixEndpoint(options["worker-admin"])) if options["worker-admin"] else None
    config = attrs.evolve(config, admin=admin)
    overrides = tuple(sorted(set(overridesFromOptions(options)) | {"admin"}))
    service = NanoService(
        config, reactor, dev=options["dev"], accessLog=not options["no-access-log"],
        installSignals=True, overrides=overrides, inherited=options["inherit"],
    )
    out = workerOutput()
    service.logObserver = _observer(options, out, flushEach=False, worker=options["worker-index"])
    SupervisorLink(reactor, flush=out.flush, controlFd=CONTROL_FD).setServiceParent(service)
    return service


def makeService(options):
    """
    Build the root service (V8 is not touched here): a
    L{nano.service.NanoService}, or with more than one worker a
    L{nano.workers.WorkerSupervisor}; a worker process (C{--worker-index}) builds
    its own L{nano.service.NanoService}.
    """
    from twisted.internet import reactor

    try:
        config = loadFromOptions(options)
    except ConfigError as e:
        sys.stderr.write(str(e).rstrip("\n") + "\n")
        sys.stderr.flush()
        raise SystemExit(1)
    if options["worker-index"] is not None:
        return _worker(options, config, reactor)
    count = options["workers"] if options["workers"] is not None else config.workers
    if count > 1:
        return _supervisor(options, config, count, reactor)

    from nano.service import NanoService

    service = NanoService(
        config, reactor, dev=options["dev"], accessLog=not options["no-access-log"],
        installSignals=True, overrides=overridesFromOptions(options),
    )
    if options["log-format"] == "json":
        service.logObserver = _observer(options)
    return service

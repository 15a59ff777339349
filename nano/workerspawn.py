"""
How the supervisor starts a worker process (multi-worker mode, see
L{nano.workers}): C{twistd -n nano} again, run by the supervisor's own Python,
with the supervisor's options (L{workerArgv}) and per-worker ones
(L{ProcessSpawner}): C{--worker-index}, C{--inherit FD=ENDPOINT} for each listening
socket (mapped to descriptors 3 and up) and C{--worker-admin PATH}. A fresh
process, not a fork: V8 never ran in the supervisor, and a worker starts with
nothing of it.
"""

import os
import sys

__all__ = ["CONTROL_FD", "ProcessSpawner", "workerArgv"]

# A worker's descriptor for telling its supervisor things (a pipe the supervisor
# reads): "draining" when it begins to shut down (L{nano.workerlink}).
CONTROL_FD = 3


def workerArgv(options, reactorName=None):
    """
    The arguments (after the interpreter) that start one worker like the
    supervisor was started: the same config or app, C{--listen} overrides (the
    worker compares them on reload), log format and flags; the worker logs to
    its standard output (the supervisor writes the lines into its log). The
    per-worker options are added by L{ProcessSpawner}.

    @param options: the supervisor's parsed L{nano.tap.Options}.
    @param reactorName: twistd's C{--reactor} choice, or None for the default.
    """
    argv = ["-c", "from twisted.scripts.twistd import run; run()", "-n", "--pidfile=", "--logfile=-"]
    if reactorName:
        argv += ["--reactor", reactorName]
    argv.append("nano")
    if options["config"] is not None:
        argv += ["--config", os.path.abspath(options["config"])]
    else:
        argv += ["--app", os.path.abspath(options["app"])]
    for description in options["listen"]:
        argv += ["--listen", description]
    argv += ["--log-format", options["log-format"]]
    if options["dev"]:
        argv.append("--dev")
    if options["no-access-log"]:
        argv.append("--no-access-log")
    return argv


class ProcessSpawner:
    """
    Starts worker processes with C{reactor.spawnProcess}: descriptors 0-3 are
    pipes to the supervisor (standard input, output, error, and L{CONTROL_FD}),
    4 and up the inherited listening sockets.
    """

    def __init__(self, reactor, argv, executable=sys.executable, environ=None):
        self._reactor = reactor
        self._argv = list(argv)
        self._executable = executable
        self._environ = environ

    def __call__(self, index, protocol, sockets, adminPath):
        childFDs = {0: "w", 1: "r", 2: "r", CONTROL_FD: "r"}
        args = [self._executable] + self._argv + ["--worker-index", str(index)]
        for offset, (sock, description) in enumerate(sockets):
            fd = CONTROL_FD + 1 + offset
            childFDs[fd] = sock.fileno()
            args += ["--inherit", "%d=%s" % (fd, description)]
        if adminPath is not None:
            args += ["--worker-admin", adminPath]
        environ = dict(os.environ if self._environ is None else self._environ)
        return self._reactor.spawnProcess(protocol, self._executable, args, env=environ, childFDs=childFDs)

"""
workerd for bench/suite.py: installed with npm into a temporary directory (nothing
is written to the repository), configured with a generated capnp file serving the
same Workers module as NANO (bench/apps/suite/index.js) on 127.0.0.1, and removed
again when the server stops.

`installWorkerd` raises L{WorkerdUnavailable} with the reason when npm is missing or
the install fails, so the suite can say so and measure the other servers.
"""

import os
import platform
import shutil
import subprocess
import tempfile

from bench.common import ServerError, waitForPort
from bench.suite_servers import SUITE_APP, Server

__all__ = ["WORKERD_VERSION", "COMPATIBILITY_DATE", "WorkerdUnavailable", "installWorkerd",
           "capnpConfig", "startWorkerd"]

WORKERD_VERSION = "1.20261117.1"
COMPATIBILITY_DATE = "2024-09-23"

_NATIVE_PACKAGES = {
    ("Linux", "x86_64"): "workerd-linux-64",
    ("Linux", "aarch64"): "workerd-linux-arm64",
    ("Darwin", "x86_64"): "workerd-darwin-64",
    ("Darwin", "arm64"): "workerd-darwin-arm64",
}


class WorkerdUnavailable(Exception):
    """
    workerd could not be installed or found; the message says why.
    """


def installWorkerd(directory, version=WORKERD_VERSION):
    """
    C{npm install workerd@version} into C{directory} and return the path of the
    native workerd binary (run directly, not through npm's node wrapper, so that
    the server's process id is workerd's own and its CPU time is measurable).
    """
    npm = shutil.which("npm")
    if npm is None:
        raise WorkerdUnavailable("npm is not installed")
    key = (platform.system(), platform.machine())
    if key not in _NATIVE_PACKAGES:
        raise WorkerdUnavailable("workerd publishes no binary for %s %s" % key)
    done = subprocess.run(
        [npm, "install", "--no-save", "--no-audit", "--no-fund", "--no-package-lock",
         "--loglevel=error", "workerd@" + version],
        cwd=directory, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise WorkerdUnavailable("npm install workerd@%s failed: %s" % (
            version, (done.stderr or done.stdout).strip()[-500:]))
    binary = os.path.join(directory, "node_modules", "@cloudflare", _NATIVE_PACKAGES[key], "bin", "workerd")
    if not os.access(binary, os.X_OK):
        raise WorkerdUnavailable("npm installed workerd but %s is missing" % (binary,))
    return binary


def capnpConfig(port, module="index.js", compatibilityDate=COMPATIBILITY_DATE):
    """
    A workerd config serving the ES module C{module} (a file beside the config) as
    the only worker, on 127.0.0.1:C{port}.
    """
    return (
        'using Workerd = import "/workerd/workerd.capnp";\n'
        "\n"
        "const config :Workerd.Config = (\n"
        '  services = [(name = "suite", worker = .suite)],\n'
        '  sockets = [(name = "http", address = "127.0.0.1:%d", http = (), service = "suite")],\n'
        ");\n"
        "\n"
        "const suite :Workerd.Worker = (\n"
        '  modules = [(name = "%s", esModule = embed "%s")],\n'
        '  compatibilityDate = "%s",\n'
        ");\n"
    ) % (port, module, module, compatibilityDate)


def workerdVersion(binary):
    """
    The build date C{workerd --version} prints, or "unknown".
    """
    done = subprocess.run([binary, "--version"], capture_output=True, text=True)
    return (done.stdout or done.stderr).strip().removeprefix("workerd ") or "unknown"


def startWorkerd(port, logfile):
    """
    Install workerd into a fresh temporary directory, write the config and the app
    module there, start C{workerd serve} and wait until it listens.  Returns
    C{(server, version)}; stopping the server removes the directory.  Raises
    L{WorkerdUnavailable} when it cannot be installed and L{ServerError} when it
    does not start.
    """
    directory = tempfile.mkdtemp(prefix="nano-bench-workerd-")
    try:
        binary = installWorkerd(directory)
        version = "%s (npm workerd@%s)" % (workerdVersion(binary), WORKERD_VERSION)
        shutil.copy(os.path.join(SUITE_APP, "index.js"), os.path.join(directory, "index.js"))
        config = os.path.join(directory, "suite.capnp")
        with open(config, "w") as f:
            f.write(capnpConfig(port))
        with open(logfile, "w") as log:
            process = subprocess.Popen([binary, "serve", config], cwd=directory,
                                       stdout=log, stderr=subprocess.STDOUT)
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    server = Server(name="workerd", label="workerd", process=process, port=port, logfile=logfile,
                    cleanup=[lambda: shutil.rmtree(directory, ignore_errors=True)])
    try:
        waitForPort(port, process)
    except ServerError:
        server.stop()
        raise
    return server, version

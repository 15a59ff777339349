"""
Check the compatibility cases against workerd, Cloudflare's Workers runtime: the
expectations in nano/test/compat/apps/*/cases.json must be what workerd answers.

Usage: python compat/workerd.py [--build DIR] [--npm-dir DIR] [--app NAME ...] [--record]

Installs the pinned workerd with npm (into a temporary directory unless --npm-dir is
given), serves every bundle of DIR (default build/compat, made by compat/build.py)
from one workerd process, one socket per bundle, with the app's vars as bindings and
the fetch test upstream (nano.test.fetch_upstream) reachable, then runs each case.
Prints one line per failing step and a summary; exit 1 if any step differs.
--record prints what workerd answered for every step instead (to write expectations).
Run it with the interpreter NANO is installed in (it imports nano.test.compat).
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(1, os.path.dirname(HERE))

from build import DEFAULT_OUT, BuildError, install, run  # noqa: E402
from nano.test.compat.cases import loadApp, runStep, check, appNames  # noqa: E402

WORKERD = {"workerd": "1.20261117.1"}
COMPATIBILITY_DATE = "2026-11-01"


def freePort():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _capnpString(value):
    return json.dumps(value)


def writeConfig(directory, bundles, upstream, flags=()):
    """
    Write workerd's config.capnp serving C{bundles} (a list of (variant, app cases,
    bundle path, port)); return its path.
    """
    services, sockets, workers = [], [], []
    for index, (variant, cases, bundle, port) in enumerate(bundles):
        local = "w%d.js" % (index,)
        shutil.copy(bundle, os.path.join(directory, local))
        bindings = []
        env = dict(cases.env)
        if cases.upstream:
            env["UPSTREAM"] = upstream
        for name, value in env.items():
            if isinstance(value, str):
                bindings.append("(name = %s, text = %s)" % (_capnpString(name), _capnpString(value)))
            else:
                bindings.append("(name = %s, json = %s)" % (_capnpString(name), _capnpString(json.dumps(value))))
        services.append('(name = "s%d", worker = .w%d)' % (index, index))
        sockets.append('(name = "k%d", address = "127.0.0.1:%d", http = (), service = "s%d")' % (index, port, index))
        workers.append(
            'const w%d :Workerd.Worker = (\n  modules = [(name = "index.js", esModule = embed "%s")],\n'
            '  compatibilityDate = "%s",\n  compatibilityFlags = [%s],\n  bindings = [%s],\n);\n'
            % (index, local, COMPATIBILITY_DATE, ", ".join(_capnpString(f) for f in flags), ", ".join(bindings)))
    services.append('(name = "internet", network = (allow = ["public", "private", "local"]))')
    text = ('using Workerd = import "/workerd/workerd.capnp";\n'
            "const config :Workerd.Config = (\n  services = [%s],\n  sockets = [%s],\n);\n%s"
            % (",\n    ".join(services), ",\n    ".join(sockets), "".join(workers)))
    path = os.path.join(directory, "config.capnp")
    with open(path, "w") as f:
        f.write(text)
    return path


def waitForPorts(ports, process, timeout=30.0):
    deadline = time.monotonic() + timeout
    pending = list(ports)
    while pending and time.monotonic() < deadline:
        if process.poll() is not None:
            raise BuildError("workerd exited with %s" % (process.returncode,))
        try:
            with socket.create_connection(("127.0.0.1", pending[0]), timeout=1):
                pending.pop(0)
        except OSError:
            time.sleep(0.05)
    if pending:
        raise BuildError("workerd did not listen on %s" % (pending,))


def runAll(build, names, workerdBin, record, flags=()):
    with open(os.path.join(build, "manifest.json")) as f:
        manifest = json.load(f)
    bundles = []
    for variant, name in sorted(manifest["apps"].items()):
        if name in names:
            bundles.append((variant, loadApp(name), os.path.join(build, variant, "index.js"), freePort()))
    directory = tempfile.mkdtemp(prefix="nano-compat-workerd-")
    upstream = subprocess.Popen([sys.executable, "-m", "nano.test.fetch_upstream"], stdout=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, text=True)
    log = open(os.path.join(directory, "workerd.log"), "w+")
    process = None
    failures, steps, recorded = [], 0, {}
    try:
        upstreamURL = "http://127.0.0.1:%d" % (int(upstream.stdout.readline()),)
        config = writeConfig(directory, bundles, upstreamURL, flags)
        process = subprocess.Popen([workerdBin, "serve", config], cwd=directory, stdin=subprocess.DEVNULL,
                                   stdout=log, stderr=subprocess.STDOUT)
        waitForPorts([b[3] for b in bundles], process)
        for variant, cases, _, port in bundles:
            host = "%s.compat.test" % (cases.name,)
            for caseName, caseSteps in cases.cases:
                for index, step in enumerate(caseSteps):
                    steps += 1
                    status, headers, body = runStep(port, host, step)
                    if record:
                        recorded.setdefault(variant, []).append({
                            "case": caseName, "step": index, "status": status,
                            "headers": [h for h in headers if h[0].lower() not in ("date", "content-length")],
                            "body": body.decode("utf-8", "replace")})
                        continue
                    for problem in check(step.expect, status, headers, body):
                        failures.append("%s / %s [%d]: %s" % (variant, caseName, index, problem))
    finally:
        if process is not None:
            process.terminate()
            process.wait(10)
        upstream.terminate()
        upstream.wait(10)
        log.seek(0)
        output = log.read()
        log.close()
        shutil.rmtree(directory, ignore_errors=True)
    return steps, failures, recorded, output


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default=DEFAULT_OUT, help="the bundles (default: build/compat)")
    parser.add_argument("--npm-dir", help="install workerd here and keep it (default: a temporary directory)")
    parser.add_argument("--app", action="append", help="check only this app (repeatable)")
    parser.add_argument("--record", action="store_true", help="print workerd's answers instead of checking")
    parser.add_argument("--log", action="store_true", help="print workerd's output at the end")
    parser.add_argument("--flag", action="append", default=[], help="a compatibility flag to add (repeatable)")
    options = parser.parse_args(argv)
    if not os.path.isfile(os.path.join(options.build, "manifest.json")):
        sys.stderr.write("no bundles in %s: run python compat/build.py first\n" % (options.build,))
        return 2
    npmDir = options.npm_dir or tempfile.mkdtemp(prefix="nano-compat-workerd-npm-")
    try:
        install(npmDir, WORKERD)
        workerdBin = os.path.join(npmDir, "node_modules", ".bin", "workerd")
        run([workerdBin, "--version"], npmDir)
        steps, failures, recorded, output = runAll(options.build, options.app or appNames(), workerdBin,
                                                   options.record, options.flag)
    except BuildError as e:
        sys.stderr.write("compat workerd: %s\n" % (e,))
        return 2
    finally:
        if not options.npm_dir:
            shutil.rmtree(npmDir, ignore_errors=True)
    if options.log:
        sys.stdout.write(output)
    if options.record:
        json.dump(recorded, sys.stdout, indent=1)
        sys.stdout.write("\n")
        return 0
    for line in failures:
        sys.stdout.write(line + "\n")
    sys.stdout.write("workerd %s (compatibility date %s): %d steps, %d differences\n"
                     % (WORKERD["workerd"], COMPATIBILITY_DATE, steps, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

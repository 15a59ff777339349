"""
Build the library-compatibility apps: bundle each of our small apps in
nano/test/compat/apps/<name>/src/ with pinned npm versions of the libraries real
Workers apps use (hono, itty-router, jose), the way wrangler bundles a Worker
(esbuild, one ESM file, the workerd/worker/browser export conditions).

Usage: python compat/build.py [--out DIR] [--npm-dir DIR] [--app NAME ...]

Writes, for every app, DIR/<name>/index.js (readable) and DIR/<name>-min/index.js
(minified, which exercises other syntax shapes in the module loader), and
DIR/manifest.json (the pinned versions and the list of built apps). DIR defaults to
build/compat in the repository, which is git-ignored: third-party code never enters the
repository, only our app sources, the versions below and this script.

The packages are installed with npm into a temporary directory that is removed
afterwards, unless --npm-dir names a directory to install into and keep (faster
rebuilds). Needs node, npm and access to the npm registry; exits 2 with a clear
message when they are missing.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
APPS = os.path.join(ROOT, "nano", "test", "compat", "apps")
DEFAULT_OUT = os.path.join(ROOT, "build", "compat")

# The versions the compatibility tests are written against (exact pins).
PINNED = {
    "hono": "4.13.19",
    "itty-router": "5.0.24",
    "jose": "6.2.18",
    "esbuild": "0.28.2",
}

# What wrangler passes to esbuild for a Worker, written out: one ESM bundle, package
# exports resolved with the conditions workerd honours, browser fields before module
# and main, ES2022 output, function and class names kept (wrangler's keepNames default;
# a minified class would otherwise report its mangled name), and JSX through hono/jsx
# for the .jsx/.tsx files; the runtime's cloudflare:* modules stay imports.
ESBUILD_ARGS = [
    "--bundle", "--format=esm", "--platform=neutral", "--target=es2022",
    "--conditions=workerd,worker,browser", "--main-fields=browser,module,main",
    "--keep-names", "--jsx=automatic", "--jsx-import-source=hono/jsx", "--external:cloudflare:*",
    "--log-level=warning",
]
ENTRIES = ("index.ts", "index.tsx", "index.js", "index.jsx")


class BuildError(Exception):
    """
    A step of the build failed; the message says which and why.
    """


def appNames():
    """
    The names of the apps under nano/test/compat/apps that have a source entry.
    """
    return sorted(name for name in os.listdir(APPS) if findEntry(name) is not None)


def findEntry(name):
    """
    The path of app C{name}'s entry (src/index.{ts,tsx,js,jsx}), or None.
    """
    for entry in ENTRIES:
        path = os.path.join(APPS, name, "src", entry)
        if os.path.isfile(path):
            return path
    return None


def run(argv, cwd):
    """
    Run C{argv} in C{cwd}; raise L{BuildError} with its output when it fails.
    """
    try:
        result = subprocess.run(argv, cwd=cwd, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    except FileNotFoundError:
        raise BuildError("%s is not installed (needed to build the compat apps)" % (argv[0],))
    if result.returncode != 0:
        raise BuildError("%s failed (exit %d):\n%s" % (" ".join(argv), result.returncode, result.stdout))
    return result.stdout


def install(npmDir, packages=PINNED):
    """
    npm-install the pinned C{packages} into C{npmDir}.
    """
    os.makedirs(npmDir, exist_ok=True)
    manifest = {"name": "nano-compat-build", "private": True,
                "dependencies": {name: version for name, version in packages.items()}}
    with open(os.path.join(npmDir, "package.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"], npmDir)
    for name, version in packages.items():
        with open(os.path.join(npmDir, "node_modules", name, "package.json")) as f:
            installed = json.load(f)["version"]
        if installed != version:
            raise BuildError("npm installed %s %s, not the pinned %s" % (name, installed, version))


def bundle(npmDir, name, out):
    """
    Bundle app C{name} twice (readable and minified) into C{out}/<name>[-min]/index.js.
    """
    esbuild = os.path.join(npmDir, "node_modules", ".bin", "esbuild")
    # esbuild resolves packages from the entry's directory upwards, so the sources
    # are copied next to the installed node_modules.
    source = os.path.join(npmDir, "apps", name)
    shutil.rmtree(source, ignore_errors=True)
    shutil.copytree(os.path.join(APPS, name, "src"), source)
    entry = os.path.join(source, os.path.basename(findEntry(name)))
    built = []
    for suffix, extra in (("", []), ("-min", ["--minify"])):
        target = os.path.join(out, name + suffix)
        shutil.rmtree(target, ignore_errors=True)
        os.makedirs(target)
        run([esbuild, entry, *ESBUILD_ARGS, *extra, "--outfile=" + os.path.join(target, "index.js")], npmDir)
        built.append(name + suffix)
    return built


def build(out, names, npmDir=None):
    """
    Install the pinned packages, bundle C{names} into C{out}, write the manifest.
    """
    temporary = npmDir is None
    if temporary:
        npmDir = tempfile.mkdtemp(prefix="nano-compat-npm-")
    try:
        install(npmDir)
        os.makedirs(out, exist_ok=True)
        built = {}
        for name in names:
            for variant in bundle(npmDir, name, out):
                built[variant] = name
    finally:
        if temporary:
            shutil.rmtree(npmDir, ignore_errors=True)
    path = os.path.join(out, "manifest.json")
    previous = {}
    if os.path.isfile(path):
        with open(path) as f:
            previous = json.load(f)
    apps = previous.get("apps", {}) if previous.get("versions") == PINNED else {}
    apps.update(built)
    with open(path, "w") as f:
        json.dump({"versions": PINNED, "esbuild_args": ESBUILD_ARGS, "apps": apps}, f, indent=2)
    return built


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=DEFAULT_OUT, help="build directory (default: build/compat)")
    parser.add_argument("--npm-dir", help="install the packages here and keep them (default: a temporary directory)")
    parser.add_argument("--app", action="append", help="build only this app (repeatable)")
    options = parser.parse_args(argv)
    names = options.app or appNames()
    unknown = [name for name in names if findEntry(name) is None]
    if unknown:
        parser.error("no such app: %s (known: %s)" % (", ".join(unknown), ", ".join(appNames())))
    try:
        built = build(os.path.abspath(options.out), names, options.npm_dir and os.path.abspath(options.npm_dir))
    except BuildError as e:
        sys.stderr.write("compat build: %s\n" % (e,))
        return 2
    versions = ", ".join("%s %s" % item for item in PINNED.items())
    sys.stdout.write("built %d bundles in %s (%s)\n" % (len(built), options.out, versions))
    return 0


if __name__ == "__main__":
    sys.exit(main())

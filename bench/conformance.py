"""
Web-platform-tests conformance: build the WPT app from ../shared/conformance, serve it
with a real `twistd nano`, run the harness, and compare every subtest with
conformance/expectations.json.

Usage: python bench/conformance.py [--update] [--area AREA ...] [--out results.json]

Exit status 1 when a subtest that is expected to pass fails (a regression); subtests
that pass although listed as expected failures are reported so the file can be
tightened. --update rewrites the expectations of the files this run covered, keeping
the reasons already written and taking the area's default reason for new entries;
files of areas not run keep their entries.

Without ../shared/conformance (or $NANO_CONFORMANCE_DIR) it prints why and exits 0.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import ROOT, freePort, listenOn, stopProcess, twistd, waitForPort

EXPECTATIONS = os.path.join(ROOT, "conformance", "expectations.json")


def harnessDir():
    candidates = [os.environ.get("NANO_CONFORMANCE_DIR"), os.path.join(ROOT, "..", "shared", "conformance")]
    for candidate in candidates:
        if candidate and os.path.isfile(os.path.join(candidate, "run.py")):
            return os.path.abspath(candidate)
    return None


def loadExpectations():
    if not os.path.exists(EXPECTATIONS):
        return {"reasons": {}, "expected_failures": {}}
    with open(EXPECTATIONS) as f:
        return json.load(f)


def failuresOf(results):
    """
    {test file: {subtest name: status}} for every subtest that did not pass.
    """
    out = {}
    for r in results["results"]:
        failed = {f["name"]: f.get("status") for f in r.get("failed", [])}
        if failed:
            out[r["test"]] = failed
    return out


def compare(results, expectations):
    expected = expectations.get("expected_failures", {})
    regressions, fixed = [], []
    actual = failuresOf(results)
    areaOf = {r["test"]: r["area"] for r in results["results"]}
    for test, failed in actual.items():
        allowed = expected.get(test, {})
        for name in failed:
            if name not in allowed and "*" not in allowed:
                regressions.append((test, name, failed[name]))
    for test, allowed in expected.items():
        if test not in areaOf:
            continue
        for name in allowed:
            if name != "*" and name not in actual.get(test, {}):
                fixed.append((test, name))
    return regressions, fixed


def reasonFor(reasons, test, name, message):
    """
    The reason for a new expected failure: the entry of C{reasons} whose key is the
    longest prefix of C{"test :: subtest"} or C{"message:" + text contained in
    the failure message}.
    """
    for key, reason in reasons.items():
        if key.startswith("message:") and key[len("message:"):] in (message or ""):
            return reason
    best = None
    for key, reason in reasons.items():
        if not key.startswith("message:") and (test + " :: " + name).startswith(key):
            if best is None or len(key) > len(best[0]):
                best = (key, reason)
    return best[1] if best else "not yet investigated"


def update(results, expectations):
    reasons = expectations.setdefault("reasons", {})
    old = expectations.get("expected_failures", {})
    new = {}
    messages = {}
    for r in results["results"]:
        for f in r.get("failed", []):
            messages[(r["test"], f["name"])] = f.get("message") or ""
    for test, failed in sorted(failuresOf(results).items()):
        entry = {}
        for name in sorted(failed):
            entry[name] = old.get(test, {}).get(name) or reasonFor(reasons, test, name, messages.get((test, name)))
        new[test] = entry
    # Files this run did not cover (other --area values) keep their entries.
    ran = {r["test"] for r in results["results"]}
    for test, entry in old.items():
        if test not in ran:
            new[test] = entry
    expectations["expected_failures"] = dict(sorted(new.items()))
    os.makedirs(os.path.dirname(EXPECTATIONS), exist_ok=True)
    with open(EXPECTATIONS, "w") as f:
        json.dump(expectations, f, indent=1, sort_keys=True, ensure_ascii=False)
        f.write("\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--update", action="store_true")
    parser.add_argument("--area", action="append", default=[])
    parser.add_argument("--out")
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    harness = harnessDir()
    if harness is None:
        print("conformance: skipped: ../shared/conformance is not here (set NANO_CONFORMANCE_DIR)")
        return 0
    work = tempfile.mkdtemp(prefix="nano-wpt-")
    try:
        app = os.path.join(work, "app")
        subprocess.run([sys.executable, os.path.join(harness, "build_app.py"), app], check=True,
                       stdout=subprocess.DEVNULL)
        port = freePort()
        log = open(os.path.join(work, "twistd.log"), "w")
        proc = subprocess.Popen(
            twistd() + ["-n", "--pidfile=", "nano", "--app", app, "--no-access-log", "--listen", listenOn(port)],
            stdout=log, stderr=subprocess.STDOUT, cwd=work,
        )
        try:
            waitForPort(port, proc, timeout=60.0, interval=0.1)
            out = args.out or os.path.join(work, "results.json")
            command = [sys.executable, os.path.join(harness, "run.py"), "http://127.0.0.1:%d" % (port,),
                       "--out", out, "--label", "nano", "--timeout", str(args.timeout), "-q"]
            for area in args.area:
                command += ["--area", area]
            subprocess.run(command, check=True)
        finally:
            stopProcess(proc, 30)
        with open(out) as f:
            results = json.load(f)
        expectations = loadExpectations()
        if args.update:
            update(results, expectations)
            print("conformance: wrote %s" % (EXPECTATIONS,))
            return 0
        regressions, fixed = compare(results, expectations)
        for test, name in fixed:
            print("now passing (remove from expectations): %s :: %s" % (test, name))
        for test, name, status in regressions:
            print("UNEXPECTED %s: %s :: %s" % (status, test, name))
        print("conformance: %d unexpected failures, %d expected failures now pass" % (len(regressions), len(fixed)))
        return 1 if regressions else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

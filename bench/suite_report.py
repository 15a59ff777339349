"""
The figures of bench/suite.py, from raw runs to what is printed and recorded.

`summariseCell` turns the runs of one (server, cell) into medians, CPU per request
and a failure verdict; `ratios` computes the ratios issue 7 targets from a results
document; `renderTable` and `renderEntry` produce the printed table and the dated
BENCHMARKS.md entry; `appendHistory` keeps the committed bench/results.json.

A results document (what bench/results/latest.json holds, and each element of
bench/results.json) is a plain JSON object:

    date, time, command, settings{runs, duration, threads, ...}, machine{...},
    versions{...}, servers[{name, label, error}], cells[{id, label, method, path,
    connections}], results{server: {cell: summary}}, ratios[{id, label, value}]

where a summary is {rps, p50, p99, mibps, server_cpu_us, wrk_cpu_us, requests,
non2xx, socket_errors, runs[...], failed} and `failed` is null or the reason.
"""

import json
import os
import statistics

__all__ = ["summariseCell", "failedCell", "ratios", "renderTable", "renderRatios", "renderEntry",
           "appendHistory", "loadHistory"]

# Socket errors (timeouts, resets) tolerated before a cell counts as failed; any
# non-2xx response fails it.
_SOCKET_ERROR_SHARE = 0.001


def failedCell(reason):
    """
    The summary of a cell that was not measured, or not properly: C{reason} says why.
    """
    return {"rps": None, "p50": None, "p99": None, "mibps": None, "server_cpu_us": None,
            "wrk_cpu_us": None, "requests": 0, "non2xx": 0, "socket_errors": 0, "runs": [],
            "failed": reason}


def summariseCell(runs):
    """
    Summarise the runs of one server on one cell.  Each run is a dict with the
    L{bench.suite_wrk.WrkResult} fields (rps, p50, p99, mibps, requests, non2xx,
    socketErrors, wrkCPU) plus serverCPU (CPU seconds the server used during the
    run).  Figures are medians over the runs; CPU per request is total CPU over
    total requests, in microseconds.  The cell fails when any response was non-2xx
    or more than 0.1% of requests hit socket errors.
    """
    if not runs:
        return failedCell("no runs")
    requests = sum(r["requests"] for r in runs)
    non2xx = sum(r["non2xx"] for r in runs)
    socketErrors = sum(r["socketErrors"] for r in runs)
    failed = None
    if non2xx:
        failed = "%d non-2xx responses in %d requests" % (non2xx, requests)
    elif socketErrors > _SOCKET_ERROR_SHARE * max(requests, 1):
        kinds = "; ".join("run %d: %s" % (i + 1, r["socketErrorKinds"])
                          for i, r in enumerate(runs) if r.get("socketErrorKinds"))
        failed = "%d socket errors in %d requests%s" % (socketErrors, requests, " (%s)" % (kinds,) if kinds else "")

    def median(key):
        return statistics.median(r[key] for r in runs)

    def perRequest(key):
        return 1e6 * sum(r[key] for r in runs) / requests if requests else None

    return {
        "rps": median("rps"), "p50": median("p50"), "p99": median("p99"), "mibps": median("mibps"),
        "server_cpu_us": perRequest("serverCPU"), "wrk_cpu_us": perRequest("wrkCPU"),
        "requests": requests, "non2xx": non2xx, "socket_errors": socketErrors,
        "runs": runs, "failed": failed,
    }


def _figure(document, server, cell, key):
    summary = document["results"].get(server, {}).get(cell)
    if summary is None or summary["failed"] or not summary[key]:
        return None
    return summary[key]


def _ratio(a, b):
    return None if a is None or b is None else a / b


def ratios(document):
    """
    The ratios issue 7 targets, as [{id, label, cells, value}] (C{cells}: the cells
    it compares; value None when a side is missing or failed): NANO against workerd and plain twisted.web for hello (at 50
    and 10 connections) and /stream MiB/s; /json and /echo req/s relative to hello
    per server; NANO's server CPU per request against the peers'; NANO with the
    access log against without.
    """
    def fig(server, cell, key="rps"):
        return _figure(document, server, cell, key)

    out = []
    for cell, what in (("hello50", "hello, 50 connections"), ("hello10", "hello, 10 connections")):
        for peer, peerLabel in (("workerd", "workerd"), ("plain", "plain twisted.web")):
            out.append({"id": "%s_nano_%s" % (cell, peer), "cells": [cell],
                        "label": "%s: NANO / %s req/s" % (what, peerLabel),
                        "value": _ratio(fig("nano", cell), fig(peer, cell))})
    for peer, peerLabel in (("workerd", "workerd"), ("plain", "plain twisted.web")):
        out.append({"id": "stream_nano_%s" % (peer,), "cells": ["stream"],
                    "label": "/stream: NANO / %s MiB/s" % (peerLabel,),
                    "value": _ratio(fig("nano", "stream", "mibps"), fig(peer, "stream", "mibps"))})
    for cell in ("json", "echo"):
        for server, serverLabel in (("nano", "NANO"), ("workerd", "workerd"), ("plain", "plain twisted.web")):
            out.append({"id": "%s_over_hello_%s" % (cell, server), "cells": [cell, "hello50"],
                        "label": "/%s / hello req/s, %s" % (cell, serverLabel),
                        "value": _ratio(fig(server, cell), fig(server, "hello50"))})
    # CPU per request moves less than req/s when other work shares the machine.
    for cell, what in (("hello50", "hello, 50 connections"), ("hello10", "hello, 10 connections"),
                       ("json", "/json"), ("stream", "/stream"), ("echo", "/echo")):
        for peer, peerLabel in (("workerd", "workerd"), ("plain", "plain twisted.web")):
            out.append({"id": "%s_cpu_nano_%s" % (cell, peer), "cells": [cell],
                        "label": "%s: NANO / %s server CPU per request" % (what, peerLabel),
                        "value": _ratio(fig("nano", cell, "server_cpu_us"), fig(peer, cell, "server_cpu_us"))})
    out.append({"id": "hello50_nanolog_nano", "cells": ["hello50"], "label": "hello, 50 connections: NANO access log on / off req/s",
                "value": _ratio(fig("nano-log", "hello50"), fig("nano", "hello50"))})
    return out


def _num(value, template, missing="–"):
    return missing if value is None else template % (value,)


def renderTable(document):
    """
    A Markdown table: one row per (cell, server) measured or failed.
    """
    runs = document["settings"]["runs"]
    lines = [
        "| route | conns | server | req/s (median of %d) | p50 | p99 | MiB/s | server CPU/req | wrk CPU/req |" % (runs,),
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    labels = {s["name"]: s["label"] for s in document["servers"]}
    for cell in document["cells"]:
        for server in document["servers"]:
            summary = document["results"].get(server["name"], {}).get(cell["id"])
            if summary is None:
                continue
            head = "| %s %s | %d | %s |" % (cell["method"], cell["path"], cell["connections"], labels[server["name"]])
            if summary["rps"] is None:
                lines.append(head + " failed | | | | | |")
                continue
            lines.append(head + " %s%s | %s | %s | %s | %s | %s |" % (
                _num(summary["rps"], "%.0f"), " (failed)" if summary["failed"] else "",
                _num(summary["p50"], "%.2f ms"), _num(summary["p99"], "%.2f ms"),
                _num(summary["mibps"], "%.1f"), _num(summary["server_cpu_us"], "%.0f µs"),
                _num(summary["wrk_cpu_us"], "%.0f µs")))
    return "\n".join(lines)


def renderRatios(document):
    """
    The ratios as a Markdown list (those of cells the run measured), then what
    failed and why.
    """
    lines = []
    measured = {c["id"] for c in document["cells"]}
    for ratio in document["ratios"]:
        if not measured.issuperset(ratio["cells"]):
            continue
        value = "not measured" if ratio["value"] is None else "**%.2f**" % (ratio["value"],)
        lines.append("- %s = %s" % (ratio["label"], value))
    failures = []
    labels = {s["name"]: s["label"] for s in document["servers"]}
    for server in document["servers"]:
        for crash in server.get("startup_failures", []):
            failures.append("- %s: a start died before listening (%s), started again" % (
                server["label"], crash.split(";", 1)[0]))
        if server.get("error"):
            failures.append("- %s: not measured: %s" % (server["label"], server["error"]))
        for cellId, summary in document["results"].get(server["name"], {}).items():
            if summary["failed"]:
                cell = next(c for c in document["cells"] if c["id"] == cellId)
                failures.append("- %s %s %s (%d connections): failed: %s" % (
                    labels[server["name"]], cell["method"], cell["path"], cell["connections"], summary["failed"]))
    if failures:
        lines += ["", "Failed or not measured:", ""] + failures
    return "\n".join(lines)


def _heading(document):
    """
    "## Suite: ..., DATE HH:MM UTC", naming the cells when the run measured only some.
    """
    cells = [c["id"] for c in document["cells"]]
    subset = "" if len(cells) == 5 else " (only %s)" % (", ".join(cells),)
    return "## Suite: NANO vs workerd vs plain twisted.web%s, %s %s UTC" % (
        subset, document["date"], document["time"][11:16])


def renderEntry(document):
    """
    The dated BENCHMARKS.md entry: command, settings, machine, versions, the table,
    the ratios and the failures.
    """
    settings, machine, versions = document["settings"], document["machine"], document["versions"]
    return "\n".join([
        "",
        _heading(document),
        "",
        "Command: `%s` (wrk -t%d -d%ds --latency per cell at the connections shown, rounds "
        "interleaved plain, workerd, NANO; median of %d; /echo POSTs %d bytes from a wrk Lua "
        "script; /stream is %d bytes as 16 chunks; MiB/s is wrk's Transfer/sec; CPU per request "
        "is the server's /proc/PID/stat time and wrk's rusage over all runs of the cell)." % (
            document["command"], settings["threads"], settings["duration"], settings["runs"],
            settings["echo_bytes"], settings["stream_bytes"]),
        "Machine: %s, %d cores (%s), %s GiB, 1-minute load average %s at start and %s at the end "
        "(the machine is shared); Python %s." % (
            machine["platform"], machine["cpus"], machine["cpu_model"], machine["memory_gib"],
            machine["load_start"], machine.get("load_end", "?"), versions["python"]),
        "Versions: %s." % (", ".join("%s %s" % (k, v) for k, v in versions.items() if k != "python"),),
        "",
        renderTable(document),
        "",
        renderRatios(document),
        "",
    ])


def loadHistory(path):
    """
    The list of results documents in C{path} (a JSON array), or [] if absent.
    """
    if not os.path.exists(path):
        return []
    with open(path) as f:
        history = json.load(f)
    if not isinstance(history, list):
        raise ValueError("%s: expected a JSON array of results, got %s" % (path, type(history).__name__))
    return history


def appendHistory(path, document):
    """
    Append C{document} (without its per-run detail, to keep the committed file
    small) to the JSON array in C{path}.
    """
    slim = dict(document, results={
        server: {cell: {k: v for k, v in summary.items() if k != "runs"} for cell, summary in cells.items()}
        for server, cells in document["results"].items()})
    history = loadHistory(path) + [slim]
    with open(path, "w") as f:
        json.dump(history, f, indent=1, ensure_ascii=False)
        f.write("\n")

"""
Small SVG bar charts of a bench/suite.py result for the docs' Performance page:
NANO against workerd and plain twisted.web.

    python bench/charts.py [--input bench/results.json] [--out DIR]

--input is a results document (bench/results/latest.json) or the committed history
(bench/results.json, a JSON array, newest last). From a history each chart is drawn
from the newest run that measured its cells (so a later run of /stream alone updates
the streaming chart), or every chart from the entry --entry N names (0 the oldest, -1
the newest). Each chart's subtitle says which run it shows. Writes three files into
--out (default bench/results/charts/):

- rps.svg: requests per second for hello (50 and 10 connections), JSON and echo;
- p99.svg: p99 latency of the same cells;
- stream.svg: /stream throughput in MiB/s.

The SVG is written by hand: horizontal bars, one group per route, each bar labelled
with its server and figure; a failed or missing cell is written out as such, not
drawn as zero.
"""

import argparse
import datetime
import json
import os
import sys
from xml.sax.saxutils import escape, quoteattr

__all__ = ["CHARTS", "SERIES", "barChart", "chartsFromDocument", "chartsFromHistory", "loadDocument", "loadHistory",
           "main"]

HERE = os.path.dirname(os.path.abspath(__file__))

# (server name in the results, label, bar colour), in drawing order.
SERIES = (
    ("nano", "NANO", "#1f6feb"),
    ("workerd", "workerd", "#f38020"),
    ("plain", "plain twisted.web", "#6e7781"),
)

_WIDTH = 660
_MARGIN = 10
_LABEL_WIDTH = 160
_BAR_SPACE = 360
_BAR_HEIGHT = 16
_BAR_GAP = 4
_GROUP_GAP = 14
_NOTHING = "not measured in this run"
_FONT = "system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"


def _text(x, y, content, size=12, anchor="start", weight="normal", fill="#24292f"):
    return '<text x="%g" y="%g" font-size="%d" text-anchor="%s" font-weight="%s" fill="%s">%s</text>' % (
        x, y, size, anchor, weight, fill, escape(content))


def barChart(title, subtitle, groups, formatValue):
    """
    An SVG document (a string) with C{title} and C{subtitle} on top and, for each
    C{(groupLabel, bars)} of C{groups}, one horizontal bar per C{(label, value,
    colour)} of C{bars}, scaled to the largest value of the chart and labelled with
    C{formatValue(value)}.  A bar whose value is a string (why it is missing) is
    drawn as that text instead; without groups the chart says "not measured in
    this run".
    """
    values = [value for _, bars in groups for _, value, _ in bars if isinstance(value, (int, float))]
    scale = _BAR_SPACE / max(values) if values and max(values) > 0 else 0.0
    body = [_text(_MARGIN, 18, title, size=15, weight="bold"),
            _text(_MARGIN, 36, subtitle, size=11, fill="#57606a")]
    y = 52
    for groupLabel, bars in groups:
        y += _GROUP_GAP
        body.append(_text(_MARGIN, y + 12, groupLabel, size=13, weight="bold"))
        y += 18
        for label, value, colour in bars:
            middle = y + _BAR_HEIGHT / 2 + 4
            body.append(_text(_LABEL_WIDTH - 8, middle, label, anchor="end"))
            if isinstance(value, (int, float)):
                width = max(value * scale, 1.0)
                body.append('<rect x="%d" y="%g" width="%.1f" height="%d" rx="2" fill=%s><title>%s</title></rect>' % (
                    _LABEL_WIDTH, y, width, _BAR_HEIGHT, quoteattr(colour),
                    escape("%s, %s: %s" % (groupLabel, label, formatValue(value)))))
                body.append(_text(_LABEL_WIDTH + width + 6, middle, formatValue(value)))
            else:
                body.append(_text(_LABEL_WIDTH, middle, value, fill="#cf222e"))
            y += _BAR_HEIGHT + _BAR_GAP
    if not groups:
        y += _GROUP_GAP + 18
        body.append(_text(_MARGIN, y, _NOTHING, fill="#cf222e"))
    height = y + 10
    return "\n".join([
        '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
        'role="img" aria-labelledby="chart-title" font-family=%s>' % (_WIDTH, height, _WIDTH, height, quoteattr(_FONT)),
        '<title id="chart-title">%s</title>' % (escape(title),),
        '<rect width="100%" height="100%" fill="#ffffff"/>',
    ] + body + ["</svg>", ""])


def _value(document, server, cell, key):
    """
    The figure, or a string saying why there is none.
    """
    if server not in {s["name"] for s in document["servers"]}:
        return "not in this run"
    info = next(s for s in document["servers"] if s["name"] == server)
    if info.get("error"):
        return "not measured"
    summary = document["results"].get(server, {}).get(cell)
    if summary is None:
        return "not measured"
    if summary["failed"] or summary[key] is None:
        return "failed"
    return summary[key]


def _groups(document, cells, key):
    known = {c["id"]: c for c in document["cells"]}
    groups = []
    for cell, label in cells:
        if cell not in known:
            continue
        groups.append(("%s (%d connections)" % (label, known[cell]["connections"]),
                       [(name, _value(document, server, cell, key), colour) for server, name, colour in SERIES]))
    return groups


_LATENCY_CELLS = (("hello50", "GET / hello"), ("hello10", "GET / hello"), ("json", "GET /json"),
                  ("echo", "POST /echo 64 KiB"))

# (file name, title, cells drawn, summary key, value format), in the order of the page.
CHARTS = (
    ("rps.svg", "Requests per second (higher is better)", _LATENCY_CELLS, "rps", lambda v: "{:,.0f} req/s".format(v)),
    ("p99.svg", "p99 latency (lower is better)", _LATENCY_CELLS, "p99", lambda v: "{:,.2f} ms".format(v)),
    ("stream.svg", "Streaming 1 MiB responses (higher is better)", (("stream", "GET /stream"),), "mibps",
     lambda v: "{:,.0f} MiB/s".format(v)),
)


def _subtitle(document):
    """
    Which run a chart shows: its date and time, NANO's commit, the machine, wrk's
    settings and workerd's version.
    """
    machine = document["machine"]
    settings = document["settings"]
    when = document["date"]
    if document.get("time"):
        moment = datetime.datetime.fromisoformat(document["time"]).astimezone(datetime.timezone.utc)
        when = moment.strftime("%Y-%m-%d %H:%M UTC")
    nano = document.get("versions", {}).get("nano")
    return "%s%s · %d cores · wrk -t%d -d%ds, median of %d · %s" % (
        when, " · nano " + nano if nano else "", machine["cpus"], settings["threads"], settings["duration"],
        settings["runs"], "workerd " + document["versions"].get("workerd", "not measured").split(" (")[0])


def _chart(document, spec):
    name, title, cells, key, formatValue = spec
    return barChart(title, _subtitle(document), _groups(document, cells, key), formatValue)


def chartsFromDocument(document):
    """
    The three charts of one results document, as {file name: SVG text}.
    """
    return {spec[0]: _chart(document, spec) for spec in CHARTS}


def _measured(document, cells):
    return {cell for cell, _ in cells}.issubset(c.get("id") for c in document.get("cells", []))


def chartsFromHistory(documents):
    """
    The three charts of a results history (oldest first), as {file name: SVG
    text}: each chart is drawn from the newest run that measured all of its cells
    (a run of some cells only, like C{--cells stream}, then updates the charts of
    those cells and leaves the others to the last full run).  A chart no run
    measured is drawn from the newest run, where its cells read "not measured".
    """
    if not documents:
        raise ValueError("the results history is empty")
    charts = {}
    for spec in CHARTS:
        measured = [d for d in documents if _measured(d, spec[2])]
        charts[spec[0]] = _chart((measured or documents)[-1], spec)
    return charts


def loadHistory(path):
    """
    The results documents in C{path}, oldest first: the entries of a history
    array, or the one document.  Raises C{ValueError} for an empty history or
    another shape.
    """
    with open(path) as f:
        data = json.load(f)
    documents = data if isinstance(data, list) else [data]
    if not documents:
        raise ValueError("%s: the results history is empty" % (path,))
    for document in documents:
        if not isinstance(document, dict) or "results" not in document or "cells" not in document:
            raise ValueError("%s: expected a bench/suite.py results document (or an array of them)" % (path,))
    return documents


_ALL_CELLS = {"hello50", "hello10", "json", "stream", "echo"}


def loadDocument(path, entry=None):
    """
    The results document in C{path}: the object itself, or from a history array
    the entry at index C{entry}, by default the newest that measured every cell
    (the newest of all when none did).  Raises C{ValueError} for an empty
    history, an index out of range or another shape.
    """
    with open(path) as f:
        data = json.load(f)
    if isinstance(data, list):
        if not data:
            raise ValueError("%s: the results history is empty" % (path,))
        if entry is not None:
            if not -len(data) <= entry < len(data):
                raise ValueError("%s: no entry %d (the history has %d)" % (path, entry, len(data)))
            data = data[entry]
        else:
            complete = [d for d in data if isinstance(d, dict)
                        and _ALL_CELLS.issubset(c.get("id") for c in d.get("cells", []))]
            data = (complete or data)[-1]
    if not isinstance(data, dict) or "results" not in data or "cells" not in data:
        raise ValueError("%s: expected a bench/suite.py results document (or an array of them)" % (path,))
    return data


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    history = os.path.join(HERE, "results.json")
    parser.add_argument("--input", default=history if os.path.exists(history) else os.path.join(
        HERE, "results", "latest.json"), help="results document or history (default bench/results.json)")
    parser.add_argument("--entry", type=int, default=None,
                        help="index of the history entry to draw every chart from (default: each chart from the "
                             "newest run that measured its cells)")
    parser.add_argument("--out", default=os.path.join(HERE, "results", "charts"), help="directory for the SVG files")
    args = parser.parse_args(argv)
    try:
        if args.entry is None:
            charts = chartsFromHistory(loadHistory(args.input))
        else:
            charts = chartsFromDocument(loadDocument(args.input, args.entry))
    except (OSError, ValueError) as e:
        sys.exit("charts: %s" % (e,))
    os.makedirs(args.out, exist_ok=True)
    for name, svg in charts.items():
        path = os.path.join(args.out, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(svg)
        print("wrote %s" % (path,))


if __name__ == "__main__":
    main()

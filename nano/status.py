"""
The operator status page: C{GET /} on the admin listener (behind the same token as
C{/admin/*}; L{nano.admin} puts it there).

One small HTML page: the server's state (serving or draining), its uptime and
totals, then one row per configured app with its state, hostnames, requests,
errors, requests in flight, heap (as the isolate last reported it), isolate starts and the last
isolate reset (kind and time), and the load error of an app that failed to load.
The page reloads itself every L{REFRESH_SECONDS} seconds with a C{<meta
http-equiv="refresh">}: a script polling C{/admin/apps} could not send the bearer
token the browser (or the proxy in front of it) sent for the page.

Everything is inline (CSS in a C{<style>}, no script, no image, no font); the
C{Content-Security-Policy} header says so, so that the browser fetches nothing else.
The page is rendered with L{twisted.web.template}: every app name, hostname and load
error is text that the flattener escapes, never markup.

The numbers come from L{statusSnapshot}, a plain dict, so that rendering can be
tested on its own.
"""

import datetime

from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET
from twisted.web.template import Element, XMLString, renderElement, renderer, tags

__all__ = ["REFRESH_SECONDS", "StatusElement", "StatusPage", "statusSnapshot"]

REFRESH_SECONDS = 5

# What the browser may load for this page: nothing but its own inline style (no
# script, no image, no favicon), and no other site may frame it.
_CSP = b"default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

# The CSS has no ">", "<" or "&": the flattener escapes text, <style> included.
_TEMPLATE = """\
<html xmlns:t="http://twistedmatrix.com/ns/twisted.web.template/0.1" lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<meta http-equiv="refresh" t:render="refresh" />
<title t:render="title" />
<style>
:root { color-scheme: light dark; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #ffffff;
  --head: #f6f8fa; --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9198a1; --line: #3d444d;
  --bg: #0d1117; --head: #151b23; --ok: #3fb950; --warn: #d29922; --bad: #f85149; } }
body { margin: 0; padding: 1.5rem 2rem; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial,
  sans-serif; color: var(--fg); background: var(--bg); }
h1 { font-size: 1.35rem; margin: 0 0 1rem; display: flex; gap: .75rem; align-items: center; }
.badge { font-size: .8rem; font-weight: 600; padding: .1rem .55rem; border-radius: 1rem; border: 1px solid; }
.serving, .ready { color: var(--ok); }
.draining, .loading, .idle { color: var(--warn); }
.failed, .stopped { color: var(--bad); }
dl.summary { display: flex; flex-wrap: wrap; gap: .5rem 2rem; margin: 0 0 1.25rem; }
dl.summary div { display: flex; flex-direction: column; }
dl.summary dt { color: var(--muted); font-size: .8rem; }
dl.summary dd { margin: 0; font-size: 1.15rem; font-variant-numeric: tabular-nums; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .4rem .7rem; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th, tfoot th, tfoot td { background: var(--head); }
th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.name { font-weight: 600; }
code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.hosts code { display: block; }
.muted { color: var(--muted); }
tr.with-error td { border-bottom: none; }
tr.load-error td { color: var(--bad); padding-top: 0; }
tr.load-error pre { margin: 0; white-space: pre-wrap; word-break: break-word; }
footer { margin-top: 1rem; color: var(--muted); font-size: .8rem; }
</style>
</head>
<body>
<h1>NANO status <span t:render="serverState" /></h1>
<dl class="summary" t:render="summary" />
<table>
<thead><tr>
<th>App</th><th>State</th><th>Hostnames</th><th class="num">Requests</th><th class="num">Errors</th>
<th class="num">In flight</th><th class="num">Heap</th><th class="num">Isolate starts</th><th>Last reset</th>
</tr></thead>
<tbody t:render="apps" />
<tfoot t:render="totals" />
</table>
<footer t:render="footer" />
</body>
</html>
"""


def _iso(seconds):
    moment = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _duration(seconds):
    """
    C{seconds} as a short human duration: C{"42 s"}, C{"3 min 5 s"}, C{"2 h 7 min"},
    C{"4 d 1 h"}.
    """
    seconds = max(0, int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return "%d d %d h" % (days, hours)
    if hours:
        return "%d h %d min" % (hours, minutes)
    if minutes:
        return "%d min %d s" % (minutes, secs)
    return "%d s" % (secs,)


def _number(value):
    return "{:,}".format(value)


def statusSnapshot(apps, draining, now, startedAt):
    """
    What the page shows, as plain data.

    @param apps: the configured L{nano.app.App}s.
    @param draining: whether shutdown began.
    @param now: the current time (seconds since the epoch).
    @param startedAt: when the server started (seconds since the epoch).
    @return: C{{"state", "now", "uptime_s", "apps": [...], "totals": {...}}}; each
        app is C{{name, hostnames, state, requests, errors, inflight, heap_bytes
        (None: not measured yet), isolate_starts, last_reset ((kind, seconds) or
        None), load_error}}.
    """
    rows = []
    for app in apps:
        stats = app.stats
        rows.append({
            "name": app.name,
            "hostnames": list(app.config.hostnames),
            "state": app.state,
            "requests": app.requests,
            "errors": app.errors,
            "inflight": app.inflight,
            "heap_bytes": stats.heapBytes,
            "isolate_starts": sum(stats.starts.values()),
            "last_reset": stats.lastReset,
            "load_error": app.loadError,
        })
    states = {}
    for row in rows:
        states[row["state"]] = states.get(row["state"], 0) + 1
    totals = {key: sum(row[key] for row in rows) for key in ("requests", "errors", "inflight", "isolate_starts")}
    totals["apps"] = len(rows)
    totals["states"] = states
    return {"state": "draining" if draining else "serving", "now": now, "uptime_s": now - startedAt,
            "apps": rows, "totals": totals}


class StatusElement(Element):
    """
    The page for one L{statusSnapshot}.
    """

    loader = XMLString(_TEMPLATE)

    def __init__(self, snapshot, refresh=REFRESH_SECONDS):
        Element.__init__(self)
        self._snapshot = snapshot
        self._refresh = refresh

    @renderer
    def refresh(self, request, tag):
        return tag(content=str(self._refresh))

    @renderer
    def title(self, request, tag):
        return tag("NANO status: %s" % (self._snapshot["state"],))

    @renderer
    def serverState(self, request, tag):
        state = self._snapshot["state"]
        return tag(state, class_="badge " + state)

    @renderer
    def summary(self, request, tag):
        totals = self._snapshot["totals"]
        byState = ", ".join("%d %s" % (count, state) for state, count in sorted(totals["states"].items()))
        items = [
            ("Uptime", _duration(self._snapshot["uptime_s"])),
            ("Apps", "%d (%s)" % (totals["apps"], byState) if byState else "0"),
            ("Requests", _number(totals["requests"])),
            ("Errors (5xx)", _number(totals["errors"])),
            ("In flight", _number(totals["inflight"])),
        ]
        return tag([tags.div(tags.dt(label), tags.dd(value)) for label, value in items])

    def _lastReset(self, reset):
        if reset is None:
            return tags.span("never", class_="muted")
        kind, at = reset
        return [kind, " ", tags.time("%s ago" % (_duration(self._snapshot["now"] - at),),
                                     datetime=_iso(at), title=_iso(at), class_="muted")]

    @renderer
    def apps(self, request, tag):
        rows = []
        for app in self._snapshot["apps"]:
            hostnames = [tags.code(name) for name in app["hostnames"]] or tags.span("none", class_="muted")
            heap = (tags.span("n/a", class_="muted", title="not reported yet") if app["heap_bytes"] is None
                    else _number(app["heap_bytes"]))
            rows.append(tags.tr(
                tags.td(app["name"], class_="name"),
                tags.td(app["state"], class_="state " + app["state"]),
                tags.td(hostnames, class_="hosts"),
                tags.td(_number(app["requests"]), class_="num"),
                tags.td(_number(app["errors"]), class_="num"),
                tags.td(_number(app["inflight"]), class_="num"),
                tags.td(heap, class_="num"),
                tags.td(_number(app["isolate_starts"]), class_="num"),
                tags.td(self._lastReset(app["last_reset"]), class_="reset"),
                class_="app with-error" if app["load_error"] else "app",
            ))
            if app["load_error"]:
                rows.append(tags.tr(tags.td(), tags.td(tags.pre(app["load_error"]), colspan="8"),
                                    class_="load-error"))
        if not rows:
            rows.append(tags.tr(tags.td("No apps are configured.", colspan="9", class_="muted")))
        return tag(rows)

    @renderer
    def totals(self, request, tag):
        totals = self._snapshot["totals"]
        return tag(tags.tr(
            tags.th("All apps", colspan="3"),
            tags.td(_number(totals["requests"]), class_="num"),
            tags.td(_number(totals["errors"]), class_="num"),
            tags.td(_number(totals["inflight"]), class_="num"),
            tags.td(""),
            tags.td(_number(totals["isolate_starts"]), class_="num"),
            tags.td(""),
        ))

    @renderer
    def footer(self, request, tag):
        return tag(
            "Updated ", tags.time(_iso(self._snapshot["now"]), datetime=_iso(self._snapshot["now"])),
            "; refreshes every %d s. Requests, errors and in flight count the running version of each app; "
            "isolate starts and the last reset count every version since the server started. "
            "JSON: /admin/apps. Prometheus: /metrics." % (self._refresh,))


class StatusPage(Resource):
    """
    The status page resource (a leaf; the caller checks the token).

    @param snapshot: returns the current L{statusSnapshot}.
    """

    isLeaf = True

    def __init__(self, snapshot, refresh=REFRESH_SECONDS):
        Resource.__init__(self)
        self._snapshot = snapshot
        self._refresh = refresh

    def render_GET(self, request):
        request.setHeader(b"content-type", b"text/html; charset=utf-8")
        request.setHeader(b"cache-control", b"no-store")
        request.setHeader(b"content-security-policy", _CSP)
        request.setHeader(b"x-content-type-options", b"nosniff")
        request.setHeader(b"referrer-policy", b"no-referrer")
        return renderElement(request, StatusElement(self._snapshot(), self._refresh))


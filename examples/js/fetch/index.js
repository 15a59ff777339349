// Request, Response, Headers and outbound fetch() in one small app.
// Served by nano/test/test_examples.py, which checks every route below.

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);

    // #region request
    if (url.pathname === "/inspect") {
      // The request: full URL, method, headers (repeats joined by ", "), body.
      return Response.json({
        method: request.method,
        url: request.url,
        agent: request.headers.get("user-agent"),
        body: request.method === "POST" ? await request.text() : null,
      });
    }
    // #endregion request

    // #region headers
    if (url.pathname === "/cookies") {
      // Several Set-Cookie headers reach the client one by one.
      const headers = new Headers({ "content-type": "text/plain" });
      headers.append("set-cookie", "session=abc; Path=/; HttpOnly");
      headers.append("set-cookie", "theme=dark; Path=/");
      return new Response(`${headers.getSetCookie().length} cookies\n`, { headers });
    }
    // #endregion headers

    // #region outbound
    if (url.pathname === "/upstream") {
      // Outbound fetch() through the reactor, with a deadline.
      const response = await fetch(new URL("/echo?from=nano", env.UPSTREAM), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ hello: "upstream" }),
        signal: AbortSignal.timeout(5000),
      });
      const echoed = await response.json();
      return Response.json({ status: response.status, sawBody: echoed.body });
    }
    // #endregion outbound

    // #region static
    if (url.pathname === "/old") {
      return Response.redirect(new URL("/inspect", request.url).href, 301);
    }
    // #endregion static

    return Response.json({ error: "not found" }, { status: 404 });
  },
};

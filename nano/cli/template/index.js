// A NANO app, created by `nano new`. It is a Cloudflare-Workers-style ES module:
// the default export's fetch() answers every request sent to the app.
//
// Serve it alone:       twistd -n nano --app . --port 8080
// Then try:             curl http://127.0.0.1:8080/
//                       curl http://127.0.0.1:8080/json?name=you

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);

    if (url.pathname === "/") {
      const name = env.APP_NAME ?? "a NANO app";
      return new Response(`Hello from ${name}!\n`, {
        headers: { "content-type": "text/plain; charset=utf-8" },
      });
    }

    if (url.pathname === "/json") {
      return Response.json({
        hello: url.searchParams.get("name") ?? "world",
        method: request.method,
        host: url.host,
      });
    }

    return new Response("not found\n", { status: 404 });
  },
};

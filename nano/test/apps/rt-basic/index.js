// Runtime test app: echoes, delays with timers, reports aborts.
let aborted = [];
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/delay") {
      const ms = Number(url.searchParams.get("ms"));
      await new Promise((resolve) => setTimeout(resolve, ms));
      return new Response("after " + ms);
    }
    if (url.pathname === "/hang") {
      request.signal.addEventListener("abort", () => aborted.push(url.search));
      return new Promise(() => {});
    }
    if (url.pathname === "/aborted") return Response.json(aborted);
    if (url.pathname === "/env") return Response.json(env);
    return new Response(request.method + " " + url.pathname + " " + (await request.text()));
  },
};

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
    if (url.pathname === "/gc") return Response.json([typeof globalThis.__nanoGC, typeof globalThis.gc]);
    if (url.pathname === "/origin") return new Response(String(performance.timeOrigin));
    if (url.pathname === "/agent") return new Response(navigator.userAgent);
    if (url.pathname === "/log") {
      console.log("in the handler");
      return new Response("logged");
    }
    if (url.pathname === "/bytes") {
      const n = Number(url.searchParams.get("n"));
      const bytes = new Uint8Array(n);
      for (let i = 0; i < n; i++) bytes[i] = i & 0xff;
      return new Response(bytes);
    }
    return new Response(request.method + " " + url.pathname + " " + (await request.text()));
  },
};

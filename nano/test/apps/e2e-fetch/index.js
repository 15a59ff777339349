// The app of the fetch end-to-end tests: GET /?u=URL&... fetches URL and answers with
// what it got, as JSON ({status, url, redirected, headers, text} or {error, name}).
let background = null;

async function describe(promise) {
  try {
    const r = await promise;
    return { status: r.status, url: r.url, redirected: r.redirected, type: r.type,
      headers: [...r.headers], cookies: r.headers.getSetCookie(), text: await r.text() };
  } catch (e) {
    return { error: String(e.message), name: e.name };
  }
}

export default {
  async fetch(request, env, ctx) {
    const params = new URL(request.url).searchParams;
    const target = params.get("u");
    if (params.has("background")) {
      // A fetch that outlives the handler (ctx.waitUntil): its outcome is kept.
      background = "pending";
      ctx.waitUntil(describe(fetch(target)).then((d) => { background = d; }));
      return new Response("started");
    }
    if (params.has("result")) return Response.json(background);
    if (params.has("times")) {
      const results = [];
      for (let i = 0; i < Number(params.get("times")); i++) results.push(await describe(fetch(target)));
      return Response.json(results);
    }
    const init = { method: params.get("method") || "GET", redirect: params.get("redirect") || "follow" };
    if (params.has("body")) init.body = params.get("body");
    if (params.has("abortAfter")) init.signal = AbortSignal.timeout(Number(params.get("abortAfter")));
    init.headers = { "x-app": "yes" };
    return Response.json(await describe(fetch(target, init)));
  },
};

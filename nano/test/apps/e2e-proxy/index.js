// The app of the streaming fetch end-to-end tests (nano/test/test_fetch_stream_e2e.py).
// env.UPSTREAM is the test upstream's base URL.
//   /p1/<path>: return fetch(upstream URL, request): the incoming request is the init
//   /p2/<path>: return fetch(upstream URL, {method, headers, body: request.body, duplex})
//   /hold?mb=N: fetch /huge?mb=N, read one chunk, wait, report what the upstream wrote
//     meanwhile, then cancel the body
//   /read?path=P: read the upstream body of P whole with arrayBuffer()
//   /stream?path=P: read the upstream body of P as a stream, counting bytes
//   /bodyerror: POST a stream that fails after 100 KiB; report fetch()'s rejection
//   /abortbody: fetch /huge, read a chunk, abort the signal, report the next read
function upstreamURL(env, request, prefix) {
  const url = new URL(request.url);
  return env.UPSTREAM + url.pathname.slice(prefix.length) + url.search;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function stats(env) {
  return (await fetch(env.UPSTREAM + "/stats")).json();
}

function failure(e) {
  return { name: e.name, message: String(e.message), cause: e.cause === undefined ? null : String(e.cause) };
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const params = url.searchParams;
    if (url.pathname.startsWith("/p1/")) return fetch(upstreamURL(env, request, "/p1"), request);
    if (url.pathname.startsWith("/p2/")) {
      return fetch(upstreamURL(env, request, "/p2"), {
        method: request.method, headers: request.headers, body: request.body, duplex: "half",
      });
    }
    if (url.pathname === "/hold") {
      const response = await fetch(env.UPSTREAM + "/huge?mb=" + params.get("mb"));
      const reader = response.body.getReader();
      const first = await reader.read();
      await sleep(Number(params.get("ms") || "500"));
      const written = (await stats(env)).written;
      await reader.cancel("enough");
      return Response.json({ first: first.value.length, written });
    }
    if (url.pathname === "/read") {
      try {
        const body = await (await fetch(env.UPSTREAM + params.get("path"))).arrayBuffer();
        return Response.json({ length: body.byteLength });
      } catch (e) {
        return Response.json(failure(e));
      }
    }
    if (url.pathname === "/stream") {
      let total = 0;
      try {
        const response = await fetch(env.UPSTREAM + params.get("path"));
        for await (const chunk of response.body) total += chunk.length;
        return Response.json({ length: total });
      } catch (e) {
        return Response.json(Object.assign(failure(e), { length: total }));
      }
    }
    if (url.pathname === "/bodyerror") {
      let sent = 0;
      const body = new ReadableStream({
        pull(controller) {
          if (sent >= 100 * 1024) {
            controller.error(new RangeError("the generator broke"));
            return;
          }
          sent += 16 * 1024;
          controller.enqueue(new Uint8Array(16 * 1024));
        },
      });
      try {
        await fetch(env.UPSTREAM + "/upload", { method: "POST", body, duplex: "half" });
        return Response.json({ name: null });
      } catch (e) {
        return Response.json(failure(e));
      }
    }
    if (url.pathname === "/abortbody") {
      const controller = new AbortController();
      const response = await fetch(env.UPSTREAM + "/huge?mb=64", { signal: controller.signal });
      const reader = response.body.getReader();
      await reader.read();
      controller.abort(new RangeError("stopped by the app"));
      try {
        for (;;) {
          const { done } = await reader.read();
          if (done) return Response.json({ name: null });
        }
      } catch (e) {
        return Response.json(failure(e));
      }
    }
    return new Response("not found", { status: 404 });
  },
};

// The app of bench/fetch_stream.py: proxies to env.UPSTREAM, streaming both ways.
//   GET /down?mb=N -> the upstream's /huge?mb=N body (N MiB), streamed to the client
//   POST /up       -> the request body streamed to the upstream's /upload (which
//                     discards it when the client sends X-Discard), its answer back
export default {
  fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/down") return fetch(env.UPSTREAM + "/huge" + url.search);
    if (url.pathname === "/up") return fetch(env.UPSTREAM + "/upload", request);
    return new Response("not found", { status: 404 });
  },
};

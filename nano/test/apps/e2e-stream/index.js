// End-to-end test app for streamed bodies.
//   /sse          three events, the first at once, then one every 300 ms
//   /endless      64 KiB chunks for ever; counts pull() calls (see /stats)
//   /stats        JSON: pulls of /endless, cancel reasons, aborted request signals
//   /echo         the request body piped back through a TransformStream
//   /fail-midway  one chunk, then the stream errors
//   /not-bytes    a stream that enqueues a string
//   /length       reads the request body and answers with its length
//   /encoded?e=E&kind=K  a body with Content-Encoding E (gzip, br, deflate); K is "text",
//                 "stream" or "manual" (already gzipped, encodeBody "manual")
const stats = { pulls: 0, cancels: [], aborts: 0 };
const encoder = new TextEncoder();

export default {
  async fetch(request) {
    const url = new URL(request.url);
    switch (url.pathname) {
      case "/sse": {
        let n = 0;
        return new Response(new ReadableStream({
          async pull(controller) {
            if (n > 0) await new Promise((resolve) => setTimeout(resolve, 300));
            controller.enqueue(encoder.encode(`data: ${n++}\n\n`));
            if (n === 3) controller.close();
          },
        }), { headers: { "content-type": "text/event-stream" } });
      }
      case "/endless": {
        const chunk = new Uint8Array(65536).fill(120);
        request.signal.addEventListener("abort", () => { stats.aborts++; });
        return new Response(new ReadableStream({
          pull(controller) { stats.pulls++; controller.enqueue(chunk.slice()); },
          cancel(reason) { stats.cancels.push(String(reason && reason.name)); },
        }, { highWaterMark: 2 }));
      }
      case "/stats":
        return Response.json(stats);
      case "/echo":
        return new Response(request.body.pipeThrough(new TransformStream({
          transform(chunk, controller) { controller.enqueue(chunk); },
        })));
      case "/fail-midway":
        return new Response(new ReadableStream({
          start(controller) { controller.enqueue(encoder.encode("partial")); },
          pull(controller) { controller.error(new RangeError("the source broke")); },
        }));
      case "/not-bytes":
        return new Response(new ReadableStream({
          start(controller) { controller.enqueue("a string"); controller.close(); },
        }));
      case "/encoded": {
        const e = url.searchParams.get("e");
        const kind = url.searchParams.get("kind");
        const text = "encode me ".repeat(300);
        if (kind === "stream") {
          const body = new ReadableStream({
            start(controller) { controller.enqueue(encoder.encode(text)); controller.close(); },
          });
          return new Response(body, { headers: { "content-encoding": e } });
        }
        if (kind === "manual") {
          const body = new Response(text).body.pipeThrough(new CompressionStream("gzip"));
          return new Response(body, { headers: { "content-encoding": "gzip" }, encodeBody: "manual" });
        }
        return new Response(text, { headers: { "content-encoding": e } });
      }
      case "/length": {
        const body = await request.arrayBuffer();
        return new Response(String(body.byteLength));
      }
      default:
        return new Response("not found", { status: 404 });
    }
  },
};

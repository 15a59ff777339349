// WHATWG streams: a streamed response produced on demand, a request body piped
// through transforms, compression, and async iteration.
// Checked by nano/test/test_examples.py.

// #region held
// A response whose second half waits for another request: a client (or a proxy
// test) sees "first" only if nothing between the app and it buffers the stream.
let release = null;
// #endregion held

export default {
  async fetch(request) {
    const url = new URL(request.url);

    // #region held
    if (url.pathname === "/held") {
      const released = new Promise((resolve) => { release = resolve; });
      const encoder = new TextEncoder();
      const body = new ReadableStream({
        async start(controller) {
          controller.enqueue(encoder.encode("first\n"));
          await released;
          controller.enqueue(encoder.encode("second\n"));
          controller.close();
        },
      });
      return new Response(body, { headers: { "content-type": "text/plain" } });
    }
    if (url.pathname === "/release") {
      release?.();
      return new Response("released\n");
    }
    // #endregion held

    // #region produce
    if (url.pathname === "/count") {
      // pull() is called only when the client can take more: a slow client
      // pauses the producer instead of filling memory.
      const encoder = new TextEncoder();
      let line = 0;
      const body = new ReadableStream({
        pull(controller) {
          line += 1;
          controller.enqueue(encoder.encode(`line ${line}\n`));
          if (line === 5) controller.close();
        },
      });
      return new Response(body, { headers: { "content-type": "text/plain" } });
    }
    // #endregion produce

    // #region transform
    if (url.pathname === "/upper" && request.method === "POST") {
      // The request body streams through: decode, transform, encode.
      const upper = new TransformStream({
        transform(text, controller) {
          controller.enqueue(text.toUpperCase());
        },
      });
      const body = request.body
        .pipeThrough(new TextDecoderStream())
        .pipeThrough(upper)
        .pipeThrough(new TextEncoderStream());
      return new Response(body);
    }
    // #endregion transform

    // #region compress
    if (url.pathname === "/report.gz") {
      const gzipped = ReadableStream.from(["id,name\n", "1,ada\n", "2,grace\n"])
        .pipeThrough(new TextEncoderStream())
        .pipeThrough(new CompressionStream("gzip"));
      // Already compressed: encodeBody "manual" says so (without it, NANO and Workers
      // would compress the body once more, as its Content-Encoding asks).
      return new Response(gzipped, {
        headers: { "content-type": "text/csv", "content-encoding": "gzip" },
        encodeBody: "manual",
      });
    }
    // #endregion compress

    // #region iterate
    if (url.pathname === "/lines" && request.method === "POST") {
      let lines = 0;
      for await (const text of request.body.pipeThrough(new TextDecoderStream())) {
        lines += text.split("\n").length - 1;
      }
      return Response.json({ lines });
    }
    // #endregion iterate

    return new Response("not found", { status: 404 });
  },
};

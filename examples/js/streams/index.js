// WHATWG streams: a streamed response produced on demand, a request body piped
// through transforms, compression, and async iteration.
// Checked by nano/test/test_examples.py.

export default {
  async fetch(request) {
    const url = new URL(request.url);

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
      return new Response(gzipped, {
        headers: { "content-type": "text/csv", "content-encoding": "gzip" },
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

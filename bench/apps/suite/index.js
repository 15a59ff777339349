// Benchmark app for bench/suite.py: one standard Workers module served unchanged by
// NANO and by workerd (the plain twisted.web baseline in bench/plain_suite.py answers
// the same four routes with the same bytes).
//
//   GET  /        "Hello World" (text/plain)
//   GET  /json    a small JSON API response via Response.json
//   GET  /stream  1 MiB streamed as 16 chunks of 64 KiB from a pull ReadableStream
//   POST /echo    the request body, read whole, sent back (the suite uploads 64 KiB)

const CHUNK_SIZE = 64 * 1024;
const CHUNKS = 16;
const TEMPLATE = new Uint8Array(CHUNK_SIZE).fill(0x61); // "a" repeated

function json() {
  return Response.json({
    id: 42,
    name: "widget",
    tags: ["small", "blue"],
    price: { amount: 1999, currency: "EUR" },
    in_stock: true,
  });
}

function stream() {
  let sent = 0;
  const body = new ReadableStream({
    pull(controller) {
      // A fresh chunk each time: a runtime may transfer or keep what it is given.
      controller.enqueue(TEMPLATE.slice());
      sent += 1;
      if (sent === CHUNKS) controller.close();
    },
  });
  return new Response(body, { headers: { "content-type": "application/octet-stream" } });
}

async function echo(request) {
  const body = await request.arrayBuffer();
  return new Response(body, { headers: { "content-type": "application/octet-stream" } });
}

export default {
  async fetch(request) {
    const { pathname } = new URL(request.url);
    if (pathname === "/") return new Response("Hello World");
    if (pathname === "/json") return json();
    if (pathname === "/stream") return stream();
    if (pathname === "/echo") {
      if (request.method !== "POST") return new Response("POST only\n", { status: 405 });
      return echo(request);
    }
    return new Response("not found\n", { status: 404 });
  },
};

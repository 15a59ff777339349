// Benchmark app for streamed responses.
//   /big?chunks=N  N chunks of 64 KiB from a pull ReadableStream (a fresh chunk each
//                  time; with &reuse=1 the same, never modified, chunk every time)
//   /pulls         how many times pull() ran, for the bounded-memory run
let pulls = 0;

export default {
  fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/pulls") return new Response(String(pulls));
    let left = Number(url.searchParams.get("chunks") || 16);
    const shared = url.searchParams.get("reuse") === "1" ? new Uint8Array(65536).fill(97) : null;
    return new Response(new ReadableStream({
      pull(controller) {
        pulls++;
        if (left-- > 0) controller.enqueue(shared !== null ? shared : new Uint8Array(65536).fill(97));
        else controller.close();
      },
    }), { headers: { "content-type": "application/octet-stream" } });
  },
};

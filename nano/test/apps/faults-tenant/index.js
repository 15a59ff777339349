// The faulty tenant of the fault tests (nano/test/test_faults_e2e.py) and the fault
// driver (bench/faults.py): one route per way an app can misbehave.
//   /ok           "ok" (A serves correctly)
//   /spin         an endless loop in the handler itself (inside a task)
//   /await-spin   an endless loop after an await (a promise job, outside any task)
//   /timer-spin   an endless loop in a setTimeout callback; the handler waits for it
//   /heap-bomb    allocates JS objects until the isolate's heap limit
//   /buffers?n=16&mb=64
//                 keeps n Uint8Arrays of mb MiB alive, filled (so their pages are
//                 resident) 16 MiB per timer turn so that no stretch of JS comes
//                 near the CPU limit; answers with how many it holds. V8's heap
//                 limit does not count ArrayBuffer memory.
//   /timers?n=10000&ms=20
//                 arms n timers at once and answers when all fired, with their count
//   /sleep?ms=100 answers after a timer of ms milliseconds
//   /body         reads the request body; answers with its length
//   /hang         never answers
const kept = [];

function pause() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    const path = url.pathname;
    const number = (name, fallback) => Number(url.searchParams.get(name) ?? fallback);
    if (path === "/ok") return new Response("ok");
    if (path === "/spin") {
      for (;;) {}
    }
    if (path === "/await-spin") {
      await null;
      for (;;) {}
    }
    if (path === "/timer-spin") {
      await new Promise(() => setTimeout(() => { for (;;) {} }, 1));
    }
    if (path === "/heap-bomb") {
      const hog = [];
      for (;;) hog.push(new Array(10000).fill(hog.length));
    }
    if (path === "/buffers") {
      const n = number("n", 16);
      const size = number("mb", 64) * 1024 * 1024;
      const step = 16 * 1024 * 1024;
      for (let i = 0; i < n; i++) {
        const buffer = new Uint8Array(size);
        kept.push(buffer);
        for (let offset = 0; offset < size; offset += step) {
          buffer.subarray(offset, offset + step).fill(1);
          await pause();
        }
      }
      return new Response("kept " + kept.length);
    }
    if (path === "/timers") {
      const n = number("n", 10000);
      const ms = number("ms", 20);
      let fired = 0;
      await new Promise((resolve) => {
        for (let i = 0; i < n; i++) {
          setTimeout(() => { if (++fired === n) resolve(); }, ms);
        }
      });
      return new Response("fired " + fired);
    }
    if (path === "/sleep") {
      await new Promise((resolve) => setTimeout(resolve, number("ms", 100)));
      return new Response("slept");
    }
    if (path === "/body") {
      const body = await request.arrayBuffer();
      return new Response("read " + body.byteLength);
    }
    if (path === "/hang") return new Promise(() => {});
    return new Response("not found", { status: 404 });
  },
};

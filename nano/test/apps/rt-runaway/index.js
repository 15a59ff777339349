// Runtime test app: the shapes of runaway JS.
//   /spin        a loop in the handler itself (inside a task)
//   /await-spin  a loop after an await (in a promise job, outside any task)
//   /timer-spin  answers at once, then a timer callback loops
//   /wait-spin   answers at once; ctx.waitUntil work loops after an await
//   /hog         allocates until the heap limit is hit
//   /hang        never answers (a request left in flight)
//   /buffers     keeps 48 MiB of ArrayBuffers alive (V8's heap limit does not see them)
//   /garbage     allocates 48 MiB of ArrayBuffers and drops them (garbage, not live)
export default {
  async fetch(request, env, ctx) {
    const path = new URL(request.url).pathname;
    if (path === "/spin") {
      for (;;) {}
    }
    if (path === "/await-spin") {
      await null;
      for (;;) {}
    }
    if (path === "/timer-spin") {
      setTimeout(() => { for (;;) {} }, 1);
      return new Response("timer armed");
    }
    if (path === "/wait-spin") {
      ctx.waitUntil((async () => { await null; for (;;) {} })());
      return new Response("waiting");
    }
    if (path === "/hog") {
      const hog = [];
      for (;;) hog.push(new Array(10000).fill(hog.length));
    }
    if (path === "/hang") return new Promise(() => {});
    if (path === "/buffers") {
      globalThis.held = [];
      for (let i = 0; i < 12; i++) globalThis.held.push(new Uint8Array(4 * 1024 * 1024).fill(1));
      return new Response("held");
    }
    if (path === "/garbage") {
      let total = 0;
      for (let i = 0; i < 12; i++) total += new Uint8Array(4 * 1024 * 1024).fill(1).length;
      return new Response("dropped " + total);
    }
    return new Response("fine");
  },
};

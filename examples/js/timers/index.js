// Timers and scheduling: setTimeout, setInterval, queueMicrotask and
// ctx.waitUntil. Checked by nano/test/test_examples.py.

// #region sleep
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
// #endregion sleep

let background = 0;

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);

    if (url.pathname === "/ticks") {
      // #region interval
      const ticks = [];
      await new Promise((resolve) => {
        const id = setInterval(() => {
          ticks.push(ticks.length);
          if (ticks.length === 3) {
            clearInterval(id);
            resolve();
          }
        }, 10);
      });
      const order = [];
      queueMicrotask(() => order.push("microtask"));
      setTimeout(() => order.push("timer"), 0);
      order.push("sync");
      await sleep(20);
      return Response.json({ ticks, order });
      // #endregion interval
    }

    if (url.pathname === "/later") {
      // #region waituntil
      // Answer at once; the isolate keeps working on the promise afterwards.
      ctx.waitUntil(sleep(50).then(() => { background += 1; }));
      return new Response("accepted\n", { status: 202 });
      // #endregion waituntil
    }

    if (url.pathname === "/count") {
      return Response.json({ background });
    }

    return new Response("not found", { status: 404 });
  },
};

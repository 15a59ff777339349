// EventTarget, CustomEvent, AbortController and AbortSignal.
// Checked by nano/test/test_examples.py.

// #region bus
class Bus extends EventTarget {
  publish(topic, detail) {
    this.dispatchEvent(new CustomEvent(topic, { detail }));
  }
}
// #endregion bus

export default {
  async fetch(request) {
    const url = new URL(request.url);

    if (url.pathname === "/events") {
      // #region events
      const bus = new Bus();
      const seen = [];
      bus.addEventListener("order", (event) => seen.push(event.detail.id));
      bus.addEventListener("order", () => seen.push("once"), { once: true });
      bus.publish("order", { id: 1 });
      bus.publish("order", { id: 2 });
      return Response.json({ seen });
      // #endregion events
    }

    if (url.pathname === "/abort") {
      // #region abort
      // A deadline for slow work: whichever of the signals aborts first wins.
      const controller = new AbortController();
      const signal = AbortSignal.any([controller.signal, AbortSignal.timeout(50)]);
      const reason = await new Promise((resolve) => {
        signal.addEventListener("abort", () => resolve(signal.reason.name));
      });
      return Response.json({ aborted: signal.aborted, reason });
      // #endregion abort
    }

    return new Response("not found", { status: 404 });
  },
};

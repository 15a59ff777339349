// Runtime test app: /spin never returns (a runaway handler).
export default {
  fetch(request) {
    if (new URL(request.url).pathname === "/spin") {
      for (;;) {}
    }
    return new Response("fine");
  },
};

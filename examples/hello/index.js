// The smallest NANO app: one response for every request.
export default {
  fetch(request, env, ctx) {
    return new Response(`Hello from ${env.GREETING ?? "NANO"}!\n`, {
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  },
};

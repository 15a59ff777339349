// Shaped like esbuild's ESM output for a Worker: a var, then `export { x as default }`.
var __defProp = Object.defineProperty;
var __name = (target, value) => __defProp(target, "name", { value, configurable: true });

// src/index.js
var src_default = {
  async fetch(request, env, ctx) {
    return new Response("bundled " + __name(function handler() {}, "handler").name);
  }
};
export {
  src_default as default
};
//# sourceMappingURL=_worker.js.map

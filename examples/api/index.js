// A small JSON API: routes on the path, reads the query, echoes JSON bodies.
import { route } from "./router.js";

export default {
  async fetch(request, env, ctx) {
    return route(request, env);
  },
};

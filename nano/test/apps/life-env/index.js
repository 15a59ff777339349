// Lifecycle end-to-end test app: reports its env (and whether it is frozen all the
// way down), a per-isolate instance id and request counter (to see whether a reload
// replaced this isolate), and slow, endless and waitUntil responses for draining.
const instance = crypto.randomUUID();
let counter = 0;

function kind(value) {
  if (value === null) return "null";
  return Array.isArray(value) ? "array" : typeof value;
}

function deepFrozen(value) {
  if (value === null || typeof value !== "object") return true;
  return Object.isFrozen(value) && Object.values(value).every(deepFrozen);
}

function throws(fn) {
  try {
    fn();
    return null;
  } catch (e) {
    return e.constructor.name;
  }
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    counter++;
    switch (url.pathname) {
      case "/env":
        return Response.json({
          env,
          kinds: Object.fromEntries(Object.entries(env).map(([k, v]) => [k, kind(v)])),
          deepFrozen: deepFrozen(env),
          assignTop: throws(() => { env.ADDED = 1; }),
          assignNested: throws(() => { env.OBJ.nested.added = 1; }),
          pushArray: throws(() => { env.ARR.push(3); }),
        });
      case "/state":
        return Response.json({ instance, counter, greeting: env.GREETING ?? null });
      case "/slow": {
        const ms = Number(url.searchParams.get("ms") || "1000");
        await new Promise((resolve) => setTimeout(resolve, ms));
        return new Response("slow done " + ms);
      }
      case "/forever":
        return new Promise(() => {});
      case "/wait":
        ctx.waitUntil(new Promise((resolve) => setTimeout(() => {
          console.log("waitUntil work finished");
          resolve();
        }, Number(url.searchParams.get("ms") || "500"))));
        return new Response("waiting");
      default:
        return new Response("v1 " + (env.GREETING ?? ""));
    }
  },
};

// Runtime test app: throws while the module is evaluated.
const config = { ready: false };

if (!config.ready) {
  throw new Error("not configured");
}
export default { fetch() { return new Response("unreachable"); } };

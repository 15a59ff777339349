// Runtime test app: a default export extending WorkerEntrypoint from the built-in
// cloudflare:workers module, with env and waitUntil imported from it.
import { WorkerEntrypoint, DurableObject, RpcTarget, env, waitUntil } from "cloudflare:workers";
import * as workers from "cloudflare:workers";

const atLoad = env.GREETING;
const background = [];
let outside;
try {
  waitUntil(Promise.resolve());
  outside = "no error";
} catch (e) {
  outside = e.name;
}

export class Counter extends DurableObject {}
export class Target extends RpcTarget {}

export default class App extends WorkerEntrypoint {
  async fetch(request, envArgument, ctxArgument) {
    const path = new URL(request.url).pathname;
    if (path === "/env") {
      return Response.json({
        atLoad, thisEnv: this.env.GREETING, argument: envArgument === this.env, ctx: this.ctx === ctxArgument,
        isEntrypoint: this instanceof WorkerEntrypoint, outside,
      });
    }
    if (path === "/names") return Response.json(Object.keys(workers));
    if (path === "/wait") {
      waitUntil(new Promise((resolve) => setTimeout(() => resolve(background.push("done")), 20)));
      return new Response("waiting");
    }
    if (path === "/state") return Response.json(background);
    if (path === "/dynamic") {
      const again = await import("cloudflare:workers");
      return Response.json([again.WorkerEntrypoint === WorkerEntrypoint, again.env.GREETING]);
    }
    let error;
    try {
      new WorkerEntrypoint();
    } catch (e) {
      error = e.name;
    }
    return new Response(error);
  }
}

// The "cloudflare:workers" built-in module, the part of it an app can use without
// Cloudflare's other products: the entrypoint base classes (an app's default export
// may be `class extends WorkerEntrypoint { fetch(request) { this.env ... } }`), `env`
// (the app's bindings, importable at module scope) and `waitUntil(promise)`.
// Spec: https://developers.cloudflare.com/workers/runtime-apis/bindings/#importing-env-as-a-global
// and https://developers.cloudflare.com/workers/runtime-apis/rpc/ (WorkerEntrypoint).
// Host operations: none. Uses nano.registerBuiltinModule (70_modules.js), nano.appEnv
// and nano.waitUntilCurrent (80_fetch_event.js).
//
// Durable Objects, Workflows and RPC stubs need Cloudflare's services: DurableObject,
// WorkflowEntrypoint and RpcTarget exist (so modules that define such classes load)
// but nothing instantiates them. Importing another name of the module (RpcStub,
// withEnv, ...) is a link error naming it.

const TypeErrorCtor = TypeError;
const ObjectFreeze = Object.freeze;

// The base of the entrypoint classes: the constructor takes (ctx, env), as the runtime
// calls it once per request (80_fetch_event.js instantiates a default-export class).
function entrypointClass(name) {
  const cls = class {
    constructor(ctx, env) {
      if (ctx === null || (typeof ctx !== "object" && typeof ctx !== "function")) {
        throw new TypeErrorCtor("Failed to construct '" + name + "': constructor parameter 1 is not of type 'Object'.");
      }
      this.ctx = ctx;
      this.env = env;
    }
  };
  Object.defineProperty(cls, "name", { value: name });
  return cls;
}

const WorkerEntrypoint = entrypointClass("WorkerEntrypoint");
const DurableObject = entrypointClass("DurableObject");
const WorkflowEntrypoint = entrypointClass("WorkflowEntrypoint");
class RpcTarget {}

function waitUntil(promise) {
  if (!nano.waitUntilCurrent(promise)) {
    throw new TypeErrorCtor("waitUntil() from cloudflare:workers needs a request in flight " +
      "(call it from a fetch handler)");
  }
}

nano.registerBuiltinModule("cloudflare:workers", ObjectFreeze({
  WorkerEntrypoint: () => WorkerEntrypoint,
  DurableObject: () => DurableObject,
  WorkflowEntrypoint: () => WorkflowEntrypoint,
  RpcTarget: () => RpcTarget,
  env: () => nano.appEnv(),
  waitUntil: () => waitUntil,
}));

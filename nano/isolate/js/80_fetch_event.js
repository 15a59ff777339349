// The app side of the bridge: loading the app's module graph, finding its handler,
// and running one fetch per incoming request.
// Spec: Cloudflare Workers module syntax (`export default { fetch(request, env, ctx) }`)
// and the service-worker form (https://w3c.github.io/ServiceWorker/#fetchevent-interface).
// Host ops received: "load" [entryPath, envJSON, timeOrigin], "req" [rid, method, url, headers,
//   body] (body: null, bytes as nano.base64ToBytes reads them, or 1 for a body streamed
//   by 78_request_body.js),
//   "cancel" [rid] (the client went away: aborts request.signal and
//   cancels a streamed response body).
// Host ops sent: "loaded" [], "load_error" [text], "res" [rid, status, statusText,
//   headers, bodyKind, body] (bodyKind 0: none, 1: body is the text, 2: body is the
//   index of bytes attached with nano.attachBytes, 3: the body is streamed by
//   79_body_pump.js), "err" [rid, kind, short, full], "wait" [rid], "settled" [rid]
//   (every ctx.waitUntil promise of the request has settled).

const PromiseResolve = Promise.resolve.bind(Promise);
const PromiseAllSettled = Promise.allSettled.bind(Promise);
const ReflectApply = Reflect.apply;
const ObjectFreeze = Object.freeze;
const ObjectGetPrototypeOf = Object.getPrototypeOf;
const JSONParse = JSON.parse;
const MapPrototypeGet = Map.prototype.get;
const MapPrototypeSet = Map.prototype.set;
const MapPrototypeDelete = Map.prototype.delete;
const MapPrototypeValues = Map.prototype.values;
const TextEncoderEncode = TextEncoder.prototype.encode;
const textEncoder = new TextEncoder();
const shortError = nano.shortError;

let appEnv = ObjectFreeze({});
let handler = null; // (request, env, ctx) => Response | Promise<Response>
const controllers = new Map(); // rid -> AbortController of the request's signal
const contexts = new Map(); // rid -> ctx, from the request's start until it is done

// For cloudflare:workers (81_cloudflare_workers.js): the app's env, and waitUntil on
// behalf of the running request (the one whose code is running, else the latest still
// in flight: after an await JS cannot tell which request resumed). False when no
// request is in flight.
nano.appEnv = () => appEnv;
nano.waitUntilCurrent = function waitUntilCurrent(promise) {
  let ctx = ReflectApply(MapPrototypeGet, contexts, [nano.currentRequestId()]);
  if (ctx === undefined) {
    for (const value of ReflectApply(MapPrototypeValues, contexts, [])) ctx = value;
  }
  if (ctx === undefined) return false;
  ctx.waitUntil(promise);
  return true;
};

function deepFreeze(value) {
  if (value !== null && typeof value === "object") {
    for (const key of Object.keys(value)) deepFreeze(value[key]);
    ObjectFreeze(value);
  }
  return value;
}

// --- the service-worker form: addEventListener("fetch", e => e.respondWith(...)) ----
// The global object is itself an EventTarget (11_events.js); a FetchEvent is
// dispatched on it.

const EventBase = nano.Event;

class FetchEvent extends EventBase {
  #request;
  #respondWith = null;
  #waitUntil;
  constructor(type, init, waitUntil) {
    super(type, { cancelable: true });
    this.#request = init.request;
    this.#waitUntil = waitUntil;
  }
  get request() { return this.#request; }
  respondWith(response) {
    if (this.#respondWith !== null) {
      throw new nano.DOMException("respondWith() was already called", "InvalidStateError");
    }
    this.#respondWith = PromiseResolve(response);
  }
  waitUntil(promise) { this.#waitUntil(promise); }
  passThroughOnException() {}
  static responseOf(event) { return event.#respondWith; }
}

nano.defineGlobal("FetchEvent", FetchEvent);

function serviceWorkerHandler(request, env, ctx) {
  const event = new FetchEvent("fetch", { request }, (p) => ctx.waitUntil(p));
  nano.dispatchEvent(globalThis, event);
  const response = FetchEvent.responseOf(event);
  if (response === null) {
    throw new TypeError("no fetch event listener called respondWith()");
  }
  return response;
}

// --- finding the handler -------------------------------------------------------------

function handlerFrom(namespace) {
  const def = namespace.default;
  if (def !== undefined && def !== null) {
    if (typeof def === "function") {
      const proto = def.prototype;
      if (proto !== undefined && proto !== null && typeof proto.fetch === "function") {
        // A class with a fetch method: one instance per request, as Workers does for
        // entrypoint classes.
        return (request, env, ctx) => {
          const instance = new def(ctx, env);
          return instance.fetch(request, env, ctx);
        };
      }
    }
    if (typeof def === "object" || typeof def === "function") {
      // Look up only `fetch`: a Proxy default export (itty-router) answers any name.
      const fetch = def.fetch;
      if (typeof fetch === "function") {
        return (request, env, ctx) => ReflectApply(fetch, def, [request, env, ctx]);
      }
    }
  }
  if (typeof namespace.fetch === "function") {
    const fetch = namespace.fetch;
    return (request, env, ctx) => fetch(request, env, ctx);
  }
  if (nano.hasListeners(globalThis, "fetch")) return serviceWorkerHandler;
  return null;
}

nano.onMessage("load", function load(entryPath, envJSON, timeOrigin) {
  // A pooled isolate was bootstrapped earlier: performance.timeOrigin is when the
  // app started.
  if (typeof timeOrigin === "number") nano.resetTimeOrigin(timeOrigin);
  appEnv = deepFreeze(JSONParse(envJSON));
  let namespace;
  try {
    namespace = nano.evaluateModules(entryPath);
  } catch (e) {
    nano.send(["load_error", nano.errorText(e)]);
    return;
  }
  PromiseResolve(namespace).then(
    (ns) => {
      handler = handlerFrom(ns);
      if (handler === null) {
        nano.send(["load_error",
          "the app has no fetch handler: export default { fetch(request, env, ctx) { ... } }, " +
          "export a fetch function, or call addEventListener('fetch', ...)"]);
      } else {
        nano.send(["loaded"]);
      }
    },
    (e) => nano.send(["load_error", nano.errorText(e)]),
  );
});

// --- one request -----------------------------------------------------------------------

function describe(value) {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (typeof value === "string") return "a string";
  if (typeof value !== "object" && typeof value !== "function") return "a " + typeof value;
  try {
    const proto = ObjectGetPrototypeOf(value);
    const ctor = proto && proto.constructor;
    if (ctor && typeof ctor.name === "string" && ctor.name) return "an object of type " + ctor.name;
  } catch (e) {
    // fall through
  }
  return "an object";
}

// A body whose Content-Encoding is gzip or br (and encodeBody "automatic") leaves
// compressed, as Cloudflare Workers send it: a worker that returns a fetched response
// (decoded by fetch(), its Content-Encoding kept) or sets Content-Encoding on a plain
// body sends what the header says. It then streams (chunked), as there; an empty body
// stays empty, as there.
function encodeBody(parts) {
  let stream = parts.stream;
  if (stream === undefined) {
    let bytes = parts.body;
    if (typeof bytes === "string") bytes = ReflectApply(TextEncoderEncode, textEncoder, [bytes]);
    if (bytes.length === 0) return;
    stream = nano.readableStreamFromBytes(bytes);
    delete parts.body;
  }
  parts.stream = nano.encodeResponseStream(stream, parts.encode);
}

// Sends the response start (and, for a stream body, starts pumping it); returns true
// when the body is streamed (the request stays open until the stream is done).
function respond(rid, result) {
  if (!nano.isResponse(result)) {
    const text = "the fetch handler returned " + describe(result) + ", expected a Response";
    nano.send(["err", rid, "bad_return", text, text]);
    return false;
  }
  const parts = nano.responseParts(result);
  if (parts.encode !== undefined && typeof nano.encodeResponseStream === "function") encodeBody(parts);
  if (parts.stream !== undefined) {
    nano.pumpResponseStream(rid, parts.stream, () => ReflectApply(MapPrototypeDelete, controllers, [rid]));
    nano.send(["res", rid, parts.status, parts.statusText, parts.headers, 3, null]);
    return true;
  }
  const body = parts.body;
  let kind = 0;
  let payload = null;
  if (typeof body === "string") {
    kind = 1;
    payload = body;
  } else if (body !== null && body !== undefined) {
    kind = 2;
    payload = nano.attachBytes(body);
  }
  nano.send(["res", rid, parts.status, parts.statusText, parts.headers, kind, payload]);
  return false;
}

function fail(rid, e) {
  nano.send(["err", rid, "exception", shortError(e), nano.errorText(e)]);
}

// bodyArg: null (no body), base64 text (the whole body), or 1 (the body is streamed
// by 78_request_body.js).
nano.onMessage("req", function req(rid, method, url, headers, bodyArg) {
  if (handler === null) {
    nano.send(["err", rid, "exception", "Error: the app is not loaded", "Error: the app is not loaded"]);
    return;
  }
  if (bodyArg === 1) {
    const stream = nano.requestBodyStream(rid);
    if (stream !== null) {
      run(rid, method, url, headers, stream);
    } else {
      nano.collectRequestBody(rid, (bytes) => run(rid, method, url, headers, bytes), (e) => fail(rid, e));
    }
    return;
  }
  run(rid, method, url, headers, bodyArg === null ? null : nano.base64ToBytes(bodyArg));
});

function run(rid, method, url, headers, body) {
  const controller = nano.createAbortController();
  ReflectApply(MapPrototypeSet, controllers, [rid, controller]);
  const signal = controller.signal;
  // ctx.waitUntil: Python hears "wait" when the first promise is added and "settled"
  // once every added promise has settled and the response is out.
  let waiting = 0;
  let responded = false;
  let waited = false;
  const ctx = {
    waitUntil(promise) {
      if (waiting === 0) nano.send(["wait", rid]);
      waited = true;
      waiting++;
      PromiseResolve(promise)
        .catch((e) => nano.withRequest(rid, () => nano.reportError(e)))
        .then(() => {
          waiting--;
          if (waiting === 0 && responded) {
            ReflectApply(MapPrototypeDelete, contexts, [rid]);
            nano.send(["settled", rid]);
          }
        });
    },
    passThroughOnException() {},
  };
  ReflectApply(MapPrototypeSet, contexts, [rid, ctx]);
  let result;
  try {
    const request = nano.makeIncomingRequest(method, url, headers, body, signal);
    result = nano.withRequest(rid, () => handler(request, appEnv, ctx));
  } catch (e) {
    ReflectApply(MapPrototypeDelete, controllers, [rid]);
    if (waiting === 0) ReflectApply(MapPrototypeDelete, contexts, [rid]);
    fail(rid, e);
    return;
  }
  // The request's signal stays abortable while a streamed body is being sent.
  const settle = (streaming) => {
    if (!streaming) ReflectApply(MapPrototypeDelete, controllers, [rid]);
    responded = true;
    if (waiting === 0) ReflectApply(MapPrototypeDelete, contexts, [rid]);
    if (waiting === 0 && waited) nano.send(["settled", rid]);
  };
  const answer = (value) => {
    let streaming = false;
    try { streaming = respond(rid, value); } catch (e) { fail(rid, e); }
    settle(streaming);
  };
  if (result !== null && typeof result === "object" && typeof result.then === "function") {
    PromiseResolve(result).then(answer, (e) => { fail(rid, e); settle(false); });
  } else {
    answer(result);
  }
}

// A pooled isolate runs one request through the request path above before an app
// takes it (Python sends "warm" to isolates bootstrapped ahead of time): V8 compiles
// each function the first time it runs, so an app's first request would otherwise
// pay for compiling the request, URL, headers and response code (about 2 ms of a
// cold start, BENCHMARKS.md). The handler is a throwaway one and the request id 0,
// which Python never uses: the "res" message it sends is ignored.
nano.onMessage("warm", function warm() {
  if (handler !== null) return;
  handler = (request) => {
    const url = new URL(request.url);
    const text = url.pathname + url.searchParams.get("q") + request.headers.get("accept");
    return url.pathname === "/json"
      ? Response.json({ text })
      : new Response(text, { status: 200, headers: { "content-type": "text/plain" } });
  };
  try {
    run(0, "GET", "http://warm.invalid/json?q=1", ["accept", "*/*"], null);
    run(0, "GET", "http://warm.invalid/?q=2", ["accept", "*/*"], null);
  } finally {
    handler = null;
  }
});

nano.onMessage("cancel", function cancel(rid) {
  const controller = ReflectApply(MapPrototypeGet, controllers, [rid]);
  if (controller !== undefined) {
    ReflectApply(MapPrototypeDelete, controllers, [rid]);
    nano.signalAbort(controller.signal, new nano.DOMException("The client disconnected", "AbortError"));
  }
  nano.forgetRequestBody(rid);
  nano.cancelResponseStream(rid, "The client disconnected");
});

nano.internal.register = function register() {
  nano.registerModule(this[0], this[1]);
};

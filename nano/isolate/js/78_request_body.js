// Streamed request bodies: the body of an incoming request as it arrives from the
// client, as the ReadableStream of `request.body`.
// Spec: https://fetch.spec.whatwg.org/#concept-body (a body's stream), and a byte
// source as in https://streams.spec.whatwg.org/#rs-model.
// Host ops received: "body" [rid, base64], "body_end" [rid], "body_error" [rid,
//   message] (the body cannot be delivered: over the app's limit).
// Host ops sent: "body_pull" [rid, received, desiredSize] (the stream wants more:
//   Python reads from the connection only while the bytes it sent stay below
//   received + desiredSize), "body_cancel" [rid] (the app cancelled the stream: Python
//   drops the rest of the body).
//
// What later files get:
//   nano.requestBodyStream(rid) -> ReadableStream fed by the messages above, with a
//     high-water mark of WINDOW bytes, or null when streams are not available;
//   nano.collectRequestBody(rid, onBody(bytes), onError(error)): the fallback without
//     streams: the whole body, once it has arrived.

const ReflectApply = Reflect.apply;
const MapCtor = Map;
const MapPrototypeGet = Map.prototype.get;
const MapPrototypeSet = Map.prototype.set;
const MapPrototypeDelete = Map.prototype.delete;
const PromiseCtor = Promise;
const TypeErrorCtor = TypeError;
const ArrayPrototypePush = Array.prototype.push;
const RS = typeof globalThis.ReadableStream === "function" ? globalThis.ReadableStream : null;

// Must match nano/streams/consumer.py WINDOW.
const WINDOW = 256 * 1024;

const bodies = new MapCtor(); // rid -> entry

function wake(entry) {
  const resolve = entry.wake;
  if (resolve !== null) {
    entry.wake = null;
    resolve();
  }
}

nano.requestBodyStream = function requestBodyStream(rid) {
  if (RS === null) return null;
  const entry = { kind: "stream", controller: null, received: 0, wake: null };
  ReflectApply(MapPrototypeSet, bodies, [rid, entry]);
  return new RS({
    type: "bytes",
    start(controller) { entry.controller = controller; },
    pull(controller) {
      nano.send(["body_pull", rid, entry.received, controller.desiredSize]);
      return new PromiseCtor((resolve) => { entry.wake = resolve; });
    },
    cancel() {
      if (ReflectApply(MapPrototypeDelete, bodies, [rid])) nano.send(["body_cancel", rid]);
      wake(entry);
    },
  }, { highWaterMark: WINDOW });
};

nano.collectRequestBody = function collectRequestBody(rid, onBody, onError) {
  const entry = { kind: "collect", chunks: [], received: 0, onBody, onError };
  ReflectApply(MapPrototypeSet, bodies, [rid, entry]);
  // No stream to pace it: take the whole body (bounded by the app's body limit).
  nano.send(["body_pull", rid, 0, 1e15]);
};

nano.onMessage("body", function body(rid, data) {
  const entry = ReflectApply(MapPrototypeGet, bodies, [rid]);
  if (entry === undefined) return;
  const bytes = nano.base64ToBytes(data);
  entry.received += bytes.length;
  if (entry.kind === "collect") {
    ReflectApply(ArrayPrototypePush, entry.chunks, [bytes]);
    return;
  }
  entry.controller.enqueue(bytes);
  wake(entry);
});

nano.onMessage("body_end", function bodyEnd(rid) {
  const entry = ReflectApply(MapPrototypeGet, bodies, [rid]);
  if (entry === undefined) return;
  ReflectApply(MapPrototypeDelete, bodies, [rid]);
  if (entry.kind === "collect") {
    entry.onBody(nano.concatBytes(entry.chunks, entry.received));
    return;
  }
  entry.controller.close();
  // A pending BYOB request must be answered after close (with no bytes).
  const request = entry.controller.byobRequest;
  if (request !== null && request !== undefined) request.respond(0);
  wake(entry);
});

nano.onMessage("body_error", function bodyError(rid, message) {
  const entry = ReflectApply(MapPrototypeGet, bodies, [rid]);
  if (entry === undefined) return;
  ReflectApply(MapPrototypeDelete, bodies, [rid]);
  const error = new TypeErrorCtor(message);
  if (entry.kind === "collect") {
    entry.onError(error);
    return;
  }
  entry.controller.error(error);
  wake(entry);
});

// The request went away (client gone, isolate answered): forget its body.
nano.forgetRequestBody = function forgetRequestBody(rid) {
  ReflectApply(MapPrototypeDelete, bodies, [rid]);
};

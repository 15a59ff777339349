// The global fetch(): requests leave the isolate through the host (treq on the reactor,
// nano/fetch/), one host call per hop; redirects are followed here.
// Spec: https://fetch.spec.whatwg.org/#fetch-method (main fetch, scheme fetch,
// HTTP-redirect fetch), as a server runtime (workerd) does it: no CORS, no cache, no
// cookies (a jar per request, never shared), responses of type "default", and
// redirect "manual" hands back the redirect response itself.
// Host ops sent: "call" "fetch" [handle, method, url, headers, bodyBase64|null, redirect,
//   hop, incomingRequestCount, window|null]; "call" "fetch_credit" [handle, bytes];
//   "call" "fetch_cancel" [handle] (see nano/fetch/ops.py).
// Host ops received: "fetch_chunk" [handle, base64], "fetch_end" [handle],
//   "fetch_error" [handle, errorName, message]: a response body, pushed by Python.
//
// Response bodies are read whole (window null) and capped in Python at the app's
// max_body_mb, until ReadableStream exists: then the body sink below becomes the
// source of the Response's stream, granting credit (fetch_credit) as JS reads.
// Request bodies are sent whole (a ReadableStream body is read whole first).
//
// Uses nano.Request/requestInternals (52_request.js), nano.makeFetchedResponse
// (53_response.js), nano.bodyBytes (51_body.js), nano.processDataURL (57_data_url.js),
// nano.hostCallCancellable/hostCall/hostError (01_hostcall.js), the abort internals
// (12_abort.js), nano.urlParse/urlSerialize/urlOrigin (31_url_parser.js).

const PromiseCtor = Promise;
const PromiseReject = Promise.reject.bind(Promise);
const PromiseResolve = Promise.resolve.bind(Promise);
const PromisePrototypeThen = Promise.prototype.then;
const ReflectApply = Reflect.apply;
const MapCtor = Map;
const MapPrototypeGet = Map.prototype.get;
const MapPrototypeSet = Map.prototype.set;
const MapPrototypeDelete = Map.prototype.delete;
const StringCtor = String;
const StringPrototypeToLowerCase = String.prototype.toLowerCase;
const TypeErrorCtor = TypeError;
const Uint8ArrayCtor = Uint8Array;
const TypedArraySet = Object.getPrototypeOf(Uint8Array.prototype).set;
const RequestCtor = nano.Request;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 20;
const REQUEST_BODY_HEADERS = new Set(["content-encoding", "content-language", "content-location", "content-type"]);
const AUTHORIZATION = new Set(["authorization"]);

function then(promise, onFulfilled, onRejected) {
  return ReflectApply(PromisePrototypeThen, promise, [onFulfilled, onRejected]);
}

function lower(s) {
  return ReflectApply(StringPrototypeToLowerCase, s, []);
}

// --- response bodies pushed by Python -------------------------------------------------
// One sink per hop, registered before the host call (chunks may arrive before its
// result). It collects the whole body and settles `done` with the bytes or the error.

const sinks = new MapCtor(); // handle -> sink
let nextHandle = 0;

function makeSink() {
  const handle = ++nextHandle;
  const sink = { handle, chunks: [], total: 0, result: null, error: null, waiter: null };
  ReflectApply(MapPrototypeSet, sinks, [handle, sink]);
  return sink;
}

function dropSink(sink, cancel) {
  if (ReflectApply(MapPrototypeDelete, sinks, [sink.handle]) && cancel) {
    then(nano.hostCall("fetch_cancel", [sink.handle]), undefined, () => {});
  }
}

function settleSink(sink) {
  const waiter = sink.waiter;
  if (waiter === null || (sink.result === null && sink.error === null)) return;
  sink.waiter = null;
  if (sink.error !== null) waiter.reject(sink.error);
  else waiter.resolve(sink.result);
}

function concat(chunks, total) {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8ArrayCtor(total);
  let offset = 0;
  for (let i = 0; i < chunks.length; i++) {
    ReflectApply(TypedArraySet, out, [chunks[i], offset]);
    offset += chunks[i].length;
  }
  return out;
}

// A promise of the sink's whole body.
function sinkBytes(sink) {
  return new PromiseCtor((resolve, reject) => {
    sink.waiter = { resolve, reject };
    settleSink(sink);
  });
}

nano.onMessage("fetch_chunk", function fetchChunk(handle, data) {
  const sink = ReflectApply(MapPrototypeGet, sinks, [handle]);
  if (sink === undefined) return;
  const bytes = nano.base64ToBytes(data);
  sink.chunks[sink.chunks.length] = bytes;
  sink.total += bytes.length;
});

nano.onMessage("fetch_end", function fetchEnd(handle) {
  const sink = ReflectApply(MapPrototypeGet, sinks, [handle]);
  if (sink === undefined) return;
  dropSink(sink, false);
  sink.result = concat(sink.chunks, sink.total);
  sink.chunks = [];
  settleSink(sink);
});

nano.onMessage("fetch_error", function fetchError(handle, name, message) {
  const sink = ReflectApply(MapPrototypeGet, sinks, [handle]);
  if (sink === undefined) return;
  dropSink(sink, false);
  sink.chunks = [];
  sink.error = nano.hostError(name, message);
  settleSink(sink);
});

// --- one fetch ------------------------------------------------------------------------

function bytesRecord(bytes) {
  return { kind: "bytes", source: bytes, length: bytes.length, type: null, disturbed: false, shared: false };
}

// https://fetch.spec.whatwg.org/#concept-scheme-fetch, "data".
function dataFetch(url) {
  const result = nano.processDataURL(url);
  if (result === null) return PromiseReject(new TypeErrorCtor("fetch: invalid data: URL"));
  return PromiseResolve(nano.makeFetchedResponse(200, "OK", ["content-type", result.mimeType], [url],
    bytesRecord(result.body)));
}

function headerGet(list, name) {
  for (let i = 0; i < list.length; i += 2) {
    if (lower(list[i]) === name) return list[i + 1];
  }
  return null;
}

function headerDelete(list, names) {
  const out = [];
  for (let i = 0; i < list.length; i += 2) {
    if (!names.has(lower(list[i]))) {
      out[out.length] = list[i];
      out[out.length] = list[i + 1];
    }
  }
  return out;
}

function sameOrigin(a, b) {
  return nano.urlOrigin(a) === nano.urlOrigin(b);
}

// The state of one fetch() across its hops.
class Fetch {
  constructor(parts, rid, resolve, reject) {
    this.method = parts.method;
    this.url = parts.url;
    this.record = nano.urlParse(parts.url, null);
    this.headers = parts.headers.slice();
    this.bodyBytes = null; // Uint8Array once read, or null (no body)
    this.bodyIsStream = parts.body !== null && parts.body.kind === "stream";
    this.redirect = parts.redirect;
    this.signal = parts.signal;
    this.urlList = [parts.url];
    this.hop = 0;
    this.rid = rid;
    this.call = null;
    this.sink = null;
    this.done = false;
    this.resolve = resolve;
    this.reject = reject;
    this.onAbort = () => this.abort();
  }

  finish(error, response) {
    if (this.done) return;
    this.done = true;
    nano.removeAbortAlgorithm(this.signal, this.onAbort);
    if (error !== null) this.reject(error);
    else this.resolve(response);
  }

  abort() {
    if (this.done) return;
    if (this.call !== null) this.call.cancel();
    if (this.sink !== null) dropSink(this.sink, true);
    this.finish(nano.signalReason(this.signal), null);
  }

  send() {
    if (this.done) return;
    const sink = this.sink = makeSink();
    const body = this.bodyBytes === null ? null : nano.bytesToBase64(this.bodyBytes);
    const args = [sink.handle, this.method, this.url, this.headers, body, this.redirect, this.hop,
      nano.incomingRequestCount(), null];
    this.call = nano.withRequest(this.rid, () => nano.hostCallCancellable("fetch", args));
    then(this.call.promise, (head) => this.gotHead(head), (error) => {
      dropSink(sink, false);
      this.finish(error, null);
    });
  }

  gotHead(head) {
    this.call = null;
    if (this.done) return;
    const status = head.status;
    const location = REDIRECT_STATUSES.has(status) ? headerGet(head.headers, "location") : null;
    if (location !== null && this.redirect !== "manual") {
      dropSink(this.sink, head.body === "stream");
      this.sink = null;
      if (this.redirect === "error") {
        this.finish(new TypeErrorCtor("fetch: the server answered " + status +
          " (a redirect) and the request's redirect mode is \"error\""), null);
        return;
      }
      this.follow(status, location);
      return;
    }
    const makeResponse = (body) => nano.makeFetchedResponse(status, head.statusText, head.headers,
      this.urlList, body);
    if (head.body !== "stream") {
      dropSink(this.sink, false);
      this.finish(null, makeResponse(null));
      return;
    }
    then(sinkBytes(this.sink), (bytes) => this.finish(null, makeResponse(bytesRecord(bytes))),
      (error) => this.finish(error, null));
  }

  // https://fetch.spec.whatwg.org/#http-redirect-fetch
  follow(status, location) {
    const target = nano.urlParse(location, this.record);
    if (target === null) {
      this.finish(new TypeErrorCtor("fetch: the redirect Location \"" + location + "\" is not a valid URL"), null);
      return;
    }
    if (target.scheme !== "http" && target.scheme !== "https") {
      this.finish(new TypeErrorCtor("fetch: a redirect to a " + target.scheme + ": URL is not followed"), null);
      return;
    }
    if (this.hop >= MAX_REDIRECTS) {
      this.finish(new TypeErrorCtor("fetch: too many redirects (more than " + MAX_REDIRECTS + ")"), null);
      return;
    }
    if (target.fragment === null && this.record.fragment !== null) target.fragment = this.record.fragment;
    if (status !== 303 && this.bodyBytes !== null && this.bodyIsStream) {
      this.finish(new TypeErrorCtor("fetch: cannot follow a " + status +
        " redirect with a ReadableStream request body (it cannot be sent twice)"), null);
      return;
    }
    const method = this.method;
    if (((status === 301 || status === 302) && method === "POST") ||
      (status === 303 && method !== "GET" && method !== "HEAD")) {
      this.method = "GET";
      this.bodyBytes = null;
      this.headers = headerDelete(this.headers, REQUEST_BODY_HEADERS);
    }
    if (!sameOrigin(this.record, target)) this.headers = headerDelete(this.headers, AUTHORIZATION);
    this.record = target;
    this.url = nano.urlSerialize(target, false);
    this.urlList[this.urlList.length] = this.url;
    this.hop++;
    this.send();
  }
}

function networkFetch(parts, rid) {
  return new PromiseCtor((resolve, reject) => {
    const state = new Fetch(parts, rid, resolve, reject);
    nano.addAbortAlgorithm(state.signal, state.onAbort);
    const body = parts.body;
    if (body === null) {
      state.send();
      return;
    }
    body.disturbed = true;
    let bytes;
    try {
      bytes = nano.bodyBytes(body);
    } catch (e) {
      state.finish(e, null);
      return;
    }
    if (bytes instanceof Uint8ArrayCtor) {
      state.bodyBytes = bytes;
      state.send();
      return;
    }
    then(bytes, (b) => { state.bodyBytes = b; state.send(); }, (e) => state.finish(e, null));
  });
}

// https://fetch.spec.whatwg.org/#fetch-method
function fetch(input, init = undefined) {
  if (arguments.length < 1) return PromiseReject(new TypeErrorCtor("fetch requires at least 1 argument"));
  let parts;
  try {
    const request = new RequestCtor(input, init);
    parts = nano.requestInternals(request);
  } catch (e) {
    return PromiseReject(e);
  }
  if (nano.signalAborted(parts.signal)) return PromiseReject(nano.signalReason(parts.signal));
  const scheme = nano.urlParse(parts.url, null).scheme;
  if (scheme === "data") return dataFetch(parts.url);
  if (scheme !== "http" && scheme !== "https") {
    return PromiseReject(new TypeErrorCtor("fetch: " + scheme + ": URLs are not supported (only http:, https: and data:)"));
  }
  return networkFetch(parts, nano.currentRequestId());
}

nano.defineGlobal("fetch", fetch);

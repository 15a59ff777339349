// The global fetch(): requests leave the isolate through the host (treq on the reactor,
// nano/fetch/), one host call per hop; redirects are followed here.
// Spec: https://fetch.spec.whatwg.org/#fetch-method (main fetch, scheme fetch,
// HTTP-redirect fetch), as a server runtime (workerd) does it: no CORS, no cache, no
// cookies (a jar per request, never shared), responses of type "default", and
// redirect "manual" hands back the redirect response itself.
// Host ops sent: "call" "fetch" [handle, method, url, headers, body, redirect, hop,
//   incomingRequestCount, window] (see nano/fetch/ops.py); the body's operations are
//   in 57_fetch_body.js.
//
// Wire protocol, per hop (handle: a new number per hop, chosen here):
//   body: null, the whole body as base64 text (strings, bytes, Blobs, FormData: sent
//     with a Content-Length, and sent again when a 307/308 redirect asks for it), or
//     true for a ReadableStream body, which streams: Python asks for it with
//     "fetch_body_pull" credit once the connection is ready, JS reads its stream only
//     within that credit and sends chunks with "fetch_body_write" (bytes attached to
//     the drain, no base64), then
//     "fetch_body_close" (or "fetch_body_error" when the stream fails: the request
//     is aborted, fetch() rejects with a TypeError whose cause is the stream's error).
//     It is sent chunked, or with the request's own Content-Length header when it has
//     one (a proxied request keeps its length). The Fetch standard requires
//     duplex: "half" for it (52_request.js throws a TypeError otherwise), and, as
//     twisted sends it, the response is seen once the body has been sent (or when the
//     server answered completely before reading it all).
//   window: the credit the response body starts with (nano.FETCH_WINDOW).
//   The result: {status, statusText, headers, body: "stream"|"none", readLimit}. A
//     "stream" body is the Response's ReadableStream (a byte stream), fed by
//     "fetch_chunk" messages (the bytes through the isolate's inbound buffer, or
//     base64: nano.base64ToBytes reads both) within the credit its pull() grants
//     ("fetch_credit"), so
//     Python reads from the server only as fast as JS consumes (it pauses the
//     connection otherwise). Chunks may arrive before the result: the body is
//     registered before the call. Cancelling the stream sends "fetch_cancel" (the
//     connection is closed); an abort of the request's signal after the headers
//     errors the stream with the signal's reason and closes the connection too.
//
// Limits: a body read as a stream (response.body, or returned from the handler and
// streamed to the client) is not capped: JS holds at most the window. A body read
// whole by text(), json(), arrayBuffer(), bytes(), blob() or formData() is capped at
// readLimit (the app's max_body_mb): its bytes are ArrayBuffers, which the isolate's
// memory limit does not count, so past it the read rejects with a TypeError and the
// connection is closed. A body the app neither reads nor cancels keeps its connection
// (paused once the window is full) until its isolate closes: nothing cancels it when
// the Response is garbage-collected.
//
// Uses nano.Request/requestInternals (52_request.js), nano.makeFetchedResponse
// (53_response.js), nano.bodyBytes (51_body.js), nano.processDataURL (57_data_url.js),
// nano.openFetchBody and the other body internals (57_fetch_body.js, looked up when
// fetch() runs: that file loads after this one), nano.hostCallCancellable
// (01_hostcall.js), the abort internals (12_abort.js), nano.urlParse/urlSerialize/
// urlOrigin (31_url_parser.js).

const PromiseCtor = Promise;
const PromiseReject = Promise.reject.bind(Promise);
const PromiseResolve = Promise.resolve.bind(Promise);
const PromisePrototypeThen = Promise.prototype.then;
const ReflectApply = Reflect.apply;
const StringPrototypeToLowerCase = String.prototype.toLowerCase;
const TypeErrorCtor = TypeError;
const Uint8ArrayCtor = Uint8Array;
const MathRound = Math.round;
const RequestCtor = nano.Request;
const describe = nano.describeError;

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

// --- one fetch ------------------------------------------------------------------------

let nextHandle = 0;

function mebibytes(bytes) {
  return MathRound(bytes / (1024 * 1024) * 10) / 10;
}

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
    this.bodyBytes = null; // Uint8Array once read, or null
    this.stream = null; // a ReadableStream body (its source is null: it is sent once)
    this.upload = null; // the stream's upload, once the first hop is sent
    this.redirect = parts.redirect;
    this.signal = parts.signal;
    this.urlList = [parts.url];
    this.hop = 0;
    this.rid = rid;
    this.call = null;
    this.responseBody = null; // the current hop's body (57_fetch_body.js)
    this.settled = false;
    this.resolve = resolve;
    this.reject = reject;
    this.onAbort = () => this.abort();
  }

  // Reject (before the response): nothing of this fetch stays alive.
  fail(error) {
    if (this.settled) return;
    this.settled = true;
    if (this.call !== null) this.call.cancel();
    this.call = null;
    if (this.responseBody !== null) nano.dropFetchBody(this.responseBody, true);
    this.responseBody = null;
    if (this.upload !== null) nano.cancelFetchUpload(this.upload, error);
    nano.removeAbortAlgorithm(this.signal, this.onAbort);
    this.reject(error);
  }

  // Resolve: the signal stays watched while the response body streams.
  succeed(response, body) {
    this.settled = true;
    this.responseBody = body;
    if (body === null || body.done) {
      nano.removeAbortAlgorithm(this.signal, this.onAbort);
    } else {
      body.onDone = () => nano.removeAbortAlgorithm(this.signal, this.onAbort);
    }
    this.resolve(response);
  }

  // https://fetch.spec.whatwg.org/#abort-fetch
  abort() {
    const reason = nano.signalReason(this.signal);
    if (!this.settled) {
      this.fail(reason);
      return;
    }
    nano.removeAbortAlgorithm(this.signal, this.onAbort);
    if (this.responseBody !== null) nano.abortFetchBody(this.responseBody, reason);
  }

  uploadFailed(error) {
    this.fail(new TypeErrorCtor("fetch: the request body stream failed: " + describe(error), { cause: error }));
  }

  send() {
    if (this.settled) return;
    const handle = ++nextHandle;
    let body = null;
    if (this.bodyBytes !== null) {
      body = nano.bytesToBase64(this.bodyBytes);
    } else if (this.stream !== null) {
      try {
        this.upload = nano.startFetchUpload(handle, this.stream, (e) => this.uploadFailed(e));
      } catch (e) {
        this.fail(e);
        return;
      }
      body = true;
    }
    const responseBody = this.responseBody = nano.openFetchBody(handle);
    const args = [handle, this.method, this.url, this.headers, body, this.redirect, this.hop,
      nano.incomingRequestCount(), nano.FETCH_WINDOW];
    this.call = nano.withRequest(this.rid, () => nano.hostCallCancellable("fetch", args));
    then(this.call.promise, (head) => this.gotHead(head), (error) => {
      this.call = null;
      nano.dropFetchBody(responseBody, false);
      if (this.responseBody === responseBody) this.responseBody = null;
      this.fail(error);
    });
  }

  gotHead(head) {
    this.call = null;
    if (this.settled) return;
    const status = head.status;
    const body = this.responseBody;
    const location = REDIRECT_STATUSES.has(status) ? headerGet(head.headers, "location") : null;
    if (location !== null && this.redirect !== "manual") {
      nano.dropFetchBody(body, head.body === "stream");
      this.responseBody = null;
      if (this.redirect === "error") {
        this.fail(new TypeErrorCtor("fetch: the server answered " + status +
          " (a redirect) and the request's redirect mode is \"error\""));
        return;
      }
      this.follow(status, location);
      return;
    }
    if (head.body !== "stream") {
      nano.dropFetchBody(body, false);
      this.succeed(nano.makeFetchedResponse(status, head.statusText, head.headers, this.urlList, null), null);
      return;
    }
    const record = { kind: "stream", source: body.stream, length: null, type: null, disturbed: false,
      shared: false, readLimit: null };
    if (typeof head.readLimit === "number") {
      record.readLimit = {
        bytes: head.readLimit,
        message: "fetch: the response body is larger than " + mebibytes(head.readLimit) + " MiB (the app's " +
          "max_body_mb), the most text(), json(), arrayBuffer() and the other Body methods read whole; " +
          "read response.body as a stream instead",
      };
    }
    this.succeed(nano.makeFetchedResponse(status, head.statusText, head.headers, this.urlList, record), body);
  }

  // https://fetch.spec.whatwg.org/#http-redirect-fetch
  follow(status, location) {
    const target = nano.urlParse(location, this.record);
    if (target === null) {
      this.fail(new TypeErrorCtor("fetch: the redirect Location \"" + location + "\" is not a valid URL"));
      return;
    }
    if (target.scheme !== "http" && target.scheme !== "https") {
      this.fail(new TypeErrorCtor("fetch: a redirect to a " + target.scheme + ": URL is not followed"));
      return;
    }
    if (this.hop >= MAX_REDIRECTS) {
      this.fail(new TypeErrorCtor("fetch: too many redirects (more than " + MAX_REDIRECTS + ")"));
      return;
    }
    if (target.fragment === null && this.record.fragment !== null) target.fragment = this.record.fragment;
    if (status !== 303 && this.stream !== null) {
      this.fail(new TypeErrorCtor("fetch: cannot follow a " + status +
        " redirect with a ReadableStream request body (it cannot be sent twice)"));
      return;
    }
    const method = this.method;
    if (((status === 301 || status === 302) && method === "POST") ||
      (status === 303 && method !== "GET" && method !== "HEAD")) {
      this.method = "GET";
      this.bodyBytes = null;
      if (this.upload !== null) {
        nano.cancelFetchUpload(this.upload, new TypeErrorCtor("fetch: redirected with a 303 before the " +
          "request body was sent"));
      }
      this.stream = null;
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
    if (body.kind === "stream") {
      // Read as Python asks for it (57_fetch_body.js); the reader is taken now.
      state.stream = body.source;
      state.send();
      return;
    }
    let bytes;
    try {
      bytes = nano.bodyBytes(body);
    } catch (e) {
      state.fail(e);
      return;
    }
    if (bytes instanceof Uint8ArrayCtor) {
      state.bodyBytes = bytes;
      state.send();
      return;
    }
    then(bytes, (b) => { state.bodyBytes = b; state.send(); }, (e) => state.fail(e));
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

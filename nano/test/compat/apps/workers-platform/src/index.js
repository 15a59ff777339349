// What a typical Worker does without a framework: a plain object default export whose
// fetch calls its sibling methods through `this`, JSON in and out, form data, cookies,
// crypto, structuredClone, timers and AbortSignal.timeout, subrequests with fetch(),
// ctx.waitUntil, and errors. Every route returns what the runtime gave it.
import legacy, { slugify } from './legacy.cjs';

const state = { waited: [], hits: 0 };

// Top-level await: a key imported once, when the module is evaluated.
const MODULE_KEY = await crypto.subtle.importKey('raw', new TextEncoder().encode('module key'),
  { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);

function hex(buffer) {
  return [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function describeError(promise) {
  try {
    await promise;
    return null;
  } catch (e) {
    return { name: e.name, isDOMException: e instanceof DOMException, isTypeError: e instanceof TypeError };
  }
}

export default {
  prefix: 'platform',

  async fetch(request, env, ctx) {
    state.hits++;
    const url = new URL(request.url);
    const handler = this.routes[`${request.method} ${url.pathname}`];
    if (!handler) return this.notFound(url);
    return handler.call(this, request, env, ctx, url);
  },

  notFound(url) {
    return Response.json({ error: 'not found', app: this.prefix, path: url.pathname }, { status: 404 });
  },

  routes: {
    'GET /'(request, env) {
      return new Response(`hello from ${this.prefix} (${env.GREETING})`);
    },
    'GET /response-json'() {
      return Response.json({ a: 1, list: [true, null, 'x'], nested: { deep: 'yes' } }, { status: 201, headers: { 'x-extra': 'e' } });
    },
    'GET /response-types'() {
      return Response.json({
        text: new Response('t').headers.get('content-type'),
        json: Response.json(1).headers.get('content-type'),
        bytes: new Response(new Uint8Array([1])).headers.get('content-type'),
        blob: new Response(new Blob(['x'], { type: 'text/csv' })).headers.get('content-type'),
        params: new Response(new URLSearchParams('a=1')).headers.get('content-type'),
        nullBody: new Response(null).headers.get('content-type'),
        redirect: Response.redirect('https://example.com/x', 308).headers.get('location'),
        errorType: Response.error().type,
        errorStatus: Response.error().status,
        statusText: new Response('', { status: 299, statusText: 'Custom' }).statusText,
        ok: [new Response('', { status: 200 }).ok, new Response('', { status: 404 }).ok],
      });
    },
    async 'POST /json'(request) {
      try {
        const body = await request.json();
        return Response.json({ received: body, type: Array.isArray(body) ? 'array' : typeof body });
      } catch (e) {
        return Response.json({ error: e.name }, { status: 400 });
      }
    },
    async 'POST /form'(request) {
      const form = await request.formData();
      const out = {};
      for (const [key, value] of form) {
        const entry = typeof value === 'string' ? value
          : { name: value.name, type: value.type, size: value.size, text: await value.text(), isFile: value instanceof File };
        (out[key] ??= []).push(entry);
      }
      return Response.json(out);
    },
    async 'POST /bodies'(request) {
      const copy = request.clone();
      const buffer = await request.arrayBuffer();
      return Response.json({
        length: buffer.byteLength,
        text: await copy.text(),
        bodyUsed: [request.bodyUsed, copy.bodyUsed],
        digest: hex(await crypto.subtle.digest('SHA-256', buffer)),
        contentType: request.headers.get('content-type'),
      });
    },
    async 'POST /blob'(request) {
      const blob = await request.blob();
      const bytes = await new Response(blob.slice(1, 4)).bytes?.() ?? new Uint8Array(await blob.slice(1, 4).arrayBuffer());
      return Response.json({ size: blob.size, type: blob.type, slice: [...bytes] });
    },
    'GET /request'(request) {
      const derived = new Request(request, { headers: { 'x-derived': '1' } });
      const plain = new Request('https://example.com/path?q=1', { method: 'POST', body: 'b', headers: { 'content-type': 'text/plain' } });
      return Response.json({
        method: request.method,
        url: request.url,
        headerNames: [...request.headers.keys()].filter((k) => k.startsWith('x-')),
        derived: [derived.url, derived.headers.get('x-derived'), derived.headers.get('x-one')],
        plain: [plain.method, plain.url, plain.headers.get('content-type')],
        redirect: request.redirect,
        signal: request.signal instanceof AbortSignal,
        cf: typeof request.cf,
      });
    },
    'GET /headers'() {
      const h = new Headers({ 'X-B': '2', 'x-a': '1' });
      h.append('X-A', 'again');
      h.append('set-cookie', 'one=1');
      h.append('set-cookie', 'two=2; Path=/');
      h.set('Content-Type', 'text/plain');
      const invalid = (() => {
        try {
          h.set('bad name', 'x');
          return null;
        } catch (e) {
          return e.name;
        }
      })();
      return Response.json({
        entries: [...h],
        get: h.get('x-a'),
        setCookie: h.getSetCookie(),
        has: h.has('X-B'),
        invalid,
      });
    },
    'GET /cookies'(request) {
      const headers = new Headers();
      headers.append('Set-Cookie', 'session=abc; HttpOnly; Secure; Path=/; SameSite=Lax');
      headers.append('Set-Cookie', 'theme=dark; Max-Age=31536000');
      headers.append('Set-Cookie', 'expires=x; Expires=Wed, 21 Oct 2065 07:28:00 GMT');
      headers.set('Content-Type', 'application/json');
      const incoming = Object.fromEntries((request.headers.get('cookie') ?? '').split(/;\s*/).filter(Boolean).map((c) => c.split('=')));
      return new Response(JSON.stringify({ incoming, count: headers.getSetCookie().length }), { headers });
    },
    'GET /crypto'() {
      const uuid = crypto.randomUUID();
      const random = crypto.getRandomValues(new Uint8Array(16));
      let quota = null;
      try {
        crypto.getRandomValues(new Uint8Array(65537));
      } catch (e) {
        quota = e.name;
      }
      return Response.json({
        uuidShape: /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(uuid),
        unique: uuid !== crypto.randomUUID(),
        randomLength: random.length,
        quota,
        subtle: typeof crypto.subtle.digest,
      });
    },
    async 'GET /subtle'() {
      const data = new TextEncoder().encode('hello workers');
      const key = await crypto.subtle.importKey('raw', new TextEncoder().encode('key'), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
      const mac = await crypto.subtle.sign('HMAC', key, data);
      const aes = await crypto.subtle.importKey('raw', new Uint8Array(16).fill(3), 'AES-GCM', false, ['encrypt', 'decrypt']);
      const iv = new Uint8Array(12).fill(1);
      const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, aes, data);
      const opened = await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, aes, sealed);
      return Response.json({
        sha1: hex(await crypto.subtle.digest('SHA-1', data)),
        sha256: hex(await crypto.subtle.digest({ name: 'SHA-256' }, data)),
        sha512: hex(await crypto.subtle.digest('SHA-512', data)).slice(0, 32),
        hmac: hex(mac),
        hmacVerifies: await crypto.subtle.verify('HMAC', key, mac, data),
        aesGcm: hex(sealed),
        opened: new TextDecoder().decode(opened),
        unknown: await describeError(crypto.subtle.digest('MD5', data)),
      });
    },
    'GET /clone'() {
      const cyclic = { name: 'root', when: new Date(0), re: /a+b/gi, map: new Map([[1, { deep: true }]]), set: new Set(['x']) };
      cyclic.self = cyclic;
      cyclic.bytes = new Uint8Array([1, 2, 3]);
      cyclic.error = new RangeError('bad range');
      const copy = structuredClone(cyclic);
      const failures = {};
      for (const [label, value] of [['function', () => 1], ['symbol', Symbol('s')], ['weakmap', new WeakMap()]]) {
        try {
          structuredClone(value);
          failures[label] = null;
        } catch (e) {
          failures[label] = e.name;
        }
      }
      const buffer = new ArrayBuffer(8);
      const moved = structuredClone(buffer, { transfer: [buffer] });
      return Response.json({
        distinct: copy !== cyclic,
        selfCycle: copy.self === copy,
        date: copy.when instanceof Date && copy.when.getTime() === 0,
        regexp: [copy.re.source, copy.re.flags],
        map: copy.map.get(1).deep,
        set: copy.set.has('x'),
        bytes: [...copy.bytes],
        error: [copy.error instanceof RangeError, copy.error.message],
        failures,
        transferred: [buffer.byteLength, moved.byteLength],
      });
    },
    async 'GET /timers'() {
      const order = [];
      await new Promise((resolve) => {
        setTimeout(() => order.push('timeout'), 0);
        queueMicrotask(() => order.push('microtask'));
        Promise.resolve().then(() => order.push('promise'));
        const id = setInterval(() => {
          order.push('interval');
          if (order.filter((x) => x === 'interval').length === 2) {
            clearInterval(id);
            resolve();
          }
        }, 5);
        const cancelled = setTimeout(() => order.push('cancelled'), 1);
        clearTimeout(cancelled);
        setTimeout((a, b) => order.push(`args ${a} ${b}`), 2, 'x', 'y');
      });
      return Response.json({ order });
    },
    async 'GET /abort'() {
      const timeout = AbortSignal.timeout(10);
      const reason = await new Promise((resolve) => timeout.addEventListener('abort', () => resolve(timeout.reason)));
      const controller = new AbortController();
      controller.abort();
      const any = AbortSignal.any([new AbortController().signal, AbortSignal.abort('why')]);
      let thrown = null;
      try {
        timeout.throwIfAborted();
      } catch (e) {
        thrown = e.name;
      }
      return Response.json({
        timeout: [reason.name, reason instanceof DOMException, timeout.aborted],
        manual: [controller.signal.aborted, controller.signal.reason.name],
        any: [any.aborted, any.reason],
        thrown,
      });
    },
    async 'GET /fetch'(request, env) {
      const response = await fetch(`${env.UPSTREAM}/echo?x=1`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'x-app': 'platform' },
        body: JSON.stringify({ sent: true }),
      });
      const echoed = await response.json();
      return Response.json({
        status: response.status,
        ok: response.ok,
        contentType: response.headers.get('content-type'),
        setCookie: response.headers.getSetCookie(),
        redirected: response.redirected,
        url: response.url.replace(env.UPSTREAM, 'UPSTREAM'),
        method: echoed.method,
        uri: echoed.uri,
        body: echoed.body,
        xApp: echoed.headers['x-app'],
      });
    },
    async 'GET /fetch/redirect'(request, env) {
      const followed = await fetch(`${env.UPSTREAM}/redirect/302`);
      const manual = await fetch(`${env.UPSTREAM}/redirect/301`, { redirect: 'manual' });
      return Response.json({
        followed: [followed.status, followed.redirected, followed.url.replace(env.UPSTREAM, 'UPSTREAM')],
        manual: [manual.status, manual.headers.get('location')],
      });
    },
    async 'GET /fetch/timeout'(request, env) {
      const started = Date.now();
      const error = await describeError(fetch(`${env.UPSTREAM}/never`, { signal: AbortSignal.timeout(100) }));
      return Response.json({ error, fast: Date.now() - started < 5000 });
    },
    async 'GET /fetch/abort'(request, env) {
      const controller = new AbortController();
      const pending = fetch(`${env.UPSTREAM}/never`, { signal: controller.signal });
      setTimeout(() => controller.abort(), 20);
      return Response.json({ error: await describeError(pending) });
    },
    async 'GET /fetch/proxy'(request, env) {
      return fetch(new Request(`${env.UPSTREAM}/echo`, request));
    },
    async 'GET /fetch/proxy-redirect'(request, env) {
      // The incoming request's redirect mode is "manual": a proxy passes 3xx through.
      const response = await fetch(new Request(`${env.UPSTREAM}/redirect/302`, request));
      return new Response(`upstream said ${response.status} to ${response.headers.get('location')}`, {
        status: response.status === 302 ? 200 : 500,
      });
    },
    'GET /request/cf'(request) {
      return Response.json({
        incoming: typeof request.cf,
        constructed: typeof new Request('https://x.test/').cf,
        copied: typeof new Request('https://x.test/', request).cf,
      });
    },
    async 'GET /fetch/bad-url'() {
      return Response.json({ error: await describeError(fetch('not a url')) });
    },
    'GET /wait'(request, env, ctx) {
      ctx.waitUntil(new Promise((resolve) => setTimeout(() => {
        state.waited.push('done');
        resolve();
      }, 50)));
      ctx.waitUntil(Promise.reject(new Error('ignored rejection')));
      return new Response('accepted', { status: 202 });
    },
    'GET /wait/state'() {
      return Response.json({ waited: state.waited });
    },
    'GET /encoding'() {
      const encoded = new TextEncoder().encode('héllo €');
      const into = new Uint8Array(4);
      const result = new TextEncoder().encodeInto('añb', into);
      return Response.json({
        bytes: [...encoded],
        decoded: new TextDecoder().decode(encoded),
        latin1: new TextDecoder('latin1').decode(new Uint8Array([0xe9, 0x80])),
        fatal: (() => {
          try {
            new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array([0xff]));
            return null;
          } catch (e) {
            return e.name;
          }
        })(),
        encodeInto: [result.read, result.written, [...into]],
        btoa: btoa('hello\u00ff'),
        atob: atob('aGVsbG8='),
        atobError: (() => {
          try {
            atob('***');
            return null;
          } catch (e) {
            return e.name;
          }
        })(),
      });
    },
    'GET /url'(request) {
      const u = new URL('/a/../b c?x=1&y=2#frag', 'https://user:pw@EXAMPLE.com:443');
      u.searchParams.append('z', 'a b&c');
      const params = new URLSearchParams({ b: '2', a: '1' });
      params.sort();
      return Response.json({
        href: u.href,
        origin: u.origin,
        host: u.host,
        search: u.search,
        params: params.toString(),
        canParse: [URL.canParse('x:y'), URL.canParse('nope')],
        incoming: Object.fromEntries(new URL(request.url).searchParams),
      });
    },
    'GET /globals'() {
      return Response.json({
        self: self === globalThis,
        navigator: typeof navigator.userAgent,
        performance: typeof performance.now(),
        events: [typeof EventTarget, typeof Event, typeof CustomEvent],
        streams: [typeof ReadableStream, typeof WritableStream, typeof TransformStream],
        compression: typeof CompressionStream,
        urlPattern: typeof URLPattern,
        userAgent: navigator.userAgent,
      });
    },
    'GET /clone/platform-object'() {
      // Browsers refuse to clone a Request (DataCloneError); workerd does not.
      try {
        const copy = structuredClone(new Request('https://x.test/'));
        return Response.json({ cloned: typeof copy, keys: Object.keys(copy) });
      } catch (e) {
        return Response.json({ error: e.name });
      }
    },
    async 'GET /module'() {
      const mac = await crypto.subtle.sign('HMAC', MODULE_KEY, new TextEncoder().encode('x'));
      return Response.json({
        topLevelAwait: hex(mac),
        cjs: [legacy.kind, slugify('  Hello, Wörld! '), legacy.bump() > 0],
      });
    },
    'GET /timing-safe-equal'() {
      const outcome = (f) => {
        try {
          return f();
        } catch (e) {
          return e.name;
        }
      };
      const a = new TextEncoder().encode('secret-token');
      return Response.json({
        equal: outcome(() => crypto.subtle.timingSafeEqual(a, new TextEncoder().encode('secret-token'))),
        different: outcome(() => crypto.subtle.timingSafeEqual(a, new TextEncoder().encode('secret-tokeN'))),
        buffers: outcome(() => crypto.subtle.timingSafeEqual(new Uint8Array([1, 2]).buffer, new DataView(new Uint8Array([1, 2]).buffer))),
        lengths: outcome(() => crypto.subtle.timingSafeEqual(a, new Uint8Array(3))),
        strings: outcome(() => crypto.subtle.timingSafeEqual('ab', 'ab')),
      });
    },
    async 'GET /edges'(request, env) {
      const outcome = (f) => {
        try {
          const value = f();
          return value instanceof Response ? [value.status, value.headers.get('location')] : value;
        } catch (e) {
          return e.name;
        }
      };
      const upstream = await fetch(`${env.UPSTREAM}/echo`);
      const fetched = outcome(() => {
        upstream.headers.set('x-added', '1');
        return upstream.headers.get('x-added');
      });
      const own = new Response('x');
      own.headers.set('x-added', '1');
      return Response.json({
        relativeRedirect: outcome(() => Response.redirect('/relative')),
        badRedirectStatus: outcome(() => Response.redirect('https://x.test/', 200)),
        status600: outcome(() => new Response('x', { status: 600 })),
        status199: outcome(() => new Response('x', { status: 199 })),
        bodyWith204: outcome(() => new Response('x', { status: 204 })),
        nullBodyWith204: outcome(() => new Response(null, { status: 204 })),
        badHeaderValue: outcome(() => new Headers({ 'x-a': 'line\nbreak' })),
        getWithBody: outcome(() => new Request('https://x.test/', { method: 'GET', body: 'x' })),
        badMethod: outcome(() => new Request('https://x.test/', { method: 'bad method' })),
        lowerPatch: outcome(() => new Request('https://x.test/', { method: 'patch' }).method),
        fetchedHeadersMutable: fetched,
        ownHeadersMutable: own.headers.get('x-added'),
        jsonCycle: outcome(() => {
          const o = {};
          o.o = o;
          return Response.json(o);
        }),
        bodyUsedTwice: await (async () => {
          const r = new Response('once');
          await r.text();
          try {
            await r.text();
            return 'no error';
          } catch (e) {
            return e.name;
          }
        })(),
        cloneAfterUse: await (async () => {
          const r = new Response('once');
          await r.text();
          try {
            r.clone();
            return 'no error';
          } catch (e) {
            return e.name;
          }
        })(),
      });
    },
    'GET /encode/gzip'() {
      // Workers encode a body whose Content-Encoding is gzip or br (encodeBody "automatic").
      return new Response('gzip me '.repeat(50), { headers: { 'content-encoding': 'gzip', 'content-type': 'text/plain' } });
    },
    'GET /encode/br'() {
      return Response.json({ compressed: 'with brotli', list: [1, 2, 3] }, { headers: { 'content-encoding': 'br' } });
    },
    'GET /encode/manual'() {
      const body = new Response('already compressed '.repeat(20)).body.pipeThrough(new CompressionStream('gzip'));
      return new Response(body, { headers: { 'content-encoding': 'gzip' }, encodeBody: 'manual' });
    },
    'GET /encode/stream'() {
      const encoder = new TextEncoder();
      const body = new ReadableStream({
        start(controller) {
          controller.enqueue(encoder.encode('streamed '));
          controller.enqueue(encoder.encode('and compressed'));
          controller.close();
        },
      });
      return new Response(body, { headers: { 'content-encoding': 'gzip' } });
    },
    'GET /encode/deflate'() {
      return new Response('not encoded by the runtime', { headers: { 'content-encoding': 'deflate' } });
    },
    'GET /encode/bad'() {
      try {
        new Response('x', { encodeBody: 'sometimes' });
        return new Response('no error');
      } catch (e) {
        return new Response(e.name);
      }
    },
    async 'GET /fetch/gzip'(request, env) {
      const upstream = await fetch(`${env.UPSTREAM}/gzip`);
      return upstream;
    },
    async 'GET /fetch/gzip-rewrapped'(request, env) {
      const upstream = await fetch(`${env.UPSTREAM}/gzip`);
      const response = new Response(upstream.body, upstream);
      response.headers.set('x-rewrapped', 'yes');
      return response;
    },
    async 'GET /fetch/gzip-text'(request, env) {
      const upstream = await fetch(`${env.UPSTREAM}/gzip`);
      const text = await upstream.text();
      return Response.json({ encoding: upstream.headers.get('content-encoding'), length: text.length, start: text.slice(0, 16) });
    },
    'GET /events'() {
      const target = new EventTarget();
      const seen = [];
      target.addEventListener('ping', (e) => seen.push(['first', e.detail]), { once: true });
      target.addEventListener('ping', (e) => seen.push(['second', e.type]));
      target.dispatchEvent(new CustomEvent('ping', { detail: 42 }));
      target.dispatchEvent(new Event('ping'));
      return Response.json({ seen });
    },
    'GET /throw'() {
      throw new Error('handler failed');
    },
    async 'GET /reject'() {
      await null;
      throw new TypeError('async handler failed');
    },
    'GET /not-a-response'() {
      return { not: 'a response' };
    },
    'GET /hits'() {
      return Response.json({ positive: state.hits > 0 });
    },
    'GET /stream'() {
      const encoder = new TextEncoder();
      const body = new ReadableStream({
        start(controller) {
          controller.enqueue(encoder.encode('chunk one, '));
          controller.enqueue(encoder.encode('chunk two'));
          controller.close();
        },
      });
      return new Response(body, { headers: { 'content-type': 'text/plain' } });
    },
    async 'GET /stream/transform'() {
      const upper = new TransformStream({
        transform(chunk, controller) {
          controller.enqueue(chunk.toUpperCase());
        },
      });
      const writer = upper.writable.getWriter();
      writer.write('abc');
      writer.write('def');
      writer.close();
      const text = await new Response(upper.readable.pipeThrough(new TextEncoderStream())).text();
      return new Response(text);
    },
    'HEAD /head'() {
      return new Response('body of head', { headers: { 'x-head': '1' } });
    },
  },
};

// A JSON API written the way Hono apps for Cloudflare Workers are: typed bindings,
// middleware, routing with params, validation, cookies, JWT, CORS, sub-apps, error
// handlers, and `export default app` (a Hono instance).
import { Hono } from 'hono';
import type { Context, Next } from 'hono';
import { cors } from 'hono/cors';
import { basicAuth } from 'hono/basic-auth';
import { bearerAuth } from 'hono/bearer-auth';
import { etag } from 'hono/etag';
import { getCookie, getSignedCookie, setCookie, setSignedCookie, deleteCookie } from 'hono/cookie';
import { HTTPException } from 'hono/http-exception';
import { jwt, sign, verify } from 'hono/jwt';
import { prettyJSON } from 'hono/pretty-json';
import { secureHeaders } from 'hono/secure-headers';
import { requestId } from 'hono/request-id';
import { validator } from 'hono/validator';
import { html } from 'hono/html';
import { stream, streamSSE } from 'hono/streaming';
import { bodyLimit } from 'hono/body-limit';
import { api } from './api';
import { renderPage } from './views';

type Bindings = { GREETING: string; JWT_SECRET: string; UPSTREAM: string; LIMITS: { maxItems: number } };
type Variables = { user: string; trace: string[] };

const app = new Hono<{ Bindings: Bindings; Variables: Variables }>();

// A module-level store, as apps keep in an isolate between requests.
const background: string[] = [];

app.use('*', async (c: Context, next: Next) => {
  c.set('trace', ['outer']);
  await next();
  c.header('X-Trace', c.get('trace').concat('outer-after').join(','));
});

app.use('/cors/*', cors({
  origin: ['https://app.example.com', 'https://admin.example.com'],
  allowMethods: ['GET', 'POST', 'DELETE'],
  allowHeaders: ['Content-Type', 'X-Api-Key'],
  exposeHeaders: ['X-Total-Count'],
  maxAge: 600,
  credentials: true,
}));
app.use('/open/*', cors());

app.get('/', (c) => c.text(`${c.env.GREETING}, Hono!`));
app.get('/json', (c) => c.json({ message: 'hello', list: [1, 2, 3], nested: { ok: true } }));
app.get('/status/:code{[0-9]{3}}', (c) => c.json({ code: Number(c.req.param('code')) }, Number(c.req.param('code')) as 201));

app.get('/users/:id', (c) => {
  c.get('trace').push('handler');
  return c.json({
    id: c.req.param('id'),
    q: c.req.query('q') ?? null,
    tags: c.req.queries('tag') ?? [],
    all: c.req.query(),
  });
});
app.get('/posts/:id{[0-9]+}', (c) => c.json({ kind: 'numeric', id: c.req.param('id') }));
app.get('/posts/:slug', (c) => c.json({ kind: 'slug', slug: c.req.param('slug') }));
app.get('/posts/:id/comments/:commentId', (c) => c.json(c.req.param()));
app.get('/files/*', (c) => c.text(`file path ${c.req.path}`));
app.get('/optional/:name?', (c) => c.text(`name=${c.req.param('name') ?? '(none)'}`));
app.on(['PUT', 'DELETE'], '/multi', (c) => c.text(`method ${c.req.method}`));
app.all('/any', (c) => c.text(`any ${c.req.method}`));

app.post('/users', async (c) => {
  const body = await c.req.json<{ name: string; age: number }>();
  return c.json({ created: body, by: c.req.header('x-user') ?? 'anonymous' }, 201, { Location: '/users/7' });
});
app.post('/form', async (c) => {
  const body = await c.req.parseBody({ all: true });
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (value instanceof File) out[key] = { file: value.name, type: value.type, size: value.size, text: await value.text() };
    else out[key] = value;
  }
  return c.json(out);
});
app.post('/text', async (c) => c.text(`got ${(await c.req.text()).length} chars: ${await c.req.text()}`));
app.post('/bytes', async (c) => {
  const data = new Uint8Array(await c.req.arrayBuffer());
  return c.json({ length: data.length, sum: data.reduce((a, b) => a + b, 0) });
});
app.post('/limited', bodyLimit({ maxSize: 8, onError: (c) => c.text('too big', 413) }), async (c) => c.text(`ok ${await c.req.text()}`));

app.post('/validated',
  validator('json', (value, c) => {
    if (typeof value?.title !== 'string' || value.title.length < 3) return c.json({ error: 'title too short' }, 400);
    return { title: value.title as string };
  }),
  (c) => c.json({ title: c.req.valid('json').title.toUpperCase() }));
app.get('/search',
  validator('query', (value, c) => {
    const page = Number(value.page ?? '1');
    if (!Number.isInteger(page) || page < 1) return c.text('bad page', 400);
    return { page };
  }),
  (c) => c.json({ page: c.req.valid('query').page }));

app.get('/headers', (c) => c.json({
  custom: c.req.header('X-Custom') ?? null,
  agent: c.req.header('user-agent') ?? null,
  url: c.req.url,
  path: c.req.path,
  method: c.req.method,
}));
app.get('/respond', (c) => {
  c.status(202);
  c.header('X-One', '1');
  c.header('X-Multi', 'a');
  c.header('X-Multi', 'b', { append: true });
  return c.body('accepted');
});
app.get('/redirect', (c) => c.redirect('/json'));
app.get('/redirect-permanent', (c) => c.redirect('https://example.com/elsewhere', 301));
app.get('/html', (c) => {
  const name = c.req.query('name') ?? 'world';
  return c.html(html`<!doctype html><h1>Hello ${name}</h1>`);
});
app.get('/jsx', (c) => c.html(renderPage(c.req.query('name') ?? 'world', ['a', 'b'])));
app.get('/raw', () => new Response('raw response', { status: 203, headers: { 'X-Raw': 'yes' } }));
app.get('/env', (c) => c.json({ greeting: c.env.GREETING, maxItems: c.env.LIMITS.maxItems }));

// Cookies
app.get('/cookies/set', (c) => {
  setCookie(c, 'session', 'abc123', { path: '/', httpOnly: true, secure: true, sameSite: 'Strict', maxAge: 3600 });
  setCookie(c, 'theme', 'dark');
  return c.text('cookies set');
});
app.get('/cookies/get', (c) => c.json({ session: getCookie(c, 'session') ?? null, all: getCookie(c) }));
app.get('/cookies/delete', (c) => {
  const old = deleteCookie(c, 'session');
  return c.text(`deleted ${old ?? 'nothing'}`);
});
app.get('/cookies/signed/set', async (c) => {
  await setSignedCookie(c, 'sig', 'value-1', c.env.JWT_SECRET, { path: '/' });
  return c.text('signed');
});
app.get('/cookies/signed/get', async (c) => c.json({ sig: (await getSignedCookie(c, c.env.JWT_SECRET, 'sig')) ?? null }));

// Auth
app.get('/admin/*', basicAuth({ username: 'admin', password: 's3cret' }));
app.get('/admin/panel', (c) => c.text('welcome admin'));
app.get('/bearer/*', bearerAuth({ token: 'tok-123' }));
app.get('/bearer/data', (c) => c.json({ data: 'secret data' }));
app.get('/jwt/issue', async (c) => {
  const token = await sign({ sub: 'user-1', role: 'admin', iat: 1700000000, exp: 4102444800 }, c.env.JWT_SECRET);
  return c.json({ token });
});
app.use('/jwt/protected/*', (c, next) => jwt({ secret: c.env.JWT_SECRET, alg: 'HS256' })(c, next));
app.get('/jwt/protected/me', (c) => c.json({ payload: c.get('jwtPayload') }));
app.post('/jwt/verify', async (c) => {
  try {
    return c.json({ payload: await verify(await c.req.text(), c.env.JWT_SECRET, 'HS256') });
  } catch (e) {
    return c.json({ error: (e as Error).name }, 401);
  }
});

// CORS
app.get('/cors/items', (c) => {
  c.header('X-Total-Count', '2');
  return c.json(['a', 'b']);
});
app.post('/cors/items', (c) => c.json({ ok: true }, 201));
app.get('/open/ping', (c) => c.text('pong'));

// Other middleware
app.get('/etag', etag(), (c) => c.text('etag body'));
app.get('/secure', secureHeaders(), (c) => c.text('secure'));
app.get('/pretty', prettyJSON(), (c) => c.json({ a: 1, b: [true] }));
app.get('/request-id', requestId(), (c) => c.text(`id ${c.get('requestId')}`));

// Errors
app.get('/error', () => {
  throw new Error('kaboom');
});
app.get('/http-exception', () => {
  throw new HTTPException(401, { message: 'custom unauthorized' });
});
app.get('/http-exception-response', () => {
  throw new HTTPException(418, { res: new Response('teapot body', { status: 418, headers: { 'X-Teapot': '1' } }) });
});
app.get('/async-error', async () => {
  await new Promise((resolve) => setTimeout(resolve, 1));
  throw new TypeError('late failure');
});

// Background work and subrequests
app.get('/wait/start', (c) => {
  c.executionCtx.waitUntil(new Promise<void>((resolve) => setTimeout(() => {
    background.push('done');
    resolve();
  }, 30)));
  return c.text('started');
});
app.get('/wait/state', (c) => c.json({ background }));
app.get('/upstream', async (c) => {
  const response = await fetch(`${c.env.UPSTREAM}/echo?from=hono`, {
    method: 'POST',
    headers: { 'X-App': 'hono', 'Content-Type': 'text/plain' },
    body: 'payload',
  });
  const echoed = await response.json<{ method: string; uri: string; body: string; headers: Record<string, string[]> }>();
  return c.json({
    status: response.status,
    cookies: response.headers.getSetCookie(),
    method: echoed.method,
    uri: echoed.uri,
    body: echoed.body,
    xApp: echoed.headers['x-app'],
  });
});
app.get('/upstream/passthrough', (c) => fetch(`${c.env.UPSTREAM}/echo`));
app.get('/upstream/modified', async (c) => {
  const response = await fetch(`${c.env.UPSTREAM}/echo`);
  const modified = new Response(response.body, response);
  modified.headers.set('X-Proxied', 'yes');
  return modified;
});

// Streaming helpers (need ReadableStream)
app.get('/stream', (c) => stream(c, async (s) => {
  await s.write('one ');
  await s.write(new TextEncoder().encode('two '));
  await s.write('three');
}));
app.get('/sse', (c) => streamSSE(c, async (s) => {
  await s.writeSSE({ data: 'first', event: 'tick', id: '1' });
  await s.writeSSE({ data: 'second' });
}));

app.route('/api/v1', api);

app.notFound((c) => c.json({ error: 'not found', path: c.req.path }, 404));
app.onError((err, c) => {
  if (err instanceof HTTPException) return err.getResponse();
  return c.json({ error: err.message, name: err.name }, 500);
});

export default app;

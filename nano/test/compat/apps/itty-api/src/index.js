// An itty-router v5 API as its docs write one: AutoRouter (JSON by default, 404 for
// missing routes, errors caught), CORS through preflight/corsify, middleware, and
// `export default router`: an object whose prototype is a Proxy that answers any
// property (even `then`) with a route-registering function.
import {
  AutoRouter, Router, cors, error, html, json, status, text, StatusError,
  withContent, withCookies, withParams,
} from 'itty-router';

const { preflight, corsify } = cors({
  origin: ['https://app.example.com'],
  credentials: true,
  allowMethods: ['GET', 'POST', 'PATCH'],
  exposeHeaders: ['x-count'],
  maxAge: 300,
});

const background = [];

// Middleware: returning nothing passes on; returning a value ends the request.
const withUser = (request) => {
  request.user = request.headers.get('x-user') ?? 'anonymous';
};
const requireKey = (request, env) => {
  if (request.headers.get('x-api-key') !== env.API_KEY) return error(401, 'missing or wrong key');
};

const nested = Router({ base: '/nested' });
nested
  .get('/', () => 'nested root')
  .get('/:id', ({ params }) => ({ nested: params.id }));

const router = AutoRouter({
  before: [preflight, withUser],
  finally: [corsify, (response) => {
    response.headers.set('x-powered-by', 'itty');
  }],
});

router
  .get('/', () => 'Hello itty')
  .get('/hello/:name', ({ name, user }) => `Hello, ${name}! (${user})`)
  .get('/items/:id', ({ params, query }) => ({ id: params.id, query }))
  .get('/files/:path+', ({ params }) => ({ path: params.path }))
  .get('/optional/:value?', ({ params }) => ({ value: params.value ?? null }))
  .get('/ext/:name.:ext', ({ params }) => params)
  .get('/wild/*', (request) => ({ route: request.route, url: request.url }))
  .get('/text', () => text('plain text'))
  .get('/html', () => html('<p>hello</p>'))
  .get('/status', () => status(204))
  .get('/json', () => json({ a: 1 }, { headers: { 'x-count': '1' } }))
  .get('/created', () => json({ made: true }, { status: 201 }))
  .get('/array', () => [1, 'two', { three: 3 }])
  .get('/number', () => 42)
  .get('/undefined', () => undefined)
  .get('/raw', () => new Response('raw', { status: 202, headers: { 'content-type': 'text/x-raw' } }))
  .get('/redirect', () => Response.redirect('https://example.com/moved', 307))
  .get('/error/teapot', () => {
    throw new StatusError(418, 'short and stout');
  })
  .get('/error/extra', () => {
    throw new StatusError(409, { error: 'conflict', id: 7 });
  })
  .get('/error/plain', () => {
    throw new Error('boom');
  })
  .get('/error/async', async () => {
    await null;
    throw new TypeError('async boom');
  })
  .get('/error/helper', () => error(400, { details: 'bad input' }))
  .get('/secret', requireKey, () => ({ secret: 'itty' }))
  .get('/cookies', withCookies, ({ cookies }) => cookies)
  .get('/set-cookies', () => {
    const headers = new Headers({ 'content-type': 'text/plain' });
    headers.append('set-cookie', 'a=1; Path=/; HttpOnly');
    headers.append('set-cookie', 'b=2; Max-Age=60');
    return new Response('two cookies', { headers });
  })
  .get('/params-proxy', withParams, ({ id = 'none', method }) => ({ id, method }))
  .get('/env', (request, env) => ({ greeting: env.GREETING }))
  .get('/wait', (request, env, ctx) => {
    ctx.waitUntil(new Promise((resolve) => setTimeout(() => resolve(background.push('waited')), 30)));
    return 'scheduled';
  })
  .get('/wait/state', () => ({ background }))
  .post('/items', withContent, ({ content }) => json({ received: content }, { status: 201 }))
  .post('/form', withContent, ({ content }) => Object.fromEntries(content))
  .post('/echo', async (request) => text(await request.text()))
  .patch('/items/:id', withContent, ({ params, content }) => ({ id: params.id, patch: content }))
  .all('/nested/*', nested.fetch)
  .get('/upstream', async (request, env) => {
    const response = await fetch(`${env.UPSTREAM}/echo?via=itty`, { headers: { 'x-app': 'itty' } });
    const echoed = await response.json();
    return { uri: echoed.uri, xApp: echoed.headers['x-app'], cookies: response.headers.getSetCookie() };
  });

export default router;

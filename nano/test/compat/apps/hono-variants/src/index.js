// Hono written other ways: the small-bundle preset (hono/quick), a base path, an
// itty-router app mounted inside, env(c) and getRuntimeKey() from hono/adapter, the
// jwk, timeout, trailing-slash, method-override, csrf, logger and timing middleware,
// app.request() called from a handler, and `export default { fetch: app.fetch }`
// (fetch detached from the app).
import { Hono } from 'hono/quick';
import { env, getRuntimeKey } from 'hono/adapter';
import { jwk } from 'hono/jwk';
import { timeout } from 'hono/timeout';
import { trimTrailingSlash } from 'hono/trailing-slash';
import { methodOverride } from 'hono/method-override';
import { csrf } from 'hono/csrf';
import { logger } from 'hono/logger';
import { timing, startTime, endTime } from 'hono/timing';
import { HTTPException } from 'hono/http-exception';
import { AutoRouter } from 'itty-router';

const ED25519_PUBLIC = { kty: 'OKP', crv: 'Ed25519', x: 'h_A3LHwAAIs3IkUlCQ2jKy6xdq1noDXwDNMLIhnbaBU', kid: 'eddsa', alg: 'EdDSA' };

const app = new Hono().basePath('/v2');

app.use('*', logger((message, ...rest) => console.log(message, ...rest)));
app.use('*', trimTrailingSlash());
app.get('/runtime', (c) => c.json({ runtime: getRuntimeKey(), env: env(c), direct: c.env }));

app.use('/slow/*', timeout(50, () => new HTTPException(504, { message: 'took too long' })));
app.get('/slow/wait', async (c) => {
  await new Promise((resolve) => setTimeout(resolve, 500));
  return c.text('finished');
});
app.get('/slow/quick', (c) => c.text('quick enough'));

app.get('/timed', timing(), async (c) => {
  startTime(c, 'work', 'Doing the work');
  await new Promise((resolve) => setTimeout(resolve, 5));
  endTime(c, 'work');
  return c.text('timed');
});

app.use('/forms/*', methodOverride({ app }));
app.delete('/forms/item', (c) => c.text('deleted through override'));
app.post('/forms/item', (c) => c.text('posted'));

app.post('/protected', csrf({ origin: 'https://app.example.com' }), (c) => c.text('csrf passed'));

app.use('/jwk/*', jwk({ keys: [ED25519_PUBLIC], alg: ['EdDSA'] }));
app.get('/jwk/me', (c) => c.json({ sub: c.get('jwtPayload').sub }));

app.get('/self-call', async (c) => {
  const inner = await app.request('/v2/runtime', {}, c.env);
  return c.json({ innerStatus: inner.status, innerRuntime: (await inner.json()).runtime });
});

const itty = AutoRouter(); // app.mount strips /v2/itty before itty sees the path
itty.get('/hello/:name', ({ name }) => ({ from: 'itty', name }));
app.mount('/itty', itty.fetch);

app.get('/', (c) => c.text('v2 root'));
app.onError((err, c) => (err instanceof HTTPException ? err.getResponse() : c.text(`error: ${err.message}`, 500)));

export default { fetch: app.fetch };

// A default export that is itself a Proxy, the way itty-router v4's Router() was: every
// property read (then, fetch, scheduled, ...) answers, route-registering methods
// included, and the runtime must read only `fetch`.
const reads = [];

function ProxyRouter() {
  const routes = [];
  return new Proxy({}, {
    get(target, prop, receiver) {
      reads.push(String(prop));
      if (prop === 'fetch') {
        return async (request, env) => {
          const { pathname } = new URL(request.url);
          for (const [method, path, handler] of routes) {
            if ((method === request.method || method === 'ALL') && path === pathname) return handler(request, env);
          }
          return new Response('no route', { status: 404 });
        };
      }
      return (path, handler) => {
        routes.push([String(prop).toUpperCase(), path, handler]);
        return receiver;
      };
    },
  });
}

const router = ProxyRouter();
router
  .get('/', () => new Response('proxy root'))
  .post('/echo', async (request) => new Response(`echo: ${await request.text()}`))
  .get('/env', (request, env) => Response.json({ mode: env.MODE }))
  .all('/any', (request) => new Response(`any ${request.method}`))
  .get('/reads', () => Response.json({ then: reads.includes('then'), fetch: reads.includes('fetch') }));

export default router;

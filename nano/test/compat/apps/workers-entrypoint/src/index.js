// The current Workers shape: a default export extending WorkerEntrypoint from the
// built-in cloudflare:workers module, env imported at module scope, waitUntil from the
// module, and a Hono app inside the class's fetch.
import { WorkerEntrypoint, env, waitUntil } from 'cloudflare:workers';
import { Hono } from 'hono';

const greetingAtLoad = env.GREETING;
const log = [];

const app = new Hono();
app.get('/', (c) => c.text(`${greetingAtLoad} from an entrypoint`));
app.get('/env', (c) => c.json({ fromContext: c.env.GREETING, fromModule: env.GREETING, flags: env.FLAGS }));
app.get('/wait', (c) => {
  waitUntil(new Promise((resolve) => setTimeout(() => resolve(log.push('module waitUntil')), 20)));
  c.executionCtx.waitUntil(new Promise((resolve) => setTimeout(() => resolve(log.push('ctx waitUntil')), 30)));
  return c.text('scheduled', 202);
});
app.get('/log', (c) => c.json(log));

export default class Api extends WorkerEntrypoint {
  async fetch(request) {
    const response = await app.fetch(request, this.env, this.ctx);
    response.headers.set('x-entrypoint', this instanceof WorkerEntrypoint ? 'yes' : 'no');
    return response;
  }
}

// A Hono-shaped app: a router class with private fields and method chaining, a
// context helper, and `export default app` (an instance with a fetch method).
import { Hono } from './hono';
import type { Context, Handler } from './hono';

type Bindings = { GREETING?: string };

const app = new Hono<{ Bindings: Bindings }>();

const hello: Handler = (c: Context) => c.text(`${c.env.GREETING ?? 'hi'} from ${c.path}`);

app
  .get('/', hello)
  .get('/json', (c) => c.json({ ok: true, path: c.path } as const));

export default app;

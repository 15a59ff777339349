// A sub-application mounted with app.route(), with its own middleware.
import { Hono } from 'hono';

export const api = new Hono<{ Bindings: { LIMITS: { maxItems: number } } }>();

const items = new Map<number, { id: number; name: string }>([[1, { id: 1, name: 'first' }]]);
let nextId = 2;

api.use('*', async (c, next) => {
  await next();
  c.res.headers.set('X-Api-Version', 'v1');
});
api.get('/items', (c) => c.json({ items: [...items.values()], max: c.env.LIMITS.maxItems }));
api.get('/items/:id{[0-9]+}', (c) => {
  const item = items.get(Number(c.req.param('id')));
  return item ? c.json(item) : c.json({ error: 'no such item' }, 404);
});
api.post('/items', async (c) => {
  const { name } = await c.req.json<{ name: string }>();
  const item = { id: nextId++, name };
  items.set(item.id, item);
  return c.json(item, 201);
});
api.delete('/items/:id', (c) => c.body(null, items.delete(Number(c.req.param('id'))) ? 204 : 404));

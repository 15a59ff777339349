// itty-router's smallest router (IttyRouter) wired by hand, the v4 way: the module
// exports a plain object whose fetch runs the router then formats with json/error.
import { IttyRouter, Router, error, json, withParams } from 'itty-router';

const router = IttyRouter();
const todos = [{ id: 1, title: 'write tests', done: false }];

router
  .all('*', withParams)
  .get('/todos', () => todos)
  .get('/todos/:id', ({ id }) => todos.find((todo) => todo.id === Number(id)) ?? error(404, 'no such todo'))
  .post('/todos', async (request) => {
    const todo = { id: todos.length + 1, ...(await request.json()), done: false };
    todos.push(todo);
    return json(todo, { status: 201 });
  })
  .get('/throws', () => {
    throw new Error('classic failure');
  })
  .all('*', () => error(404));

// A second router with Router's own before/catch/finally stages.
const staged = Router({
  base: '/staged',
  before: [(request) => { request.started = 'yes'; }],
  catch: (err) => error(err.status ?? 500, { caught: err.message }),
  finally: [(response) => response instanceof Response ? response : json(response)],
});
staged
  .get('/ok', (request) => ({ started: request.started }))
  .get('/fail', () => {
    throw new RangeError('staged failure');
  });

export default {
  fetch(request, env, ctx) {
    if (new URL(request.url).pathname.startsWith('/staged')) return staged.fetch(request, env, ctx);
    return router.fetch(request, env, ctx).then(json).catch(error);
  },
};

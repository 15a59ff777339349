export interface Context {
  readonly path: string;
  env: Record<string, string | undefined>;
  text(body: string, status?: number): Response;
  json<T extends object>(value: T): Response;
}
export type Handler = (c: Context) => Response | Promise<Response>;

class RouterBase<E extends object = {}> {
  #routes: Array<[method: string, path: string, handler: Handler]> = [];
  protected notFound: Handler = (c) => c.text('404 Not Found', 404);

  on(method: string, path: string, handler: Handler): this {
    this.#routes.push([method, path, handler]);
    return this;
  }

  protected match(method: string, path: string): Handler | undefined {
    return this.#routes.find(([m, p]) => m === method && p === path)?.[2];
  }
}

export class Hono<E extends { Bindings?: object } = {}> extends RouterBase<E> {
  get = (path: string, handler: Handler): this => this.on('GET', path, handler);

  fetch = async (request: Request, env?: E['Bindings']): Promise<Response> => {
    const path = new URL(request.url).pathname;
    const context: Context = {
      path,
      env: (env ?? {}) as Record<string, string | undefined>,
      text: (body, status = 200) => new Response(body, { status }),
      json: (value) => new Response(JSON.stringify(value), { headers: { 'content-type': 'application/json' } }),
    };
    const handler = this.match(request.method, path) ?? this.notFound;
    return handler(context);
  };
}

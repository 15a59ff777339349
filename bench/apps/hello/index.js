// Benchmark app: the one-line hello world.
export default { fetch: () => new Response("Hello World") };

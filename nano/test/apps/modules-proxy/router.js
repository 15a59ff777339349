export const Router = () => {
  const routes = [];
  globalThis.proxyGets = [];
  return new Proxy({}, {
    get(target, prop, receiver) {
      globalThis.proxyGets.push(String(prop));
      if (prop === 'fetch') {
        return (request) => {
          for (const [method, path, handler] of routes) {
            if (method === request.method && path === request.path) return handler();
          }
          return 'not found';
        };
      }
      return (path, handler) => {
        routes.push([String(prop).toUpperCase(), path, handler]);
        return receiver;
      };
    },
  });
};

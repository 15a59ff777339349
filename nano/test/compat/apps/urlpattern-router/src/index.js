// URLPattern (https://urlpattern.spec.whatwg.org/) as Workers apps use it: a small
// method + pattern router over the request URL, and a table of patterns and inputs
// whose exec()/test() results are returned whole, so every component's input and
// groups are compared with the reference runtime.

const routes = [];
function route(method, pathname, handler) {
  routes.push({ method, pattern: new URLPattern({ pathname }), handler });
}

route('GET', '/books/:id(\\d+)', (match) => ({ book: Number(match.pathname.groups.id) }));
route('GET', '/books/:slug', (match) => ({ slug: match.pathname.groups.slug }));
route('GET', '/authors/:author/books/:book?', (match) => match.pathname.groups);
route('GET', '/static/*', (match) => ({ rest: match.pathname.groups[0] }));
route('GET', '/:lang(en|fr|de)?/about', (match) => ({ lang: match.pathname.groups.lang ?? 'default' }));
route('GET', '/tags/:tags+', (match) => ({ tags: match.pathname.groups.tags.split('/') }));
route('POST', '/books', async (match, request) => ({ created: await request.json() }));

const searchPattern = new URLPattern({ pathname: '/search', search: '*q=:q&*' });

// [label, constructor arguments, exec/test input arguments]
const TABLE = [
  ['named group', [{ pathname: '/books/:id' }], ['https://example.com/books/123']],
  ['named group relative input without base', [{ pathname: '/books/:id' }], ['/books/123']],
  ['named group relative input with base', [{ pathname: '/books/:id' }], ['/books/123', 'https://example.com']],
  ['regexp group rejects', [{ pathname: '/books/:id(\\d+)' }], ['https://example.com/books/abc']],
  ['regexp group accepts', [{ pathname: '/books/:id(\\d+)' }], ['https://example.com/books/42']],
  ['wildcard', ['/files/*', 'https://example.com'], ['https://example.com/files/a/b/c.txt']],
  ['optional group absent', [{ pathname: '/:lang(en|fr)?/about' }], ['https://example.com/about']],
  ['optional group present', [{ pathname: '/:lang(en|fr)?/about' }], ['https://example.com/fr/about']],
  ['optional segment', [{ pathname: '/product{/:category}?/:id' }], ['https://shop.test/product/shoes/9']],
  ['optional segment absent', [{ pathname: '/product{/:category}?/:id' }], ['https://shop.test/product/9']],
  ['one or more', [{ pathname: '/post/:slug+' }], ['https://blog.test/post/2024/05/title']],
  ['zero or more', [{ pathname: '/post/:slug*' }], ['https://blog.test/post']],
  ['full string pattern', ['https://:sub.example.com/*'], ['https://api.example.com/v1/users?x=1#top']],
  ['optional subdomain', [{ hostname: '{*.}?example.com' }], ['https://example.com/']],
  ['optional subdomain present', [{ hostname: '{*.}?example.com' }], ['https://a.b.example.com/']],
  ['protocol alternatives', [{ protocol: 'http{s}?' }], ['http://x.test/']],
  ['search and hash', [{ search: 'q=:query&page=:page', hash: 'section-:n' }], ['https://x.test/p?q=cats&page=2#section-4']],
  ['ignoreCase', [{ pathname: '/About/:x' }, { ignoreCase: true }], ['https://x.test/aBOUT/Me']],
  ['case sensitive by default', [{ pathname: '/About/:x' }], ['https://x.test/aBOUT/Me']],
  ['init input', [{ pathname: '/books/:id' }], [{ pathname: '/books/7', hostname: 'example.com' }]],
  ['init input with baseURL', [{ pathname: '/books/:id' }], [{ pathname: 'books/8', baseURL: 'https://example.com/' }]],
  ['string with base', ['/api/:version/*', 'https://api.example.com'], ['https://api.example.com/api/v2/users/1']],
  ['other host rejected', ['/api/:version/*', 'https://api.example.com'], ['https://evil.example.com/api/v2/users/1']],
  ['unicode pathname', [{ pathname: '/café/:x' }], ['https://x.test/café/crème']],
  ['percent-encoded input', [{ pathname: '/caf%C3%A9/:x' }], ['https://x.test/caf%C3%A9/cr%C3%A8me']],
  ['explicit port', [{ port: '8080' }], ['http://a.test:8080/']],
  ['default port is empty', [{ protocol: 'https', port: '' }], ['https://a.test:443/']],
  ['credentials', [{ username: ':user', password: ':pass' }], ['https://alice:s3cret@x.test/']],
  ['custom regexp wildcard', [{ pathname: '/(.*)/end' }], ['https://x.test/a/b/end']],
  ['escaped colon', [{ pathname: '/\\:literal/:x' }], ['https://x.test/:literal/1']],
  ['empty pattern matches all', [{}], ['https://anything.test/at/all?q#h']],
  ['baseURL in init', [{ baseURL: 'https://example.com/base/', pathname: 'sub/:x' }], ['https://example.com/base/sub/1']],
  ['two groups in a segment', [{ pathname: '/:file.:ext' }], ['https://x.test/report.pdf']],
  ['regexp alternation in hostname', [{ hostname: '(cdn|static).example.com' }], ['https://cdn.example.com/']],
  ['non-special scheme', ['data\\:*'], ['data:text/plain,hi']],
];

const INVALID = [
  ['unbalanced regexp', [{ pathname: '/(\\d+' }]],
  ['bad group name', [{ pathname: '/:1abc' }]],
  ['duplicate group name', [{ pathname: '/:a/:a' }]],
  ['relative string without base', ['/relative/:x']],
  ['bad option', [{ pathname: '/x' }, { ignoreCase: true }, 'extra']],
];

function components(pattern) {
  const out = {};
  for (const key of ['protocol', 'username', 'password', 'hostname', 'port', 'pathname', 'search', 'hash']) out[key] = pattern[key];
  return out;
}

function table() {
  const out = {};
  for (const [label, args, input] of TABLE) {
    const pattern = new URLPattern(...args);
    out[label] = {
      pattern: components(pattern),
      hasRegExpGroups: pattern.hasRegExpGroups,
      test: pattern.test(...input),
      exec: pattern.exec(...input),
    };
  }
  return out;
}

function invalid() {
  const out = {};
  for (const [label, args] of INVALID) {
    try {
      new URLPattern(...args);
      out[label] = 'no error';
    } catch (e) {
      out[label] = e.name;
    }
  }
  try {
    new URLPattern({ pathname: '/x' }).exec(42);
    out.execNumber = 'no error';
  } catch (e) {
    out.execNumber = e.name;
  }
  out.execBadBase = new URLPattern({ pathname: '/x' }).exec('/x', 'not a url');
  return out;
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === '/table') return Response.json(table());
    if (url.pathname === '/invalid') return Response.json(invalid());
    if (url.pathname === '/table/size') return Response.json({ size: TABLE.length });
    const search = searchPattern.exec(url);
    if (search) return Response.json({ q: search.search.groups.q, search: search.search.input });
    for (const { method, pattern, handler } of routes) {
      if (method !== request.method) continue;
      const match = pattern.exec(request.url);
      if (match) return Response.json(await handler(match, request));
    }
    return Response.json({ error: 'no route', path: url.pathname }, { status: 404 });
  },
};

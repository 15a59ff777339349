// Server-side rendering with hono/jsx (JSX compiled by esbuild to hono/jsx calls).
import type { FC } from 'hono/jsx';

const Layout: FC<{ title: string }> = (props) => (
  <html>
    <head><title>{props.title}</title></head>
    <body>{props.children}</body>
  </html>
);

const List: FC<{ items: string[] }> = ({ items }) => <ul>{items.map((item) => <li class="item">{item}</li>)}</ul>;

export function renderPage(name: string, items: string[]) {
  return (
    <Layout title="Page">
      <h1>Hello {name}</h1>
      <List items={items} />
    </Layout>
  );
}

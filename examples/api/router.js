// Routing for the example API, kept in its own module to show relative imports.
import info from "./info.json";

export async function route(request, env) {
  const url = new URL(request.url);
  if (url.pathname === "/") {
    return Response.json({ service: info.name, version: info.version, region: env.REGION });
  }
  if (url.pathname === "/hello") {
    const name = url.searchParams.get("name") ?? "world";
    return Response.json({ hello: name });
  }
  if (url.pathname === "/echo" && request.method === "POST") {
    const body = await request.json();
    return Response.json({ received: body, length: request.headers.get("content-length") });
  }
  return Response.json({ error: "not found", path: url.pathname }, { status: 404 });
}

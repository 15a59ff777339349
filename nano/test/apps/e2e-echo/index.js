// End-to-end test app: reflects the request, exercises body types and logging.
let counter = 0;

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    counter++;
    switch (url.pathname) {
      case "/reflect": {
        const headers = [];
        for (const [name, value] of request.headers) headers.push([name, value]);
        const body = request.method === "GET" || request.method === "HEAD" ? "" : await request.text();
        return Response.json({
          method: request.method, url: request.url, headers, body,
          env: { GREETING: env.GREETING, NUMBER: env.NUMBER, FLAGS: env.FLAGS, frozen: Object.isFrozen(env) },
          counter,
        });
      }
      case "/cookies": {
        const headers = new Headers();
        headers.append("set-cookie", "a=1; Path=/");
        headers.append("set-cookie", "b=2; Path=/");
        headers.append("x-multi", "one");
        headers.append("x-multi", "two");
        return new Response("cookies", { status: 201, headers });
      }
      case "/bytes":
        return new Response(new Uint8Array([0, 1, 2, 253, 254, 255]), { headers: { "content-type": "application/octet-stream" } });
      case "/dataview":
        return new Response(new DataView(new Uint8Array([104, 105]).buffer));
      case "/params":
        return new Response(new URLSearchParams({ a: "1", b: "x y" }));
      case "/empty":
        return new Response(null, { status: 204 });
      case "/log":
        console.log("hello from the app", { n: 1 });
        console.error("an error line");
        return new Response("logged");
      case "/timer":
        return new Promise((resolve) => setTimeout(() => resolve(new Response("timer fired")), 20));
      case "/timer-throws":
        setTimeout(() => { throw new Error("boom in a timer"); }, 1);
        return new Response("armed");
      case "/throw":
        throw new TypeError("handler exploded");
      case "/undefined":
        return undefined;
      case "/string":
        return "just a string";
      case "/wait":
        ctx.waitUntil(new Promise((resolve) => setTimeout(resolve, 10)));
        return new Response("waiting");
      case "/slow":
        return new Promise((resolve) => setTimeout(() => resolve(new Response("late")), 5000));
      case "/crypto": {
        // crypto.subtle through the host operations of a real server: an HMAC of the
        // body, an ECDSA round trip, and RSA key generation (run in the thread pool).
        const body = new Uint8Array(await request.arrayBuffer());
        const hmacKey = await crypto.subtle.importKey("raw", new TextEncoder().encode("key"),
          { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
        const mac = new Uint8Array(await crypto.subtle.sign("HMAC", hmacKey, body));
        const ec = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
        const alg = { name: "ECDSA", hash: "SHA-256" };
        const signature = await crypto.subtle.sign(alg, ec.privateKey, body);
        const rsa = await crypto.subtle.generateKey({ name: "RSA-PSS", modulusLength: 1024,
          publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, false, ["sign"]);
        const refused = await crypto.subtle.exportKey("jwk", ec.privateKey).then(() => "exported", (e) => e.name);
        return Response.json({
          hmac: Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join(""),
          verified: await crypto.subtle.verify(alg, ec.publicKey, signature, body),
          rsa: rsa.privateKey.algorithm.modulusLength,
          refused,
        });
      }
      default:
        return new Response("not found: " + url.pathname, { status: 404 });
    }
  },
};

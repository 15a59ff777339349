// Randomness and the Web Crypto API: crypto.randomUUID(), crypto.getRandomValues(),
// crypto.subtle digests and HMAC signatures. Checked by nano/test/test_examples.py.

const hex = (buffer) =>
  Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");

export default {
  async fetch(request, env) {
    const url = new URL(request.url);

    if (url.pathname === "/digest") {
      // #region digest
      const data = new TextEncoder().encode(url.searchParams.get("text") ?? "");
      const digest = await crypto.subtle.digest("SHA-256", data);
      return Response.json({ sha256: hex(digest) });
      // #endregion digest
    }

    if (url.pathname === "/sign") {
      // #region hmac
      // Sign a message with an HMAC key from the app's env, and check it back.
      const key = await crypto.subtle.importKey(
        "raw",
        new TextEncoder().encode(env.SIGNING_KEY),
        { name: "HMAC", hash: "SHA-256" },
        false,
        ["sign", "verify"],
      );
      const message = new TextEncoder().encode(url.searchParams.get("message") ?? "");
      const signature = await crypto.subtle.sign("HMAC", key, message);
      const valid = await crypto.subtle.verify("HMAC", key, signature, message);
      return Response.json({ signature: hex(signature), valid });
      // #endregion hmac
    }

    // #region random
    const id = crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Response.json({ id, token: hex(bytes) });
    // #endregion random
  },
};

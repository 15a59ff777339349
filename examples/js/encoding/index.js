// Encoding and URL APIs: TextEncoder/TextDecoder, atob/btoa, URL,
// URLSearchParams and URLPattern. Checked by nano/test/test_examples.py.

// #region pattern
const route = new URLPattern({ pathname: "/users/:id(\\d+)/:tab?" });
// #endregion pattern

export default {
  fetch(request) {
    const url = new URL(request.url);

    // #region urlpattern
    const match = route.exec(url);
    if (match) {
      const { id, tab } = match.pathname.groups;
      return Response.json({ id: Number(id), tab: tab ?? "profile" });
    }
    // #endregion urlpattern

    // #region text
    if (url.pathname === "/bytes") {
      const text = url.searchParams.get("text") ?? "";
      const bytes = new TextEncoder().encode(text);
      const back = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
      return Response.json({ length: text.length, bytes: bytes.length, same: back === text });
    }
    // #endregion text

    // #region base64
    if (url.pathname === "/basic") {
      // atob/btoa work on Latin-1 strings, as in browsers.
      const [user, password] = atob(btoa("aladdin:opensesame")).split(":");
      return Response.json({ user, password });
    }
    // #endregion base64

    // #region search
    if (url.pathname === "/search") {
      const params = new URLSearchParams(url.search);
      params.append("seen", "1");
      params.sort();
      return new Response(params.toString());
    }
    // #endregion search

    return new Response("not found", { status: 404 });
  },
};

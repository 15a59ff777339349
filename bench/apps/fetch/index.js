// The app of bench/fetch.py: GET /seq?u=URL&n=N makes N fetch() calls one after the
// other, GET /conc?u=URL&n=N makes N at once; each answers with the total time and
// every call's round trip (fetch() to the end of its body), in milliseconds
// (Date.now() resolution: 1 ms).
export default {
  async fetch(request) {
    const params = new URL(request.url).searchParams;
    const target = params.get("u");
    const n = Number(params.get("n"));
    const one = async () => {
      const start = Date.now();
      const response = await fetch(target);
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error("status " + response.status);
      return Date.now() - start;
    };
    const begin = Date.now();
    let times = [];
    if (new URL(request.url).pathname === "/seq") {
      for (let i = 0; i < n; i++) times.push(await one());
    } else {
      times = await Promise.all(Array.from({ length: n }, one));
    }
    return Response.json({ total_ms: Date.now() - begin, times });
  },
};

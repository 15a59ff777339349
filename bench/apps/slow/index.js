// Benchmark app for shutdown under load: /slow?ms=N answers after N ms, /forever
// never answers, anything else answers at once.
export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/slow") {
      const ms = Number(url.searchParams.get("ms") || "2000");
      await new Promise((resolve) => setTimeout(resolve, ms));
      return new Response("slow " + ms);
    }
    if (url.pathname === "/forever") return new Promise(() => {});
    return new Response("ok");
  },
};

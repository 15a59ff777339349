// End-to-end test app in the service-worker form.
addEventListener("fetch", (event) => {
  event.respondWith(new Response("service worker says hi " + new URL(event.request.url).pathname));
});

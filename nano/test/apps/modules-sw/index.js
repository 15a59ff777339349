// The service-worker form: no exports, a fetch listener registered at top level.
addEventListener('fetch', (event) => {
  event.respondWith('service worker response');
});

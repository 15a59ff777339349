// The healthy tenant of the fault tests: answers every request at once.
export default {
  fetch(request) {
    return new Response("healthy " + new URL(request.url).pathname);
  },
};

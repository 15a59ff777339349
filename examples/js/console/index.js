// console output becomes log events tagged with the app name and request id.
// Checked by nano/test/test_examples.py (it reads the server's log).

export default {
  fetch(request) {
    // #region console
    const user = { id: 7, roles: ["admin", "dev"], profile: { city: "Lyon" } };
    console.log("user %s has %d roles", user.id, user.roles.length);
    console.info("user:", user);
    console.warn("deprecated endpoint", new URL(request.url).pathname);
    console.error(new TypeError("example error"));
    // #endregion console
    return new Response("logged\n");
  },
};

// Randomness: crypto.randomUUID() and crypto.getRandomValues().
// Checked by nano/test/test_examples.py.

export default {
  fetch(request) {
    // #region random
    const id = crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    const token = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return Response.json({ id, token });
    // #endregion random
  },
};

// End-to-end test app with a syntax error on line 4, column 13.
export default {
  fetch() {
    return new (;
  },
};

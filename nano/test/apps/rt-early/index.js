// Runtime test app: an early error only V8 reports (a duplicate declaration).
let answer = 1;

let answer = 2;
export default { fetch() { return new Response(String(answer)); } };

// The app behind `nano eval` and `nano repl` (nano/cli/shell.py): it evaluates
// scripts in its isolate's global scope, with the whole runtime prelude loaded, as
// an ordinary NANO app would see it.
//
// POST /eval   body: the script (already prepared by nano/cli/source.py, ending in a
//              sourceURL comment). Runs it with an indirect eval, awaits a thenable
//              completion value, keeps the result for /show and answers JSON:
//              {"ok": true, "undefined": bool} or
//              {"ok": false, "error": bool, "name", "message", "stack"} when it threw
//              (error false: a thrown non-Error value, kept for /show).
// POST /show?quote=1   prints the kept value with console.log (strings quoted with
//              quote=1, as "%o" does), so that it is formatted exactly as console
//              output; Python reads it from the log message of this request.

const IndirectEval = globalThis.eval;
const ConsoleLog = console.log;
const ReflectApply = Reflect.apply;
const JSONStringify = JSON.stringify;
const ErrorCtor = Error;

let kept;

function isThenable(value) {
  return value !== null && (typeof value === "object" || typeof value === "function") &&
    typeof value.then === "function";
}

function describe(thrown) {
  if (thrown instanceof ErrorCtor || (thrown !== null && typeof thrown === "object" &&
      typeof thrown.stack === "string" && typeof thrown.message === "string")) {
    let name = "Error";
    let message = "";
    let stack = "";
    try {
      name = String(thrown.name);
      message = String(thrown.message);
      stack = String(thrown.stack);
    } catch {
      // A hostile getter: keep what we have.
    }
    return { ok: false, error: true, name, message, stack };
  }
  kept = thrown;
  return { ok: false, error: false, name: "", message: "", stack: "" };
}

function json(value) {
  return new Response(JSONStringify(value), {
    headers: { "content-type": "application/json" },
  });
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/eval") {
      const script = await request.text();
      try {
        let value = IndirectEval(script);
        if (isThenable(value)) value = await value;
        kept = value;
        return json({ ok: true, undefined: value === undefined });
      } catch (thrown) {
        return json(describe(thrown));
      }
    }
    if (url.pathname === "/show") {
      if (url.searchParams.get("quote") === "1") ReflectApply(ConsoleLog, console, ["%o", kept]);
      else ReflectApply(ConsoleLog, console, [kept]);
      return new Response(null, { status: 204 });
    }
    return new Response("not found", { status: 404 });
  },
};

// Headless-Chromium test of the admin listener's status page (GET / on the admin
// listener, nano/status.py) on a real `twistd -n nano --config ...`: three apps (one
// that serves, one whose isolate is reset for its CPU limit, one that fails to load),
// the admin listener on 127.0.0.1 with a token. Opens the page with Debian's chromium
// through playwright-core, takes a screenshot into test-results/status-page.png, and
// asserts on what the page shows, that it loads nothing but itself, and that it
// refreshes itself.
// Usage: node tests/status-page.mjs
//   NANO_TWISTD names the twistd to run (tox -e docs sets it); else `twistd` on PATH,
//   which must be the one of an environment where nano is installed.
//   CHROMIUM overrides /usr/bin/chromium.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { SHOTS, check, expect, finish, launchBrowser } from "./harness.mjs";

const TOKEN = "status-page-test-token";
const given = process.env.NANO_TWISTD || "twistd";
const TWISTD = given.includes("/") ? path.resolve(given) : given;

function fail(message) {
  console.error(`status-page: ${message}`);
  process.exit(1);
}

const probe = spawnSync(TWISTD, ["nano", "--help"], { encoding: "utf8" });
if (probe.error || probe.status !== 0 || !probe.stdout.includes("--config")) {
  fail(`cannot run "${TWISTD} nano" (${probe.error?.message ?? (probe.stderr || "").trim().split("\n").pop()}); ` +
    "set NANO_TWISTD to the twistd of an environment where nano is installed (tox -e docs does)");
}

// The apps and config, in a temporary directory.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nano-status-page-"));
function write(file, text) {
  fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  fs.writeFileSync(path.join(dir, file), text);
}
write("hello/index.js", 'export default { fetch() { return new Response("hello"); } };\n');
write("spin/index.js",
  "export default {\n  fetch(request) {\n" +
  '    if (new URL(request.url).pathname === "/spin") for (;;) {}\n' +
  '    return new Response("ok");\n  },\n};\n');
write("broken/index.js", "export default {\n  fetch() { return new Response(\"never\") \n");
write("config.json", JSON.stringify({
  listen: ["tcp:0:interface=127.0.0.1"],
  admin: { listen: "tcp:0:interface=127.0.0.1", token_env: "NANO_STATUS_TEST_TOKEN" },
  drain_timeout_ms: 2000,
  watch: { enabled: false },
  apps: [
    { name: "hello", hostnames: ["hello.test", "*.hello.test"], path: "hello" },
    { name: "spin", hostnames: ["spin.test"], path: "spin", limits: { cpu_ms: 100 } },
    { name: "broken", hostnames: ["broken.test"], path: "broken" },
  ],
}, null, 2));

// twistd, and the ports it logs.
let output = "";
const server = spawn(TWISTD, ["-n", "--pidfile=", "nano", "--config", path.join(dir, "config.json")], {
  cwd: dir, env: { ...process.env, NANO_STATUS_TEST_TOKEN: TOKEN }, stdio: ["ignore", "pipe", "pipe"],
});
server.stdout.on("data", (chunk) => { output += chunk; });
server.stderr.on("data", (chunk) => { output += chunk; });
server.on("error", (error) => { output += `could not start ${TWISTD}: ${error.message}\n`; });
const exited = new Promise((resolve) => server.on("exit", resolve));

async function stopServer() {
  if (server.exitCode === null) {
    server.kill("SIGTERM");
    const timer = setTimeout(() => server.kill("SIGKILL"), 10000);
    await exited;
    clearTimeout(timer);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

async function ports() {
  const deadline = Date.now() + 30000;
  while (Date.now() < deadline) {
    const main = /nano listening on 127\.0\.0\.1:(\d+)/.exec(output);
    const admin = /nano admin listening on 127\.0\.0\.1:(\d+)/.exec(output);
    if (main && admin) return { main: Number(main[1]), admin: Number(admin[1]) };
    if (server.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stopServer();
  fail(`twistd did not start listening:\n${output}`);
}

// One request to the main listener for `host`; resolves with the status code.
function request(port, host, pathname = "/") {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path: pathname, headers: { host } }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode));
    });
    req.setTimeout(15000, () => req.destroy(new Error(`GET ${host}${pathname} timed out`)));
    req.on("error", reject);
    req.end();
  });
}

const { main, admin } = await ports();
const base = `http://127.0.0.1:${admin}/`;
fs.mkdirSync(SHOTS, { recursive: true });
const browser = await launchBrowser();

try {
  // Traffic first: three hellos, a CPU runaway (503, its isolate reset), then a request
  // that the fresh isolate serves.
  for (let i = 0; i < 3; i++) expect(await request(main, "hello.test") === 200, "hello did not answer 200");
  expect(await request(main, "spin.test", "/spin") === 503, "the runaway was not stopped with 503");
  expect(await request(main, "spin.test") === 200, "the fresh spin isolate did not answer");
  expect(await request(main, "broken.test") === 503, "the broken app did not answer 503");

  const context = await browser.newContext({
    viewport: { width: 1280, height: 720 },
    extraHTTPHeaders: { authorization: `Bearer ${TOKEN}` },
  });
  const page = await context.newPage();
  const requests = [];
  const problems = [];
  page.on("request", (r) => requests.push(r.url()));
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") problems.push(m.text()); });
  page.on("pageerror", (e) => problems.push(e.message));

  await check("needs the token", async () => {
    const anonymous = await browser.newContext();
    const response = await (await anonymous.newPage()).goto(base);
    expect(response.status() === 401, `without the token: ${response.status()}`);
    await anonymous.close();
  });

  await check("status page", async () => {
    const response = await page.goto(base, { waitUntil: "load" });
    expect(response.status() === 200, `status ${response.status()}`);
    expect(await page.title() === "NANO status: serving", `title is ${await page.title()}`);
    expect(await page.locator("h1 .badge").innerText() === "serving", "no serving badge");
    const summary = await page.locator("dl.summary").innerText();
    expect(/Uptime\s+\d+ s/.test(summary), `summary: ${summary}`);
    expect(/Apps\s+3 \(1 failed, 2 ready\)/.test(summary), `summary: ${summary}`);
    expect(/Requests\s+6/.test(summary) && /Errors \(5xx\)\s+2/.test(summary), `summary: ${summary}`);
    const row = async (name) => (await page.locator("tr.app", { has: page.locator("td.name", { hasText: name }) })
      .locator("td").allInnerTexts()).map((t) => t.trim().replace(/\s+/g, " "));
    const hello = await row("hello");
    expect(JSON.stringify(hello.slice(0, 8)) === JSON.stringify(
      ["hello", "ready", "hello.test *.hello.test", "3", "0", "0", "n/a", "1"]), `hello row: ${hello}`);
    expect(hello[8] === "never", `hello's last reset: ${hello[8]}`);
    const spin = await row("spin");
    expect(spin[1] === "ready" && spin[3] === "2" && spin[4] === "1" && spin[7] === "2", `spin row: ${spin}`);
    expect(/^cpu \d+ s ago$/.test(spin[8]), `spin's last reset: ${spin[8]}`);
    const broken = await row("broken");
    expect(broken[1] === "failed" && broken[7] === "0", `broken row: ${broken}`);
    const error = await page.locator("tr.load-error").innerText();
    expect(error.includes("index.js") && error.includes("SyntaxError"), `load error: ${error}`);
    const totals = (await page.locator("tfoot td").allInnerTexts()).map((t) => t.trim());
    expect(totals[0] === "6" && totals[1] === "2" && totals[4] === "3", `totals: ${totals}`);
    const color = await page.locator("td.state.failed").evaluate((td) => getComputedStyle(td).color);
    expect(color !== "rgb(0, 0, 0)", "the inline style did not apply");
    await page.screenshot({ path: path.join(SHOTS, "status-page.png"), fullPage: true });
  });

  await check("loads nothing else", async () => {
    expect(requests.length === 1 && requests[0] === base, `requests: ${requests.join(", ")}`);
    expect(problems.length === 0, `console: ${problems.join("; ")}`);
  });

  await check("refreshes itself", async () => {
    const refresh = await page.locator('meta[http-equiv="refresh"]').getAttribute("content");
    expect(refresh === "5", `meta refresh: ${refresh}`);
    for (let i = 0; i < 2; i++) await request(main, "hello.test");
    await page.waitForEvent("load", { timeout: 15000 });
    const cells = await page.locator("tr.app", { has: page.locator("td.name", { hasText: "hello" }) })
      .locator("td.num").allInnerTexts();
    expect(cells[0].trim() === "5", `hello's requests after the refresh: ${cells[0]}`);
    expect(requests.length === 2, `requests: ${requests.join(", ")}`);
  });
} finally {
  await browser.close();
  await stopServer();
}

finish(`status-page: screenshot in ${path.join(SHOTS, "status-page.png")}`);

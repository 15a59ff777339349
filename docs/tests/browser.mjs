// Headless-Chromium test of the built site (dist/): serves it on 127.0.0.1, opens
// the home page, the config reference, the Pagefind search, the architecture diagram
// and the Performance page's charts with Debian's chromium (never a browser
// downloaded by npm) through playwright-core, takes screenshots into test-results/,
// and asserts on what the pages show.
// Usage: node tests/browser.mjs   (CHROMIUM overrides /usr/bin/chromium)
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { SHOTS, check, expect, finish, launchBrowser } from "./harness.mjs";

const DIST = path.resolve("dist");
const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".mjs": "text/javascript",
  ".css": "text/css", ".svg": "image/svg+xml", ".json": "application/json", ".png": "image/png",
  ".xml": "application/xml", ".txt": "text/plain", ".wasm": "application/wasm",
  ".pf_meta": "application/octet-stream", ".pf_index": "application/octet-stream",
  ".pf_fragment": "application/octet-stream", ".pagefind": "application/octet-stream",
};

function serve() {
  const server = http.createServer((request, response) => {
    let file = path.join(DIST, decodeURIComponent(new URL(request.url, "http://x").pathname));
    if (!file.startsWith(DIST)) file = DIST;
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
    if (!fs.existsSync(file)) {
      response.writeHead(404, { "content-type": "text/html" });
      response.end(fs.readFileSync(path.join(DIST, "404.html")));
      return;
    }
    response.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" });
    response.end(fs.readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

if (!fs.existsSync(path.join(DIST, "index.html"))) {
  console.error("browser: dist/index.html not found (build the site first)");
  process.exit(1);
}
fs.mkdirSync(SHOTS, { recursive: true });
const server = await serve();
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await launchBrowser();
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const errors = [];
page.on("pageerror", (error) => errors.push(error.message));
page.on("response", (response) => {
  if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`);
});

await check("home page", async () => {
  await page.goto(base + "/", { waitUntil: "networkidle" });
  expect((await page.title()).includes("NANO"), `title is ${await page.title()}`);
  const hero = await page.locator(".hero").innerText();
  expect(hero.includes("Workers-style JavaScript apps"), "the hero tagline is missing");
  expect(await page.locator("a", { hasText: "Get started" }).count() > 0, "no Get started link");
  const code = await page.locator(".expressive-code").first().innerText();
  expect(code.includes("export default") && code.includes("fetch(request, env, ctx)"),
    "the hello example is not shown");
  await page.screenshot({ path: path.join(SHOTS, "home.png"), fullPage: true });
});

await check("config reference", async () => {
  await page.goto(base + "/config/reference/", { waitUntil: "networkidle" });
  const heading = await page.locator("h1").innerText();
  expect(heading.includes("config.json reference"), `h1 is ${heading}`);
  const tables = page.locator("table.ref-table");
  expect((await tables.count()) === 6, `expected 6 reference tables, got ${await tables.count()}`);
  const text = await page.locator("main").innerText();
  for (const key of ["drain_timeout_ms", "defaults.cpu_ms", "apps[].hostnames", "egress.allow_private", "admin.token_env"]) {
    expect(text.includes(key), `the reference does not show ${key}`);
  }
  const row = await page.locator("#limits-memory_mb").innerText();
  expect(row.includes("128") && row.includes("8 to 4096"), `memory_mb row: ${row}`);
  await page.screenshot({ path: path.join(SHOTS, "config-reference.png"), fullPage: false });
  await page.locator("#section-limits, h2#limits-defaults-and-appslimits").first().scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(SHOTS, "config-reference-limits.png"), fullPage: false });
});

await check("search", async () => {
  await page.goto(base + "/", { waitUntil: "networkidle" });
  await page.locator("site-search button[data-open-modal]").first().click();
  const input = page.locator("dialog[open] input");
  await input.waitFor({ state: "visible", timeout: 10000 });
  await input.fill("egress");
  const result = page.locator("dialog[open] .pagefind-ui__result-link").first();
  await result.waitFor({ state: "visible", timeout: 15000 });
  const links = await page.locator("dialog[open] .pagefind-ui__result-link").evaluateAll(
    (nodes) => nodes.map((n) => n.getAttribute("href")));
  expect(links.some((href) => href.includes("/config/reference")), `results: ${links.join(", ")}`);
  await page.screenshot({ path: path.join(SHOTS, "search.png"), fullPage: false });
});

await check("architecture diagram", async () => {
  await page.goto(base + "/architecture/", { waitUntil: "networkidle" });
  const size = await page.locator("figure.diagram img").evaluate((img) => [img.naturalWidth, img.complete]);
  expect(size[1] && size[0] > 0, "the diagram did not load");
  await page.locator("figure.diagram").screenshot({ path: path.join(SHOTS, "architecture.png") });
});

await check("performance charts", async () => {
  await page.goto(base + "/performance/", { waitUntil: "networkidle" });
  const images = page.locator("figure.chart img");
  expect((await images.count()) === 3, `expected 3 charts, got ${await images.count()}`);
  const loaded = await images.evaluateAll((nodes) => nodes.map((img) => [img.getAttribute("src"), img.complete && img.naturalWidth]));
  for (const [src, width] of loaded) expect(width > 0, `${src} did not load`);
  const svg = await (await page.request.get(base + "/bench/rps.svg")).text();
  for (const name of ["NANO", "workerd", "plain twisted.web", "req/s"]) {
    expect(svg.includes(name), `rps.svg does not show ${name}`);
  }
  await images.first().scrollIntoViewIfNeeded();
  await page.locator("figure.chart").first().screenshot({ path: path.join(SHOTS, "performance-rps.png") });
  await page.locator("figure.chart").nth(2).screenshot({ path: path.join(SHOTS, "performance-stream.png") });
});

await check("no page errors", async () => {
  expect(errors.length === 0, errors.join("; "));
});

await browser.close();
server.close();
finish(`browser: screenshots in ${SHOTS}`);

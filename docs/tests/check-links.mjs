// Checks every internal link of the built site (dist/): each href/src that points
// inside the site must name a file that exists, and each #fragment an id on the
// target page. External links are counted, not fetched (CI has no internet).
// Usage: node tests/check-links.mjs [dist]     Exit status 1 on any broken link.
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(process.argv[2] ?? "dist");
if (!fs.existsSync(path.join(root, "index.html"))) {
  console.error(`check-links: ${root}/index.html not found (build the site first)`);
  process.exit(1);
}

function walk(dir, out = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (entry.name.endsWith(".html")) out.push(full);
  }
  return out;
}

const ATTRIBUTE = /\s(?:href|src)\s*=\s*("([^"]*)"|'([^']*)')/gi;
const ID = /\sid\s*=\s*("([^"]*)"|'([^']*)')/gi;
const idCache = new Map();

function idsOf(file) {
  if (!idCache.has(file)) {
    const ids = new Set();
    const html = fs.readFileSync(file, "utf8");
    for (const m of html.matchAll(ID)) ids.add(decodeEntities(m[2] ?? m[3]));
    idCache.set(file, ids);
  }
  return idCache.get(file);
}

function decodeEntities(text) {
  return text.replace(/&amp;/g, "&").replace(/&quot;/g, '"').replace(/&#39;/g, "'");
}

// The file a site path names, or null.
function target(sitePath) {
  const clean = decodeURIComponent(sitePath);
  const full = path.join(root, clean);
  if (!full.startsWith(root)) return null;
  const candidates = clean.endsWith("/")
    ? [path.join(full, "index.html")]
    : [full, full + ".html", path.join(full, "index.html")];
  return candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile()) ?? null;
}

const pages = walk(root);
const broken = [];
let internal = 0;
let external = 0;
for (const page of pages) {
  const html = fs.readFileSync(page, "utf8");
  const pagePath = "/" + path.relative(root, page).split(path.sep).join("/");
  for (const m of html.matchAll(ATTRIBUTE)) {
    const raw = decodeEntities(m[2] ?? m[3]).trim();
    if (raw === "" || /^(https?:|mailto:|data:|javascript:|tel:)/i.test(raw) || raw.startsWith("//")) {
      if (/^(https?:)?\/\//i.test(raw)) external++;
      continue;
    }
    internal++;
    const url = new URL(raw, "http://site.invalid" + pagePath);
    const file = target(url.pathname);
    if (file === null) {
      broken.push(`${pagePath}: ${raw} (no such file)`);
      continue;
    }
    const fragment = decodeURIComponent(url.hash.slice(1));
    if (fragment && file.endsWith(".html") && !idsOf(file).has(fragment)) {
      broken.push(`${pagePath}: ${raw} (no id "${fragment}" on the target page)`);
    }
  }
}

console.log(`check-links: ${pages.length} pages, ${internal} internal links checked, ${external} external links not fetched`);
if (broken.length) {
  for (const line of broken) console.error("broken: " + line);
  console.error(`check-links: ${broken.length} broken link(s)`);
  process.exit(1);
}
console.log("check-links: no broken links");

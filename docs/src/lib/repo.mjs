// Build-time access to files of the NANO repository (the parent of docs/).
// Pages never carry code of their own: examples, figures and references are read
// from the files the test suite runs and checks, so the site cannot drift from them.
import fs from "node:fs";
import path from "node:path";

export const REPO = path.resolve(process.cwd(), "..");

// Folders whose files pages may show as code: each is run by the test suite.
const SHOWABLE = ["examples/", "nano/cli/template/"];

export function readRepoFile(relative) {
  const full = path.resolve(REPO, relative);
  if (!full.startsWith(REPO + path.sep)) {
    throw new Error(`${relative}: outside the repository`);
  }
  return fs.readFileSync(full, "utf8");
}

export function readExample(relative) {
  if (!SHOWABLE.some((prefix) => relative.startsWith(prefix))) {
    throw new Error(`${relative}: code on the site must come from ${SHOWABLE.join(" or ")}`);
  }
  return readRepoFile(relative);
}

const REGION = /^\s*(?:\/\/|#)\s*#(end)?region\b\s*(\S*)\s*$/;

// The lines between "#region NAME" and "#endregion NAME" comments (// or #), or the
// whole text; region marker lines are never shown.
export function extractRegion(text, name, file) {
  const lines = text.replace(/\n$/, "").split("\n");
  let out = [];
  if (name) {
    let inside = false;
    let found = false;
    for (const line of lines) {
      const m = REGION.exec(line);
      if (m && m[2] === name) {
        inside = !m[1];
        found = true;
        continue;
      }
      if (inside && !m) out.push(line);
    }
    if (!found) throw new Error(`${file}: no region "${name}"`);
  } else {
    out = lines.filter((line) => !REGION.test(line));
  }
  const indent = Math.min(
    ...out.filter((l) => l.trim()).map((l) => l.match(/^ */)[0].length),
  );
  return out.map((l) => l.slice(Number.isFinite(indent) ? indent : 0)).join("\n");
}

// Markdown helpers for README/BENCHMARKS-style files: sections by "## " heading,
// and pipe tables.
export function sections(text) {
  const result = [];
  let current = null;
  for (const line of text.split("\n")) {
    const m = /^##\s+(.*)$/.exec(line);
    if (m) {
      current = { title: m[1].trim(), lines: [] };
      result.push(current);
    } else if (current) {
      current.lines.push(line);
    }
  }
  return result;
}

export function tables(lines) {
  const found = [];
  let rows = null;
  for (const line of lines) {
    if (/^\s*\|/.test(line)) {
      const cells = line.trim().replace(/^\||\|$/g, "").split("|").map((c) => c.trim());
      if (cells.every((c) => /^:?-+:?$/.test(c))) continue;
      if (!rows) found.push((rows = []));
      rows.push(cells);
    } else {
      rows = null;
    }
  }
  return found;
}

// Inline markdown of a table cell: **bold** and `code`, HTML-escaped.
export function inline(text) {
  const escaped = text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return escaped
    .replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>")
    .replace(/`([^`]+)`/g, "<code>$1</code>");
}

// What the headless-Chromium tests (browser.mjs, status-page.mjs) share: where the
// screenshots go, launching Debian's chromium (CHROMIUM overrides /usr/bin/chromium;
// never a browser downloaded by npm) through playwright-core, named checks that are
// timed and counted, and the final summary with the exit status.
import path from "node:path";
import { chromium } from "playwright-core";

export const SHOTS = path.resolve("test-results");
const EXECUTABLE = process.env.CHROMIUM ?? "/usr/bin/chromium";
const FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run",
];

// Start headless chromium; resolves with playwright's Browser.
export function launchBrowser() {
  return chromium.launch({ executablePath: EXECUTABLE, args: FLAGS, headless: true });
}

const results = [];

// Run one named check: a thrown error (or a rejected promise) fails it, and the test
// goes on with the next one.
export async function check(name, fn) {
  const started = Date.now();
  try {
    await fn();
    results.push([name, true]);
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    results.push([name, false]);
    console.log(`FAIL ${name}: ${error.message}`);
  }
}

export function expect(condition, message) {
  if (!condition) throw new Error(message);
}

// Print `note` and the counts of passed and failed checks; exit 1 if any failed.
export function finish(note) {
  const failed = results.filter(([, ok]) => !ok).length;
  console.log(note);
  console.log(`${results.length - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

// Shared set-up for the end-to-end tests: a tiny static server for dist/, the real `manyi serve`
// with a fresh SQLite database, and a headless Chromium driven through playwright-core. Tests
// wait for selectors and conditions, never for fixed amounts of time.
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";
import { ROOT, DIST, startServer } from "../../scripts/serve.mjs";

export { ROOT, DIST, startServer };
export const ARTIFACTS = join(ROOT, "target", "e2e-artifacts");

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/**
 * Launches Debian's Chromium, with `extraArgs` after the usual ones; Playwright gives every
 * launch a fresh temporary profile.
 */
export async function launch(extraArgs = []) {
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: [...CHROMIUM_ARGS, ...extraArgs] });
}

/**
 * Starts the server and browser once per test file and hands each test a fresh page in its own
 * context (so local storage starts empty). Console errors and page errors fail the test.
 */
export function setup(t) {
  const env = { base: "", browser: null, server: null };
  t.before(async () => {
    const { server, base } = await startServer();
    env.server = server;
    env.base = base;
    env.browser = await launch();
  });
  t.after(async () => {
    await env.browser?.close();
    env.server?.close();
  });
  env.newPage = async ({ viewport = { width: 1280, height: 800 }, init, bypassCSP = false } = {}) => {
    // bypassCSP only lets a test inject its own tools (axe-core); the app never needs it.
    const context = await env.browser.newContext({ viewport, locale: "en-US", bypassCSP });
    if (init) await context.addInitScript(init);
    const page = await context.newPage();
    watchErrors(page);
    return page;
  };
  return env;
}

/**
 * Collects the page's uncaught errors and console errors in `page.errors`, which tests assert
 * empty: a script the page's policy refused shows up there too.
 */
export function watchErrors(page) {
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") page.errors.push(m.text());
  });
}

/** Loads `path` and waits until the app has rendered `selector`. */
export async function open(page, base, path, selector) {
  await page.goto(base + path);
  await page.waitForSelector(selector);
  await appStarted(page);
}

/**
 * Waits until the app is running (public/boot.js marks it). On a survey page `manyi serve` drew,
 * the app then waits off the document until the page is touched; tests that go offline wait for
 * it, and tests of the drawn page itself are in first-question.test.mjs.
 */
export async function appStarted(page) {
  await page.waitForSelector("html[data-started]", { state: "attached" });
}

export const byTestId = (id) => `[data-testid="${id}"]`;

const AXE = join(ROOT, "node_modules", "axe-core", "axe.min.js");

/**
 * Runs axe-core on the page (which needs a context made with `bypassCSP`, so the script can be
 * injected) and fails on any serious or critical violation of WCAG 2.1 A/AA or best practice.
 */
export async function axe(page, name) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] }),
  );
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(
    bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`),
    [],
    `axe violations on ${name}`,
  );
}

// Built by scripts/test-app.sh; cargo puts it under CARGO_TARGET_DIR when that is set.
export const MANYI = join(process.env.CARGO_TARGET_DIR || join(ROOT, "target"), "debug", "manyi");

/**
 * Starts `manyi serve` on `port` (0 = any) with the SQLite database in `dir`, serving dist/,
 * with `extraArgs` after the usual ones; resolves to `{ child, base, port }` once it listens.
 * `bin` is the tests' debug build unless a benchmark names another.
 */
export function startManyi(dir, port = 0, extraArgs = [], bin = MANYI) {
  const child = spawn(bin, [
    "serve", "--addr", `127.0.0.1:${port}`, "--dist", DIST,
    "--database", `sqlite://${dir}/manyi.db?mode=rwc`, ...extraArgs,
  ], { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, DATABASE_URL: "" } });
  return new Promise((resolve, reject) => {
    child.once("error", (error) => reject(new Error(`cannot start ${MANYI}: ${error.message}`)));
    child.once("exit", (code) => reject(new Error(`manyi serve exited with ${code}`)));
    // The URL line on stdout is the readiness signal.
    createInterface({ input: child.stdout }).once("line", (line) => {
      const match = line.match(/^manyi is running at (http:\/\/[^/]+)\/$/);
      if (!match) return reject(new Error(`unexpected output: ${line}`));
      resolve({ child, base: match[1], port: Number(new URL(match[1]).port) });
    });
  });
}

/** Stops a server started by `startManyi` with SIGKILL; resolves once it has exited. */
export function killManyi(server) {
  return new Promise((resolve) => {
    server.child.removeAllListeners("exit");
    server.child.once("exit", resolve);
    server.child.kill("SIGKILL");
  });
}

/** Creates an administrator's staff token in the database in `dir` with the CLI. */
export function staffToken(dir) {
  return roleToken(dir, "admin", { name: "e2e" });
}

/**
 * Creates a staff token of `role` (`admin`, `editor`, `analyst`, `case_handler`) named `name`
 * in the database in `dir` with the CLI, as an administrator would, limited to `surveys` when
 * any are given.
 */
export function roleToken(dir, role, { name = role, surveys = [] } = {}) {
  const out = execFileSync(MANYI, [
    "token", "create", "--name", name, "--role", role, ...surveys.flatMap((id) => ["--survey", id]),
    "--database", `sqlite://${dir}/manyi.db?mode=rwc`,
  ]).toString();
  return out.match(/^manyi_\w+$/m)[0];
}

/** Runs `sql` on the SQLite database in `dir` and returns the rows (arrays of values). */
export function query(dir, sql) {
  const out = execFileSync("python3", [
    "-c",
    "import json,sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(json.dumps(c.execute(sys.argv[2]).fetchall()))",
    join(dir, "manyi.db"),
    sql,
  ]).toString();
  return JSON.parse(out);
}

/** The outbox as stored by the app. */
export async function outbox(page) {
  return page.evaluate(() => JSON.parse(localStorage.getItem("manyi.outbox.v1") ?? "[]"));
}

/**
 * A kiosk's outbox, kept in IndexedDB (database `manyi`, store `outbox`, one record per entry
 * with the entry as JSON text), oldest first. Never creates the database: an open that would
 * is aborted and reads as empty, so the app still creates it with its store later.
 */
export async function kioskOutbox(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open("manyi");
    open.onupgradeneeded = () => open.transaction.abort();
    open.onerror = () => resolve([]);
    open.onsuccess = () => {
      const db = open.result;
      const request = db.transaction("outbox").objectStore("outbox").getAll();
      request.onsuccess = () => {
        db.close();
        resolve(request.result.map((record) => JSON.parse(record.json)));
      };
      request.onerror = () => reject(request.error);
    };
  }));
}

/** Waits until a kiosk's welcome screen counts `n` responses waiting to be sent. */
export async function waitPending(page, n) {
  await page.waitForSelector(`[data-testid="kiosk-status"][data-pending="${n}"]`);
}

/** Clicks the "Next"/"Submit" button. */
export async function next(page) {
  await page.click(byTestId("next"));
}

/** Answers every visible Likert or rating group on the current page with `value`. */
export async function answerAllScales(page, value) {
  const groups = await page.$$eval('[role="radiogroup"] [role="radio"]', (radios) =>
    radios.map((r) => r.dataset.testid),
  );
  const wanted = groups.filter((id) => id.endsWith(`-opt-${value}`));
  for (const id of wanted) await page.click(byTestId(id));
}

export async function screenshot(page, name) {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

// Shared set-up for the end-to-end tests: a tiny static server for dist/ and a headless
// Chromium driven through playwright-core. Tests wait for selectors and conditions, never for
// fixed amounts of time.
import { spawn, execFileSync } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { createInterface } from "node:readline";
import { join } from "node:path";
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

/** Launches Debian's Chromium; Playwright gives every launch a fresh temporary profile. */
export async function launch() {
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
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
    page.errors = [];
    page.on("pageerror", (e) => page.errors.push(String(e)));
    page.on("console", (m) => {
      if (m.type() === "error") page.errors.push(m.text());
    });
    return page;
  };
  return env;
}

/** Loads `path` and waits until the app has rendered `selector`. */
export async function open(page, base, path, selector) {
  await page.goto(base + path);
  await page.waitForSelector(selector);
}

export const byTestId = (id) => `[data-testid="${id}"]`;

/** The outbox as stored by the app. */
export async function outbox(page) {
  return page.evaluate(() => JSON.parse(localStorage.getItem("manyi.outbox.v1") ?? "[]"));
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

// The real server: `manyi serve` with its own SQLite file.

// Built by scripts/test-app.sh; cargo puts it under CARGO_TARGET_DIR when that is set.
const MANYI = join(process.env.CARGO_TARGET_DIR || join(ROOT, "target"), "debug", "manyi");

/** Starts `manyi serve` on `port` (0 = any) with the database in `dir`; resolves when listening. */
export function startManyi(dir, port = 0) {
  const child = spawn(MANYI, [
    "serve", "--addr", `127.0.0.1:${port}`, "--dist", DIST,
    "--database", `sqlite://${dir}/manyi.db?mode=rwc`,
  ], { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, DATABASE_URL: "" } });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`manyi serve exited with ${code}`)));
    // The URL line on stdout is the readiness signal.
    createInterface({ input: child.stdout }).once("line", (line) => {
      const match = line.match(/^manyi is running at (http:\/\/[^/]+)\/$/);
      if (!match) return reject(new Error(`unexpected output: ${line}`));
      resolve({ child, base: match[1], port: Number(new URL(match[1]).port) });
    });
  });
}

export function stopManyi(server) {
  return new Promise((resolve) => {
    server.child.removeAllListeners("exit");
    server.child.once("exit", resolve);
    server.child.kill("SIGKILL");
  });
}

/** Rows and distinct ids in the server's database, read straight from the SQLite file. */
export function storedRows(dir) {
  const out = execFileSync("python3", [
    "-c",
    "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(*c.execute('select count(*), count(distinct id) from responses').fetchone())",
    join(dir, "manyi.db"),
  ]).toString().trim().split(" ").map(Number);
  return { rows: out[0], distinct: out[1] };
}

/** Creates a staff token in the server's database with the CLI, as staff would. */
export function staffToken(dir) {
  const out = execFileSync(MANYI, [
    "token", "create", "--name", "e2e", "--database", `sqlite://${dir}/manyi.db?mode=rwc`,
  ]).toString();
  return out.match(/^manyi_\w+$/m)[0];
}


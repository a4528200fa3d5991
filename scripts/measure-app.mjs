// Measures the release bundle (raw, gzip, brotli) and the time from navigation to the first
// interactive question under 4x CPU throttling, median of 10 runs. Build first with
// `scripts/build-app.sh --release`. Prints the figures; exits non-zero if a budget is exceeded.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, extname } from "node:path";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";
import { startServer, launch, DIST } from "../tests/e2e/harness.mjs";

const GZIP_BUDGET = 150 * 1024;
const TIME_BUDGET_MS = 1000;
const RUNS = 10;

function size(file) {
  const bytes = readFileSync(join(DIST, file));
  return {
    file,
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11 },
    }).length,
  };
}

// What a respondent's browser fetches to show /s/nps: the files the page really requests, so
// the staff's bundle (never loaded there) is left out and nothing loaded is missed.
async function requested(browser, base) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const paths = new Set();
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.origin === base) paths.add(url.pathname.slice(1));
  });
  await page.goto(`${base}/s/nps?lang=en`);
  await page.waitForSelector('[data-testid="nps-opt-0"]');
  await context.close();
  return [...paths].filter((p) => existsSync(join(DIST, p)) && statSync(join(DIST, p)).isFile());
}

// Marks, inside the page, the first frame painted with the first question in it: an observer
// installed before the app starts notes the question's first radio entering the document,
// waits for the next frame, and reads the clock in the task after it (once the frame is
// rendered). Reading the clock from Playwright instead would add its polling and a round trip
// through the DevTools protocol, both slowed by the throttling, to the figure.
const MARK_FIRST_QUESTION = () => {
  new MutationObserver((_, observer) => {
    if (!document.querySelector('[data-testid="nps-opt-0"]')) return;
    observer.disconnect();
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => (window.__firstQuestion = performance.now());
      channel.port2.postMessage(null);
    });
  }).observe(document, { childList: true, subtree: true });
};

async function timeToInteractive(browser, base) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  await context.addInitScript(MARK_FIRST_QUESTION);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  await page.goto(`${base}/s/nps?lang=en`, { waitUntil: "commit" });
  const ms = await (await page.waitForFunction(() => window.__firstQuestion)).jsonValue();
  await context.close();
  return ms;
}

const { server, base } = await startServer();
const browser = await launch();
const files = await requested(browser, base);
// The bundle is the code and styles; the survey definition is data, listed but not budgeted.
const rows = files.filter((f) => [".wasm", ".js", ".css"].includes(extname(f))).map(size);
const data = files.filter((f) => extname(f) === ".json").map(size);
const total = rows.reduce(
  (t, r) => ({ raw: t.raw + r.raw, gzip: t.gzip + r.gzip, brotli: t.brotli + r.brotli }),
  { raw: 0, gzip: 0, brotli: 0 },
);
const print = (r) =>
  console.log(r.file.padEnd(24), String(r.raw).padStart(10), String(r.gzip).padStart(10), String(r.brotli).padStart(10));
console.log("file".padEnd(24), "raw".padStart(10), "gzip".padStart(10), "brotli".padStart(10));
for (const r of [...rows, { file: "total", ...total }]) print(r);
console.log("data (not part of the bundle budget):");
for (const r of data) print(r);

const times = [];
try {
  for (let i = 0; i < RUNS; i++) times.push(await timeToInteractive(browser, base));
} finally {
  await browser.close();
  server.close();
}
times.sort((a, b) => a - b);
const median = (times[RUNS / 2 - 1] + times[RUNS / 2]) / 2;
console.log(`navigation to first interactive question, 4x CPU throttling, ${RUNS} runs:`);
console.log(`  median ${median.toFixed(0)} ms (min ${times[0].toFixed(0)}, max ${times[RUNS - 1].toFixed(0)})`);
console.log(`budgets: gzip total ${total.gzip} / ${GZIP_BUDGET} bytes, median ${median.toFixed(0)} / ${TIME_BUDGET_MS} ms`);
if (total.gzip > GZIP_BUDGET || median > TIME_BUDGET_MS) {
  console.log("OVER BUDGET");
  process.exitCode = 1;
}

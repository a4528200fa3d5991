// Measures the release bundle (raw, gzip, brotli) and the time from navigation to the first
// interactive question under 4x CPU throttling, median of 10 runs. Build first with
// `trunk build --release`. Prints the figures; exits non-zero if a budget is exceeded.
import { readFileSync, readdirSync } from "node:fs";
import { join, extname } from "node:path";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";
import { startServer, launch, DIST } from "../tests/e2e/harness.mjs";

const GZIP_BUDGET = 150 * 1024;
const TIME_BUDGET_MS = 1000;
const RUNS = 10;

function sizes() {
  const rows = [];
  for (const name of readdirSync(DIST)) {
    if (![".wasm", ".js", ".css"].includes(extname(name))) continue;
    const bytes = readFileSync(join(DIST, name));
    rows.push({
      file: name,
      raw: bytes.length,
      gzip: gzipSync(bytes, { level: 9 }).length,
      brotli: brotliCompressSync(bytes, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 11 },
      }).length,
    });
  }
  // The boot module is tiny but is part of what the page loads.
  const boot = readFileSync(join(DIST, "public", "boot.js"));
  rows.push({
    file: "public/boot.js",
    raw: boot.length,
    gzip: gzipSync(boot, { level: 9 }).length,
    brotli: brotliCompressSync(boot).length,
  });
  return rows;
}

async function timeToInteractive(browser, base) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  await page.goto(`${base}/s/nps?lang=en`, { waitUntil: "commit" });
  // The first question is interactive once its first radio exists and accepts clicks.
  await page.waitForSelector('[data-testid="nps-opt-0"]');
  const ms = await page.evaluate(() => performance.now());
  await context.close();
  return ms;
}

const rows = sizes();
const total = rows.reduce(
  (t, r) => ({ raw: t.raw + r.raw, gzip: t.gzip + r.gzip, brotli: t.brotli + r.brotli }),
  { raw: 0, gzip: 0, brotli: 0 },
);
console.log("file".padEnd(24), "raw".padStart(10), "gzip".padStart(10), "brotli".padStart(10));
for (const r of [...rows, { file: "total", ...total }]) {
  console.log(r.file.padEnd(24), String(r.raw).padStart(10), String(r.gzip).padStart(10), String(r.brotli).padStart(10));
}

const { server, base } = await startServer();
const browser = await launch();
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

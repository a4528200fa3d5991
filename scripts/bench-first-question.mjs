// The respondent's first question on a phone, side by side with SurveyJS, with the kit in
// ../shared/tools/ttfq (SurveyJS 2.5.38's NPS page, a brotli server and the measuring script):
//
//   1. time to a clickable "10" and the bytes on the wire, `/s/nps?lang=en` served by the real
//      `manyi serve` against the kit's SurveyJS page, runs interleaved, 4x CPU throttling, on
//      Lighthouse's mobile network (150 ms round trip, 1.6 Mbps) and without network throttling;
//   2. everything a respondent downloads who completes the NPS survey and the 30-item `rq`
//      survey, until the response has reached the server (brotli, as sent).
//
// Build first: `scripts/build-app.sh --release && cargo build --release -p manyi`.
//
//   node scripts/bench-first-question.mjs [--runs 5] [--downloads-only]
//   MANYI_BIN=target/release/manyi TTFQ_KIT=../shared/tools/ttfq (the defaults)
//
// The kit is copied to target/ttfq and its npm packages installed there (shared/ is read-only).
import { execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, launch, startManyi } from "../tests/e2e/harness.mjs";

const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 5;
const downloadsOnly = process.argv.includes("--downloads-only");
const MANYI = process.env.MANYI_BIN || join(ROOT, "target", "release", "manyi");
const KIT_SOURCE = process.env.TTFQ_KIT || join(ROOT, "..", "shared", "tools", "ttfq");
const KIT = join(ROOT, "target", "ttfq");

function prepareKit() {
  if (!existsSync(join(KIT, "ttfq.mjs"))) cpSync(KIT_SOURCE, KIT, { recursive: true });
  if (!existsSync(join(KIT, "node_modules", "survey-core"))) {
    execFileSync("npm", ["install", "--no-audit", "--no-fund"], { cwd: KIT, stdio: "inherit" });
  }
  if (!existsSync(join(KIT, "surveyjs", "vendor"))) execFileSync("./prepare.sh", { cwd: KIT, stdio: "inherit" });
}

function startSurveyJs(port) {
  const child = spawn("python3", ["serve.py", "surveyjs", String(port), "--gzip", "--quiet"], { cwd: KIT, stdio: "inherit" });
  return { child, base: `http://127.0.0.1:${port}` };
}

/** Runs the kit side by side; returns its final line for each page, parsed. */
function sideBySide(manyi, surveyjs, net) {
  const out = execFileSync("node", [
    join(KIT, "ttfq.mjs"), `${manyi}/s/nps?lang=en`, `${surveyjs}/`,
    "--runs", String(runs), "--cpu", "4", "--net", net, "--label", "manyi,surveyjs",
    "--json", join(KIT, `last-${net}.json`),
  ], { encoding: "utf8" });
  process.stdout.write(out);
  const { targets } = JSON.parse(readFileSync(join(KIT, `last-${net}.json`), "utf8"));
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const figures = (label) => {
    const target = targets.find((t) => t.label === label);
    return {
      ttfq: target.median_ms,
      atTtfq: median(target.results.map((r) => r.bytes_at_ttfq)),
      bytes: target.bytes,
    };
  };
  return { manyi: figures("manyi"), surveyjs: figures("surveyjs") };
}

/**
 * Bytes on the wire (CDP encodedDataLength, headers included) for a respondent who opens
 * `path`, answers every question and submits, until the outbox is empty.
 */
async function completeBytes(browser, base, path) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  let bytes = 0;
  let requests = 0;
  cdp.on("Network.loadingFinished", (e) => {
    bytes += e.encodedDataLength;
    requests += 1;
  });
  await page.goto(base + path);
  // Once the app runs, a Tab (the respondent's first touch) brings it in for the drawn page.
  await page.waitForSelector("html[data-started]", { state: "attached" });
  await page.keyboard.press("Tab");
  await page.waitForFunction(() => !document.querySelector("main[data-prerendered]") && document.querySelector("main.app form"));
  for (;;) {
    // The middle option of every group on the page; a text field gets a few words.
    await page.$$eval("[role=radiogroup]", (groups) => {
      for (const group of groups) {
        const radios = group.querySelectorAll("[role=radio]");
        radios[Math.floor(radios.length / 2)].click();
      }
    });
    for (const field of await page.$$("main textarea, main input[type=text]")) await field.fill("Fine");
    const before = await page.textContent('[data-testid="progress"]');
    await page.click('[data-testid="next"]');
    const done = await Promise.race([
      page.waitForSelector('[data-testid="thank-you"]').then(() => true),
      page.waitForFunction((p) => {
        const progress = document.querySelector('[data-testid="progress"]');
        return progress && progress.textContent !== p;
      }, before).then(() => false),
    ]);
    if (done) break;
  }
  await page.waitForFunction(() => JSON.parse(localStorage.getItem("manyi.outbox.v1") ?? "[]").length === 0);
  await context.close();
  return { bytes, requests };
}

prepareKit();
const manyi = await startManyi(mkdtempSync(join(tmpdir(), "manyi-ttfq-")), 0, [], MANYI);
const surveyjs = startSurveyJs(8787);
try {
  const mobile = downloadsOnly ? null : sideBySide(manyi.base, surveyjs.base, "mobile");
  const none = downloadsOnly ? null : sideBySide(manyi.base, surveyjs.base, "none");
  const browser = await launch();
  const nps = await completeBytes(browser, manyi.base, "/s/nps?lang=en");
  const rq = await completeBytes(browser, manyi.base, "/s/rq?lang=en");
  await browser.close();
  const ratio = (r) => (r.manyi.ttfq / r.surveyjs.ttfq).toFixed(2);
  if (!downloadsOnly) console.log("\nfirst question, median of %d interleaved runs, 4x CPU:", runs);
  for (const [name, r] of downloadsOnly ? [] : [["mobile network", mobile], ["no network throttling", none]]) {
    console.log(
      `  ${name}: manyi ${r.manyi.ttfq.toFixed(0)} ms, SurveyJS ${r.surveyjs.ttfq.toFixed(0)} ms, ratio ${ratio(r)}; ` +
        `bytes arrived by the first question ${r.manyi.atTtfq} (SurveyJS ${r.surveyjs.atTtfq}), ` +
        `before the click ${r.manyi.bytes} (SurveyJS ${r.surveyjs.bytes})`,
    );
  }
  console.log(`completing nps: ${nps.bytes} B in ${nps.requests} requests`);
  console.log(`completing rq: ${rq.bytes} B in ${rq.requests} requests`);
} finally {
  manyi.child.removeAllListeners("exit");
  manyi.child.kill();
  surveyjs.child.kill();
}

// Measures the staff dashboard: the time from the data's arrival to a fully rendered overview
// in headless Chromium, over 100,000 responses on a real `manyi serve` (the server computes
// the report, the browser renders it), and over the largest set local-only mode can hold in
// local storage (the browser computes the report with manyi-core in WebAssembly), with the
// memory that took; and the size of the staff bundle. Median of RUNS runs each. Build first
// (`scripts/build-app.sh --release` and `cargo build -p manyi`). Prints the figures; exits
// non-zero when rendering after the data's arrival takes over 500 ms, or navigation to the
// rendered overview over 1 s.
//
//   node scripts/bench-dashboard.mjs [responses]      # default 100000
//   MANYI_BIN=target/bench-fast/manyi node scripts/bench-dashboard.mjs 1000000
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";
import { DIST, MANYI, launch, startManyi } from "../tests/e2e/harness.mjs";

const N = Number(process.argv[2] ?? 100_000);
const LOCAL_N = 10_000;
const RUNS = 5;
const BUDGET_MS = 500;
// From navigation to the rendered overview, the server's reports included (issue 18's goal at
// a million responses).
const TOTAL_BUDGET_MS = 1000;
const BATCH = 500;

const SURVEY = {
  id: "bench",
  version: 1,
  title: "Dashboard benchmark",
  default_locale: "en",
  dimensions: [
    { id: "service", title: "Service", weight: 2 },
    { id: "speed", title: "Speed", weight: 1 },
  ],
  pages: [{
    id: "p1",
    questions: [
      { id: "nps", kind: "nps", text: "Recommend?", metric: "nps" },
      { id: "csat", kind: "rating", text: "Satisfied?", metric: "csat", scale: { min: 1, max: 5 } },
      { id: "ces", kind: "likert", text: "Easy?", metric: "ces", scale: { min: 1, max: 7 } },
      ...[1, 2, 3, 4].map((i) => ({ id: `s${i}`, kind: "likert", text: `S${i}`, dimension: "service", reverse: i === 4, scale: { min: 1, max: 7 } })),
      ...[1, 2, 3].map((i) => ({ id: `p${i}`, kind: "likert", text: `P${i}`, dimension: "speed", scale: { min: 1, max: 7 } })),
      { id: "comment", kind: "text", text: "Anything else?" },
    ],
  }],
};

// A small deterministic generator (mulberry32), so every run measures the same data.
function random(seed) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// The responses one by one, so a million never sit in memory at once.
function* responses(n) {
  const next = random(7);
  const pick = (low, high) => low + Math.floor(next() * (high - low + 1));
  const start = Date.parse("2026-01-01T00:00:00Z");
  for (let i = 0; i < n; i++) {
    const mood = next();
    const level = (low, high) => Math.max(low, Math.min(high, Math.round(low + (high - low) * mood + pick(-1, 1))));
    const answers = {
      nps: level(0, 10), csat: level(1, 5), ces: level(1, 7),
      s1: level(1, 7), s2: level(1, 7), s3: level(1, 7), s4: 8 - level(1, 7),
      p1: level(1, 7), p2: level(1, 7), p3: level(1, 7),
    };
    yield {
      id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
      survey_id: "bench",
      survey_version: 1,
      submitted_at: new Date(start + Math.floor((i / n) * 365 * 86400e3)).toISOString(),
      answers,
      meta: { channel: ["web", "store", "kiosk", "phone"][i % 4], branch: `b${i % 12}` },
    };
  }
}

// The server the benchmark runs: the tests' debug build unless MANYI_BIN names another (a
// million responses want the optimised one: MANYI_BIN=target/bench-fast/manyi).
const SERVER = process.env.MANYI_BIN ?? MANYI;

function startServer(dir) {
  return startManyi(dir, 0, ["--rate-limit", "0", "--byte-rate", "0"], SERVER);
}

// Records, in the page, when the overview is in the document: it is created in one render
// pass with every card, chart and table, so its arrival is the fully rendered overview.
const OBSERVE = `
  new MutationObserver((_, observer) => {
    if (document.querySelector('[data-testid="overview"]')) {
      window.__rendered = performance.now();
      observer.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });
`;

// `dataPaths` are patterns of the requests that bring the overview's data (matched against
// path and query); the first request matching each counts, since the overview's open-text
// answers read the definition again once the overview is shown. `offline` refuses the
// device's uploads of its outbox (see the local-only runs). With `memory`, the timing also
// gives the size of the app's WebAssembly memory once the open-text answers are listed too: a
// wasm memory only grows, so that is the most the report and the text search took at once
// (with whatever else the page did meanwhile).
async function measure(browser, url, init, dataPaths, { offline = false, memory = false } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  if (offline) await context.route("**/api/v1/responses", (route) => route.abort());
  await context.addInitScript(init + OBSERVE);
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForSelector('[data-testid="overview"]', { timeout: 120_000 });
  const timing = await page.evaluate((patterns) => {
    const entries = performance.getEntriesByType("resource");
    const ends = patterns.map((source) => {
      const pattern = new RegExp(source);
      const entry = entries.find((e) => {
        const u = new URL(e.name);
        return pattern.test(u.pathname + u.search);
      });
      return entry ? entry.responseEnd : NaN;
    });
    // The data has arrived when the last of those requests has ended.
    return { arrived: Math.max(...ends), rendered: window.__rendered };
  }, dataPaths.map((p) => p.source));
  if (memory) {
    await page.waitForSelector('[data-testid="texts"]', { state: "attached", timeout: 120_000 });
    // The page keeps no handle on the bundle's memory, so the DevTools protocol finds it.
    const cdp = await context.newCDPSession(page);
    const prototype = await cdp.send("Runtime.evaluate", { expression: "WebAssembly.Memory.prototype" });
    const found = await cdp.send("Runtime.queryObjects", { prototypeObjectId: prototype.result.objectId });
    const sizes = await cdp.send("Runtime.callFunctionOn", {
      objectId: found.objects.objectId,
      functionDeclaration: "function () { return this.map((m) => m.buffer.byteLength); }",
      returnByValue: true,
    });
    timing.memory = Math.max(...sizes.result.value);
  }
  await context.close();
  if (Number.isNaN(timing.arrived)) throw new Error(`a data request of ${url} is missing`);
  return timing;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function size(file) {
  return readFile(join(DIST, file)).then((bytes) => ({
    file,
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  }));
}

const dir = await mkdtemp(join(tmpdir(), "manyi-bench-dash-"));
const { child, base } = await startServer(dir);
let browser;
let failed = false;
try {
  // The token is created by the server's own build (the tests' harness would use the debug
  // build, which MANYI_BIN is there to avoid).
  const token = execFileSync(SERVER, [
    "token", "create", "--name", "bench", "--role", "admin", "--database", `sqlite://${dir}/manyi.db?mode=rwc`,
  ], { env: { ...process.env, DATABASE_URL: "" } }).toString().match(/^manyi_\w+$/m)[0];
  browser = await launch();
  const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const published = await fetch(`${base}/api/v1/surveys`, { method: "POST", headers: auth, body: JSON.stringify(SURVEY) });
  if (published.status !== 201) throw new Error(await published.text());
  const first = [];
  const loadStart = performance.now();
  let batch = [];
  const send = async () => {
    const reply = await fetch(`${base}/api/v1/responses`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(batch),
    }).then((r) => r.json());
    if (reply.accepted + reply.duplicate !== batch.length) throw new Error(JSON.stringify(reply).slice(0, 500));
    batch = [];
  };
  for (const response of responses(N)) {
    if (first.length < LOCAL_N) first.push(response);
    batch.push(response);
    if (batch.length === BATCH) await send();
  }
  if (batch.length) await send();
  console.log(`stored ${N} responses in ${((performance.now() - loadStart) / 1000).toFixed(1)} s`);

  // A year of data, a quarter compared with the one before, segmented by channel, by week.
  const view = "/admin/s/bench?lang=en&from=2026-07-01&to=2026-09-30&segment=channel&bucket=week";
  const session = JSON.stringify({ mode: "server", api: "/api/v1", token });
  const serverInit = `sessionStorage.setItem("manyi.staff.session.v1", ${JSON.stringify(session)});`;
  const server = [];
  for (let run = 0; run < RUNS; run++) {
    const t = await measure(browser, base + view, serverInit, [/^\/api\/v1\/surveys\/bench$/, /\/report\?/, /\/targets$/]);
    server.push({ render: t.rendered - t.arrived, total: t.rendered });
  }
  const serverRender = median(server.map((t) => t.render));
  const serverTotal = median(server.map((t) => t.total));
  console.log(`server mode, ${N} responses: data arrival → rendered overview, median of ${RUNS}: ${serverRender.toFixed(1)} ms`);
  console.log(`  navigation → rendered overview, including the server's reports: ${serverTotal.toFixed(0)} ms (runs: ${server.map((t) => t.total.toFixed(0)).join(", ")})`);
  if (serverRender > BUDGET_MS || serverTotal > TOTAL_BUDGET_MS) failed = true;

  // Local-only mode: the responses in the outbox; the browser computes the same report.
  const outbox = JSON.stringify(first.map((response) => ({
    response, scores: { items: {}, dimensions: {}, composite: null, coverage: 0 }, queued_at: response.submitted_at,
  })));
  const localInit = `
    sessionStorage.setItem("manyi.staff.session.v1", ${JSON.stringify(JSON.stringify({ mode: "local" }))});
    if (!localStorage.getItem("manyi.outbox.v1")) localStorage.setItem("manyi.outbox.v1", ${JSON.stringify(outbox)});
  `;
  const localView = "/admin/s/bench?lang=en&from=2026-01-15&to=2026-02-05&segment=channel&bucket=day";
  const local = [];
  const localMemory = [];
  for (let run = 0; run < RUNS; run++) {
    // In local-only mode the data arrives with the definition; reading the outbox and
    // computing the report are part of the measured time. The device's responses have not
    // reached a server, as in local-only use: otherwise the staff bundle's sync engine would
    // upload them during the measurement (each batch re-reading the whole outbox) and delete
    // the delivered ones, so the report would be timed against the uploads on a shrinking
    // outbox.
    const t = await measure(browser, base + localView, localInit, [/^\/api\/v1\/surveys\/bench$/], { offline: true, memory: true });
    local.push(t.rendered - t.arrived);
    localMemory.push(t.memory);
  }
  const localMs = median(local);
  console.log(`local-only mode, ${LOCAL_N} responses read from local storage, report computed in wasm: ${localMs.toFixed(1)} ms`);
  const mib = (bytes) => (bytes / 2 ** 20).toFixed(1);
  console.log(`  (the bundle's wasm memory after the report and the open-text search, median of ${RUNS}: ${mib(median(localMemory))} MiB, from ${mib(Math.min(...localMemory))} to ${mib(Math.max(...localMemory))})`);

  const files = await Promise.all(["manyi-staff_bg.wasm", "manyi-staff.js"].map(size));
  const total = files.reduce((t, r) => ({ raw: t.raw + r.raw, gzip: t.gzip + r.gzip, brotli: t.brotli + r.brotli }), { raw: 0, gzip: 0, brotli: 0 });
  console.log("staff bundle".padEnd(24), "raw".padStart(10), "gzip".padStart(10), "brotli".padStart(10));
  for (const r of [...files, { file: "total", ...total }]) {
    console.log(r.file.padEnd(24), String(r.raw).padStart(10), String(r.gzip).padStart(10), String(r.brotli).padStart(10));
  }
} finally {
  await browser?.close();
  child.kill("SIGKILL");
}
if (failed) {
  console.error(`over the ${BUDGET_MS} ms budget`);
  process.exit(1);
}

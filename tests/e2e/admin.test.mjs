// The staff dashboard (/admin) against the real server with a fresh SQLite database: seeded
// responses sent through the public API, the cards, segments and item table checked against
// numbers worked out here (NPS, CSAT, CES, counts) or by the core's CLI on the same data
// (composite index, reliability, p-values), the period and segment filters, exports read
// back, local-only mode against the server, sign-in errors, management, targets, axe and a
// screenshot of the overview.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  byTestId, killManyi, launch, MANYI, screenshot, staffToken, startManyi, axe, watchErrors } from "./harness.mjs";

// The browser's zone and the CLI's offset agree, so dates mean the same days to both.
const TIMEZONE = "Asia/Shanghai";
const OFFSET = "+08:00";

const SURVEY = {
  id: "dash",
  version: 1,
  title: { en: "Dashboard test", "zh-CN": "看板测试", "zh-TW": "看板測試" },
  default_locale: "en",
  dimensions: [{ id: "service", title: "Service" }],
  pages: [{
    id: "p1",
    questions: [
      { id: "nps", kind: "nps", text: "Recommend?", metric: "nps" },
      { id: "csat", kind: "rating", text: "Satisfied?", metric: "csat", scale: { min: 1, max: 5 } },
      { id: "ces", kind: "likert", text: "Easy?", metric: "ces", scale: { min: 1, max: 7 } },
      { id: "q1", kind: "likert", text: "Staff were helpful", dimension: "service", scale: { min: 1, max: 7 } },
      { id: "q2", kind: "likert", text: "It was quick", dimension: "service", scale: { min: 1, max: 7 } },
      { id: "q3", kind: "likert", text: "I had to repeat myself", dimension: "service", reverse: true, scale: { min: 1, max: 7 } },
      { id: "comment", kind: "text", text: "Anything else?" },
    ],
  }],
};

// A deterministic spread of answers: month (1 = January, the previous period; 2 = February,
// the current one), channel, and the answers.
const CHANNELS = ["web", "store", "kiosk"];
function seed() {
  const responses = [];
  for (let i = 0; i < 36; i++) {
    const month = i < 16 ? 1 : 2;
    const day = 3 + (i % 20);
    const good = month === 2 ? (i % 3 !== 0) : (i % 2 === 0);
    const nps = good ? [9, 10, 8, 10][i % 4] : [3, 6, 7, 5][i % 4];
    const csat = good ? [5, 4, 5][i % 3] : [2, 3, 4][i % 3];
    const ces = good ? [6, 7, 5][i % 3] : [3, 4, 2][i % 3];
    const q1 = good ? 5 + (i % 3) : 2 + (i % 3);
    const q2 = Math.min(7, q1 + ((i % 4) - 1 > 0 ? 1 : 0));
    const q3 = 8 - q1 + (i % 5 === 0 ? 1 : 0);
    responses.push({
      id: `6f1c2a3b-4d5e-4f60-8a7b-${String(i).padStart(12, "0")}`,
      survey_id: "dash",
      survey_version: 1,
      submitted_at: `2026-0${month}-${String(day).padStart(2, "0")}T12:00:00${OFFSET}`,
      locale: "en",
      answers: { nps, csat, ces, q1, q2, q3, ...(i % 6 === 0 ? { comment: `note ${i}` } : {}) },
      meta: { channel: CHANNELS[i % 3] },
    });
  }
  return responses;
}

// --- Numbers worked out here, independently of the core. ---

/** Rounds half away from zero to `d` places, as the app's display does. */
function fixed(x, d) {
  const f = 10 ** d;
  const r = Math.sign(x) * Math.round(Math.abs(x) * f + 1e-9) / f;
  return (Object.is(r, -0) ? 0 : r).toFixed(d);
}

function nps(list) {
  const scores = list.map((r) => r.answers.nps);
  const n = scores.length;
  const p = scores.filter((s) => s >= 9).length / n;
  const d = scores.filter((s) => s <= 6).length / n;
  const score = 100 * (p - d);
  const moe = 1.96 * 100 * Math.sqrt((p + d - (p - d) ** 2) / n);
  return `${fixed(score, 1)} ± ${fixed(moe, 1)}`;
}
const csat = (list) => `${fixed((100 * list.filter((r) => r.answers.csat >= 4).length) / list.length, 1)} %`;
const ces = (list) => fixed(list.reduce((t, r) => t + r.answers.ces, 0) / list.length, 2);
const inFeb = (r) => r.submitted_at.startsWith("2026-02");
const inJan = (r) => r.submitted_at.startsWith("2026-01");

// --- Numbers from the core's CLI on the same data (composite, reliability, tests). ---

async function cliReport(dir, responses, args = []) {
  const definition = join(dir, "dash.json");
  const file = join(dir, `responses-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(definition, JSON.stringify(SURVEY));
  await writeFile(file, JSON.stringify(responses));
  const out = execFileSync(MANYI, [
    "score", "--survey", definition, "--responses", file, "--utc-offset", OFFSET, ...args,
  ]).toString();
  return JSON.parse(out);
}

const FEB = ["--from", "2026-02-01", "--to", "2026-03-01"];

function composite(report) {
  const c = report.composite;
  return `${fixed(c.mean, 1)} (${fixed(c.ci95[0], 1)}–${fixed(c.ci95[1], 1)})`;
}

/** The text of the change line of a card, as the app words it in English. */
function change(difference, decimals, p) {
  const sign = difference > 0 ? "+" : "";
  const verdict = p < 0.05 ? "significant" : "not significant";
  return `${sign}${fixed(difference, decimals)} vs previous period ${verdict} (p = ${fixed(p, 3)})`;
}

// --- Browser helpers. ---

const text = (page, id) => page.textContent(byTestId(id)).then((t) => t.trim());

/** Waits until the element shows `expected` (the overview reloads when filters change). */
async function shows(page, id, expected) {
  await page.waitForFunction(
    ([sel, want]) => document.querySelector(sel)?.textContent.trim() === want,
    [byTestId(id), expected],
  ).catch(async () => {
    assert.equal(await text(page, id).catch(() => "(absent)"), expected, id);
  });
}

async function newPage(browser, { init } = {}) {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 }, locale: "en-US", timezoneId: TIMEZONE, acceptDownloads: true,
  });
  if (init) await context.addInitScript(init);
  const page = await context.newPage();
  watchErrors(page);
  return page;
}

async function signIn(page, base, token) {
  await page.goto(`${base}/admin?lang=en`);
  await page.fill(byTestId("token-input"), token);
  await page.click(byTestId("sign-in"));
  await page.waitForSelector(byTestId("survey-table"));
}

async function setPeriod(page, from, to) {
  await page.fill(byTestId("period-from"), from);
  await page.fill(byTestId("period-to"), to);
  await page.click(byTestId("apply-filters"));
}


/** The cards, segment rows and item rows as shown, for comparing two modes. */
async function shown(page) {
  return page.evaluate(() => {
    const texts = (sel) => [...document.querySelectorAll(sel)].map((e) => e.textContent.trim());
    return {
      cards: texts('[data-testid="cards"] .stat-value'),
      changes: texts('[data-testid="cards"] .change'),
      segments: texts('[data-testid="segment-table"] tbody tr'),
      items: texts('[data-testid="item-table"] tbody tr'),
      dimensions: texts('[data-testid="dimension-table"] tbody tr'),
      answers: texts('[data-testid="text-answer"] blockquote'),
    };
  });
}

// --- The tests. ---

const env = { dir: "", server: null, base: "", token: "", browser: null, responses: seed() };

test.before(async () => {
  env.dir = await mkdtemp(join(tmpdir(), "manyi-admin-"));
  env.server = await startManyi(env.dir);
  env.base = env.server.base;
  env.token = staffToken(env.dir);
  const auth = { authorization: `Bearer ${env.token}`, "content-type": "application/json" };
  const published = await fetch(`${env.base}/api/v1/surveys`, { method: "POST", headers: auth, body: JSON.stringify(SURVEY) });
  assert.equal(published.status, 201, await published.text());
  const sent = await fetch(`${env.base}/api/v1/responses`, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(env.responses),
  });
  const reply = await sent.json();
  assert.equal(reply.accepted, env.responses.length, JSON.stringify(reply));
  env.browser = await launch();
});

test.after(async () => {
  await env.browser?.close();
  if (env.server) await killManyi(env.server);
});

test("a wrong token gets a clear error and nothing is kept", async () => {
  const page = await newPage(env.browser);
  await page.goto(`${env.base}/admin?lang=en`);
  await page.fill(byTestId("token-input"), "manyi_not_a_real_token");
  await page.click(byTestId("sign-in"));
  await page.waitForSelector(byTestId("sign-in-error"));
  assert.match(await text(page, "sign-in-error"), /refused this token/);
  assert.equal(await page.evaluate(() => sessionStorage.getItem("manyi.staff.session.v1")), null);
  await page.context().close();
});

test("the overview shows the known numbers and the filters change them", async () => {
  const page = await newPage(env.browser);
  await signIn(page, env.base, env.token);
  // The token lives in session storage only.
  assert.equal(await page.evaluate(() => localStorage.length), 0);
  assert.match(await page.evaluate(() => sessionStorage.getItem("manyi.staff.session.v1")), /manyi_/);
  await page.click(byTestId("open-dash"));
  await page.waitForSelector(byTestId("overview"));

  // Everything, no period: no comparison.
  const all = env.responses;
  await shows(page, "card-n-value", String(all.length));
  await shows(page, "card-nps-value", nps(all));
  await shows(page, "card-csat-value", csat(all));
  await shows(page, "card-ces-value", ces(all));
  assert.equal(await text(page, "card-composite-value"), composite(await cliReport(env.dir, all)));
  await page.waitForSelector(byTestId("no-comparison"));
  // The NPS chart's bars hold the counts of each answer.
  for (const value of [3, 9, 10]) {
    const count = all.filter((r) => r.answers.nps === value).length;
    assert.equal(await page.getAttribute(byTestId(`nps-bar-${value}`), "data-count"), String(count));
  }

  // February against January.
  await setPeriod(page, "2026-02-01", "2026-02-28");
  const feb = all.filter(inFeb);
  // The previous period has February's 28 days: 4 to 31 January.
  const jan = all.filter((r) => inJan(r) && r.submitted_at >= "2026-01-04");
  await shows(page, "card-n-value", String(feb.length));
  await shows(page, "card-nps-value", nps(feb));
  await shows(page, "card-csat-value", csat(feb));
  await shows(page, "card-ces-value", ces(feb));
  const report = await cliReport(env.dir, all, FEB);
  assert.equal(report.n, feb.length);
  assert.equal(report.comparison.previous.n, jan.length);
  assert.equal(await text(page, "card-composite-value"), composite(report));
  const cmp = report.comparison;
  assert.equal(await text(page, "card-n-change"), `+${feb.length - jan.length} vs previous period`);
  assert.equal(await text(page, "card-nps-change"), change(cmp.nps.difference, 1, cmp.nps.p_value));
  assert.equal(await text(page, "card-csat-change"), change(cmp.csat.difference, 1, cmp.csat.p_value));
  assert.equal(await text(page, "card-ces-change"), change(cmp.ces.difference, 2, cmp.ces.p_value));
  assert.equal(await text(page, "card-composite-change"), change(cmp.composite.difference, 1, cmp.composite.p_value));
  assert.equal(await page.getAttribute(byTestId("card-nps-change"), "data-significant"), String(cmp.nps.p_value < 0.05));

  // The item table and alpha of the dimension, from the CLI's report of the same period.
  const dim = report.dimensions.service;
  for (const [key, item] of Object.entries(dim.items)) {
    assert.equal(await text(page, `item-${key}-mean`), fixed(item.mean, 2), key);
    assert.equal(await text(page, `item-${key}-r`), fixed(item.r_drop, 3), key);
    assert.equal(await text(page, `item-${key}-aid`), fixed(item.alpha_if_deleted, 3), key);
  }
  const dimensionRow = await text(page, "dimension-service");
  assert.ok(dimensionRow.includes(fixed(dim.alpha.raw, 3)), dimensionRow);
  assert.equal(await page.$(byTestId("alpha-warning-service")) !== null, dim.alpha.raw < 0.7);

  // The open-text answers of the period, newest first, and a search among them.
  const notes = feb.filter((r) => r.answers.comment)
    .sort((a, b) => b.submitted_at.localeCompare(a.submitted_at))
    .map((r) => r.answers.comment);
  await page.waitForSelector(byTestId("texts"));
  assert.deepEqual(await page.$$eval('[data-testid="text-answer"] blockquote', (q) => q.map((e) => e.textContent)), notes);
  await page.fill(byTestId("text-search"), notes[1].toUpperCase());
  await page.click(byTestId("search-texts"));
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="text-answer"]').length === n, 1);
  assert.equal(await page.textContent(`${byTestId("text-answer")} blockquote`), notes[1]);

  // Segments by channel, each worked out here.
  await page.selectOption(byTestId("segment-key"), "channel");
  await page.click(byTestId("apply-filters"));
  await page.waitForSelector(byTestId("segment-table"));
  for (const channel of CHANNELS) {
    const group = feb.filter((r) => r.meta.channel === channel);
    await shows(page, `segment-${channel}-n`, String(group.length));
    await shows(page, `segment-${channel}-nps`, nps(group));
    await shows(page, `segment-${channel}-csat`, csat(group));
    await shows(page, `segment-${channel}-ces`, ces(group));
  }

  // Only the web: the cards follow, and the comparison uses January's web responses.
  await page.click(byTestId("only-web"));
  await page.waitForSelector(byTestId("filter-chip"));
  const web = feb.filter((r) => r.meta.channel === "web");
  await shows(page, "card-n-value", String(web.length));
  await shows(page, "card-nps-value", nps(web));
  await shows(page, "card-csat-value", csat(web));
  const webReport = await cliReport(env.dir, all.filter((r) => r.meta.channel === "web"), FEB);
  assert.equal(await text(page, "card-nps-change"), change(webReport.comparison.nps.difference, 1, webReport.comparison.nps.p_value));
  assert.match(page.url(), /filter=channel%3Aweb/);

  await page.click(byTestId("clear-filter"));
  await shows(page, "card-n-value", String(feb.length));

  // The overview at desktop width, for review, and its accessibility.
  await screenshot(page, "admin-overview-1280x800");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("axe finds nothing serious on the dashboard in light and dark", async () => {
  for (const scheme of ["light", "dark"]) {
    const context = await env.browser.newContext({
      viewport: { width: 1280, height: 800 }, locale: "en-US", timezoneId: TIMEZONE, bypassCSP: true,
    });
    const page = await context.newPage();
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(`${env.base}/admin?lang=en`);
    await page.waitForSelector(byTestId("token-input"));
    await axe(page, `sign-in ${scheme}`);
    await page.fill(byTestId("token-input"), env.token);
    await page.click(byTestId("sign-in"));
    await page.waitForSelector(byTestId("survey-table"));
    await axe(page, `survey list ${scheme}`);
    await page.goto(`${env.base}/admin/s/dash?lang=en&from=2026-02-01&to=2026-02-28&segment=channel`);
    await page.waitForSelector(byTestId("segment-table"));
    await axe(page, `overview ${scheme}`);
    await page.goto(`${env.base}/admin/s/dash/manage?lang=en`);
    await page.waitForSelector(byTestId("embed-snippet"));
    await axe(page, `manage ${scheme}`);
    await context.close();
  }
});

test("exports download and hold every row", async () => {
  const page = await newPage(env.browser);
  await signIn(page, env.base, env.token);
  await page.goto(`${env.base}/admin/s/dash?lang=en`);
  await page.waitForSelector(byTestId("export-csv"));
  const ids = env.responses.map((r) => r.id).sort();

  const download = async (format) => {
    const [file] = await Promise.all([page.waitForEvent("download"), page.click(byTestId(`export-${format}`))]);
    assert.equal(file.suggestedFilename(), `dash-responses.${format}`);
    const path = join(env.dir, `export.${format}`);
    await file.saveAs(path);
    return path;
  };

  const csvText = (await readFile(await download("csv"), "utf8")).replace(/^\uFEFF/, "");
  const [header, ...rows] = csvText.trim().split("\n").map((line) => line.split(","));
  assert.deepEqual(header.slice(0, 5), ["id", "submitted_at", "started_at", "locale", "meta.channel"]);
  assert.deepEqual(rows.map((r) => r[0]).sort(), ids);
  const npsColumn = header.indexOf("nps");
  assert.equal(rows.find((r) => r[0] === env.responses[0].id)[npsColumn], String(env.responses[0].answers.nps));

  const json = JSON.parse(await readFile(await download("json"), "utf8"));
  assert.deepEqual(json.map((r) => r.id).sort(), ids);

  // The workbook read back with Python's standard library: a valid zip whose first sheet has a
  // header row and one row per response, ids among its strings.
  const xlsx = await download("xlsx");
  const read = execFileSync("python3", ["-c", `
import json, sys, zipfile, re
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
sheet = z.read("xl/worksheets/sheet1.xml").decode()
strings = z.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in z.namelist() else sheet
print(json.dumps({"rows": len(re.findall(r"<row ", sheet)), "strings": re.findall(r"<t[^>]*>([^<]*)</t>", strings)}))
`, xlsx]).toString();
  const workbook = JSON.parse(read);
  assert.equal(workbook.rows, ids.length + 1);
  for (const id of ids) assert.ok(workbook.strings.includes(id), id);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("local-only mode shows the same numbers as the server for the same data", async () => {
  const server = await newPage(env.browser);
  await signIn(server, env.base, env.token);
  const view = "/admin/s/dash?lang=en&from=2026-02-01&to=2026-02-28&segment=channel";
  await server.goto(env.base + view);
  await server.waitForSelector(byTestId("segment-table"));
  await server.waitForSelector(byTestId("texts"));
  const fromServer = await shown(server);
  await server.context().close();

  // The same responses in this device's outbox, as the runner leaves them.
  const outbox = env.responses.map((response) => ({
    response, scores: { items: {}, dimensions: {}, composite: null, coverage: 0 }, queued_at: response.submitted_at,
  }));
  const page = await newPage(env.browser, {
    init: `if (!sessionStorage.getItem("seeded")) {
      localStorage.setItem("manyi.outbox.v1", ${JSON.stringify(JSON.stringify(outbox))});
      sessionStorage.setItem("seeded", "1");
    }`,
  });
  // A device whose responses have not reached the server: the staff's bundle sends the outbox
  // like every bundle (the home page shows how sending stands), and a delivered response leaves
  // the device, so sending is made to fail here.
  await page.route("**/api/v1/responses", (route) => route.abort());
  await page.goto(`${env.base}/admin?lang=en`);
  await page.click(byTestId("local-only"));
  await page.waitForSelector(byTestId("survey-row-dash"));
  assert.match(await text(page, "survey-row-dash"), new RegExp(`${env.responses.length}`));
  await page.goto(env.base + view);
  await page.waitForSelector(byTestId("segment-table"));
  await page.waitForSelector(byTestId("texts"));
  assert.match(await text(page, "admin-mode"), /Local-only/);
  const local = await shown(page);
  assert.ok(fromServer.cards.length >= 5 && fromServer.items.length === 3, JSON.stringify(fromServer));
  assert.deepEqual(local, fromServer);

  // Local exports are made in the browser from the same responses.
  const [file] = await Promise.all([page.waitForEvent("download"), page.click(byTestId("export-csv"))]);
  const path = join(env.dir, "local.csv");
  await file.saveAs(path);
  const lines = (await readFile(path, "utf8")).trim().split("\n");
  assert.equal(lines.length, env.responses.length + 1);
  // The refused sends are logged by the browser; nothing else may be.
  assert.deepEqual(page.errors.filter((e) => !e.startsWith("Failed to load resource")), []);
  await page.context().close();
});

test("targets are set by staff and show progress", async () => {
  const page = await newPage(env.browser);
  await signIn(page, env.base, env.token);
  await page.goto(`${env.base}/admin/s/dash?lang=en&from=2026-02-01&to=2026-02-28`);
  await page.waitForSelector(byTestId("no-targets"));
  // An impossible value is refused with its path, and nothing is stored.
  await page.selectOption(byTestId("target-metric"), "csat");
  await page.fill(byTestId("target-value"), "120");
  await page.fill(byTestId("target-deadline"), "2026-06-30");
  await page.click(byTestId("add-target"));
  await page.waitForSelector(byTestId("target-problems"));
  assert.match(await text(page, "target-problems"), /\$\[0\]\.target/);

  await page.fill(byTestId("target-value"), "85");
  await page.click(byTestId("add-target"));
  await page.waitForSelector(byTestId("target-0"));
  const feb = env.responses.filter(inFeb);
  await shows(page, "target-0-current", csat(feb).replace(" %", ""));
  const met = (100 * feb.filter((r) => r.answers.csat >= 4).length) / feb.length >= 85;
  assert.equal(await page.getAttribute(byTestId("target-0"), "data-met"), String(met));
  const stored = await fetch(`${env.base}/api/v1/surveys/dash/targets`, { headers: { authorization: `Bearer ${env.token}` } });
  assert.deepEqual(await stored.json(), { targets: [{ metric: "csat", target: 85, deadline: "2026-06-30" }] });
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("management publishes with path errors, imports SurveyJS with its report, sets origins and shares links", async () => {
  const page = await newPage(env.browser);
  await signIn(page, env.base, env.token);
  await page.goto(`${env.base}/admin/s/dash/manage?lang=en`);
  // The editor starts from the latest version, raised by one.
  await page.waitForFunction((sel) => document.querySelector(sel)?.value.includes('"version": 2'), byTestId("definition-text"));

  // A definition with problems: each listed with its path; nothing published.
  const broken = { ...SURVEY, version: 2, pages: [{ id: "p1", questions: [
    { id: "a", kind: "likert", text: "A", scale: { min: 5, max: 1 } },
    { id: "a", kind: "text", text: "B" },
  ] }] };
  await page.fill(byTestId("definition-text"), JSON.stringify(broken));
  await page.click(byTestId("publish"));
  await page.waitForSelector(byTestId("publish-problems"));
  const problems = await page.$$eval('[data-testid="publish-problems-item"] code', (codes) => codes.map((c) => c.textContent));
  for (const index of [0, 1]) {
    assert.ok(problems.some((p) => p.startsWith(`$.pages[0].questions[${index}]`)), JSON.stringify(problems));
  }

  // The next version, published.
  await page.fill(byTestId("definition-text"), JSON.stringify({ ...SURVEY, version: 2 }));
  await page.click(byTestId("publish"));
  await page.waitForSelector(byTestId("publish-ok"));
  assert.match(await text(page, "publish-ok"), /dash, version 2/);

  // A SurveyJS definition: imported, published, with what was left out reported.
  await page.goto(`${env.base}/admin/new?lang=en`);
  await page.check(byTestId("format-surveyjs"));
  const surveyjs = {
    title: "Visit",
    pages: [{ name: "p1", elements: [
      { type: "rating", name: "score", rateMin: 1, rateMax: 5 },
      { type: "signaturepad", name: "sign" },
    ] }],
  };
  await page.fill(byTestId("definition-text"), JSON.stringify(surveyjs));
  await page.click(byTestId("publish"));
  await page.waitForSelector(byTestId("import-reports"));
  assert.match(await text(page, "import-reports"), /\$\.pages\[0\]\.elements\[1\]/);
  const list = await fetch(`${env.base}/api/v1/surveys`, { headers: { authorization: `Bearer ${env.token}` } }).then((r) => r.json());
  assert.ok(list.some((s) => s.title === "Visit" || s.title?.en === "Visit" || JSON.stringify(s.title).includes("Visit")), JSON.stringify(list));

  // Origins: a bad one is reported with its path; good ones are stored normalised.
  await page.goto(`${env.base}/admin/s/dash/manage?lang=en`);
  await page.waitForSelector(byTestId("origins-text"));
  await page.fill(byTestId("origins-text"), "https://portal.example.com/path");
  await page.click(byTestId("save-origins"));
  await page.waitForSelector(byTestId("origin-problems"));
  assert.match(await text(page, "origin-problems"), /\$\.allowed_origins\[0\]/);
  await page.fill(byTestId("origins-text"), "HTTPS://Portal.Example.com:443\nhttp://127.0.0.1:5173");
  await page.click(byTestId("save-origins"));
  await page.waitForSelector(byTestId("origins-saved"));
  const origins = await fetch(`${env.base}/api/v1/surveys/dash/origins`).then((r) => r.json());
  assert.deepEqual(origins.allowed_origins, ["https://portal.example.com", "http://127.0.0.1:5173"]);

  // The snippet and the kiosk link name this server and this survey.
  const snippet = await page.inputValue(byTestId("embed-snippet"));
  assert.ok(snippet.includes(`src="${env.base}/embed.js"`) && snippet.includes('data-survey="dash"'), snippet);
  assert.equal(await page.inputValue(byTestId("kiosk-link")), `${env.base}/kiosk/dash`);
  // The refused publication and origins are the browser's logged 422s, nothing else.
  assert.deepEqual(page.errors.filter((e) => !e.includes("status of 422")), []);
  await page.context().close();
});

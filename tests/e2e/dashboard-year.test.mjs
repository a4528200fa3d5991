// The staff dashboard over a long stretch of data, against the real server with a fresh SQLite
// database: the trend chart with 60 weekly points labels its axis without any two labels
// overlapping, at a desktop and a phone width, and names every week in a tooltip; a report
// that takes its time shows the overview's layout and says what it computes (in each of the
// three languages), and a change of filters keeps the previous figures on screen, dimmed,
// until the new ones arrive. Slow reports are made by holding the report request until the
// test lets it through, so nothing waits on a clock.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { byTestId, killManyi, launch, screenshot, staffToken, startManyi, watchErrors } from "./harness.mjs";

const TIMEZONE = "Asia/Shanghai";
const OFFSET = "+08:00";
const WEEKS = 60;

const TITLES = { en: "A year of weeks", "zh-CN": "一年的周数据", "zh-TW": "一年的週資料" };
const SURVEY = {
  id: "year",
  version: 1,
  title: TITLES,
  default_locale: "en",
  dimensions: [{ id: "service", title: "Service" }],
  pages: [{
    id: "p1",
    questions: [
      { id: "nps", kind: "nps", text: "Recommend?", metric: "nps" },
      { id: "csat", kind: "rating", text: "Satisfied?", metric: "csat", scale: { min: 1, max: 5 } },
      { id: "q1", kind: "likert", text: "Staff were helpful", dimension: "service", scale: { min: 1, max: 7 } },
      { id: "q2", kind: "likert", text: "It was quick", dimension: "service", scale: { min: 1, max: 7 } },
    ],
  }],
};

/** Three responses a week for `WEEKS` weeks from Monday 6 January 2025 (ISO week 2025-W02). */
function seed() {
  const start = Date.parse(`2025-01-06T12:00:00${OFFSET}`);
  const responses = [];
  for (let i = 0; i < WEEKS * 3; i++) {
    const week = Math.floor(i / 3);
    const at = new Date(start + (week * 7 + (i % 3)) * 86400e3);
    // The browser's zone is the offset's, so the date written here is the day the app sees.
    const local = new Date(at.getTime() + 8 * 3600e3).toISOString().slice(0, 19);
    responses.push({
      id: `5b2d3c4e-5f60-4a71-8b8c-${String(i).padStart(12, "0")}`,
      survey_id: "year",
      survey_version: 1,
      submitted_at: `${local}${OFFSET}`,
      locale: "en",
      answers: { nps: (i * 7) % 11, csat: 1 + (i % 5), q1: 1 + (i % 7), q2: 1 + ((i + 2) % 7) },
    });
  }
  return responses;
}

const env = { dir: "", server: null, base: "", token: "", browser: null, responses: seed() };

test.before(async () => {
  env.dir = await mkdtemp(join(tmpdir(), "manyi-year-"));
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

/** A page signed in to the server for this browser session, at `viewport`. */
async function newPage(viewport = { width: 1280, height: 800 }) {
  const context = await env.browser.newContext({
    viewport, locale: "en-US", timezoneId: TIMEZONE, reducedMotion: "reduce",
  });
  const session = JSON.stringify({ mode: "server", api: "/api/v1", token: env.token });
  await context.addInitScript(`sessionStorage.setItem("manyi.staff.session.v1", ${JSON.stringify(session)});`);
  const page = await context.newPage();
  watchErrors(page);
  return page;
}

/**
 * Holds the report requests of `page` until `release()` is called, so the test sees the
 * overview while its report is on the way. Each call of `hold` starts a new hold.
 */
function holdReports(page) {
  let gate = Promise.resolve();
  let open = () => {};
  page.route(/\/api\/v1\/surveys\/year\/report(\?|$)/, async (route) => {
    await gate;
    await route.continue();
  });
  return {
    hold() {
      gate = new Promise((resolve) => { open = resolve; });
    },
    release() {
      open();
    },
  };
}

/** The trend chart's axis labels as drawn, left to right, and the chart's box. */
function axis(page) {
  return page.evaluate(() => {
    const chart = document.querySelector('[data-testid="trend-chart"]');
    const svg = chart.querySelector("svg").getBoundingClientRect();
    const labels = [...chart.querySelectorAll("text.axis-label")].map((label) => {
      const r = label.getBoundingClientRect();
      return { text: label.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom, height: r.height };
    }).sort((a, b) => a.left - b.left);
    const keys = [...chart.querySelectorAll("details tbody th")].map((th) => th.textContent);
    return { svg: { left: svg.left, right: svg.right, top: svg.top, bottom: svg.bottom }, labels, keys };
  });
}

/** Fails when any two axis labels share a pixel, naming the first pair that does. */
function assertApart(labels, where) {
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) {
      const [a, b] = [labels[i], labels[j]];
      const overlap = a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
      assert.ok(!overlap, `${where}: "${a.text}" [${a.left.toFixed(1)}, ${a.right.toFixed(1)}] overlaps "${b.text}" [${b.left.toFixed(1)}, ${b.right.toFixed(1)}] (${labels.length} labels)`);
    }
  }
}

test("the trend chart's axis labels never overlap at 60 weekly points, wide or narrow", async () => {
  for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
    const where = `${viewport.width} px`;
    const page = await newPage(viewport);
    await page.goto(`${env.base}/admin/s/year?lang=en&bucket=week`);
    await page.waitForSelector(byTestId("trend-chart"));
    assert.equal(await page.getAttribute(byTestId("trend-chart"), "data-points"), String(WEEKS), where);
    // As first drawn, before the chart knows its width, the labels are already apart.
    assertApart((await axis(page)).labels, `${where}, as first drawn`);

    // Once the chart has measured its width it is drawn at that width, one unit per pixel.
    await page.waitForFunction((sel) => {
      const chart = document.querySelector(sel);
      const svg = chart?.querySelector("svg");
      return svg && chart.dataset.width === String(Math.round(svg.getBoundingClientRect().width));
    }, byTestId("trend-chart"));
    const { svg, labels, keys } = await axis(page);
    assertApart(labels, where);
    // The page fits the window, so on a phone the chart is drawn at the phone's width.
    assert.ok(svg.right <= viewport.width, `${where}: the chart reaches ${svg.right} px`);
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), viewport.width, where);
    assert.equal(keys.length, WEEKS, where);
    const shown = labels.map((l) => l.text);
    // The first and the last week are always labelled, with some in between.
    assert.equal(shown[0], keys[0], where);
    assert.equal(shown.at(-1), keys.at(-1), where);
    assert.ok(labels.length >= 3, `${where}: only ${shown.join(", ")}`);
    for (const label of labels) {
      // Inside the chart, and drawn at the stylesheet's 11 px rather than scaled down.
      assert.ok(label.left >= svg.left - 0.5 && label.right <= svg.right + 0.5, `${where}: ${label.text} leaves the chart`);
      assert.ok(label.height >= 11, `${where}: ${label.text} is ${label.height.toFixed(1)} px high`);
      assert.ok(keys.includes(label.text), `${where}: ${label.text} is not a week`);
    }
    // Every week, labelled or not, is named in the tooltip of its column.
    const tips = await page.$$eval(`${byTestId("trend-point")} title`, (titles) => titles.map((t) => t.textContent));
    assert.equal(tips.length, WEEKS, where);
    tips.forEach((tip, i) => assert.ok(tip.startsWith(`${keys[i]}: Net Promoter Score `) && tip.endsWith("(3 responses)"), `${where}: ${tip}`));
    await screenshot(page, `trend-${WEEKS}-weeks-${viewport.width}`);

    // A window made narrower redraws the axis for the new width.
    if (viewport.width === 1280) {
      await page.setViewportSize({ width: 700, height: 800 });
      await page.waitForFunction((sel) => {
        const chart = document.querySelector(sel);
        return chart.dataset.width === String(Math.round(chart.querySelector("svg").getBoundingClientRect().width));
      }, byTestId("trend-chart"));
      assertApart((await axis(page)).labels, "700 px after resizing");
    }
    assert.deepEqual(page.errors, [], where);
    await page.context().close();
  }
});

test("a slow report shows the overview's layout and what is computed, then keeps the old figures dimmed", async () => {
  // The line names the survey in each language.
  const computing = {
    en: `Computing the report for ${TITLES.en}…`,
    "zh-CN": `正在计算“${TITLES["zh-CN"]}”的报告……`,
    "zh-TW": `正在計算「${TITLES["zh-TW"]}」的報告……`,
  };
  for (const lang of ["zh-CN", "zh-TW"]) {
    const page = await newPage();
    const reports = holdReports(page);
    reports.hold();
    await page.goto(`${env.base}/admin/s/year?lang=${lang}`);
    await page.waitForFunction(([sel, want]) => document.querySelector(sel)?.textContent === want,
      [byTestId("overview-loading"), computing[lang]]);
    reports.release();
    await page.waitForSelector(byTestId("overview"));
    assert.deepEqual(page.errors, [], lang);
    await page.context().close();
  }

  const page = await newPage();
  const reports = holdReports(page);
  reports.hold();
  await page.goto(`${env.base}/admin/s/year?lang=en&from=2025-01-01&to=2025-06-30`);
  // The layout is there with its headings and a card per figure the survey has, each with a
  // placeholder; the line names the survey once its definition has arrived.
  await page.waitForSelector(byTestId("overview-skeleton"));
  await page.waitForFunction(([sel, want]) => document.querySelector(sel)?.textContent === want,
    [byTestId("overview-loading"), computing.en]);
  const skeleton = await page.$eval(byTestId("overview-skeleton"), (el) => ({
    busy: el.getAttribute("aria-busy"),
    title: el.querySelector("h2").textContent,
    role: el.querySelector('[data-testid="overview-loading"]').getAttribute("role"),
    cards: [...el.querySelectorAll('[data-testid="skeleton-cards"] dt')].map((dt) => dt.textContent),
    placeholders: el.querySelectorAll('[data-testid="skeleton-cards"] .placeholder').length,
    headings: [...el.querySelectorAll("h3")].map((h) => h.textContent),
  }));
  assert.deepEqual(skeleton, {
    busy: "true",
    title: TITLES.en,
    role: "status",
    cards: ["Responses", "Net Promoter Score", "CSAT (top-2 box)", "Relationship-quality index (0–100)"],
    placeholders: 4,
    headings: ["Segments", "Dimensions", "Item reliability", "Open-text answers"],
  });
  assert.equal(await page.$(byTestId("overview")), null, "no figures before the report");
  await screenshot(page, "overview-loading-1280");

  reports.release();
  const inPeriod = (from, to) => env.responses.filter((r) => r.submitted_at.slice(0, 10) >= from && r.submitted_at.slice(0, 10) <= to).length;
  const first = String(inPeriod("2025-01-01", "2025-06-30"));
  await page.waitForFunction(([sel, want]) => document.querySelector(sel)?.textContent === want,
    [byTestId("card-n-value"), first]);
  assert.equal(await page.$(byTestId("overview-skeleton")), null);
  assert.equal(await page.getAttribute(byTestId("overview"), "aria-busy"), "false");
  assert.equal(await page.textContent(byTestId("report-status")), "");

  // Another period: until its report arrives, the previous figures stay, dimmed and busy,
  // under the line saying what is computed.
  reports.hold();
  await page.fill(byTestId("period-from"), "2025-07-01");
  await page.fill(byTestId("period-to"), "2025-12-31");
  await page.click(byTestId("apply-filters"));
  await page.waitForSelector(`${byTestId("overview")}[aria-busy="true"]`);
  assert.equal(await page.textContent(byTestId("card-n-value")), first);
  assert.equal(await page.textContent(byTestId("report-status")), computing.en);
  assert.equal(await page.$(byTestId("overview-skeleton")), null, "the figures are not blanked");
  const opacity = (id) => page.$eval(byTestId(id), (el) => Number(getComputedStyle(el).opacity));
  assert.ok((await opacity("cards")) < 0.6, "the previous figures are dimmed");
  assert.equal(await page.$eval("form.filter-bar", (el) => Number(getComputedStyle(el).opacity)), 1, "the filters are not");
  await screenshot(page, "overview-reloading-1280");

  reports.release();
  const second = String(inPeriod("2025-07-01", "2025-12-31"));
  assert.notEqual(second, first);
  await page.waitForFunction(([sel, want]) => document.querySelector(sel)?.textContent === want,
    [byTestId("card-n-value"), second]);
  assert.equal(await page.getAttribute(byTestId("overview"), "aria-busy"), "false");
  assert.equal(await page.textContent(byTestId("report-status")), "");
  assert.equal(await opacity("cards"), 1);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

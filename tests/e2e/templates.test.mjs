// Every built-in template answered in every language, checking the stored response.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setup, open, byTestId, outbox, next, answerAllScales, ROOT } from "./harness.mjs";

const env = setup(test);

// The thank-you text each template ships, per language.
const thanks = (id, lang) =>
  JSON.parse(readFileSync(join(ROOT, "crates/manyi-core/templates", `${id}.json`), "utf8")).thank_you[lang];
const SUBMIT = { "zh-CN": "提交", "zh-TW": "送出", en: "Submit" };

const ANSWER = {
  async nps(page) {
    await page.click(byTestId("nps-opt-9"));
    await page.fill(byTestId("liked-input"), "快速 friendly");
    return { nps: 9, liked: "快速 friendly" };
  },
  async csat(page) {
    await page.click(byTestId("csat-opt-4"));
    await page.click(byTestId("channel-opt-web"));
    return { csat: 4, channel: "web" };
  },
  async ces(page) {
    await page.click(byTestId("ces-opt-6"));
    return { ces: 6 };
  },
  async rq(page) {
    for (let p = 0; p < 4; p++) {
      await page.waitForSelector(`${byTestId("progress")}:has-text("${p + 1}")`);
      await answerAllScales(page, 6);
      if (p < 3) await next(page);
    }
    return { sat_overall: 6, loyal_switch: 6 };
  },
};

for (const lang of ["zh-CN", "zh-TW", "en"]) {
  for (const id of ["nps", "csat", "ces", "rq"]) {
    test(`${id} answered in ${lang}`, async () => {
      const page = await env.newPage();
      await open(page, env.base, `/s/${id}?lang=${lang}&channel=web&customer=123`, byTestId("runner"));
      assert.equal(await page.getAttribute("html", "lang"), lang);
      const expected = await ANSWER[id](page);
      await page.waitForSelector(`${byTestId("next")}:has-text("${SUBMIT[lang]}")`);
      await next(page);
      await page.waitForSelector(byTestId("thank-you"));
      assert.equal(await page.textContent(byTestId("thank-you-text")), thanks(id, lang));
      await page.waitForSelector(byTestId("saved-on-device"));

      const [entry] = await outbox(page);
      assert.equal(entry.response.survey_id, id);
      assert.equal(entry.response.locale, lang);
      assert.deepEqual(entry.response.meta, { channel: "web", customer: "123" });
      assert.match(entry.response.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.match(entry.response.started_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)$/);
      assert.match(entry.response.submitted_at, /([+-]\d\d:\d\d|Z)$/);
      assert.ok(entry.queued_at);
      for (const [q, v] of Object.entries(expected)) assert.deepEqual(entry.response.answers[q], v);
      if (id === "nps") assert.equal(entry.scores.nps.category, "promoter");
      // The draft is gone once the response is in the outbox.
      const drafts = await page.evaluate(() =>
        Object.keys(localStorage).filter((k) => k.startsWith("manyi.draft")),
      );
      assert.deepEqual(drafts, []);
      assert.deepEqual(page.errors, []);
      await page.context().close();
    });
  }
}

/** The file names of the wasm bundles `page` has requested so far. */
function wasmLoads(page) {
  const loaded = [];
  page.on("request", (r) => {
    if (r.url().endsWith(".wasm")) loaded.push(new URL(r.url()).pathname);
  });
  return loaded;
}

test("home lists every template and switches language; a survey starts in the respondent's bundle", async () => {
  const page = await env.newPage();
  const loaded = wasmLoads(page);
  await open(page, env.base, "/?lang=zh-TW", byTestId("survey-list"));
  // A marker on the window survives only if the following navigation stays inside the page.
  await page.evaluate(() => (window.stayed = true));
  for (const id of ["nps", "csat", "ces", "rq"]) await page.waitForSelector(byTestId(`survey-${id}`));
  assert.equal(await page.textContent(byTestId("home-title")), "本裝置上的問卷");
  await page.click(byTestId("lang-en"));
  await page.waitForSelector(`${byTestId("home-title")}:has-text("Surveys on this device")`);
  assert.equal(await page.evaluate(() => window.stayed), true, "the language switch loads no page");
  // The home page is the staff's bundle; a survey is the respondent's, so starting one loads it.
  await page.click(byTestId("start-csat"));
  await page.waitForSelector(byTestId("question-csat"));
  assert.match(page.url(), /\/s\/csat\?lang=en$/);
  assert.deepEqual(loaded, ["/manyi-staff_bg.wasm", "/manyi-app_bg.wasm"]);
  await page.goBack();
  await page.waitForSelector(byTestId("survey-list"));
  await page.context().close();
});

test("results page reports the stored responses", async () => {
  const page = await env.newPage();
  for (const score of [10, 9, 3]) {
    await open(page, env.base, "/s/nps?lang=en", byTestId("runner"));
    await page.click(byTestId(`nps-opt-${score}`));
    await next(page);
    await page.waitForSelector(byTestId("thank-you"));
  }
  const loaded = wasmLoads(page);
  await open(page, env.base, "/results?lang=en", byTestId("report-nps"));
  assert.deepEqual(loaded, ["/manyi-staff_bg.wasm"], "the results page is the staff's bundle");
  assert.equal(await page.textContent(`${byTestId("report-nps")} ${byTestId("results-n")}`), "3");
  // Two promoters and one detractor of three: NPS 33.3.
  assert.match(await page.textContent(`${byTestId("report-nps")} ${byTestId("results-nps")}`), /^33\.3 ± /);
  await page.context().close();
});

// The survey page `manyi serve` draws (`crates/manyi-server/src/prerender.rs`): the first
// question shows and takes answers before the app has arrived, the app takes the page over
// without anything on it moving, and whatever was done before (options chosen, text typed and
// being typed, the submit button pressed) carries on in the app's run and reaches the server.
// The app's files are held back by the test until it lets them through, so "before the app" is
// a state the test controls, not a race.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appStarted, axe, byTestId, killManyi, launch, query, staffToken, startManyi, watchErrors } from "./harness.mjs";

const env = { dir: "", server: null, browser: null };

test.before(async () => {
  env.dir = mkdtempSync(join(tmpdir(), "manyi-first-"));
  env.server = await startManyi(env.dir);
  env.browser = await launch();
  // A published survey with every kind the server draws: a choice with markup in its label,
  // stars, a Likert item and a one-line text, and a second page.
  const definition = {
    id: "visit", version: 1, default_locale: "en", locales: ["en", "zh-CN"],
    title: { en: "Your visit", "zh-CN": "您的到访" },
    pages: [
      { id: "first", questions: [
        { id: "channel", kind: "single_choice", text: "Where?", required: true, options: [
          { value: "store", label: { en: "In <b>store</b>", "zh-CN": "门店" } },
          { value: "web", label: { en: "Online", "zh-CN": "网上" } },
        ] },
        { id: "stars", kind: "rating", stars: true, text: "Stars", scale: { min: 1, max: 5 } },
        { id: "agree", kind: "likert", text: "Staff were friendly" },
        { id: "name", kind: "text", text: "Your branch" },
      ] },
      { id: "second", questions: [{ id: "nps", kind: "nps", text: "Recommend?" }] },
    ],
  };
  const published = await fetch(`${env.server.base}/api/v1/surveys`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${staffToken(env.dir)}` },
    body: JSON.stringify(definition),
  });
  assert.equal(published.status, 201, await published.text());
});

test.after(async () => {
  await env.browser?.close();
  if (env.server) await killManyi(env.server);
});

/**
 * A fresh page whose app files (the respondent's glue and wasm) wait until `release()` is
 * called, its errors collected as in the other files.
 */
async function heldPage({ viewport = { width: 1280, height: 800 }, bypassCSP = false } = {}) {
  // bypassCSP only lets a test inject axe-core; the page never needs it.
  const context = await env.browser.newContext({ viewport, locale: "en-US", bypassCSP });
  const page = await context.newPage();
  watchErrors(page);
  let release;
  const released = new Promise((resolve) => (release = resolve));
  const hold = async (route) => {
    await released;
    await route.continue();
  };
  await page.route(/\/manyi-app(-full)?(_bg\.wasm|\.js)$/, hold);
  page.release = release;
  return page;
}

/** Waits until the app has replaced the drawn page with its own. */
async function takenOver(page) {
  await page.waitForFunction(() => !document.querySelector("main[data-prerendered]") && document.querySelector("main.app form"));
}

/** Waits until the element with `testid` has the focus: the app puts it back where the drawn
 * page had it in the frame after it takes over, so a read straight after `takenOver` races. */
async function focusedOn(page, testid) {
  await page.waitForFunction((id) => document.activeElement?.dataset.testid === id, testid);
}

/** Where every element with a test id is drawn, and what it says, by test id. */
function layout(page) {
  return page.evaluate(() => {
    const out = {};
    for (const el of document.querySelectorAll("main [data-testid]")) {
      const r = el.getBoundingClientRect();
      out[el.dataset.testid] = {
        box: [r.x, r.y, r.width, r.height].map((v) => Math.round(v * 2) / 2),
        text: el.textContent.trim(),
      };
    }
    return out;
  });
}

for (const [path, what, viewport] of [
  ["/s/nps?lang=en", "the NPS template in English, on a desktop", { width: 1280, height: 800 }],
  ["/s/nps?lang=en", "the NPS template in English, on a phone", { width: 390, height: 844 }],
  ["/s/nps?lang=zh-CN", "the NPS template in Simplified Chinese, on a phone", { width: 390, height: 844 }],
  ["/s/visit", "a published survey with choices, stars, Likert and text, on a phone", { width: 390, height: 844 }],
]) {
  test(`${what}: the drawn page and the app's page lay out alike`, async () => {
    const page = await heldPage({ viewport });
    await page.goto(env.server.base + path);
    await page.waitForSelector("main[data-prerendered] [role=radio]");
    const drawn = await layout(page);
    assert.ok(Object.keys(drawn).length >= 8, JSON.stringify(drawn));
    page.release();
    await appStarted(page);
    // Running, the app waits for the respondent: the drawn page is still the one shown.
    assert.equal(await page.locator("main[data-prerendered]").count(), 1);
    assert.equal(await page.locator("main").count(), 1);
    // Tab reaches the first option (a focus ring moves nothing) and the app takes over.
    await page.keyboard.press("Tab");
    await takenOver(page);
    const app = await layout(page);
    assert.deepEqual(app, drawn);
    await focusedOn(page, await page.evaluate(() => document.querySelector("main [role=radio]").dataset.testid));
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
}

test("the drawn page passes axe on a phone, light and dark, before the app arrives", async () => {
  for (const scheme of ["light", "dark"]) {
    const page = await heldPage({ viewport: { width: 390, height: 844 }, bypassCSP: true });
    await page.emulateMedia({ colorScheme: scheme });
    for (const path of ["/s/nps?lang=zh-CN", "/s/visit"]) {
      await page.goto(env.server.base + path);
      await page.waitForSelector("main[data-prerendered] [role=radio]");
      await axe(page, `drawn ${path} ${scheme}`);
    }
    await page.context().close();
  }
});

test("a respondent's page holds the survey and nothing of the staff's, drawn or taken over", async () => {
  const page = await heldPage({ viewport: { width: 390, height: 844 } });
  await page.goto(`${env.server.base}/s/nps?lang=en`);
  const look = () =>
    page.evaluate(() => ({
      links: document.querySelectorAll("a[href], [role=link]").length,
      title: document.title,
      // The survey's title shows once, in the top bar; the page heading is for screen readers.
      shown: [...document.querySelectorAll("main *")].filter(
        (el) => el.children.length === 0 && el.textContent.trim() === "Customer recommendation survey" && el.checkVisibility() && el.getBoundingClientRect().width > 1,
      ).length,
    }));
  const expected = { links: 0, title: "Customer recommendation survey", shown: 1 };
  assert.deepEqual(await look(), expected);
  page.release();
  await page.click(byTestId("nps-opt-9"));
  await takenOver(page);
  assert.deepEqual(await look(), expected);
  await page.context().close();
});

test("answers given before the app arrives carry on, with the focus and the text being typed", async () => {
  const page = await heldPage();
  await page.goto(`${env.server.base}/s/nps?lang=en`);
  await page.click(byTestId("nps-opt-3"));
  await page.click(byTestId("nps-opt-10"));
  assert.equal(await page.getAttribute(byTestId("nps-opt-10"), "aria-checked"), "true");
  assert.equal(await page.getAttribute(byTestId("nps-opt-3"), "aria-checked"), "false");
  await page.click(byTestId("reason-input"));
  await page.keyboard.type("Quick and kind");
  // The caret goes back between "Quick" and " and": the app must keep it there.
  for (let i = 0; i < " and kind".length; i++) await page.keyboard.press("ArrowLeft");
  page.release();
  await takenOver(page);
  // The app's own controls show what was chosen, and its conditions follow: a promoter is asked
  // what they liked.
  assert.equal(await page.getAttribute(byTestId("nps-opt-10"), "aria-checked"), "true");
  await page.waitForSelector(byTestId("question-liked"));
  assert.equal(await page.inputValue(byTestId("reason-input")), "Quick and kind");
  await focusedOn(page, "reason-input");
  await page.keyboard.type(",");
  assert.equal(await page.inputValue(byTestId("reason-input")), "Quick, and kind");
  // Kept as a draft by the app; the copy kept for a reload is gone.
  assert.equal(await page.evaluate(() => localStorage.getItem("manyi.early.v1")), null);
  await page.click(byTestId("next"));
  await page.waitForSelector(byTestId("thank-you"));
  const stored = await delivered(page, "nps");
  assert.deepEqual(stored.map((r) => [r.nps, r.reason]), [[10, "Quick, and kind"]]);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("a tap after the app has arrived lands on the drawn page, and the app takes over after it", async () => {
  const page = await heldPage();
  await page.goto(`${env.server.base}/s/nps?lang=en`);
  page.release();
  await appStarted(page);
  // Clicked through its element handle, as the time-to-first-question kit does.
  const ten = await page.$(byTestId("nps-opt-10"));
  await ten.click();
  assert.equal(await ten.getAttribute("aria-checked"), "true");
  await takenOver(page);
  assert.equal(await page.getAttribute(byTestId("nps-opt-10"), "aria-checked"), "true");
  await page.waitForSelector(byTestId("question-liked"));
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("a respondent who goes offline after the page has loaded completes, and the response is sent later", async () => {
  const page = await heldPage();
  await page.goto(`${env.server.base}/s/nps?lang=en`);
  page.release();
  await appStarted(page);
  await page.context().setOffline(true);
  await page.click(byTestId("nps-opt-8"));
  await page.fill(byTestId("reason-input"), "Offline on the train");
  await page.click(byTestId("next"));
  await page.waitForSelector(byTestId("thank-you"));
  const queued = await page.evaluate(() => JSON.parse(localStorage.getItem("manyi.outbox.v1")));
  assert.deepEqual(queued.map((e) => e.response.answers.reason), ["Offline on the train"]);
  // Back online, the sync engine sends it without a reload.
  await page.context().setOffline(false);
  const stored = await delivered(page, "nps");
  assert.ok(stored.some((a) => a.reason === "Offline on the train" && a.nps === 8), JSON.stringify(stored));
  await page.context().close();
});

test("a press of Next before the app arrives is acted on once it has", async () => {
  const page = await heldPage();
  await page.goto(`${env.server.base}/s/visit`);
  await page.click(byTestId("channel-opt-web"));
  await page.click(byTestId("stars-opt-4"));
  assert.equal(await page.locator('[data-testid^="stars-opt-"].filled').count(), 4);
  await page.click(byTestId("next"));
  // The page did not submit itself.
  assert.equal(new URL(page.url()).pathname, "/s/visit");
  page.release();
  // The app moves on to the second page with the answers.
  await page.waitForSelector(byTestId("nps-opt-9"));
  assert.equal(await page.textContent(byTestId("progress")), "Page 2 of 2");
  await page.click(byTestId("nps-opt-9"));
  await page.click(byTestId("next"));
  await page.waitForSelector(byTestId("thank-you"));
  const stored = await delivered(page, "visit");
  assert.deepEqual(stored.map((r) => [r.channel, r.stars, r.nps]), [["web", 4, 9]]);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("an app that does not arrive loses nothing: the page says so, and a reload shows the answers again", async () => {
  const context = await env.browser.newContext({ locale: "en-US" });
  const page = await context.newPage();
  // The wasm fails once the respondent has answered, as a connection lost meanwhile would.
  let fail;
  const answered = new Promise((resolve) => (fail = resolve));
  await page.route("**/manyi-app_bg.wasm", async (route) => {
    await answered;
    await route.abort("internetdisconnected");
  });
  await page.goto(`${env.server.base}/s/nps?lang=en`);
  await page.click(byTestId("nps-opt-6"));
  await page.fill(byTestId("reason-input"), "Too slow");
  fail();
  await page.waitForSelector(byTestId("load-failed"));
  await page.unroute("**/manyi-app_bg.wasm");
  await page.click(byTestId("reload"));
  await takenOver(page);
  assert.equal(await page.getAttribute(byTestId("nps-opt-6"), "aria-checked"), "true");
  assert.equal(await page.inputValue(byTestId("reason-input")), "Too slow");
  // A detractor is asked what to improve: the app holds the answer, not just the page.
  await page.waitForSelector(byTestId("question-improve"));
  await context.close();
});

test("a survey with SurveyJS conditions runs in the full bundle; the usual one never loads", async () => {
  const definition = {
    id: "sjs", version: 1, default_locale: "en", title: "SurveyJS rules",
    pages: [{ id: "p", questions: [
      { id: "score", kind: "nps", text: "Recommend?" },
      { id: "why", kind: "text", text: "Why so low?", visible_if: { surveyjs: "{score} < 7" } },
      { id: "code", kind: "text", text: "Code", validators: [{ check: { pattern: { regex: "^[A-Z]{3}$" } } }] },
    ] }],
  };
  const published = await fetch(`${env.server.base}/api/v1/surveys`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${staffToken(env.dir)}` },
    body: JSON.stringify(definition),
  });
  assert.equal(published.status, 201, await published.text());
  const page = await heldPage();
  const wasm = [];
  page.on("request", (request) => {
    if (request.url().endsWith(".wasm")) wasm.push(new URL(request.url()).pathname);
  });
  await page.goto(`${env.server.base}/s/sjs`);
  page.release();
  await page.click(byTestId("score-opt-3"));
  await takenOver(page);
  // The SurveyJS condition holds and the pattern is checked, in the browser.
  await page.waitForSelector(byTestId("question-why"));
  await page.fill(byTestId("code-input"), "abc");
  await page.click(byTestId("next"));
  await page.waitForSelector(`${byTestId("error-code")}:not(:empty)`);
  assert.deepEqual(wasm, ["/manyi-app-full_bg.wasm"]);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

/**
 * The answers of survey `id`'s stored responses, read from the database once the page's outbox
 * has sent everything (the app removes what the server took).
 */
async function delivered(page, id) {
  await page.waitForFunction(() => JSON.parse(localStorage.getItem("manyi.outbox.v1") ?? "[]").length === 0);
  return query(env.dir, `select body from responses where survey_id = '${id}'`).map(([body]) => JSON.parse(body).answers);
}

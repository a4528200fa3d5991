// Delivery to the real server: responses given offline arrive exactly once after the browser is
// back online and the page reloaded; a server killed with SIGKILL in the middle of a batch and
// restarted still ends with exactly one row per response; a burst of 1,000 queued responses
// arrives as 1,000 rows. The server is the real `manyi serve` binary with a fresh SQLite file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launch, byTestId, startManyi as startServer, killManyi as kill, staffToken, query, appStarted } from "./harness.mjs";

/** Rows and distinct ids in the server's database, read straight from the SQLite file. */
function rows(dir) {
  const [[count, distinct]] = query(dir, "select count(*), count(distinct id) from responses");
  return { rows: count, distinct };
}

/**
 * Answers the csat template with the browser offline. A survey is a page of the respondent's
 * bundle (the home page is the staff's), so it is loaded first, online; the test keeps the
 * server's API out of reach meanwhile (see `apiOutOfReach`) so that nothing is sent.
 */
async function answerCsatOffline({ context, page, server }) {
  await page.goto(`${server.base}/s/csat?lang=en`);
  await page.waitForSelector(byTestId("csat-opt-4"));
  await appStarted(page);
  await context.setOffline(true);
  await page.click(byTestId("csat-opt-4"));
  await page.click(byTestId("channel-opt-store"));
  await page.click(byTestId("next"));
  await page.waitForSelector(byTestId("thank-you"));
  await context.setOffline(false);
}

/**
 * Makes every request to the server's API fail as an unreachable server's would, while the
 * app's own files still load; resolves to a function that makes the API reachable again.
 */
async function apiOutOfReach(context) {
  const api = (url) => url.pathname.startsWith("/api/");
  const refuse = (route) => route.abort("internetdisconnected");
  await context.route(api, refuse);
  return () => context.unroute(api, refuse);
}

async function pendingCount(page) {
  return Number(await page.getAttribute(byTestId("sync-pending"), "data-count"));
}

/** Waits until the home page's status says nothing is pending. */
async function waitDelivered(page) {
  await page.waitForSelector(`${byTestId("sync-pending")}[data-count="0"]`, { timeout: 60_000 });
}

/**
 * Loads the device's home page, which shows how sending stands, in English. A respondent's page
 * links nowhere, so this is an address typed rather than a link followed.
 */
async function goHome(page) {
  await page.goto(new URL("/?lang=en", page.url()).href);
}

/**
 * Answers the NPS question of a one-page survey that is showing with `score`, submits, goes to
 * the home page and waits until the response is delivered.
 */
async function answerNpsAndDeliver(page, score) {
  await page.click(byTestId(`nps-opt-${score}`));
  await page.click(byTestId("next"));
  await page.waitForSelector(byTestId("thank-you"));
  await goHome(page);
  await waitDelivered(page);
}

/**
 * Runs `body` against a fresh server (its own database) with a page already on the home page and
 * the sync status shown; closes the browser and the server afterwards. `body` may replace
 * `env.server` (after a restart), and the replacement is the one stopped.
 */
async function scenario(name, body) {
  const dir = mkdtempSync(join(tmpdir(), `manyi-${name}-`));
  const env = { dir, server: await startServer(dir) };
  const browser = await launch();
  try {
    env.context = await browser.newContext();
    env.page = await env.context.newPage();
    await env.page.goto(`${env.server.base}/?lang=en`);
    await env.page.waitForSelector(byTestId("sync-status"));
    await body(env);
  } finally {
    await browser.close();
    await kill(env.server);
  }
}

/** Puts `entries` in the outbox as an earlier session of the app would have left them. */
async function queue(page, entries) {
  await page.evaluate((list) => localStorage.setItem("manyi.outbox.v1", JSON.stringify(list)), entries);
}

const NO_SCORES = { items: {}, nps: null, csat: null, ces: null, dimensions: {}, composite: null, coverage: 0 };

test("answers given offline arrive exactly once after reconnecting and reloading", () =>
  scenario("offline", async (env) => {
    const { dir, page } = env;
    const reachable = await apiOutOfReach(env.context);
    for (let i = 0; i < 3; i++) await answerCsatOffline(env);
    await goHome(page);
    await page.waitForSelector(byTestId("sync-pending"));
    assert.equal(await pendingCount(page), 3);
    assert.equal(rows(dir).rows, 0, "nothing reached the server while offline");

    await reachable();
    await page.reload();
    await waitDelivered(page);
    assert.deepEqual(rows(dir), { rows: 3, distinct: 3 });
    const outbox = await page.evaluate(() => JSON.parse(localStorage.getItem("manyi.outbox.v1")));
    assert.deepEqual(outbox, [], "delivered responses left the outbox");
  }));

test("a server killed mid-batch and restarted ends with exactly one row per response", () =>
  scenario("kill", async (env) => {
    const { dir, page } = env;
    // Responses are queued offline, so the first send is one batch of all five.
    const reachable = await apiOutOfReach(env.context);
    for (let i = 0; i < 5; i++) await answerCsatOffline(env);
    await goHome(page);
    await page.waitForSelector(byTestId("sync-pending"));
    // The server is killed the moment the browser sends its first batch.
    await reachable();
    let posted;
    const batchSent = new Promise((resolve) => (posted = resolve));
    page.on("request", (request) => {
      if (request.method() === "POST" && request.url().endsWith("/api/v1/responses")) posted();
    });
    await page.reload();
    await batchSent;
    await kill(env.server);
    // Whatever the dead server committed, the restarted one on the same port gets the rest.
    env.server = await startServer(dir, env.server.port);
    await waitDelivered(page);
    assert.deepEqual(rows(dir), { rows: 5, distinct: 5 });
  }));

test("a burst of 1,000 queued responses arrives as 1,000 rows", () =>
  scenario("burst", async ({ dir, page }) => {
    const at = (i) => new Date(Date.UTC(2026, 10, 1) + i * 60_000).toISOString();
    const entries = await page.evaluate(() => Array.from({ length: 1000 }, () => crypto.randomUUID()));
    await queue(page, entries.map((id, i) => ({
      response: {
        id, survey_id: "csat", survey_version: 1, submitted_at: at(i), locale: "en",
        answers: { csat: 1 + (i % 5) }, meta: { channel: "burst" },
      },
      scores: NO_SCORES, queued_at: at(i),
    })));
    await page.reload();
    await waitDelivered(page);
    assert.deepEqual(rows(dir), { rows: 1000, distinct: 1000 });
  }));

test("a response the server refuses stays on the device with the reason", () =>
  scenario("refused", async ({ dir, page }) => {
    // A response to a survey version the server does not have: refused, never lost.
    const [id] = await page.evaluate(() => [crypto.randomUUID()]);
    const now = new Date().toISOString();
    await queue(page, [{
      response: { id, survey_id: "csat", survey_version: 7, submitted_at: now, answers: { csat: 4 } },
      scores: NO_SCORES, queued_at: now,
    }]);
    await page.reload();
    await page.waitForSelector(byTestId("sync-refused"));
    await page.click(`${byTestId("sync-refused")} summary`);
    const text = await page.textContent(byTestId("sync-refused"));
    assert.match(text, /1 response was refused by the server and is kept on this device/);
    assert.match(text, /unknown_survey: no survey "csat" version 7/);
    assert.equal(await pendingCount(page), 0);
    const outbox = await page.evaluate(() => JSON.parse(localStorage.getItem("manyi.outbox.v1")));
    assert.equal(outbox.length, 1, "kept on the device");
    assert.equal(outbox[0].refused.code, "unknown_survey");
    assert.equal(rows(dir).rows, 0);
  }));

test("a survey published on the server runs in the browser, and offline from the kept copy", () =>
  scenario("published", async ({ dir, context, page, server }) => {
    const definition = {
      id: "counter-visit", version: 1, title: { en: "Your visit" }, default_locale: "en",
      locales: ["en"],
      pages: [{ id: "p1", questions: [{ id: "nps", kind: "nps", text: { en: "Would you recommend us?" }, required: true }] }],
    };
    const published = await fetch(`${server.base}/api/v1/surveys`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${staffToken(dir)}` },
      body: JSON.stringify(definition),
    });
    assert.equal(published.status, 201, await published.text());

    await page.goto(`${server.base}/s/counter-visit?channel=e2e`);
    await page.waitForSelector(byTestId("nps-opt-9"));
    assert.equal(await page.textContent(byTestId("survey-title")), "Your visit");
    await answerNpsAndDeliver(page, 9);
    assert.deepEqual(rows(dir), { rows: 1, distinct: 1 });

    // With the server out of reach, the definition fetched last time still runs.
    await apiOutOfReach(context);
    await page.goto(`${server.base}/s/counter-visit?lang=en`);
    await page.waitForSelector(byTestId("nps-opt-3"));
    await page.click(byTestId("nps-opt-3"));
    await page.click(byTestId("next"));
    await page.waitForSelector(byTestId("thank-you"));
    const queued = await page.evaluate(() => JSON.parse(localStorage.getItem("manyi.outbox.v1")));
    assert.equal(queued.length, 1);
    assert.equal(queued[0].response.survey_id, "counter-visit");
    assert.equal(queued[0].response.answers.nps, 3);
  }));

test("a respondent's page served by manyi names its API; the home page asks for it once", () =>
  scenario("config-once", async ({ dir, server, page }) => {
    const asked = [];
    page.on("request", (request) => {
      if (new URL(request.url()).pathname === "/manyi-config.json") asked.push(request.url());
    });
    await page.goto(`${server.base}/s/nps?lang=en`);
    // The survey page carries the definition and names the API, so neither the lookup nor the
    // sync engine asks, and the response is still delivered.
    await page.waitForSelector(byTestId("nps-opt-8"));
    await answerNpsAndDeliver(page, 8);
    assert.deepEqual(rows(dir), { rows: 1, distinct: 1 });
    // The home page is the staff's bundle, a page of its own, which asks once for itself.
    assert.equal(asked.length, 1, asked.join("\n"));
  }));

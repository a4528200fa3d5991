// A kiosk with a persistent browser profile, loaded once online: 50 sessions offline (complete
// ones and idle timeouts of both kinds), the browser closed and reopened with the server
// stopped (the app starts from the service worker), then the server back: exactly the expected
// responses arrive once, tagged with the counter. Time is Playwright's fake clock.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, byTestId, startManyi, killManyi, query, waitPending } from "./harness.mjs";

async function openKiosk(profile) {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
    viewport: { width: 1024, height: 768 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.clock.install();
  return { context, page };
}

async function pending(page) {
  return Number(await page.getAttribute(byTestId("kiosk-status"), "data-pending"));
}

/** One customer: start, answer the NPS question, then either submit or walk away. */
async function session(page, score, walkAway) {
  await page.click(byTestId("kiosk-start"));
  await page.click(byTestId(`nps-opt-${score}`));
  if (walkAway) {
    // 15 s idle, the 10 s countdown, and the clock's one-second tick.
    await page.clock.runFor(26_000);
  } else {
    await page.click(byTestId("next"));
    await page.waitForSelector(byTestId("thank-you"));
    await page.clock.runFor(6_000);
  }
  await page.waitForSelector(byTestId("kiosk-welcome"));
}

/** Rows and distinct ids stored by the server. */
function storedRows(dir) {
  const [[rows, distinct]] = query(dir, "select count(*), count(distinct id) from responses");
  return { rows, distinct };
}

/** Stored responses whose meta carries this kiosk's tags, and how many of them are partial. */
function tagged(dir) {
  const [[count, partial]] = query(dir, `select count(*), sum(json_extract(body, '$.partial') = 1)
    from responses where json_extract(body, '$.meta.counter') = 'C-21'
    and json_extract(body, '$.meta.location') = 'Hall A'`);
  return { tagged: count, partial };
}

test("an offline kiosk keeps every response through a browser restart and delivers each once", async () => {
  const dir = mkdtempSync(join(tmpdir(), "manyi-kiosk-"));
  const profile = mkdtempSync(join(tmpdir(), "manyi-kiosk-profile-"));
  let server = await startManyi(dir);
  const { base, port } = server;
  let { context, page } = await openKiosk(profile);
  try {
    // First start, online: staff set the kiosk up.
    await page.goto(`${base}/kiosk/nps`);
    await page.waitForSelector(byTestId("kiosk-setup"));
    await page.fill(byTestId("kiosk-new-pin"), "2468");
    await page.fill(byTestId("kiosk-counter"), "C-21");
    await page.fill(byTestId("kiosk-location"), "Hall A");
    await page.selectOption(byTestId("kiosk-language"), "en");
    await page.fill(byTestId("kiosk-idle"), "15");
    await page.click(byTestId("kiosk-save"));
    await page.waitForSelector(byTestId("kiosk-welcome"));
    // The service worker controls the kiosk from its next start on.
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    await page.reload();
    await page.waitForSelector(byTestId("kiosk-welcome"));
    assert.equal(await page.evaluate(() => Boolean(navigator.serviceWorker.controller)), true);
    // The worker keeps what a kiosk loads and leaves the bundles it never loads to the network.
    const cached = await page.evaluate(async () => {
      const paths = [];
      for (const name of await caches.keys()) {
        for (const request of await (await caches.open(name)).keys()) {
          paths.push(new URL(request.url).pathname);
        }
      }
      return paths;
    });
    for (const path of ["/index.html", "/public/boot.js", "/manyi-kiosk_bg.wasm", "/templates/nps.json"]) {
      assert.ok(cached.includes(path), `${path} is precached`);
    }
    for (const path of ["/manyi-staff_bg.wasm", "/manyi-app_bg.wasm", "/manyi-embed_bg.wasm"]) {
      assert.ok(!cached.includes(path), `${path} is not precached`);
    }

    // Offline: 40 finished sessions and 5 walk-aways discarded…
    await context.setOffline(true);
    for (let i = 0; i < 40; i++) await session(page, i % 11, false);
    for (let i = 0; i < 5; i++) await session(page, 5, true);
    await waitPending(page, 40);
    // …then staff switch to submitting unfinished answers (a reload, served offline), and 5
    // more walk away.
    await page.evaluate(() => {
      const settings = JSON.parse(localStorage.getItem("manyi.kiosk.v1"));
      localStorage.setItem("manyi.kiosk.v1", JSON.stringify({ ...settings, on_idle: "submit" }));
    });
    await page.reload();
    await page.waitForSelector(byTestId("kiosk-welcome"));
    for (let i = 0; i < 5; i++) await session(page, 7, true);
    await waitPending(page, 45);
    assert.equal(storedRows(dir).rows, 0, "nothing reached the server");

    // The browser closes and the server goes down; the kiosk starts again without it.
    await context.close();
    await killManyi(server);
    server = null;
    ({ context, page } = await openKiosk(profile));
    await page.goto(`${base}/kiosk/nps`);
    await page.waitForSelector(byTestId("kiosk-welcome"));
    await waitPending(page, 45);

    // The server comes back on the same address; retries deliver everything, once.
    server = await startManyi(dir, port);
    for (let i = 0; i < 20 && (await pending(page)) > 0; i++) await page.clock.runFor(60_000);
    assert.equal(await pending(page), 0);
    assert.deepEqual(storedRows(dir), { rows: 45, distinct: 45 });
    assert.deepEqual(tagged(dir), { tagged: 45, partial: 5 });
  } finally {
    await context.close();
    if (server) await killManyi(server);
  }
});

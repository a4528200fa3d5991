// A kiosk offers customers no way out but the staff corner with its PIN: nothing on its screens
// (welcome, survey, thank-you, survey not found) links or leads out of /kiosk/, and on a device
// set up as a kiosk the staff's local screens (the home page, /results and /admin in local-only
// mode, all of which show the device's responses) ask for the kiosk's PIN first. Time is
// Playwright's fake clock where the kiosk's timers matter.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setup, open, byTestId, waitPending } from "./harness.mjs";

const env = setup(test);

const SETTINGS = {
  pin: "2468", counter: "C-07", location: "Branch 12", language: "en", endpoint: null,
  reset_secs: 5, idle_secs: 20, on_idle: "discard",
};

/** A browser context whose device is set up as a kiosk, with a page in it. */
async function kioskDevice() {
  const init = `localStorage.setItem("manyi.kiosk.v1", ${JSON.stringify(JSON.stringify(SETTINGS))})`;
  const page = await env.newPage({ viewport: { width: 1024, height: 768 }, init });
  await page.clock.install();
  return page;
}

/**
 * Every way out of the kiosk the page offers: links (shown or hidden) whose target is not a
 * kiosk page of this origin, and what keyboard focus reaches that is a link of any kind. A
 * response offered as a download stays on the page and is no way out.
 */
async function waysOut(page) {
  const links = await page.$$eval("a[href], area[href], [role=link]", (els) =>
    els
      .filter((el) => !el.hasAttribute("download"))
      .map((el) => el.getAttribute("href") ?? el.outerHTML)
      .filter((href) => {
        const url = new URL(href, location.href);
        return url.origin !== location.origin || !url.pathname.startsWith("/kiosk/");
      }),
  );
  // Tab through the whole page, from its start, until focus comes back round.
  await page.evaluate(() => document.activeElement?.blur());
  const focused = [];
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press("Tab");
    const el = await page.evaluate(() => {
      const a = document.activeElement;
      if (!a || a === document.body) return null;
      return { tag: a.tagName, href: a.getAttribute("href"), html: a.outerHTML.slice(0, 120) };
    });
    if (!el) break;
    if (focused.some((f) => f.html === el.html)) break;
    focused.push(el);
  }
  const focusedLinks = focused.filter((f) => f.tag === "A" && f.href && !f.href.startsWith("/kiosk/"));
  return [...links, ...focusedLinks.map((f) => f.html)];
}

test("no screen of a kiosk links or leads out of it", async () => {
  const page = await kioskDevice();
  await open(page, env.base, "/kiosk/nps", byTestId("kiosk-welcome"));
  assert.deepEqual(await waysOut(page), [], "welcome");
  await page.click(byTestId("kiosk-start"));
  await page.waitForSelector(byTestId("nps-opt-9"));
  assert.deepEqual(await waysOut(page), [], "survey");
  await page.click(byTestId("nps-opt-9"));
  // Answering shows "start over", which stays in the kiosk; the header still offers no way out.
  assert.deepEqual(await waysOut(page), [], "survey, answered");
  await page.click(byTestId("next"));
  await page.waitForSelector(byTestId("thank-you"));
  assert.deepEqual(await waysOut(page), [], "thank-you");
  await page.clock.runFor(6_000);
  await page.waitForSelector(byTestId("kiosk-welcome"));

  // A kiosk pointed at a survey this device cannot find still keeps the customer in.
  await open(page, env.base, "/kiosk/no-such-survey", byTestId("survey-not-found"));
  assert.deepEqual(await waysOut(page), [], "survey not found");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

/** Answers the NPS survey at the kiosk with `score` and waits until it is back at welcome. */
async function customer(page, score) {
  await page.click(byTestId("kiosk-start"));
  await page.click(byTestId(`nps-opt-${score}`));
  await page.click(byTestId("next"));
  await page.waitForSelector(byTestId("thank-you"));
  await page.clock.runFor(6_000);
  await page.waitForSelector(byTestId("kiosk-welcome"));
}

/** Waits for the lock, checks that a wrong PIN keeps it, then unlocks with the right one. */
async function unlock(page, hidden) {
  await page.waitForSelector(byTestId("kiosk-lock"));
  assert.equal(await page.isVisible(hidden), false, `${hidden} shown while locked`);
  await page.fill(byTestId("kiosk-pin-input"), "1111");
  await page.click(byTestId("kiosk-unlock"));
  await page.waitForSelector(`${byTestId("kiosk-pin-error")}:not(:empty)`);
  assert.equal(await page.isVisible(byTestId("kiosk-lock")), true);
  assert.equal(await page.isVisible(hidden), false, `${hidden} shown after a wrong PIN`);
  await page.fill(byTestId("kiosk-pin-input"), "2468");
  await page.click(byTestId("kiosk-unlock"));
  await page.waitForSelector(hidden);
  assert.equal(await page.isVisible(byTestId("kiosk-lock")), false);
}

test("on a kiosk's device, the home page, results and local-only dashboard ask for the PIN", async () => {
  const kiosk = await kioskDevice();
  await open(kiosk, env.base, "/kiosk/nps", byTestId("kiosk-welcome"));
  // Two customers whose responses are still on the device (there is no server to send to).
  await customer(kiosk, 9);
  await customer(kiosk, 4);
  await waitPending(kiosk, 2);
  const context = kiosk.context();

  // Each new tab of this browser starts locked: the unlock lasts for its own session only.
  const tab = async () => {
    const page = await context.newPage();
    page.errors = [];
    page.on("pageerror", (e) => page.errors.push(String(e)));
    return page;
  };

  const home = await tab();
  await home.goto(`${env.base}/?lang=en`);
  await home.waitForSelector(byTestId("kiosk-lock"));
  // The way back to the kiosk is offered while locked.
  assert.equal(await home.getAttribute(byTestId("kiosk-back"), "href"), "/kiosk/nps");
  await unlock(home, byTestId("results-link"));
  await home.click(byTestId("results-link"));
  // Unlocked for this tab: the results follow without a second prompt.
  await home.waitForSelector(byTestId("report-nps"));
  assert.deepEqual(home.errors, []);
  await home.close();

  const results = await tab();
  await results.goto(`${env.base}/results?lang=en`);
  await unlock(results, byTestId("report-nps"));
  assert.deepEqual(results.errors, []);
  await results.close();

  const admin = await tab();
  await admin.goto(`${env.base}/admin?lang=en`);
  // Signing in to a server is not the device's data; local-only mode is.
  await admin.waitForSelector(byTestId("token-input"));
  await admin.click(byTestId("local-only"));
  await unlock(admin, byTestId("survey-row-nps"));
  // The row's third cell counts the survey's responses on this device.
  assert.equal(await admin.textContent(`${byTestId("survey-row-nps")} td:nth-of-type(3)`), "2");
  assert.deepEqual(admin.errors, []);
  await admin.close();

  // Back at the kiosk, the staff's screens lock again, even in a tab that was unlocked.
  const back = await tab();
  await back.goto(`${env.base}/?lang=en`);
  await unlock(back, byTestId("results-link"));
  await back.goto(`${env.base}/kiosk/nps`);
  await back.waitForSelector(byTestId("kiosk-welcome"));
  await back.goto(`${env.base}/results?lang=en`);
  await back.waitForSelector(byTestId("kiosk-lock"));
  assert.equal(await back.isVisible(byTestId("report-nps")), false);
  await context.close();
});

test("a device that is not a kiosk shows the staff's screens without a PIN", async () => {
  const page = await env.newPage();
  await open(page, env.base, "/?lang=en", byTestId("results-link"));
  assert.equal(await page.isVisible(byTestId("kiosk-lock")), false);
  await page.context().close();
});

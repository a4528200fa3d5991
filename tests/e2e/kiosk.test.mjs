// The counter kiosk: first-start settings, the welcome → survey → thank-you → reset cycle, idle
// timeouts that discard or submit, the staff PIN behind a long press, and a second customer who
// can neither see nor recover the first one's answers. Time is Playwright's fake clock, so the
// timeouts are reached by advancing it, never by waiting.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setup, open, byTestId, kioskOutbox, waitPending } from "./harness.mjs";

const env = setup(test);

const SETTINGS = {
  pin: "2468", counter: "C-07", location: "Branch 12", language: "en", endpoint: null,
  reset_secs: 5, idle_secs: 20, on_idle: "discard",
};

/** A kiosk page on a tablet-sized screen with a fake clock, optionally already set up. */
async function kiosk(settings) {
  const init = settings
    ? `localStorage.setItem("manyi.kiosk.v1", ${JSON.stringify(JSON.stringify(settings))})`
    : undefined;
  const page = await env.newPage({ viewport: { width: 1024, height: 768 }, init });
  await page.clock.install();
  return page;
}

/** Taps start and answers the NPS question with `score`, typing `reason` if given. */
async function answer(page, score, reason) {
  await page.click(byTestId("kiosk-start"));
  await page.click(byTestId(`nps-opt-${score}`));
  if (reason) await page.fill(byTestId("reason-input"), reason);
}

async function submit(page) {
  await page.click(byTestId("next"));
  await page.waitForSelector(byTestId("thank-you"));
}

test("the first start asks staff for the settings and checks them", async () => {
  const page = await kiosk();
  await open(page, env.base, "/kiosk/nps", byTestId("kiosk-setup"));
  // Staff see how much the kiosk can keep while offline.
  await page.waitForSelector(byTestId("kiosk-storage"));
  assert.match(await page.textContent(byTestId("kiosk-storage")),
    /^Storage: \d+\.\d MB of \d+\.\d MB used, room for about \d{1,3}(,\d{3})* more responses; the browser /);
  await page.fill(byTestId("kiosk-new-pin"), "12");
  await page.fill(byTestId("kiosk-idle"), "10");
  await page.click(byTestId("kiosk-save"));
  // Every problem is shown at once, next to its field, and nothing is saved.
  await page.waitForSelector("#kiosk-idle-rule:not(:empty)");
  assert.notEqual(await page.textContent("#kiosk-pin-rule"), "");
  assert.notEqual(await page.textContent("#kiosk-counter-rule"), "");
  assert.equal(await page.evaluate(() => localStorage.getItem("manyi.kiosk.v1")), null);

  await page.fill(byTestId("kiosk-new-pin"), "2468");
  await page.fill(byTestId("kiosk-counter"), "C-07");
  await page.fill(byTestId("kiosk-location"), "Branch 12");
  await page.selectOption(byTestId("kiosk-language"), "en");
  await page.fill(byTestId("kiosk-idle"), "30");
  await page.click(byTestId("kiosk-on-idle-submit"));
  await page.click(byTestId("kiosk-save"));
  await page.waitForSelector(byTestId("kiosk-welcome"));
  const saved = await page.evaluate(() => JSON.parse(localStorage.getItem("manyi.kiosk.v1")));
  assert.deepEqual(saved, { ...SETTINGS, idle_secs: 30, on_idle: "submit" });
  assert.equal(await page.getAttribute("html", "lang"), "en");
  await page.context().close();
});

test("a finished session resets after the delay and leaves nothing for the next customer", async () => {
  const page = await kiosk(SETTINGS);
  await open(page, env.base, "/kiosk/nps", byTestId("kiosk-welcome"));
  const historyLength = await page.evaluate(() => history.length);
  await page.click(byTestId("kiosk-lang-zh-CN"));
  await answer(page, 3, "Long queue at counter 7");
  assert.equal(await page.getAttribute("form[data-testid=runner]", "autocomplete"), "off");
  await submit(page);
  // No link leads away from the survey on a kiosk.
  assert.equal(await page.isVisible('[data-testid="thank-you"] a'), false);
  await page.waitForSelector(byTestId("kiosk-next"));
  // The customer chose 简体中文; the countdown starts at the full delay.
  assert.equal(await page.textContent(byTestId("kiosk-next")), "5 秒后为下一位客户准备。");
  // The kiosk's clock ticks every second, so the reset comes within a second after the delay.
  await page.clock.runFor(4_000);
  assert.equal(await page.isVisible(byTestId("thank-you")), true, "still thanking");
  await page.clock.runFor(2_000);
  await page.waitForSelector(byTestId("kiosk-welcome"));
  // Back to the kiosk's own language for the next customer.
  assert.equal(await page.getAttribute("html", "lang"), "en");

  const [entry] = await kioskOutbox(page);
  assert.equal(entry.response.answers.nps, 3);
  assert.deepEqual(entry.response.meta, { channel: "kiosk", counter: "C-07", location: "Branch 12" });
  assert.equal(entry.response.locale, "zh-CN");

  // The next customer starts from nothing: no selection, empty text, no draft, no way back.
  await page.click(byTestId("kiosk-start"));
  await page.waitForSelector(byTestId("nps-opt-3"));
  assert.equal(await page.getAttribute(byTestId("nps-opt-3"), "aria-checked"), "false");
  assert.equal(await page.inputValue(byTestId("reason-input")), "");
  assert.equal(await page.isVisible(byTestId("resumed")), false);
  const keys = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("manyi.draft")));
  assert.deepEqual(keys, []);
  assert.equal(await page.evaluate(() => history.length), historyLength, "no history entries to go back to");
  assert.equal(page.errors.length, 0, page.errors.join("\n"));
  await page.context().close();
});

test("an idle session counts down, then discards or submits the unfinished answers", async () => {
  for (const onIdle of ["discard", "submit"]) {
    const page = await kiosk({ ...SETTINGS, on_idle: onIdle });
    await open(page, env.base, "/kiosk/nps", byTestId("kiosk-welcome"));
    await answer(page, 8, "Friendly staff");
    // Activity keeps the session: 15 s, a tap, 15 s more is still under the 20 s limit.
    await page.clock.runFor(15_000);
    await page.mouse.click(5, 700);
    await page.clock.runFor(15_000);
    assert.equal(await page.isVisible(byTestId("kiosk-idle")), false);
    // After 20 s without activity the countdown shows; "continue" keeps the answers.
    await page.clock.runFor(6_000);
    await page.waitForSelector(byTestId("kiosk-idle"));
    await page.click(byTestId("kiosk-continue"));
    await page.waitForSelector(byTestId("kiosk-idle"), { state: "detached" });
    assert.equal(await page.getAttribute(byTestId("nps-opt-8"), "aria-checked"), "true");
    // Ignored, the countdown ends the session.
    await page.clock.runFor(31_000);
    await page.waitForSelector(byTestId("kiosk-welcome"));
    // A partial response is stored as the session ends; the count shows when it is.
    await waitPending(page, onIdle === "submit" ? 1 : 0);
    const entries = await kioskOutbox(page);
    if (onIdle === "discard") {
      assert.deepEqual(entries, [], "discarded");
    } else {
      assert.equal(entries.length, 1);
      assert.equal(entries[0].response.partial, true);
      assert.deepEqual(entries[0].response.answers, { nps: 8, reason: "Friendly staff" });
      assert.equal(entries[0].response.meta.counter, "C-07");
    }
    // The next session starts empty either way.
    await page.click(byTestId("kiosk-start"));
    assert.equal(await page.getAttribute(byTestId("nps-opt-8"), "aria-checked"), "false");
    await page.context().close();
  }
});

test("staff settings open after a long press and the right PIN", async () => {
  const page = await kiosk(SETTINGS);
  await open(page, env.base, "/kiosk/nps", byTestId("kiosk-welcome"));
  const corner = await page.locator(byTestId("kiosk-staff")).boundingBox();
  // A short tap does nothing.
  await page.mouse.move(corner.x + 10, corner.y + 10);
  await page.mouse.down();
  await page.clock.runFor(500);
  await page.mouse.up();
  await page.clock.runFor(3_000);
  assert.equal(await page.isVisible(byTestId("kiosk-pin")), false);
  // A two-second press asks for the PIN.
  await page.mouse.down();
  await page.clock.runFor(2_000);
  await page.mouse.up();
  await page.waitForSelector(byTestId("kiosk-pin"));
  await page.fill(byTestId("kiosk-pin-input"), "1111");
  await page.click(byTestId("kiosk-unlock"));
  await page.waitForSelector(`${byTestId("kiosk-pin-error")}:not(:empty)`);
  await page.fill(byTestId("kiosk-pin-input"), "2468");
  await page.click(byTestId("kiosk-unlock"));
  await page.waitForSelector(byTestId("kiosk-setup"));
  // An empty PIN field keeps the PIN; the new counter tags the next response.
  await page.fill(byTestId("kiosk-counter"), "C-08");
  await page.click(byTestId("kiosk-save"));
  await page.waitForSelector(byTestId("kiosk-welcome"));
  const saved = await page.evaluate(() => JSON.parse(localStorage.getItem("manyi.kiosk.v1")));
  assert.equal(saved.pin, "2468");
  assert.equal(saved.counter, "C-08");
  await answer(page, 10);
  await submit(page);
  const [entry] = await kioskOutbox(page);
  assert.equal(entry.response.meta.counter, "C-08");
  await page.context().close();
});

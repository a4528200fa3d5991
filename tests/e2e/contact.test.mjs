// The contact question of examples/follow-up.json: a detractor agrees to be called, mistypes
// the number, is told so as the field is left, fixes it, and the stored response holds the
// number; the screen passes axe; and on a kiosk the next customer finds nothing of it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { setup, open, byTestId, outbox, kioskOutbox, next, ROOT } from "./harness.mjs";

const env = setup(test);
const FOLLOW_UP = join(ROOT, "examples", "follow-up.json");
const AXE = join(ROOT, "node_modules", "axe-core", "axe.min.js");

/** Imports the follow-up survey onto the device from the home page. */
async function importFollowUp(page) {
  await open(page, env.base, "/?lang=en", byTestId("import-file"));
  await page.setInputFiles(byTestId("import-file"), FOLLOW_UP);
  await page.waitForSelector(byTestId("import-ok"));
}

/** Says yes to being contacted and chooses `method`; resolves to the field that appears. */
async function agree(page, method) {
  await page.click(byTestId("contact-opt-yes"));
  await page.click(byTestId(`contact-method-opt-${method}`));
  await page.waitForSelector(byTestId("contact-value"));
  return page.locator(byTestId("contact-value"));
}

test("a respondent agrees to be called, fixes a mistyped number and the response holds it", async () => {
  const page = await env.newPage({ viewport: { width: 390, height: 844 }, bypassCSP: true });
  await importFollowUp(page);
  await open(page, env.base, "/s/follow-up?lang=en", byTestId("runner"));
  assert.equal(await page.locator(byTestId("question-contact")).count(), 0, "promoters are not asked");
  await page.click(byTestId("nps-opt-3"));
  await page.waitForSelector(byTestId("question-contact"));
  // Yes or no first; the method and the field only after a yes.
  assert.equal(await page.locator(byTestId("contact-method-opt-phone")).count(), 0);
  const field = await agree(page, "phone");
  assert.equal(await field.getAttribute("type"), "tel");
  assert.equal(await field.getAttribute("inputmode"), "tel");
  assert.equal(await field.getAttribute("autocomplete"), "tel");
  assert.equal(await page.textContent('label[for="q-contact-value"]'), "Phone number");

  // Leaving the field with a number two digits long says so at once.
  await field.fill("138 12");
  await page.keyboard.press("Tab");
  const message = "Please enter a phone number of 6 to 20 digits, for example +86 138 1234 5678.";
  await page.waitForSelector(`${byTestId("error-contact")}:has-text("${message}")`);
  assert.equal(await field.getAttribute("aria-invalid"), "true");
  assert.match(await field.getAttribute("aria-describedby"), /q-contact-error/);
  // Moving on is refused, and focus goes back to the field.
  await next(page);
  await page.waitForFunction(() => document.activeElement?.dataset.testid === "contact-value");
  assert.deepEqual(await outbox(page), []);

  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(() =>
    window.axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] }),
  );
  const bad = violations.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`), []);

  // The message follows the answer as it is corrected.
  await field.fill("+86 138 1234 5678");
  await page.waitForSelector(`${byTestId("error-contact")}:empty`, { state: "attached" });
  assert.equal(await field.getAttribute("aria-invalid"), "false");
  await page.click(byTestId("best_time-opt-evening"));
  await next(page);
  await page.waitForSelector(byTestId("thank-you"));
  const [entry] = await outbox(page);
  assert.deepEqual(entry.response.answers.contact, { agreed: true, method: "phone", value: "+86 138 1234 5678" });
  assert.equal(entry.response.answers.best_time, "evening");
  assert.equal(entry.response.answers.nps, 3);
  assert.equal(page.errors.length, 0, page.errors.join("\n"));
  await page.context().close();
});

test("a no keeps no details, in the draft or the response, and the keyboard reaches every part", async () => {
  const page = await env.newPage();
  await importFollowUp(page);
  await open(page, env.base, "/s/follow-up?lang=zh-TW", byTestId("runner"));
  await page.click(byTestId("nps-opt-5"));
  await page.waitForSelector(byTestId("contact-opt-yes"));
  // Space chooses in the yes-or-no group, Tab moves on to the methods, arrows choose one.
  await page.focus(byTestId("contact-opt-yes"));
  await page.keyboard.press("Space");
  await page.waitForSelector(`${byTestId("contact-opt-yes")}[aria-checked="true"]`);
  await page.keyboard.press("Tab");
  await page.waitForFunction(() => document.activeElement?.dataset.testid === "contact-method-opt-phone");
  await page.keyboard.press("ArrowRight");
  await page.waitForSelector(byTestId("contact-value"));
  assert.equal(await page.getAttribute(byTestId("contact-value"), "type"), "email");
  assert.equal(await page.textContent('label[for="q-contact-value"]'), "電子郵件地址");
  await page.keyboard.press("Tab");
  await page.waitForFunction(() => document.activeElement?.dataset.testid === "contact-value");
  await page.keyboard.type("chan@example.com.hk");
  await page.waitForFunction(() =>
    localStorage.getItem("manyi.draft.v1.follow-up")?.includes("chan@example.com.hk"),
  );
  // Changing one's mind drops the address, from the draft too.
  await page.click(byTestId("contact-opt-no"));
  await page.waitForSelector(byTestId("contact-value"), { state: "detached" });
  await page.waitForFunction(() => {
    const draft = JSON.parse(localStorage.getItem("manyi.draft.v1.follow-up") ?? "{}");
    return JSON.stringify(draft.answers?.contact) === JSON.stringify({ agreed: false });
  });
  await next(page);
  await page.waitForSelector(byTestId("thank-you"));
  const [entry] = await outbox(page);
  assert.deepEqual(entry.response.answers.contact, { agreed: false });
  assert.equal(page.errors.length, 0, page.errors.join("\n"));
  await page.context().close();
});

test("on a kiosk the field asks for no autofill and the next customer finds nothing", async () => {
  const page = await env.newPage({ viewport: { width: 1024, height: 768 } });
  await importFollowUp(page);
  await page.evaluate(() =>
    localStorage.setItem("manyi.kiosk.v1", JSON.stringify({
      pin: "2468", counter: "C-07", location: "Branch 12", language: "en", endpoint: null,
      reset_secs: 5, idle_secs: 20, on_idle: "discard",
    })),
  );
  // The kiosk's timeouts run on Playwright's fake clock, reached by advancing it.
  await page.clock.install();
  await open(page, env.base, "/kiosk/follow-up", byTestId("kiosk-welcome"));
  await page.click(byTestId("kiosk-start"));
  await page.click(byTestId("nps-opt-2"));
  const field = await agree(page, "phone");
  assert.equal(await field.getAttribute("autocomplete"), "off");
  await field.fill("+852 2123 4567");
  await next(page);
  await page.waitForSelector(byTestId("thank-you"));
  await page.clock.runFor(6_000);
  await page.waitForSelector(byTestId("kiosk-welcome"));
  const [entry] = await kioskOutbox(page);
  assert.deepEqual(entry.response.answers.contact, { agreed: true, method: "phone", value: "+852 2123 4567" });

  await page.click(byTestId("kiosk-start"));
  await page.click(byTestId("nps-opt-2"));
  await page.waitForSelector(byTestId("contact-opt-yes"));
  assert.equal(await page.getAttribute(byTestId("contact-opt-yes"), "aria-checked"), "false");
  assert.equal(await page.getAttribute(byTestId("contact-opt-no"), "aria-checked"), "false");
  assert.equal(await page.locator(byTestId("contact-value")).count(), 0);
  const again = await agree(page, "phone");
  assert.equal(await again.inputValue(), "");
  const stored = await page.evaluate(() =>
    Object.keys(localStorage).filter((k) => localStorage.getItem(k).includes("2123 4567")),
  );
  assert.deepEqual(stored, [], "no copy of the number outside the outbox");
  assert.equal(page.errors.length, 0, page.errors.join("\n"));
  await page.context().close();
});

// A SurveyJS definition imported on the device's home page runs end to end: in the runner
// (visibleIf, enableIf and requiredIf applied live, the response in the outbox) and in kiosk
// mode (the response in the kiosk's IndexedDB outbox, tagged with the counter). What the import
// could not carry over is listed with its JSON path.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { setup, open, byTestId, next, outbox, kioskOutbox, waitPending } from "./harness.mjs";

const env = setup(test);
const FIXTURE = join(import.meta.dirname, "fixtures", "surveyjs-branch.json");

/** Imports the fixture on the home page and returns the id the survey got. */
async function importFixture(page) {
  await open(page, env.base, "/?lang=en", byTestId("import-file"));
  await page.setInputFiles(byTestId("import-file"), FIXTURE);
  await page.waitForSelector(byTestId("import-ok"));
  assert.match(await page.textContent(byTestId("import-ok")), /Imported “Branch visit”/);
  // The signature pad has no manyi counterpart: reported with its path, not silently dropped.
  const reports = await page.locator(byTestId("import-report")).allTextContents();
  assert.ok(reports.some((r) => r.startsWith("$.pages[0].elements[2]")), reports.join("\n"));
  // Imported definitions are listed after the built-in templates.
  const href = await page.locator('[data-testid^="start-"]').last().getAttribute("href");
  const id = new URL(href, env.base).pathname.split("/").pop();
  assert.equal(await page.isVisible(byTestId(`survey-${id}`)), true);
  return id;
}

test("an imported SurveyJS survey runs in the app with its conditions applied live", async () => {
  const page = await env.newPage();
  const id = await importFixture(page);
  await open(page, env.base, `/s/${id}?lang=en`, byTestId("nps-opt-3"));

  // visibleIf: a detractor is asked what went wrong, a promoter is not.
  await page.click(byTestId("nps-opt-9"));
  assert.equal(await page.isVisible(byTestId("question-reason")), false);
  await page.click(byTestId("nps-opt-3"));
  await page.waitForSelector(byTestId("question-reason"));
  await page.click(byTestId("reason-opt-staff"));
  await next(page);

  // enableIf: the phone number is read-only until a call back is wanted; requiredIf then
  // makes it required.
  await page.waitForSelector(byTestId("phone-input"));
  assert.equal(await page.isDisabled(byTestId("phone-input")), true);
  await page.click(byTestId("callback-opt-true"));
  await page.waitForSelector(`${byTestId("phone-input")}:enabled`);
  await next(page);
  await page.waitForSelector(`${byTestId("error-phone")}:not(:empty)`);
  await page.fill(byTestId("phone-input"), "+852 5555 0101");
  await next(page);
  await page.waitForSelector(byTestId("thank-you"));

  const [entry] = await outbox(page);
  assert.equal(entry.response.survey_id, id);
  assert.deepEqual(entry.response.answers, { nps: 3, reason: "staff", callback: "true", phone: "+852 5555 0101" });
  assert.equal(entry.scores.nps.category, "detractor");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("an imported SurveyJS survey runs in kiosk mode", async () => {
  const page = await env.newPage({ viewport: { width: 1024, height: 768 } });
  const id = await importFixture(page);
  await page.evaluate(() => localStorage.setItem("manyi.kiosk.v1", JSON.stringify({
    pin: "2468", counter: "C-12", location: "", language: "en", endpoint: null,
    reset_secs: 5, idle_secs: 60, on_idle: "discard",
  })));
  await open(page, env.base, `/kiosk/${id}`, byTestId("kiosk-welcome"));
  assert.match(await page.textContent("h1"), /Branch visit/);
  await page.click(byTestId("kiosk-start"));
  await page.click(byTestId("nps-opt-10"));
  assert.equal(await page.isVisible(byTestId("question-reason")), false);
  await next(page);
  // Nobody asked for a call back: the read-only phone number is not required.
  await page.waitForSelector(byTestId("phone-input"));
  await next(page);
  await page.waitForSelector(byTestId("thank-you"));
  await page.waitForSelector(byTestId("kiosk-welcome"), { timeout: 15_000 });
  await waitPending(page, 1);
  const [entry] = await kioskOutbox(page);
  assert.deepEqual(entry.response.answers, { nps: 10 });
  assert.equal(entry.response.meta.counter, "C-12");
  assert.equal(entry.scores.nps.category, "promoter");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

// Storage failures: corrupted data is set aside and reported, a full storage still lets the
// respondent finish and offers the response as a download.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setup, open, byTestId, next } from "./harness.mjs";

const env = setup(test);

test("corrupted local storage is reported, kept under a corrupt key, and the app keeps working", async () => {
  const page = await env.newPage();
  await open(page, env.base, "/?lang=en", byTestId("survey-list"));
  await page.evaluate(() => {
    localStorage.setItem("manyi.outbox.v1", "{not json");
    localStorage.setItem("manyi.draft.v1.nps", "garbage]");
    localStorage.setItem("manyi.surveys.v1", "[[[");
  });
  await page.reload();
  await page.waitForSelector(`${byTestId("storage-alert")}:has-text("set aside as manyi.corrupt.")`);
  assert.equal(await page.locator('[role="alert"] >> text=set aside').count(), 1);
  // Built-in surveys are still listed and the draft's garbage is set aside when opened.
  await page.waitForSelector(byTestId("survey-nps"));
  await page.click(byTestId("start-nps"));
  await page.waitForSelector(byTestId("storage-alert"));
  await page.click(byTestId("nps-opt-8"));
  await next(page);
  await page.waitForSelector(byTestId("saved-on-device"));

  const stored = await page.evaluate(() => {
    const all = {};
    for (const k of Object.keys(localStorage)) all[k] = localStorage.getItem(k);
    return all;
  });
  const corrupt = Object.entries(stored).filter(([k]) => k.startsWith("manyi.corrupt."));
  const kept = corrupt.map(([, v]) => v).sort();
  assert.deepEqual(kept, ["[[[", "garbage]", "{not json"].sort());
  const outbox = JSON.parse(stored["manyi.outbox.v1"]);
  assert.equal(outbox.length, 1);
  assert.equal(outbox[0].response.answers.nps, 8);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("a full storage shows a message and offers the completed response as a download", async () => {
  const page = await env.newPage({
    init: () => {
      Storage.prototype.setItem = function () {
        throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
      };
    },
  });
  await open(page, env.base, "/s/ces?lang=en&counter=7", byTestId("runner"));
  await page.click(byTestId("ces-opt-2"));
  await page.waitForSelector(`${byTestId("storage-alert")}:has-text("storage is full")`);
  await page.fill(byTestId("effort_reason-input"), "Too many forms");
  await next(page);
  await page.waitForSelector(byTestId("not-saved"));
  const link = page.locator(byTestId("download-response"));
  assert.match(await link.getAttribute("href"), /^blob:/);
  assert.equal(await link.getAttribute("download"), "manyi-response-ces.json");
  const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
  const path = await download.path();
  const { readFile } = await import("node:fs/promises");
  const entry = JSON.parse(await readFile(path, "utf8"));
  assert.equal(entry.response.answers.ces, 2);
  assert.equal(entry.response.answers.effort_reason, "Too many forms");
  assert.deepEqual(entry.response.meta, { counter: "7" });
  assert.equal(entry.scores.ces.agree, false);
  await page.context().close();
});

// Runner behaviour: validation, live visibility, keyboard-only use, drafts, IME, every kind.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { setup, open, byTestId, outbox, next } from "./harness.mjs";

const env = setup(test);
const FIXTURES = join(import.meta.dirname, "fixtures");

test("required questions show an inline message tied to the field", async () => {
  const page = await env.newPage();
  await open(page, env.base, "/s/nps?lang=en", byTestId("runner"));
  await next(page);
  await page.waitForSelector(`${byTestId("error-nps")}:has-text("This question is required.")`);
  const group = page.locator(`${byTestId("question-nps")} [role="radiogroup"]`);
  assert.equal(await group.getAttribute("aria-invalid"), "true");
  assert.match(await group.getAttribute("aria-describedby"), /q-nps-error/);
  // The first invalid field receives focus.
  await page.waitForFunction(() => document.activeElement?.closest('[role="radiogroup"]'));
  // Answering clears the message live, and nothing was submitted.
  await page.click(byTestId("nps-opt-5"));
  await page.waitForSelector(`${byTestId("error-nps")}:empty`, { state: "attached" });
  assert.equal(await group.getAttribute("aria-invalid"), "false");
  assert.deepEqual(await outbox(page), []);
  await page.context().close();
});

test("the required message follows the language", async () => {
  const page = await env.newPage();
  await open(page, env.base, "/s/ces?lang=zh-TW", byTestId("runner"));
  await next(page);
  await page.waitForSelector(`${byTestId("error-ces")}:has-text("此題為必答題。")`);
  await page.context().close();
});

test("visible_if: a detractor score shows the improve question, a promoter score hides it", async () => {
  const page = await env.newPage();
  await open(page, env.base, "/s/nps?lang=en", byTestId("runner"));
  assert.equal(await page.locator(byTestId("question-improve")).count(), 0);
  await page.click(byTestId("nps-opt-6"));
  await page.waitForSelector(byTestId("question-improve"));
  await page.fill(byTestId("improve-input"), "Faster replies");
  await page.click(byTestId("nps-opt-9"));
  await page.waitForSelector(byTestId("question-improve"), { state: "detached" });
  await page.waitForSelector(byTestId("question-liked"));
  await next(page);
  await page.waitForSelector(byTestId("thank-you"));
  const [entry] = await outbox(page);
  // The hidden question's answer is not submitted.
  assert.equal(entry.response.answers.improve, undefined);
  assert.equal(entry.response.answers.nps, 9);
  await page.context().close();
});

test("the nps template can be completed with the keyboard alone", async () => {
  const page = await env.newPage();
  await open(page, env.base, "/s/nps?lang=en", byTestId("runner"));
  // Focus starts on the page heading.
  await page.waitForFunction(() => document.activeElement?.dataset.testid === "page-heading");
  await page.keyboard.press("Tab");
  await page.waitForFunction(() => document.activeElement?.dataset.testid === "nps-opt-0");
  await page.keyboard.press("End");
  await page.waitForFunction(() => document.activeElement?.dataset.testid === "nps-opt-10");
  assert.equal(await page.getAttribute(byTestId("nps-opt-10"), "aria-checked"), "true");
  await page.keyboard.press("ArrowLeft");
  await page.keyboard.press("ArrowLeft");
  await page.waitForFunction(() => document.activeElement?.dataset.testid === "nps-opt-8");
  await page.keyboard.press("Home");
  await page.waitForFunction(() => document.activeElement?.dataset.testid === "nps-opt-0");
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowRight");
  await page.waitForSelector(`${byTestId("nps-opt-3")}[aria-checked="true"]`);
  // Only the chosen radio is a tab stop: Tab leaves the group for the next question.
  assert.equal(await page.getAttribute(byTestId("nps-opt-0"), "tabindex"), "-1");
  await page.waitForSelector(byTestId("question-improve"));
  await page.keyboard.press("Tab");
  await page.waitForFunction(() => document.activeElement?.dataset.testid === "reason-input");
  await page.keyboard.type("Too slow");
  await page.keyboard.press("Tab");
  await page.waitForFunction(() => document.activeElement?.dataset.testid === "improve-input");
  await page.keyboard.type("Answer faster");
  await page.keyboard.press("Tab");
  await page.waitForFunction(() => document.activeElement?.dataset.testid === "next");
  await page.keyboard.press("Enter");
  await page.waitForSelector(byTestId("thank-you"));
  const [entry] = await outbox(page);
  assert.deepEqual(entry.response.answers, { nps: 3, reason: "Too slow", improve: "Answer faster" });
  await page.context().close();
});

test("the draft autosaves and resumes after a reload; start over clears it", async () => {
  const page = await env.newPage();
  await open(page, env.base, "/s/rq?lang=en", byTestId("runner"));
  await page.click(byTestId("sat_overall-opt-7"));
  await page.click(byTestId("sat_expectations-opt-2"));
  await page.waitForFunction(() => localStorage.getItem("manyi.draft.v1.rq")?.includes("sat_expectations"));
  await page.reload();
  await page.waitForSelector(byTestId("resumed"));
  assert.equal(await page.getAttribute(byTestId("sat_overall-opt-7"), "aria-checked"), "true");
  assert.equal(await page.getAttribute(byTestId("sat_expectations-opt-2"), "aria-checked"), "true");
  await page.click(byTestId("start-over"));
  await page.waitForSelector(byTestId("resumed"), { state: "detached" });
  assert.equal(await page.getAttribute(byTestId("sat_overall-opt-7"), "aria-checked"), "false");
  await page.waitForFunction(() => localStorage.getItem("manyi.draft.v1.rq") === null);
  await page.context().close();
});

test("Enter confirming an IME composition does not submit", async () => {
  const page = await env.newPage();
  await open(page, env.base, "/?lang=en", byTestId("import-file"));
  await page.setInputFiles(byTestId("import-file"), join(FIXTURES, "all-kinds.json"));
  await page.waitForSelector(byTestId("import-ok"));
  await open(page, env.base, "/s/kinds?lang=en", byTestId("code-input"));
  const prevented = await page.$eval(byTestId("code-input"), (input) => {
    const composing = new KeyboardEvent("keydown", { key: "Enter", isComposing: true, bubbles: true, cancelable: true });
    input.dispatchEvent(composing);
    const plain = new KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true });
    input.dispatchEvent(plain);
    return [composing.defaultPrevented, plain.defaultPrevented];
  });
  assert.deepEqual(prevented, [true, false]);
  await page.context().close();
});

test("an imported definition runs every question kind and shows the respondent's scores", async () => {
  const page = await env.newPage({ viewport: { width: 390, height: 844 } });
  await open(page, env.base, "/?lang=en", byTestId("import-file"));
  await page.setInputFiles(byTestId("import-file"), join(FIXTURES, "invalid.json"));
  await page.waitForSelector(byTestId("import-errors"));
  const problems = await page.locator(byTestId("import-problem")).allTextContents();
  assert.ok(problems.some((p) => p.startsWith("$.")), `problems carry JSON paths: ${problems}`);
  await page.setInputFiles(byTestId("import-file"), join(FIXTURES, "all-kinds.json"));
  await page.waitForSelector(byTestId("import-ok"));
  await page.click(byTestId("start-kinds"));
  await page.waitForSelector(byTestId("rating-opt-4"));

  await page.click(byTestId("rating-opt-4"));
  await page.check(byTestId("topics-opt-returns"));
  await page.check(byTestId("topics-opt-billing"));
  // Too long: the counter and the inline message update while typing.
  await page.fill(byTestId("code-input"), "ABCDEFGHIJKL");
  await page.waitForSelector(`${byTestId("code-counter")}:has-text("12 / 10")`);
  await page.waitForSelector(`${byTestId("error-code")}:has-text("10 characters or fewer")`);
  await next(page);
  await page.waitForSelector(`${byTestId("progress")}:has-text("Page 1 of 2")`);
  await page.fill(byTestId("code-input"), "A-1234");
  await page.waitForSelector(`${byTestId("error-code")}:empty`, { state: "attached" });
  await next(page);
  await page.waitForSelector(`${byTestId("progress")}:has-text("Page 2 of 2")`);
  await page.waitForFunction(() => document.activeElement?.dataset.testid === "page-heading");

  await page.check(byTestId("grid-polite-opt-5"));
  await page.check(byTestId("grid-slow-opt-2"));
  await page.check(byTestId("again-opt-yes"));
  await page.click(byTestId("back"));
  await page.waitForSelector(`${byTestId("progress")}:has-text("Page 1 of 2")`);
  assert.equal(await page.inputValue(byTestId("code-input")), "A-1234");
  assert.equal(await page.isChecked(byTestId("topics-opt-billing")), true);
  await next(page);
  await page.waitForSelector(byTestId("grid-polite-opt-5"));
  assert.equal(await page.isChecked(byTestId("grid-polite-opt-5")), true);
  await next(page);
  await page.waitForSelector(byTestId("own-scores"));

  const [entry] = await outbox(page);
  assert.deepEqual(entry.response.answers, {
    rating: 4,
    topics: ["billing", "returns"],
    code: "A-1234",
    grid: { polite: 5, slow: 2 },
    again: "yes",
  });
  assert.ok(entry.scores.dimensions.service > 0);
  await page.context().close();
});

test("required_if makes a question required only while its condition holds", async () => {
  const page = await env.newPage();
  const definition = {
    id: "followup", version: 1, title: { en: "Follow-up" }, default_locale: "en", locales: ["en"],
    pages: [{
      id: "p",
      questions: [
        { id: "nps", kind: "nps", text: { en: "Would you recommend us?" }, required: true },
        { id: "why", kind: "text", text: { en: "What went wrong?" }, required_if: "nps <= 6" },
      ],
    }],
  };
  await open(page, env.base, "/?lang=en", byTestId("import-file"));
  await page.setInputFiles(byTestId("import-file"), {
    name: "followup.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(definition)),
  });
  await page.waitForSelector(byTestId("import-ok"));
  for (const score of [9, 3]) {
    await open(page, env.base, "/s/followup?lang=en", byTestId("nps-opt-0"));
    await page.click(byTestId(`nps-opt-${score}`));
    await next(page);
    if (score === 3) {
      await page.waitForSelector(`${byTestId("error-why")}:has-text("required")`);
      await page.fill(byTestId("why-input"), "Slow reply");
      await next(page);
    }
    await page.waitForSelector(byTestId("thank-you"));
  }
  const answers = (await outbox(page)).map((e) => e.response.answers);
  assert.deepEqual(answers, [{ nps: 9 }, { nps: 3, why: "Slow reply" }]);
  await page.context().close();
});

// Accessibility checks with axe-core on every screen, plus screenshots at phone and desktop
// sizes for review.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setup, open, byTestId, next, screenshot, axe } from "./harness.mjs";

const env = setup(test);


const SIZES = [
  { name: "390x844", viewport: { width: 390, height: 844 } },
  { name: "1280x800", viewport: { width: 1280, height: 800 } },
];

for (const { name, viewport } of SIZES) {
  for (const scheme of ["light", "dark"]) {
    test(`every screen passes axe at ${name} in ${scheme} mode`, async () => {
      const page = await env.newPage({ viewport, bypassCSP: true });
      await page.emulateMedia({ colorScheme: scheme });
      const shot = async (screen) => {
        if (scheme === "light") await screenshot(page, `${screen}-${name}`);
        await axe(page, `${screen} ${name} ${scheme}`);
      };

      await open(page, env.base, "/?lang=zh-CN", byTestId("survey-list"));
      await shot("home");

      await open(page, env.base, "/s/nps?lang=zh-CN", byTestId("runner"));
      await page.click(byTestId("nps-opt-4"));
      await page.waitForSelector(byTestId("question-improve"));
      await shot("runner-nps");

      await open(page, env.base, "/s/rq?lang=en", byTestId("runner"));
      await next(page);
      await page.waitForSelector(`${byTestId("error-sat_overall")}:not(:empty)`);
      await shot("runner-rq-errors");

      await open(page, env.base, "/s/csat?lang=zh-TW", byTestId("runner"));
      await page.click(byTestId("csat-opt-3"));
      await page.waitForSelector(byTestId("question-comment"));
      await shot("runner-csat");
      await next(page);
      await page.waitForSelector(byTestId("thank-you"));
      await shot("thank-you");

      // The embed screen as a host page themes it: the opposite palette forced, a brand colour.
      const theme = scheme === "light" ? "dark" : "light";
      await open(page, env.base, `/embed/csat?lang=en#theme=${theme}&brand=%23b3005e&radius=4px`, byTestId("runner"));
      assert.equal(await page.getAttribute("html", "data-theme"), theme);
      await page.click(byTestId("csat-opt-2"));
      await page.waitForSelector(byTestId("question-comment"));
      await shot("embed-csat");

      await open(page, env.base, "/results?lang=en", byTestId("report-csat"));
      await shot("results");
      assert.deepEqual(page.errors, []);

      // What public/boot.js shows over an app that has stopped (tests/e2e/boot.test.mjs).
      await open(page, env.base, "/s/nps?lang=en", byTestId("runner"));
      await page.evaluate(() => setTimeout(() => { throw new WebAssembly.RuntimeError("unreachable"); }));
      await page.waitForSelector(byTestId("app-stopped"));
      await shot("app-stopped");
      assert.deepEqual(page.errors, ["RuntimeError: unreachable"]);
      await page.context().close();
    });
  }
}

// Starting the app (public/boot.js): a bundle that does not arrive, or an app that stops with a
// trap, leaves a message in the page's language and a way to reload, never a blank or frozen
// page.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setup, open, byTestId } from "./harness.mjs";

const env = setup(test);

/** The message, the element focused and the document's language once boot.js has spoken. */
async function alertState(page, testid) {
  const alert = page.locator(byTestId(testid));
  await alert.waitFor();
  return {
    role: await alert.getAttribute("role"),
    text: (await alert.locator("p").textContent()).trim(),
    focused: await page.evaluate(() => document.activeElement?.dataset.testid),
    lang: await page.evaluate(() => document.documentElement.lang),
  };
}

test("a wasm file that does not arrive is reported in the page's language, and reload starts the app", async () => {
  const page = await env.newPage();
  await page.route("**/manyi-app_bg.wasm", (route) => route.abort());
  await page.goto(`${env.base}/s/nps?lang=zh-TW`);
  assert.deepEqual(await alertState(page, "load-failed"), {
    role: "alert",
    text: "頁面未能載入。請檢查網路連線，然後重新載入。",
    focused: "reload",
    lang: "zh-TW",
  });
  assert.equal(await page.locator(byTestId("runner")).count(), 0);
  // The browser reports the aborted request itself; nothing else may have failed.
  assert.ok(page.errors.length > 0);
  assert.ok(page.errors.every((e) => e.includes("Failed to load resource")), page.errors.join("\n"));
  page.errors.length = 0;

  await page.unroute("**/manyi-app_bg.wasm");
  await page.click(byTestId("reload"));
  await page.waitForSelector(byTestId("nps-opt-0"));
  assert.equal(await page.locator(byTestId("load-failed")).count(), 0);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("a server error for the glue module is a failed load, in the browser's language", async () => {
  const page = await env.newPage();
  await page.route("**/manyi-app.js", (route) => route.fulfill({ status: 503, body: "unavailable" }));
  await page.goto(`${env.base}/s/csat`);
  const state = await alertState(page, "load-failed");
  assert.equal(state.text, "This page could not be loaded. Check the connection, then reload.");
  assert.equal(state.lang, "en");
  page.errors.length = 0;
  await page.context().close();
});

test("a trap stops the app behind a message; an ordinary script error does not; reload resumes the draft", async () => {
  const page = await env.newPage();
  await open(page, env.base, "/s/nps?lang=en", byTestId("nps-opt-9"));
  await page.click(byTestId("nps-opt-9"));
  await page.waitForFunction(() => localStorage.getItem("manyi.draft.v1.nps")?.includes('"nps":9'));

  // An error that is not the wasm's leaves the app running.
  await Promise.all([
    page.waitForEvent("pageerror"),
    page.evaluate(() => setTimeout(() => { throw new Error("a host page's script failed"); })),
  ]);
  assert.equal(await page.locator(byTestId("app-stopped")).count(), 0);

  // What a panic in a release build becomes: a WebAssembly trap, uncaught.
  await Promise.all([
    page.waitForEvent("pageerror"),
    page.evaluate(() => setTimeout(() => { throw new WebAssembly.RuntimeError("unreachable"); })),
  ]);
  const state = await alertState(page, "app-stopped");
  assert.equal(state.text, "Something went wrong on this page. Reload it to continue.");
  assert.equal(state.focused, "reload");
  // The dead app can no longer be used; the message can.
  assert.equal(await page.evaluate(() => document.querySelector("main").closest("[inert]") !== null), true);
  assert.equal(await page.evaluate(() => document.querySelector('[data-testid="app-stopped"]').inert), false);
  assert.equal(page.errors.length, 2);
  page.errors.length = 0;

  await page.click(byTestId("reload"));
  await page.waitForSelector(byTestId("resumed"));
  assert.equal(await page.getAttribute(byTestId("nps-opt-9"), "aria-checked"), "true");
  assert.equal(await page.locator(byTestId("app-stopped")).count(), 0);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("a trap in a promise stops the app too", async () => {
  const page = await env.newPage();
  await open(page, env.base, "/s/ces?lang=zh-CN", byTestId("runner"));
  await Promise.all([
    page.waitForEvent("pageerror"),
    page.evaluate(() => { Promise.reject(new WebAssembly.RuntimeError("unreachable")); }),
  ]);
  const state = await alertState(page, "app-stopped");
  assert.equal(state.text, "页面出了问题。请重新加载以继续。");
  assert.equal(state.lang, "zh-CN");
  page.errors.length = 0;
  await page.context().close();
});

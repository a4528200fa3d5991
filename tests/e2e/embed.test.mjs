// The embeddable widget end to end: host pages on one loopback origin (http://localhost:<port>,
// a tiny server in this file) embed surveys from the real `manyi serve` on another
// (http://127.0.0.1:<port>) through the loader, /embed.js. Every host page runs under a strict
// Content-Security-Policy (no 'unsafe-inline' anywhere, no style sources at all), and every
// test fails on a CSP violation in the host page or in the frame.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, launch, byTestId, startManyi, killManyi, staffToken, query } from "./harness.mjs";
import { buildLoader, LOADER_DIST, LOADER_GZIP_BUDGET } from "../../scripts/build-loader.mjs";

/** A two-page survey: one question, then three, so the frame's height has to change. */
const SURVEY = {
  id: "portal-visit", version: 1, title: { en: "Your order" }, default_locale: "en",
  locales: ["en"], show_scores: true,
  pages: [
    { id: "first", questions: [
      { id: "nps", kind: "nps", text: { en: "Would you recommend us?" }, required: true, metric: "nps" },
    ] },
    { id: "second", questions: [
      { id: "csat", kind: "rating", text: { en: "How satisfied are you with your order?" },
        required: true, scale: { min: 1, max: 5 }, metric: "csat" },
      { id: "channel", kind: "single_choice", text: { en: "Where did you order?" }, options: [
        { value: "web", label: { en: "Website" } }, { value: "app", label: { en: "Mobile app" } },
        { value: "phone", label: { en: "Phone" } }, { value: "store", label: { en: "Store" } },
      ] },
      { id: "comment", kind: "text", text: { en: "Anything else?" } },
    ] },
  ],
};

/**
 * The host site: pages and scripts registered by the tests, served from http://localhost:<port>
 * (the manyi server is on 127.0.0.1, so the two are different origins and different sites).
 */
async function startHost() {
  const routes = new Map();
  const server = createServer((req, res) => {
    const route = routes.get(new URL(req.url, "http://x").pathname);
    if (!route) {
      res.writeHead(404);
      return res.end();
    }
    res.writeHead(200, route.headers);
    res.end(route.body);
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const origin = `http://localhost:${server.address().port}`;
  const host = {
    origin,
    close: () => server.close(),
    /** Serves `html` at `path` under `csp`. */
    page(path, html, csp) {
      const headers = { "content-type": "text/html; charset=utf-8" };
      if (csp) headers["content-security-policy"] = csp;
      routes.set(path, { body: html, headers });
      return origin + path;
    },
    script(path, js) {
      routes.set(path, { body: js, headers: { "content-type": "text/javascript" } });
    },
    style(path, css) {
      routes.set(path, { body: css, headers: { "content-type": "text/css" } });
    },
  };
  // The host's own script, allowed by script-src 'self': it records the widget's events.
  host.script("/record.js", `window.events = [];
for (const type of ["ready", "resize", "page", "completed", "opened", "closed"]) {
  document.addEventListener("manyi:" + type, (event) => window.events.push(event.detail));
}`);
  return host;
}

/** A strict policy: scripts from the host itself and the manyi server only, no styles at all. */
const strictCsp = (manyi) =>
  `default-src 'none'; script-src 'self' ${manyi}; frame-src ${manyi}; base-uri 'none'; form-action 'none'`;

/** A host page that records events and includes the loader with `attributes`. */
function hostPage(manyi, attributes) {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Portal</title><script src="/record.js"></script></head>
<body>
<h1>Order A-1</h1>
<div id="survey"></div>
<script src="${manyi}/embed.js" ${attributes}></script>
</body>
</html>`;
}

// Records CSP violations in every document of the page, the host's and the frame's.
const RECORD_VIOLATIONS = () => {
  window.violations = [];
  document.addEventListener("securitypolicyviolation", (e) =>
    window.violations.push(`${location.origin}: ${e.violatedDirective} ${e.blockedURI}`));
};

/**
 * Runs `body` with a fresh manyi server (its own database, SURVEY published), a host site and
 * a browser page; afterwards checks that no document reported a CSP violation or an error.
 */
async function scenario(name, body, { expectErrors = null, browserArgs = [] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), `manyi-embed-${name}-`));
  const manyi = await startManyi(dir);
  const host = await startHost();
  const browser = await launch(browserArgs);
  try {
    const token = staffToken(dir);
    const staff = (method, path, json) => fetch(`${manyi.base}/api/v1${path}`, {
      method,
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify(json),
    });
    const published = await staff("POST", "/surveys", SURVEY);
    assert.equal(published.status, 201, await published.text());
    const allow = async (survey, origins) => {
      const reply = await staff("PUT", `/surveys/${survey}/origins`, { allowed_origins: origins });
      assert.equal(reply.status, 200, await reply.text());
    };
    const context = await browser.newContext({ locale: "en-US" });
    await context.addInitScript(RECORD_VIOLATIONS);
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    await body({ dir, manyi: manyi.base, host, page, allow, errors });
    for (const frame of page.frames()) {
      const violations = await frame.evaluate(() => window.violations).catch(() => []);
      assert.deepEqual(violations, [], `CSP violations in ${frame.url()}`);
    }
    if (expectErrors) {
      assert.ok(errors.length > 0 && errors.every((e) => expectErrors.test(e)), errors.join("\n"));
    } else {
      assert.deepEqual(errors, [], "no errors in the console");
    }
  } finally {
    await browser.close();
    host.close();
    await killManyi(manyi);
  }
}

/** Waits until the host has recorded `count` events of `type`; returns the last of them. */
async function event(page, type, count = 1) {
  const handle = await page.waitForFunction(([type, count]) => {
    const found = (window.events || []).filter((e) => e.type === type);
    return found.length >= count && found[count - 1];
  }, [type, count]);
  return handle.jsonValue();
}

const events = (page, type) =>
  page.evaluate((type) => window.events.filter((e) => e.type === type), type);

/** The survey's frame (the iframe the loader made). */
async function surveyFrame(page) {
  const frame = await (await page.waitForSelector("iframe")).contentFrame();
  assert.ok(frame, "the iframe has a document");
  return frame;
}

/** Waits for `check` to return a truthy value, polling; returns it. */
async function until(check, what, timeout = 15_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The iframe element's height in the host and its content's height, once they agree. */
async function fittedHeight(page, frame) {
  return until(async () => {
    const outer = await page.$eval("iframe", (f) => f.getBoundingClientRect().height);
    const inner = await frame.evaluate(() => ({
      body: document.body.getBoundingClientRect().height,
      overflow: document.documentElement.scrollHeight - document.documentElement.clientHeight,
    }));
    return outer === Math.ceil(inner.body) && inner.overflow <= 0 && outer;
  }, "the iframe to fit its content");
}

/**
 * The survey's frame once the loader has sized it to its content: the layout of the host page
 * follows the frame's height a message later than the frame's own, so clicks wait for it.
 */
async function readyFrame(page) {
  const frame = await surveyFrame(page);
  await fittedHeight(page, frame);
  return frame;
}

/** Answers page one (NPS `nps`) and moves on, once the frame has the second page's height. */
async function answerFirstPage(frame, nps) {
  await frame.click(byTestId(`nps-opt-${nps}`));
  // The first answer adds "start over" to the top bar, so the frame grows once more.
  await frame.waitForSelector(byTestId("start-over"));
  await fittedHeight(frame.page(), frame);
  await frame.click(byTestId("next"));
  await frame.waitForSelector(byTestId("csat-opt-1"));
  await fittedHeight(frame.page(), frame);
}

/** Rows in the server's database: id, body and scores (parsed). */
function stored(dir) {
  return query(dir, "select id, body, scores from responses").map(([id, body, scores]) => ({
    id, body: JSON.parse(body), scores: JSON.parse(scores),
  }));
}

test("the loader stays within 3 KB gzip, is what the build serves, and writes no markup", () => {
  const { built, gzip } = buildLoader();
  assert.ok(gzip <= LOADER_GZIP_BUDGET, `embed.js is ${gzip} bytes gzip, over ${LOADER_GZIP_BUDGET}`);
  assert.equal(readFileSync(LOADER_DIST, "utf8"), built, "dist/embed.js is the current build");
  // Styles only through the CSSOM, and no markup or code from strings, so strict policies hold.
  assert.doesNotMatch(built, /innerHTML|outerHTML|insertAdjacentHTML|setAttribute\("style"|cssText|eval\(|Function\(|document\.write/);
});

test("inline: a survey completes and the host gets ready, page and completed with the stored response's id and scores", () =>
  scenario("inline", async ({ dir, manyi, host, page, allow }) => {
    await allow(SURVEY.id, [host.origin]);
    const url = host.page("/order", hostPage(manyi,
      `data-survey="${SURVEY.id}" data-target="#survey" data-lang="en" data-meta-order_id="A-1" data-meta-channel="portal"`),
    strictCsp(manyi));
    await page.goto(url);
    const ready = await event(page, "ready");
    assert.deepEqual(ready, { manyi: 1, type: "ready", survey_id: SURVEY.id, pages: 2 });
    assert.deepEqual(await event(page, "page"),
      { manyi: 1, type: "page", survey_id: SURVEY.id, page: 0, page_id: "first", pages: 2 });
    const frame = await readyFrame(page);
    assert.equal(await page.$eval("iframe", (f) => f.parentElement.id), "survey", "mounted in the target");
    // Inside another site the app's links to its home page are left out.
    assert.equal(await frame.$$eval("a", (links) => links.length), 0);

    await answerFirstPage(frame, 9);
    assert.equal((await event(page, "page", 2)).page_id, "second");
    await frame.click(byTestId("csat-opt-5"));
    await frame.click(byTestId("channel-opt-web"));
    const delivered = page.waitForResponse((r) =>
      r.url() === `${manyi}/api/v1/responses` && r.request().method() === "POST");
    await frame.click(byTestId("next"));
    const completed = await event(page, "completed");
    await frame.waitForSelector(byTestId("thank-you"));
    assert.equal((await delivered).status(), 200);

    const rows = stored(dir);
    assert.equal(rows.length, 1);
    assert.equal(completed.response_id, rows[0].id, "the host learns the stored response's id");
    assert.equal(completed.survey_version, 1);
    assert.equal(completed.stored, true, "queued in the outbox");
    assert.deepEqual(completed.scores, rows[0].scores, "the scores are the server's");
    assert.equal(completed.scores.nps.value, 9);
    assert.deepEqual(completed.scores.csat, { value: 5, top2: true });
    assert.deepEqual(rows[0].body.meta, { order_id: "A-1", channel: "portal" });
    assert.equal(rows[0].body.locale, "en");
  }));

test("inline: the iframe follows its content's height across pages, without a scrollbar", () =>
  scenario("height", async ({ manyi, host, page, allow }) => {
    await allow(SURVEY.id, [host.origin]);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(host.page("/order", hostPage(manyi, `data-survey="${SURVEY.id}" data-target="#survey" data-lang="en"`),
      strictCsp(manyi)));
    await event(page, "ready");
    const frame = await surveyFrame(page);
    const first = await fittedHeight(page, frame);
    assert.notEqual(first, 320, "not the loader's initial 20rem");

    await answerFirstPage(frame, 7);
    const second = await until(async () => {
      const height = await fittedHeight(page, frame);
      return height > first + 150 && height;
    }, "the iframe to grow with the second page");
    const resized = await events(page, "resize");
    assert.equal(Math.ceil(resized.at(-1).height), second, "the last resize message is the height");

    await frame.click(byTestId("back"));
    await frame.waitForSelector(byTestId("nps-opt-0"));
    await until(async () => (await fittedHeight(page, frame)) < second - 150, "the iframe to shrink back");
  }));

test("popup through manyi.open() under a nonce-only policy: themed, completed, closed, no violation", () =>
  scenario("popup", async ({ dir, manyi, host, page, allow }) => {
    await allow(SURVEY.id, [host.origin]);
    const nonce = "n0nce4embed";
    const csp = `default-src 'none'; script-src 'nonce-${nonce}'; frame-src ${manyi}; base-uri 'none'`;
    await page.goto(host.page("/ticket", `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>Ticket</title></head>
<body><h1>Ticket closed</h1><button id="before">focus</button>
<script nonce="${nonce}" src="${manyi}/embed.js"></script>
<script nonce="${nonce}">
  window.events = [];
  document.getElementById("before").focus();
  window.widget = manyi.open({
    survey: "${SURVEY.id}", mode: "popup", lang: "en",
    meta: { ticket: "T-42" }, brand: "#e4002b", radius: "4px", font: "Georgia, serif", theme: "dark",
    on: (type, detail) => window.events.push(detail),
  });
</script></body></html>`, csp));
    await page.waitForSelector('[role="dialog"][aria-modal="true"]');
    assert.equal(await page.textContent('[role="dialog"] button'), "Close");
    await event(page, "ready");
    const frame = await readyFrame(page);
    const theme = await frame.evaluate(() => {
      const style = getComputedStyle(document.documentElement);
      return {
        brand: style.getPropertyValue("--brand").trim(),
        contrast: style.getPropertyValue("--brand-contrast").trim(),
        radius: style.getPropertyValue("--radius").trim(),
        font: getComputedStyle(document.body).fontFamily,
        theme: document.documentElement.dataset.theme,
        background: getComputedStyle(document.body).backgroundColor,
      };
    });
    assert.deepEqual(theme, {
      brand: "#e4002b", contrast: "#ffffff", radius: "4px", font: "Georgia, serif", theme: "dark",
      background: "rgb(17, 21, 27)",
    });

    await answerFirstPage(frame, 10);
    await frame.click(byTestId("csat-opt-4"));
    await frame.click(byTestId("next"));
    const completed = await event(page, "completed");
    await frame.waitForSelector(byTestId("thank-you"));
    assert.equal(completed.scores.nps.value, 10);

    await page.click('[role="dialog"] button');
    await event(page, "closed");
    assert.equal(await page.isVisible('[role="dialog"]'), false, "the popup is hidden");
    assert.equal(await page.evaluate(() => document.activeElement.id), "before", "focus returns");
    await until(() => stored(dir).length === 1, "the response to arrive");
    assert.deepEqual(stored(dir)[0].body.meta, { ticket: "T-42" });
  }));

test("floating button and side tab open a panel that Escape closes, also from inside the frame", () =>
  scenario("button", async ({ manyi, host, page, allow }) => {
    await allow(SURVEY.id, [host.origin]);
    for (const mode of ["button", "tab"]) {
      await page.goto(host.page(`/${mode}`, hostPage(manyi,
        `data-survey="${SURVEY.id}" data-mode="${mode}" data-lang="zh-TW" data-label="Tell us"`), strictCsp(manyi)));
      const toggle = await page.waitForSelector('button[aria-expanded="false"]');
      assert.equal(await toggle.textContent(), "Tell us");
      assert.equal(await page.$("iframe"), null, "the frame loads only when asked for");
      await toggle.click();
      await event(page, "opened");
      await event(page, "ready");
      assert.equal(await toggle.getAttribute("aria-expanded"), "true");
      assert.equal(await page.textContent('[role="dialog"] button'), "關閉");
      const frame = await readyFrame(page);
      await frame.waitForSelector(byTestId("page-heading"));
      // The loader's labels follow data-lang; the survey offers English only, so the frame
      // falls back to it.
      assert.equal(await frame.evaluate(() => document.documentElement.lang), "en");
      if (mode === "button") {
        await answerFirstPage(frame, 6);
      } else {
        // The same site's other page resumes the draft the button's frame left.
        await frame.waitForSelector(byTestId("resumed"));
        await frame.click(byTestId("csat-opt-2"));
      }
      // The focus is in the frame now; Escape there closes the panel too.
      assert.equal(await frame.evaluate(() => document.hasFocus()), true);
      await page.keyboard.press("Escape");
      await event(page, "closed");
      assert.equal(await page.isVisible('[role="dialog"]'), false);
      assert.equal(await toggle.getAttribute("aria-expanded"), "false");
      // Reopened, the same frame goes on where the respondent left it.
      await toggle.click();
      await event(page, "opened", 2);
      assert.equal(await frame.isVisible(byTestId("csat-opt-1")), true, "still on the second page");
      assert.equal((await events(page, "ready")).length, 1, "the frame was not reloaded");
      await page.click('[role="dialog"] button');
      await event(page, "closed", 2);
    }
  }));

test("display rules: a delayed popup shown once, and never again after a submit", () =>
  scenario("rules", async ({ manyi, host, page, allow }) => {
    await allow(SURVEY.id, [host.origin]);
    await allow("csat", [host.origin]);
    const after = host.page("/after", hostPage(manyi,
      `data-survey="${SURVEY.id}" data-mode="popup" data-lang="en" data-hide-after-submit`), strictCsp(manyi));
    await page.goto(after);
    await event(page, "ready");
    const frame = await readyFrame(page);
    await answerFirstPage(frame, 8);
    await frame.click(byTestId("csat-opt-3"));
    await frame.click(byTestId("next"));
    await event(page, "completed");
    await page.reload();
    // The loader decides synchronously while the page loads.
    assert.equal(await page.$("iframe"), null, "no popup after a submit");
    assert.equal(await page.evaluate((id) => localStorage.getItem(`manyi.embed.done.${id}`), SURVEY.id), "1");

    const once = host.page("/once", hostPage(manyi,
      `data-survey="csat" data-mode="popup" data-lang="en" data-once data-delay="1"`), strictCsp(manyi));
    await page.goto(once);
    assert.equal(await page.$("iframe"), null, "nothing before the delay");
    await page.waitForSelector('[role="dialog"] iframe');
    await event(page, "ready");
    await page.reload();
    assert.equal(await page.$("iframe"), null, "shown once per visitor");
    assert.equal(await page.evaluate(() => manyi.open({ survey: "csat", mode: "popup", once: true })), null);
  }));

test("a host origin that is not on the survey's list is refused: the frame does not render", () =>
  scenario("unlisted", async ({ manyi, host, page, allow }) => {
    await allow(SURVEY.id, ["https://portal.example.com"]);
    const refused = page.waitForEvent("console", (m) => /frame-ancestors/.test(m.text()));
    await page.goto(host.page("/order", hostPage(manyi, `data-survey="${SURVEY.id}" data-target="#survey"`),
      strictCsp(manyi)));
    await refused;
    const frame = await (await page.waitForSelector("iframe")).contentFrame();
    assert.ok(!frame || !frame.url().startsWith(manyi), `the frame shows no manyi page (${frame?.url()})`);
    assert.deepEqual(await page.evaluate(() => window.events), [], "no message reached the host");
  }, { expectErrors: /frame-ancestors/ }));

test("a survey without allowed origins shows the refusal message in the frame", () =>
  scenario("nolist", async ({ manyi, host, page }) => {
    const reply = page.waitForResponse((r) => r.url().startsWith(`${manyi}/embed/`));
    await page.goto(host.page("/order", hostPage(manyi, `data-survey="${SURVEY.id}" data-target="#survey"`),
      strictCsp(manyi)));
    assert.equal((await reply).status(), 403);
    const frame = await surveyFrame(page);
    await frame.waitForSelector("text=This survey is not enabled for embedding on other sites.");
    assert.match(await frame.textContent("body"), /此问卷未开放嵌入。[\s\S]*此問卷未開放嵌入。/);
    assert.equal(await frame.$(byTestId("runner")), null);
    assert.deepEqual(await page.evaluate(() => window.events), [], "the refusal page sends nothing");
  }, { expectErrors: /status of 403/ }));

// This Chromium, like browsers that block third-party cookies, refuses a cross-site frame its
// own storage; the frame then keeps its draft and outbox in the host page through the loader.
// With third-party storage allowed, the frame uses its own (partitioned) storage, as the app
// does. The guarantees are the same either way.
const STORAGE_CASES = [
  { where: "in the host page (third-party storage blocked)", bridge: true, browserArgs: [] },
  {
    where: "in the frame (third-party storage allowed)", bridge: false,
    browserArgs: ["--disable-features=TrackingProtection3pcd"],
  },
];

for (const { where, bridge, browserArgs } of STORAGE_CASES) {
  test(`answers survive a reload of the host page and arrive exactly once, kept ${where}`, () =>
    scenario("draft", async ({ dir, manyi, host, page, allow }) => {
      await allow(SURVEY.id, [host.origin]);
      await page.goto(host.page("/order", hostPage(manyi, `data-survey="${SURVEY.id}" data-target="#survey" data-lang="en"`),
        strictCsp(manyi)));
      await event(page, "ready");
      let frame = await readyFrame(page);
      const draftKey = `manyi.draft.v1.${SURVEY.id}`;
      const storageOf = async (key) => ({
        host: await page.evaluate((key) => localStorage.getItem(key), `${manyi} ${key}`),
        frame: await frame.evaluate((key) => {
          try {
            return localStorage.getItem(key);
          } catch {
            return "blocked";
          }
        }, key),
      });

      await answerFirstPage(frame, 3);
      await frame.click(byTestId("csat-opt-2"));
      await frame.fill(byTestId("comment-input"), "late delivery");
      const draft = await until(async () => {
        const found = await storageOf(draftKey);
        return (found.host ?? found.frame)?.includes("late delivery") && found;
      }, "the draft to be saved");
      if (bridge) {
        assert.equal(draft.frame, "blocked");
        assert.match(draft.host, /"comment":"late delivery"/, "kept by the host page");
      } else {
        assert.equal(draft.host, null, "nothing in the host page");
        assert.match(draft.frame, /"comment":"late delivery"/);
      }

      await page.reload();
      await event(page, "ready");
      assert.equal((await event(page, "page")).page_id, "second", "the draft's page");
      frame = await readyFrame(page);
      await frame.waitForSelector(byTestId("resumed"));
      assert.equal(await frame.getAttribute(byTestId("csat-opt-2"), "aria-checked"), "true");
      assert.equal(await frame.inputValue(byTestId("comment-input")), "late delivery");
      assert.equal(await frame.$(byTestId("storage-alert")), null, "no storage warning");
      assert.deepEqual(stored(dir), [], "nothing sent before the submit");

      await frame.click(byTestId("channel-opt-phone"));
      const delivered = page.waitForResponse((r) =>
        r.url() === `${manyi}/api/v1/responses` && r.request().method() === "POST");
      await frame.click(byTestId("next"));
      const completed = await event(page, "completed");
      await frame.waitForSelector(byTestId("saved-on-device"));
      assert.equal((await delivered).status(), 200);

      await page.reload();
      await event(page, "ready");
      frame = await readyFrame(page);
      await frame.waitForSelector(byTestId("nps-opt-0"));
      assert.equal(await frame.$(byTestId("resumed")), null, "the draft is gone after the submit");
      const outbox = await storageOf("manyi.outbox.v1");
      assert.deepEqual(JSON.parse((bridge ? outbox.host : outbox.frame) ?? "[]"), [], "the outbox is empty");
      assert.equal((await storageOf(draftKey))[bridge ? "host" : "frame"], null);
      const rows = stored(dir);
      assert.equal(rows.length, 1, "exactly once");
      assert.equal(rows[0].id, completed.response_id);
      assert.deepEqual(rows[0].body.answers, { nps: 3, csat: 2, channel: "phone", comment: "late delivery" });
    }, { browserArgs }));
}

test("examples/portal.html shows every mode under its own policy", () =>
  scenario("example", async ({ manyi, host, page, allow }) => {
    for (const survey of ["csat", "nps", "ces", "rq"]) await allow(survey, [host.origin]);
    // The example names the server of scripts/run.sh; here it is this test's.
    const example = (file) =>
      readFileSync(join(ROOT, "examples", file), "utf8").replaceAll("http://127.0.0.1:8080", manyi);
    host.script("/portal.js", example("portal.js"));
    host.style("/portal.css", example("portal.css"));
    // Its policy is in a <meta> tag, so the page is served without one.
    await page.goto(host.page("/portal.html", example("portal.html")));
    const logged = (text) => page.waitForFunction((text) =>
      [...document.querySelectorAll("#event-log li")].some((li) => li.textContent.startsWith(text)), text);
    await logged("csat ready");
    assert.equal(await page.$eval("#order-survey iframe", (f) => f.title), "问卷");

    await page.click("#rate-support");
    await logged("nps opened");
    await logged("nps ready");
    await page.click('[role="dialog"][aria-modal="true"] button');
    await logged("nps closed");

    const button = await page.waitForSelector('button:text-is("意见反馈")');
    const tab = await page.waitForSelector('button:text-is("会员调查")');
    await button.click();
    await logged("ces ready");
    await button.click();
    await tab.click();
    await logged("rq ready");
    const rq = await (await page.$('iframe[src*="/embed/rq"]')).contentFrame();
    assert.equal(await rq.evaluate(() => document.documentElement.dataset.theme), "dark");
  }));

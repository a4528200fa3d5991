// Closing the loop end to end, against the real server with a fresh SQLite database and a real
// webhook receiver: an administrator registers the receiver in the dashboard and the server
// gets a detractor rule through the API; a detractor answers the NPS survey in the browser; the
// case appears in a case handler's inbox, is assigned, noted (by keyboard) and resolved, with a
// conflict on the way told in words; the receiver gets `response.created`, `case.opened` and
// `case.updated`, each signed as Standard Webhooks says; a redelivery repeats a delivery's id;
// an administrator edits the alert rules, each problem shown under its rule; a customer who
// agreed to be called has a tel: link on the case. Every screen of the loop passes axe.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac, timingSafeEqual } from "node:crypto";
import { mkdtemp, readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { byTestId, killManyi, launch, roleToken, ROOT, screenshot, startManyi, axe, watchErrors } from "./harness.mjs";

const TIMEZONE = "Asia/Shanghai";

const DETRACTOR_RULE = {
  id: "detractor",
  name: "Detractor follow-up",
  when: "nps <= 6",
  severity: "high",
  owner: { meta: "location" },
  service_hours: 24,
};

const env = { dir: "", server: null, base: "", browser: null, tokens: {}, receiver: null, hooks: [] };

/**
 * A webhook receiver on loopback: keeps every request's headers and body as received and
 * answers 204, as a receiver that took the event does.
 */
function startReceiver() {
  const server = createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      env.hooks.push({ path: request.url, headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
      response.writeHead(204).end();
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/**
 * Whether a delivery carries a valid Standard Webhooks signature: an HMAC-SHA256 of
 * `{webhook-id}.{webhook-timestamp}.{body}` keyed with the base64 secret after `whsec_`, sent
 * as `v1,{base64}` (one of the space-separated signatures).
 */
function signedBy(secret, hook) {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const { "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": header } = hook.headers;
  assert.ok(id && timestamp && header, `headers of ${hook.body}`);
  const expected = createHmac("sha256", key).update(`${id}.${timestamp}.${hook.body}`).digest();
  return header.split(" ").some((part) => {
    const [version, signature] = part.split(",");
    const given = Buffer.from(signature ?? "", "base64");
    return version === "v1" && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** The deliveries received of event `type`, as parsed bodies with their headers. */
const received = (type) =>
  env.hooks.map((hook) => ({ ...hook, json: JSON.parse(hook.body) })).filter((hook) => hook.json.type === type);

/** Waits until `condition()` holds, checking every 100 ms, for at most `ms`. */
async function until(condition, what, ms = 30_000) {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > ms) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function api(method, path, token, body) {
  const response = await fetch(`${env.base}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

test.before(async () => {
  env.dir = await mkdtemp(join(tmpdir(), "manyi-loop-"));
  // Loopback is a private address the server refuses to post to unless told otherwise.
  env.server = await startManyi(env.dir, 0, ["--webhook-allow-private"]);
  env.base = env.server.base;
  env.tokens = {
    admin: roleToken(env.dir, "admin", { name: "ada-admin" }),
    handler: roleToken(env.dir, "case_handler", { name: "cal-cases" }),
    analyst: roleToken(env.dir, "analyst", { name: "ann-analyst" }),
  };
  env.receiver = await startReceiver();
  env.browser = await launch();
});

test.after(async () => {
  await env.browser?.close();
  env.receiver?.close();
  if (env.server) await killManyi(env.server);
});

async function newPage({ bypassCSP = false } = {}) {
  // bypassCSP only lets a test inject axe-core; the app never needs it.
  const context = await env.browser.newContext({
    viewport: { width: 1280, height: 800 }, locale: "en-US", timezoneId: TIMEZONE, bypassCSP,
  });
  const page = await context.newPage();
  watchErrors(page);
  return page;
}

async function signIn(page, token) {
  await page.goto(`${env.base}/admin?lang=en`);
  await page.fill(byTestId("token-input"), token);
  await page.click(byTestId("sign-in"));
  await page.waitForSelector(byTestId("survey-table"));
}


const text = (page, selector) => page.textContent(selector).then((t) => t.trim());

test("a detractor's case is handled in the dashboard and every change reaches a signed webhook", async () => {
  // An administrator registers the receiver; its secret is shown once.
  const admin = await newPage({ bypassCSP: true });
  await signIn(admin, env.tokens.admin);
  await admin.click(byTestId("webhooks-link"));
  await admin.waitForSelector(byTestId("no-webhooks"));
  const url = `http://127.0.0.1:${env.receiver.address().port}/hooks/manyi`;
  await admin.fill(byTestId("webhook-url"), url);
  for (const event of ["response.created", "case.opened", "case.updated"]) {
    assert.ok(await admin.isChecked(byTestId(`event-${event}`)), event);
  }
  await admin.click(byTestId("add-webhook"));
  await admin.waitForSelector(byTestId("webhook-secret"));
  const secret = await admin.inputValue(byTestId("webhook-secret"));
  assert.match(secret, /^whsec_[A-Za-z0-9+/]+=*$/);
  await admin.waitForSelector(`${byTestId("webhook-endpoint-url")}:text("${url}")`);
  await axe(admin, "webhooks");

  const rules = await api("PUT", "/surveys/nps/alerts", env.tokens.admin, { rules: [DETRACTOR_RULE] });
  assert.equal(rules.status, 200, JSON.stringify(rules.json));

  // A detractor at the north branch answers in the browser.
  const respondent = await newPage();
  await respondent.goto(`${env.base}/s/nps?lang=en&location=north`);
  await respondent.click(byTestId("nps-opt-3"));
  await respondent.click(byTestId("next"));
  await respondent.waitForSelector(byTestId("thank-you"));
  await until(() => received("case.opened").length === 1, "case.opened");
  await until(() => received("response.created").length === 1, "response.created");
  const caseId = received("case.opened")[0].json.data.id;
  await respondent.context().close();

  // The case handler finds it in the inbox: unassigned to anyone but the branch the rule named.
  const handler = await newPage({ bypassCSP: true });
  await signIn(handler, env.tokens.handler);
  await handler.click(byTestId("cases-link"));
  const row = `${byTestId("case-row")}[data-id="${caseId}"]`;
  await handler.waitForSelector(row);
  assert.equal(await text(handler, `${row} ${byTestId("case-owner")}`), "north");
  assert.equal(await text(handler, `${row} ${byTestId("case-status")}`), "Open");
  assert.equal(await text(handler, `${row} ${byTestId("case-severity")}`), "High");
  assert.equal(await text(handler, `${row} ${byTestId("case-link")}`), "Detractor follow-up");
  assert.equal(await handler.getAttribute(row, "data-overdue"), "false");
  await handler.waitForSelector(`${byTestId("loop-opened-value")}:text("1")`);
  await screenshot(handler, "loop-inbox");
  await axe(handler, "inbox");

  await handler.click(`${row} ${byTestId("case-link")}`);
  await handler.waitForSelector(byTestId("case"));
  const nps = `${byTestId("answer-row")}[data-question="nps"]`;
  await handler.waitForSelector(`${nps} th:text("How likely are you to recommend us to a friend or colleague?")`);
  assert.equal(await text(handler, `${nps} ${byTestId("answer-value")}`), "3");
  assert.equal(await text(handler, byTestId("case-owner")), "north");
  await handler.waitForSelector(byTestId("case-no-contact"));

  // Assigned to a desk.
  await handler.fill(byTestId("assign-owner"), "desk-3");
  await handler.click(byTestId("assign"));
  await handler.waitForSelector(`${byTestId("case-owner")}:text("desk-3")`);
  await handler.waitForSelector(`${byTestId("case-outcome")}[data-ok="true"]`);

  // A note written and sent by keyboard alone.
  await handler.focus(byTestId("note-text"));
  await handler.keyboard.type("Called the customer and apologised; refund offered.");
  await handler.keyboard.press("Tab");
  await handler.keyboard.press("Space");
  assert.ok(await handler.isChecked(byTestId("note-contacted")));
  await handler.keyboard.press("Tab");
  await handler.keyboard.press("Enter");
  await handler.waitForSelector(`${byTestId("timeline-event")}[data-kind="note"]`);
  assert.match(
    await text(handler, `${byTestId("timeline-event")}[data-kind="note"] ${byTestId("timeline-what")}`),
    /^Note \(customer contacted\): Called the customer and apologised; refund offered\.$/,
  );
  assert.equal(await handler.inputValue(byTestId("note-text")), "");
  await handler.waitForSelector(`${byTestId("case-contacted")}:text("Customer contacted")`);

  // Meanwhile someone else takes the case on; resolving it from "open" is refused in words,
  // the case is read again, and the resolution typed is kept for the next try.
  const moved = await api("POST", `/cases/${caseId}/events`, env.tokens.admin, { kind: "status", to: "in_progress" });
  assert.equal(moved.status, 200, JSON.stringify(moved.json));
  await handler.selectOption(byTestId("status-to"), "resolved");
  await handler.fill(byTestId("status-resolution"), "Refunded the delivery fee.");
  await handler.click(byTestId("change-status"));
  await handler.waitForSelector(`${byTestId("case-outcome")}[data-code="case_conflict"]`);
  assert.match(await text(handler, byTestId("case-outcome")), /^Someone changed this case meanwhile.*The server says: /);
  await handler.waitForSelector(`${byTestId("case")}[data-status="in_progress"]`);
  assert.equal(await handler.inputValue(byTestId("status-resolution")), "Refunded the delivery fee.");
  await handler.click(byTestId("change-status"));
  await handler.waitForSelector(`${byTestId("case")}[data-status="resolved"]`);
  assert.equal(await text(handler, byTestId("case-resolution")), "Refunded the delivery fee.");
  assert.equal(await text(handler, byTestId("case-status")), "Resolved");
  const kinds = await handler.$$eval('[data-testid="timeline-event"]', (rows) => rows.map((r) => r.dataset.kind));
  assert.deepEqual(kinds, ["opened", "assigned", "note", "status_changed", "status_changed"]);
  await screenshot(handler, "loop-case");
  await axe(handler, "case");

  // Resolved, it leaves the work list and shows under its status; the figures count it.
  await handler.click(byTestId("back-to-cases"));
  await handler.waitForSelector(byTestId("no-cases"));
  await handler.selectOption(byTestId("filter-status"), "resolved");
  await handler.click(byTestId("apply-case-filters"));
  await handler.waitForSelector(`${row}[data-status="resolved"]`);
  assert.match(handler.url(), /status=resolved/);
  await handler.waitForSelector(`${byTestId("loop-resolved-value")}:text("1")`);
  assert.equal(await text(handler, byTestId("loop-complaint-value")), "100.0 %");
  assert.equal(await text(handler, byTestId("loop-closed-loop-value")), "100.0 %");
  assert.equal(await text(handler, byTestId("loop-sla-value")), "100.0 %");
  assert.match(await text(handler, byTestId("loop-first-action-value")), /\(n = 1\)$/);
  assert.match(await text(handler, byTestId("loop-resolution-value")), /\(n = 1\)$/);
  await handler.waitForSelector(byTestId("no-backlog"));

  // Four changes, four case.updated deliveries; every delivery is signed with the secret.
  await until(() => received("case.updated").length === 4, "four case.updated deliveries");
  for (const hook of env.hooks) {
    assert.equal(hook.path, "/hooks/manyi");
    assert.ok(signedBy(secret, hook), `a valid signature on ${hook.body}`);
    assert.ok(!signedBy(`whsec_${Buffer.from("another key").toString("base64")}`, hook));
  }
  const created = received("response.created")[0].json.data;
  assert.equal(created.response.survey_id, "nps");
  assert.deepEqual(created.response.meta, { location: "north" });
  assert.equal(created.scores.nps.category, "detractor");
  assert.equal(received("case.opened")[0].json.data.owner, "north");

  // The administrator sees the deliveries and sends one again: the same webhook-id arrives.
  await admin.reload();
  await admin.waitForSelector(`${byTestId("delivery-row")}[data-event="case.opened"][data-status="delivered"]`);
  const firstId = received("case.opened")[0].headers["webhook-id"];
  await admin.click(`${byTestId("delivery-row")}[data-event="case.opened"] ${byTestId("redeliver")}`);
  await until(() => received("case.opened").length === 2, "the redelivery");
  assert.equal(received("case.opened")[1].headers["webhook-id"], firstId);
  assert.ok(signedBy(secret, received("case.opened")[1]));

  for (const page of [admin, handler]) {
    assert.deepEqual(page.errors.filter((e) => !e.includes("status of 409")), []);
    await page.context().close();
  }
});

test("an analyst reads the case without the forms, and local-only mode offers no cases", async () => {
  const page = await newPage();
  await signIn(page, env.tokens.analyst);
  await page.click(byTestId("cases-link"));
  // The resolved case has left the work list the link opens on.
  await page.waitForSelector(byTestId("no-cases"));
  await page.selectOption(byTestId("filter-status"), "");
  await page.click(byTestId("apply-case-filters"));
  await page.click(`${byTestId("case-row")} ${byTestId("case-link")}`);
  await page.waitForSelector(byTestId("case-read-only"));
  for (const id of ["note-form", "assign-form", "status-form", "webhooks-link"]) {
    assert.equal(await page.$(byTestId(id)), null, `${id} is offered`);
  }
  assert.deepEqual(page.errors, []);

  await page.click(byTestId("sign-out"));
  await page.click(byTestId("local-only"));
  await page.waitForSelector(byTestId("admin-mode"));
  assert.equal(await page.$(byTestId("cases-link")), null);
  await page.goto(`${env.base}/admin/cases?lang=en`);
  await page.waitForSelector(byTestId("no-cases-role"));
  await page.context().close();
});

test("alert rules are edited on the survey's management page, each problem under its rule", async () => {
  const page = await newPage({ bypassCSP: true });
  await signIn(page, env.tokens.admin);
  await page.goto(`${env.base}/admin/s/nps/manage?lang=en`);
  const first = byTestId("alert-rule-0");
  await page.waitForSelector(`${first} ${byTestId("rule-id")}`);
  assert.equal(await page.inputValue(`${first} ${byTestId("rule-id")}`), "detractor");
  assert.equal(await page.inputValue(`${first} ${byTestId("rule-owner-from")}`), "meta");

  await page.click(byTestId("add-rule"));
  const second = byTestId("alert-rule-1");
  await page.fill(`${second} ${byTestId("rule-id")}`, "angry");
  await page.fill(`${second} ${byTestId("rule-name")}`, "Very unhappy");
  await page.fill(`${second} ${byTestId("rule-when")}`, "nps <= 2 and mood == 1");
  await page.selectOption(`${second} ${byTestId("rule-severity")}`, "critical");
  await page.selectOption(`${second} ${byTestId("rule-owner-from")}`, "fixed");
  await page.fill(`${second} ${byTestId("rule-owner")}`, "complaints desk");
  await page.fill(`${second} ${byTestId("rule-hours")}`, "4");
  await page.click(byTestId("save-rules"));
  await page.waitForSelector(byTestId("rules-invalid"));
  const problem = `${second} ${byTestId("rule-problems-item")}`;
  assert.match(await text(page, problem), /^\$\.rules\[1\]\.when .*mood.*\(at character \d+\)$/);
  assert.equal(await page.$(`${first} ${byTestId("rule-problems")}`), null);
  await axe(page, "alert rules");

  await page.fill(`${second} ${byTestId("rule-when")}`, "nps <= 2");
  await page.click(byTestId("save-rules"));
  await page.waitForSelector(`${byTestId("rules-saved")}:text("Saved 2 rule(s).")`);
  const stored = await api("GET", "/surveys/nps/alerts", env.tokens.admin);
  assert.deepEqual(stored.json.rules[1], {
    id: "angry", name: "Very unhappy", when: "nps <= 2", severity: "critical",
    owner: { fixed: "complaints desk" }, service_hours: 4,
  });

  // Removing the rule and saving leaves the first alone.
  await page.click(`${second} ${byTestId("remove-rule")}`);
  await page.click(byTestId("save-rules"));
  await page.waitForSelector(`${byTestId("rules-saved")}:text("Saved 1 rule(s).")`);
  assert.deepEqual((await api("GET", "/surveys/nps/alerts", env.tokens.admin)).json.rules, [DETRACTOR_RULE]);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("a customer who agreed to be called is one click away on the case's page", async () => {
  const survey = JSON.parse(await readFile(join(ROOT, "examples", "follow-up.json"), "utf8"));
  const published = await api("POST", "/surveys", env.tokens.admin, survey);
  assert.equal(published.status, 201, JSON.stringify(published.json));
  const rule = { ...DETRACTOR_RULE, owner: { fixed: "call centre" } };
  assert.equal((await api("PUT", "/surveys/follow-up/alerts", env.tokens.admin, { rules: [rule] })).status, 200);

  const respondent = await newPage();
  await respondent.goto(`${env.base}/s/follow-up?lang=en`);
  await respondent.click(byTestId("nps-opt-2"));
  await respondent.click(byTestId("contact-opt-yes"));
  await respondent.click(byTestId("contact-method-opt-phone"));
  await respondent.fill(byTestId("contact-value"), "+86 138 1234 5678");
  await respondent.click(byTestId("best_time-opt-evening"));
  await respondent.click(byTestId("next"));
  await respondent.waitForSelector(byTestId("thank-you"));
  await until(() => received("case.opened").some((hook) => hook.json.data.survey_id === "follow-up"), "the case");
  await respondent.context().close();

  const page = await newPage();
  await signIn(page, env.tokens.handler);
  await page.goto(`${env.base}/admin/cases?lang=en&survey=follow-up`);
  const row = `${byTestId("case-row")}[data-status="open"]`;
  await page.waitForSelector(row);
  assert.equal(await page.inputValue(byTestId("filter-survey")), "follow-up");
  assert.equal(await text(page, `${row} ${byTestId("case-owner")}`), "call centre");
  await page.click(`${row} ${byTestId("case-link")}`);
  await page.waitForSelector(`${byTestId("case-contact")}[data-method="phone"]`);
  assert.equal(await page.getAttribute(byTestId("case-contact-link"), "href"), "tel:+8613812345678");
  assert.equal(await text(page, byTestId("case-contact-link")), "+86 138 1234 5678");
  const contact = `${byTestId("answer-row")}[data-question="contact"] ${byTestId("answer-value")}`;
  assert.equal(await text(page, contact), "Yes, you may contact me — +86 138 1234 5678");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

// The dashboard follows the staff token's role, against the real server with a fresh SQLite
// database: each role is offered what `manyi_api::Role::may` allows it and sees a line where
// something is left out; a refusal the server makes anyway shows the server's message; a
// restored sign-in reads its token again; an administrator reads the audit log page, paged.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { byTestId, killManyi, launch, roleToken, screenshot, startManyi, axe, watchErrors } from "./harness.mjs";

const TIMEZONE = "Asia/Shanghai";

const SURVEY = {
  id: "dash",
  version: 1,
  title: { en: "Roles test" },
  default_locale: "en",
  pages: [{
    id: "p1",
    questions: [
      { id: "nps", kind: "nps", text: "Recommend?", metric: "nps" },
      { id: "comment", kind: "text", text: "Anything else?" },
    ],
  }],
};

const RESPONSES = [0, 1, 2, 3].map((i) => ({
  id: `7a1c2a3b-4d5e-4f60-8a7b-${String(i).padStart(12, "0")}`,
  survey_id: "dash",
  survey_version: 1,
  submitted_at: `2026-02-0${i + 1}T12:00:00+08:00`,
  locale: "en",
  answers: { nps: 6 + i, comment: `remark ${i}` },
}));

const env = { dir: "", server: null, base: "", browser: null, tokens: {} };

test.before(async () => {
  env.dir = await mkdtemp(join(tmpdir(), "manyi-roles-"));
  env.server = await startManyi(env.dir);
  env.base = env.server.base;
  env.tokens = {
    admin: roleToken(env.dir, "admin", { name: "ada-admin" }),
    editor: roleToken(env.dir, "editor", { name: "eve-editor" }),
    scopedEditor: roleToken(env.dir, "editor", { name: "sam-scoped", surveys: ["dash"] }),
    analyst: roleToken(env.dir, "analyst", { name: "ann-analyst" }),
    caseHandler: roleToken(env.dir, "case_handler", { name: "cal-cases" }),
  };
  const published = await fetch(`${env.base}/api/v1/surveys`, {
    method: "POST",
    headers: { authorization: `Bearer ${env.tokens.admin}`, "content-type": "application/json" },
    body: JSON.stringify(SURVEY),
  });
  assert.equal(published.status, 201, await published.text());
  const sent = await fetch(`${env.base}/api/v1/responses`, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(RESPONSES),
  });
  assert.equal((await sent.json()).accepted, RESPONSES.length);
  env.browser = await launch();
});

test.after(async () => {
  await env.browser?.close();
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

async function signIn(page, token, lang = "en") {
  await page.goto(`${env.base}/admin?lang=${lang}`);
  await page.fill(byTestId("token-input"), token);
  await page.click(byTestId("sign-in"));
  await page.waitForSelector(byTestId("survey-table"));
}


const text = (page, id) => page.textContent(byTestId(id)).then((t) => t.trim());
const absent = async (page, id) => assert.equal(await page.$(byTestId(id)), null, `${id} is shown`);

test("an analyst reads reports, answers and exports but publishes nothing and changes no settings", async () => {
  const page = await newPage();
  await signIn(page, env.tokens.analyst);
  assert.equal(await text(page, "staff-identity"), "Signed in as ann-analyst (analyst)");
  assert.equal(await page.getAttribute(byTestId("staff-identity"), "data-role"), "analyst");
  for (const id of ["new-survey", "manage-dash", "audit-link", "no-reports"]) await absent(page, id);

  await page.click(byTestId("open-dash"));
  await page.waitForSelector(byTestId("overview"));
  await page.waitForFunction(
    (n) => document.querySelectorAll('[data-testid="text-answer"]').length === n, RESPONSES.length,
  );
  await page.waitForSelector(byTestId("export-csv"));
  await page.waitForSelector(byTestId("targets-read-only"));
  for (const id of ["add-target", "manage-link", "no-answers"]) await absent(page, id);
  await screenshot(page, "admin-analyst-overview-1280x800");

  // The management screen, reached by its address: no publishing, origins read-only.
  await page.goto(`${env.base}/admin/s/dash/manage?lang=en`);
  await page.waitForSelector(byTestId("no-publish"));
  await page.waitForSelector(byTestId("origins-read-only"));
  assert.equal(await page.getAttribute(byTestId("origins-text"), "readonly"), "");
  for (const id of ["publish", "definition-text", "save-origins"]) await absent(page, id);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("an editor publishes and sets targets and origins but reads no answers or exports", async () => {
  const page = await newPage();
  await signIn(page, env.tokens.editor);
  assert.equal(await text(page, "staff-identity"), "Signed in as eve-editor (editor)");
  await page.waitForSelector(byTestId("new-survey"));
  await page.waitForSelector(byTestId("manage-dash"));
  await absent(page, "audit-link");

  await page.click(byTestId("open-dash"));
  await page.waitForSelector(byTestId("overview"));
  await page.waitForSelector(byTestId("no-answers"));
  await page.waitForSelector(byTestId("add-target"));
  for (const id of ["texts", "text-search", "export-csv", "export-json", "targets-read-only"]) {
    await absent(page, id);
  }

  await page.click(byTestId("manage-link"));
  await page.waitForSelector(byTestId("publish"));
  await page.waitForSelector(byTestId("save-origins"));
  await absent(page, "no-publish");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("a refusal the server makes anyway shows its message", async () => {
  // An editor limited to `dash` is offered a new survey; the server refuses another id.
  const page = await newPage();
  await signIn(page, env.tokens.scopedEditor);
  assert.match(await text(page, "staff-scope"), /Limited to the surveys dash/);
  await page.click(byTestId("new-survey"));
  await page.waitForSelector(byTestId("definition-text"));
  await page.fill(byTestId("definition-text"), JSON.stringify({ ...SURVEY, id: "elsewhere" }));
  await page.click(byTestId("publish"));
  await page.waitForSelector(`${byTestId("publish-errors")}[data-refused="true"]`);
  assert.match(
    await text(page, "publish-errors"),
    /^This token may not do this\. The server says: this token is limited to the surveys dash; it may not act on "elsewhere"$/,
  );
  // The refused request is the browser's logged 403, nothing else.
  assert.deepEqual(page.errors.filter((e) => !e.includes("status of 403")), []);
  await page.context().close();
});

test("a role changed on the server is refused with its message, and a reload follows it", async () => {
  const name = "rhea-changing";
  const token = roleToken(env.dir, "analyst", { name });
  const page = await newPage();
  await signIn(page, token);
  await page.click(byTestId("open-dash"));
  await page.waitForSelector(byTestId("texts"));

  execFileSync("python3", ["-c", `
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], timeout=10)
c.execute("UPDATE tokens SET role = 'editor' WHERE name = ?", (sys.argv[2],))
c.commit()
`, join(env.dir, "manyi.db"), name]);

  // The page still offers the answers; the server refuses them now, in its words.
  await page.fill(byTestId("text-search"), "remark");
  await page.click(byTestId("search-texts"));
  await page.waitForSelector(byTestId("texts-error"));
  assert.match(
    await text(page, "texts-error"),
    /The server says: a token with the role editor may not read open-text answers or export responses; a token with the role admin or analyst may$/,
  );

  // The sign-in kept for the session reads its token again: now an editor's dashboard.
  await page.reload();
  await page.waitForSelector(byTestId("no-answers"));
  assert.equal(await text(page, "staff-identity"), `Signed in as ${name} (editor)`);
  assert.deepEqual(page.errors.filter((e) => !e.includes("status of 403")), []);
  await page.context().close();
});

test("a case handler sees the survey list and no report", async () => {
  const page = await newPage({ bypassCSP: true });
  await signIn(page, env.tokens.caseHandler, "zh-CN");
  assert.equal(await text(page, "staff-identity"), "已登录：cal-cases（个案处理员）");
  await page.waitForSelector(byTestId("survey-row-dash"));
  await page.waitForSelector(byTestId("no-reports"));
  assert.equal(await text(page, "no-reports"), "此令牌的角色不包括查看报告。");
  for (const id of ["open-dash", "manage-dash", "new-survey", "audit-link"]) await absent(page, id);
  await axe(page, "a case handler's survey list");

  // An overview's address shows the same line and asks the server for nothing.
  const asked = [];
  page.on("request", (r) => asked.push(new URL(r.url()).pathname));
  await page.goto(`${env.base}/admin/s/dash?lang=en`);
  await page.waitForSelector(byTestId("no-reports"));
  assert.equal(await text(page, "no-reports"), "This token's role does not include reading reports.");
  await absent(page, "overview");
  assert.deepEqual(asked.filter((p) => p.includes("/report") || p.includes("/texts")), []);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("an administrator publishes and finds it in the audit log, paged", async () => {
  const page = await newPage({ bypassCSP: true });
  await signIn(page, env.tokens.admin);
  assert.equal(await text(page, "staff-identity"), "Signed in as ada-admin (administrator)");
  await page.click(byTestId("new-survey"));
  await page.waitForSelector(byTestId("definition-text"));
  await page.fill(byTestId("definition-text"), JSON.stringify({ ...SURVEY, id: "audited", title: { en: "Audited" } }));
  await page.click(byTestId("publish"));
  await page.waitForSelector(byTestId("publish-ok"));

  await page.click(byTestId("audit-link"));
  await page.waitForSelector(byTestId("audit-table"));
  const first = `${byTestId("audit-row")}:first-child`;
  assert.equal(await page.getAttribute(first, "data-action"), "publish");
  assert.equal(await page.textContent(`${first} ${byTestId("audit-actor")}`), "ada-admin");
  assert.equal(await page.textContent(`${first} ${byTestId("audit-survey")}`), "audited");
  assert.equal(await page.textContent(`${first} ${byTestId("audit-action")}`), "published a definition");
  // The time is the server's instant in the browser's zone.
  const auth = { authorization: `Bearer ${env.tokens.admin}` };
  const newest = (await fetch(`${env.base}/api/v1/audit?limit=1`, { headers: auth }).then((r) => r.json())).entries[0];
  assert.equal(await page.getAttribute(first, "data-id"), newest.id);
  const local = new Date(newest.at).toLocaleString("sv-SE", { timeZone: TIMEZONE });
  assert.equal(await page.textContent(`${first} ${byTestId("audit-time")}`), local);

  // More entries than a page: target changes through the API, then "older" pages through all.
  for (let i = 0; i < 50; i++) {
    const put = await fetch(`${env.base}/api/v1/surveys/dash/targets`, {
      method: "PUT", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ targets: [] }),
    });
    assert.equal(put.status, 200);
  }
  const all = (await fetch(`${env.base}/api/v1/audit?limit=500`, { headers: auth }).then((r) => r.json())).entries;
  assert.ok(all.length > 50 && all.length <= 100, String(all.length));
  await page.reload();
  await page.waitForSelector(`${first}[data-id="${all[0].id}"]`);
  const ids = () => page.$$eval('[data-testid="audit-row"]', (rows) => rows.map((r) => r.dataset.id));
  const firstPage = await ids();
  assert.equal(firstPage.length, 50);
  await page.click(byTestId("audit-older"));
  await page.waitForSelector(`${first}[data-id="${all[50].id}"]`);
  assert.deepEqual([...firstPage, ...(await ids())], all.map((e) => e.id));
  await absent(page, "audit-older");
  await page.click(byTestId("audit-newest"));
  await page.waitForSelector(`${first}[data-id="${all[0].id}"]`);
  await screenshot(page, "admin-audit-1280x800");
  await axe(page, "audit log");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("local-only mode has no audit log", async () => {
  const page = await newPage();
  await page.goto(`${env.base}/admin?lang=en`);
  await page.click(byTestId("local-only"));
  await page.waitForSelector(byTestId("admin-mode"));
  await page.waitForSelector(`${byTestId("no-surveys")}, ${byTestId("survey-table")}`);
  for (const id of ["audit-link", "staff-identity"]) await absent(page, id);
  await page.goto(`${env.base}/admin/audit?lang=en`);
  await page.waitForSelector(byTestId("no-audit"));
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

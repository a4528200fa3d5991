// A kiosk's outbox at scale: 20,000 responses queued offline in IndexedDB, the staff's storage
// warning as the quota tightens, a response kept when the quota is full (it waits in local
// storage), and every one delivered once when the network returns.
//
// The first response is a real kiosk session; the other 19,999 are copies of its record with
// fresh ids, written straight into the kiosk's database, because 20,000 sessions through the
// interface would take hours. A test cannot shrink the browser's real quota (the DevTools
// protocol's quota override changes neither `navigator.storage.estimate()` nor what IndexedDB
// accepts in this Chromium), so a tight quota is simulated at the browser API the app reads:
// `estimate()` answers the test's figures, and a full database refuses writes with the
// `QuotaExceededError` the browser would raise.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { byTestId, kioskOutbox, launch, query, startManyi, killManyi, waitPending } from "./harness.mjs";

const QUEUED = 20_000;
const SETTINGS = {
  pin: "2468", counter: "C-99", location: "Capacity hall", language: "en", endpoint: null,
  reset_secs: 1, idle_secs: 60, on_idle: "discard",
};

/** One customer who answers and submits; back on the welcome screen after the reset. */
async function session(page, score) {
  await page.click(byTestId("kiosk-start"));
  await page.click(byTestId(`nps-opt-${score}`));
  await page.click(byTestId("next"));
  await page.waitForSelector(byTestId("thank-you"));
  await page.waitForSelector(byTestId("kiosk-welcome"));
}

/** Copies the one record in the kiosk's database `count` times with fresh response ids. */
function copyRecords(count) {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open("manyi");
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const read = db.transaction("outbox").objectStore("outbox").getAll();
      read.onerror = () => reject(read.error);
      read.onsuccess = () => {
        const [record] = read.result;
        const entry = JSON.parse(record.json);
        const tx = db.transaction("outbox", "readwrite");
        const store = tx.objectStore("outbox");
        let chars = 0;
        for (let i = 0; i < count; i++) {
          entry.response.id = crypto.randomUUID();
          const json = JSON.stringify(entry);
          chars += json.length;
          store.add({ state: record.state, json });
        }
        tx.oncomplete = () => {
          db.close();
          resolve({ jsonBytes: record.json.length, meanJsonBytes: chars / count });
        };
        tx.onerror = () => reject(tx.error);
      };
    };
  });
}

/** Lets the test set the storage figures the page sees and make IndexedDB refuse writes. */
const SIMULATION = `
  window.__estimate = null;
  window.__databaseFull = false;
  const estimate = StorageManager.prototype.estimate;
  StorageManager.prototype.estimate = function () {
    return window.__estimate ? Promise.resolve({ ...window.__estimate }) : estimate.call(this);
  };
  const add = IDBObjectStore.prototype.add;
  IDBObjectStore.prototype.add = function (...args) {
    if (window.__databaseFull) throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
    return add.apply(this, args);
  };`;

const usage = (page) => page.evaluate(() => navigator.storage.estimate().then((e) => e.usage));
const localOutbox = (page) =>
  page.evaluate(() => JSON.parse(localStorage.getItem("manyi.outbox.v1") ?? "[]"));

test("a kiosk queues 20,000 responses offline, warns staff as storage fills, and delivers all", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "manyi-capacity-"));
  const server = await startManyi(dir);
  const browser = await launch();
  try {
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
    await context.addInitScript(`if (!localStorage.getItem("manyi.kiosk.v1"))
      localStorage.setItem("manyi.kiosk.v1", ${JSON.stringify(JSON.stringify(SETTINGS))})`);
    await context.addInitScript(SIMULATION);
    const page = await context.newPage();
    const simulate = (figures, databaseFull = false) => page.evaluate(([figures, databaseFull]) => {
      window.__estimate = figures;
      window.__databaseFull = databaseFull;
    }, [figures, databaseFull]);
    await page.goto(`${server.base}/kiosk/nps`);
    await page.waitForSelector(byTestId("kiosk-welcome"));
    await context.setOffline(true);

    // The browser's real figures (gigabytes of quota here): no warning.
    await session(page, 9);
    await waitPending(page, 1);
    const empty = await usage(page);
    const copied = await page.evaluate(copyRecords, QUEUED - 1);
    const full = await usage(page);
    await session(page, 10);
    await waitPending(page, QUEUED + 1);
    assert.equal(await page.isVisible(byTestId("kiosk-storage-warning")), false);
    const perResponse = (full - empty) / (QUEUED - 1);
    t.diagnostic(`record JSON ${copied.jsonBytes} B; IndexedDB usage ${empty} B → ${full} B, ` +
      `${perResponse.toFixed(0)} B per response (estimate() after ${QUEUED} records)`);
    assert.ok(perResponse < 2_000, `${perResponse} B per response is over kiosk::BYTES_PER_RESPONSE`);

    // 5 MB left of 25 MB, room for 2,500 more at 2,000 B each: staff are warned.
    await simulate({ usage: 20_000_000, quota: 25_000_000 });
    await session(page, 8);
    await waitPending(page, QUEUED + 2);
    await page.waitForSelector(`${byTestId("kiosk-storage-warning")}[data-level="low"]`);
    assert.equal(await page.textContent(byTestId("kiosk-storage-warning")),
      "Storage 80% used: room for about 2,500 more responses. Connect the kiosk to the network so they can be sent.");

    // Room for 250: urgent.
    await simulate({ usage: 24_500_000, quota: 25_000_000 });
    await session(page, 7);
    await waitPending(page, QUEUED + 3);
    await page.waitForSelector(`${byTestId("kiosk-storage-warning")}[data-level="critical"]`);
    assert.match(await page.textContent(byTestId("kiosk-storage-warning")), /98% used: room for about 250 more/);

    // Full: the database refuses the write, local storage keeps the response.
    await simulate({ usage: 25_000_000, quota: 25_000_000 }, true);
    await session(page, 6);
    await waitPending(page, QUEUED + 4);
    const spilled = await localOutbox(page);
    assert.equal(spilled.length, 1, "the response refused by the full database waits in local storage");
    assert.equal(spilled[0].response.answers.nps, 6);
    assert.equal(query(dir, "select count(*) from responses")[0][0], 0, "nothing sent while offline");

    // Back online with room again: everything arrives, once.
    await simulate(null);
    const started = Date.now();
    await context.setOffline(false);
    await page.waitForSelector('[data-testid="kiosk-status"][data-pending="0"]', { timeout: 600_000 });
    t.diagnostic(`${QUEUED + 4} responses delivered in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
      `(batches of 500 to a debug build of the server)`);
    const [[rows, distinct, tagged]] = query(dir, `select count(*), count(distinct id),
      sum(json_extract(body, '$.meta.counter') = 'C-99') from responses`);
    assert.deepEqual([rows, distinct, tagged], [QUEUED + 4, QUEUED + 4, QUEUED + 4]);
    assert.deepEqual(await kioskOutbox(page), []);
    assert.deepEqual(await localOutbox(page), []);
    await context.close();
  } finally {
    await browser.close();
    await killManyi(server);
  }
});

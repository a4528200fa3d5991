// Starts the app from an external module rather than an inline script, so a strict
// Content-Security-Policy without 'unsafe-inline' can serve it.
//
// A respondent follows a survey's link (/s/{id}) and downloads only the survey runner; the
// embed screen in another site's frame (/embed/{id}) and the counter kiosk are bundles of their
// own, and the device's home page, results and dashboard are the staff's. The paths must match
// `nav::Bundle::of`.
const under = (root) => location.pathname === root || location.pathname.startsWith(`${root}/`);
// A survey that needs SurveyJS conditions or pattern validators runs in the respondent's full
// bundle: the server says so in the page, or the usual bundle found such a survey on this device
// and asked for the full one for the rest of the tab's session (`nav::use_full_runner`).
const full = () => {
  if (document.querySelector('meta[name="manyi-runner"]')?.content === "full") return true;
  try {
    return sessionStorage.getItem("manyi.runner") === "full";
  } catch {
    return false;
  }
};
const name = under("/s")
  ? full()
    ? "manyi-app-full"
    : "manyi-app"
  : under("/embed")
    ? "manyi-embed"
    : under("/kiosk")
      ? "manyi-kiosk"
      : "manyi-staff";

// What the page says when the app cannot start (its files did not arrive) or has stopped (a
// release build traps on a panic, after which the wasm must not be called again). The app's own
// strings are in the wasm, which is exactly what is missing here, so these few live in this
// file. The language is chosen as the app chooses it (`locale::ui_lang`): `?lang`, then the
// browser's languages, then Simplified Chinese.
const TEXT = {
  "zh-CN": ["页面未能加载。请检查网络连接，然后重新加载。", "页面出了问题。请重新加载以继续。", "重新加载"],
  "zh-TW": ["頁面未能載入。請檢查網路連線，然後重新載入。", "頁面發生問題。請重新載入以繼續。", "重新載入"],
  en: ["This page could not be loaded. Check the connection, then reload.", "Something went wrong on this page. Reload it to continue.", "Reload"],
};
const langOf = (tag) => {
  const [first, ...rest] = (tag || "").toLowerCase().split(/[-_]/);
  if (first === "en") return "en";
  if (first !== "zh") return null;
  return rest.some((p) => ["tw", "hk", "mo", "hant"].includes(p)) ? "zh-TW" : "zh-CN";
};
let shown = false;
const stop = (crashed) => {
  if (shown) return;
  shown = true;
  const lang =
    [new URLSearchParams(location.search).get("lang"), ...navigator.languages].map(langOf).find(Boolean) ||
    "zh-CN";
  const [failed, broken, reload] = TEXT[lang];
  // Whatever the app had drawn is dead: it stays visible behind the message but can no longer
  // be reached by keyboard or pointer.
  for (const el of document.body.children) el.inert = true;
  const box = document.createElement("div");
  box.className = "boot-alert";
  box.setAttribute("role", "alert");
  box.dataset.testid = crashed ? "app-stopped" : "load-failed";
  const text = document.createElement("p");
  text.textContent = crashed ? broken : failed;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button primary";
  button.dataset.testid = "reload";
  button.textContent = reload;
  button.onclick = () => location.reload();
  box.append(text, button);
  document.documentElement.lang = lang;
  document.body.prepend(box);
  button.focus();
};
const trapped = (error) => error instanceof WebAssembly.RuntimeError;
addEventListener("error", (event) => trapped(event.error) && stop(true));
addEventListener("unhandledrejection", (event) => trapped(event.reason) && stop(true));

try {
  // A survey page the server drew (`manyi-server`'s prerender) shows its first question, and
  // takes answers to it (public/early.js), without the app. The app's files are asked for once
  // that question is painted, so they do not take the network from the page's stylesheet on a
  // slow connection. A page in a background tab draws no frames; it waits a moment instead.
  if (document.querySelector("main[data-prerendered]")) {
    await new Promise((painted) => {
      requestAnimationFrame(() => setTimeout(painted));
      setTimeout(painted, 200);
    });
  }
  // The wasm is requested before the glue module that instantiates it has loaded, so the two
  // downloads overlap instead of following each other; `init` accepts the pending response.
  const wasm = fetch(`/${name}_bg.wasm`).then((response) => {
    if (!response.ok) throw new Error(`${response.status} for ${response.url}`);
    return response;
  });
  // Handled by `init` below; marking it handled now keeps a failure that arrives before the glue
  // module from being reported as an unhandled rejection.
  wasm.catch(() => {});
  const { default: init } = await import(`/${name}.js`);
  await init({ module_or_path: wasm });
  // The app is running (on a drawn survey page, off the document until it takes over).
  document.documentElement.dataset.started = "";
} catch (error) {
  // A trap while starting is a stopped app; anything else means the files did not arrive whole.
  console.warn("the app did not start:", error);
  stop(trapped(error));
}

// A kiosk must start with the server out of reach, so its pages install the service worker
// (dist/sw.js, written by scripts/build-sw.mjs). Other pages do without: a respondent on the
// web is online when following a survey link.
if (name === "manyi-kiosk" && "serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js").catch((error) => console.warn("no offline start:", error));
}

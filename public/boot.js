// Starts the app from an external module rather than an inline script, so a strict
// Content-Security-Policy without 'unsafe-inline' can serve it.
//
// The staff's pages (results, dashboard) and the counter kiosk are bundles of their own, so a
// respondent downloads only the survey runner. The paths must match `nav::Bundle::of`.
const under = (root) => location.pathname === root || location.pathname.startsWith(`${root}/`);
const name = under("/results") || under("/admin")
  ? "manyi-staff"
  : under("/kiosk")
    ? "manyi-kiosk"
    : "manyi-app";
const { default: init } = await import(`/${name}.js`);
init({ module_or_path: `/${name}_bg.wasm` });

// A kiosk must start with the server out of reach, so its pages install the service worker
// (dist/sw.js, written by scripts/build-sw.mjs). Other pages do without: a respondent on the
// web is online when following a survey link.
if (name === "manyi-kiosk" && "serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js").catch((error) => console.warn("no offline start:", error));
}

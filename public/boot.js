// Starts the app from an external module rather than an inline script, so a strict
// Content-Security-Policy without 'unsafe-inline' can serve it.
//
// A respondent follows a survey's link (/s/{id}) and downloads only the survey runner; the
// embed screen in another site's frame (/embed/{id}) and the counter kiosk are bundles of their
// own, and the device's home page, results and dashboard are the staff's. The paths must match
// `nav::Bundle::of`.
const under = (root) => location.pathname === root || location.pathname.startsWith(`${root}/`);
const name = under("/s")
  ? "manyi-app"
  : under("/embed")
    ? "manyi-embed"
    : under("/kiosk")
      ? "manyi-kiosk"
      : "manyi-staff";
// The wasm is requested before the glue module that instantiates it has loaded, so the two
// downloads overlap instead of following each other; `init` accepts the pending response.
const wasm = fetch(`/${name}_bg.wasm`);
const { default: init } = await import(`/${name}.js`);
init({ module_or_path: wasm });

// A kiosk must start with the server out of reach, so its pages install the service worker
// (dist/sw.js, written by scripts/build-sw.mjs). Other pages do without: a respondent on the
// web is online when following a survey link.
if (name === "manyi-kiosk" && "serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js").catch((error) => console.warn("no offline start:", error));
}

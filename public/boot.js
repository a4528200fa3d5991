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

// Starts the app from an external module rather than an inline script, so a strict
// Content-Security-Policy without 'unsafe-inline' can serve it.
//
// The staff's pages (results, dashboard) are a bundle of their own, so a respondent downloads
// only the survey runner. The paths must match `nav::is_staff_path` in the app.
const staff = /^\/(results|admin)(\/|$)/.test(location.pathname);
const name = staff ? "manyi-staff" : "manyi-app";
const { default: init } = await import(`/${name}.js`);
init({ module_or_path: `/${name}_bg.wasm` });

// Starts the app from an external module rather than an inline script, so a strict
// Content-Security-Policy without 'unsafe-inline' can serve it.
import init from "/manyi-app.js";

init({ module_or_path: "/manyi-app_bg.wasm" });

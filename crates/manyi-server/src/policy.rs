//! What every request is held to: how large its body may be, how long it may take, and the
//! `Content-Security-Policy` of the app's pages. The router applies them as layers; the embed
//! page widens the policy's `frame-ancestors` for one survey.

use std::time::Duration;

/// The largest request body accepted (a full batch of long answers fits with room to spare).
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;
/// The `Strict-Transport-Security` value sent with `--hsts`: a year, the value browsers' preload
/// lists ask for, without `includeSubDomains`, since other hosts of the domain are not manyi's to
/// decide.
pub const HSTS: &str = "max-age=31536000";
/// How long one request may take before it is answered with 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The app's policy up to `frame-ancestors`, which differs between ordinary pages and embed
/// pages.
macro_rules! app_csp_head {
    () => {
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; connect-src 'self'; "
    };
}

/// The Content-Security-Policy of the app's pages: no inline scripts, wasm allowed, framed only
/// by the app itself.
pub const APP_CSP: &str = concat!(app_csp_head!(), "frame-ancestors 'self'");

/// The app's policy for a survey page that carries the script making its drawn first question
/// answerable (`public/early.js`, written into the page): that one inline script is allowed by
/// its SHA-256 digest (base64), and no other.
pub fn survey_page_csp(script_sha256: &str) -> String {
    APP_CSP.replacen(
        "script-src 'self'",
        &format!("script-src 'self' 'sha256-{script_sha256}'"),
        1,
    )
}

/// The app's policy for an embed page: framed by the app itself and by `origins`.
pub fn app_csp(origins: &[String]) -> String {
    format!(
        "{}frame-ancestors 'self' {}",
        app_csp_head!(),
        origins.join(" ")
    )
}

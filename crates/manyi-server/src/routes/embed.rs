//! The embed page, `/embed/{survey_id}`: the app (its `index.html`) with a
//! `Content-Security-Policy` whose `frame-ancestors` lists the survey's allowed origins, so only
//! those sites can show it in a frame. A survey that may not be embedded gets a small
//! server-rendered refusal instead of the app, framable anywhere so the host site's visitors
//! see why the frame is empty.
//!
//! Also the loader, `/embed.js`, which host pages include to show the embed page in a frame.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::ServeFile;

use crate::error::AppError;
use crate::extract::ApiPath;
use crate::policy::app_csp;
use crate::state::AppState;

/// The refusal page's policy: nothing loads, no script runs, and any site may frame it.
pub const REFUSAL_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors *";

/// How long browsers and proxies may reuse the loader before asking again: its URL is fixed (host
/// pages link to it), so a new version must reach them within minutes.
pub const LOADER_CACHE_CONTROL: &str = "public, max-age=600";

/// `GET /embed.js` (only when the app is served): the loader, `dist/embed.js`. Any site may
/// load it, also with Subresource Integrity (`crossorigin`) or under
/// `Cross-Origin-Embedder-Policy: require-corp`.
pub async fn loader(State(state): State<AppState>, request: Request) -> Result<Response, AppError> {
    let Some(dist) = state.dist.as_ref() else {
        return Err(AppError::not_found("no such endpoint"));
    };
    // Host pages are many and the loader is on every one of their pages: its compressed copies
    // (scripts/precompress.mjs) go to every browser that accepts them.
    let Ok(file) = ServeFile::new(dist.join("embed.js"))
        .precompressed_br()
        .precompressed_gzip()
        .oneshot(request)
        .await;
    if file.status() == StatusCode::NOT_FOUND {
        return Err(AppError::not_found(
            "the embed loader is not in the built app (scripts/build-app.sh builds it)",
        ));
    }
    let mut response = file.map(Body::new);
    let ok = response.status() == StatusCode::OK;
    let headers = response.headers_mut();
    if ok {
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/javascript; charset=utf-8"),
        );
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(LOADER_CACHE_CONTROL),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::HeaderName::from_static("cross-origin-resource-policy"),
        HeaderValue::from_static("cross-origin"),
    );
    Ok(response)
}

/// `GET /embed/{survey_id}` (only when the app is served).
pub async fn embed_page(
    State(state): State<AppState>,
    ApiPath(survey_id): ApiPath<String>,
    request: Request,
) -> Result<Response, AppError> {
    let Some(dist) = state.dist.as_ref() else {
        return Err(AppError::not_found("no such endpoint"));
    };
    if !state.db.survey_exists(&survey_id).await? {
        return Ok(refusal(
            StatusCode::NOT_FOUND,
            [
                "找不到此问卷。",
                "找不到此問卷。",
                "This survey does not exist.",
            ],
        ));
    }
    let origins = state.db.allowed_origins(&survey_id).await?;
    if origins.is_empty() {
        return Ok(refusal(
            StatusCode::FORBIDDEN,
            [
                "此问卷未开放嵌入。",
                "此問卷未開放嵌入。",
                "This survey is not enabled for embedding on other sites.",
            ],
        ));
    }
    let Ok(page) = ServeFile::new(dist.join("index.html"))
        .oneshot(request)
        .await;
    let mut response = page.map(Body::new);
    let csp = app_csp(&origins);
    // Normalised origins are plain ASCII, so the policy is always a valid header value.
    let csp = HeaderValue::from_str(&csp)
        .map_err(|e| AppError::Internal(format!("embed policy {csp:?}: {e}")))?;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    // The policy follows the list, which staff can change at any time.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(response)
}

/// A page in the three languages of the app, without script.
fn refusal(status: StatusCode, [zh_cn, zh_tw, en]: [&str; 3]) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{zh_cn} / {zh_tw} / {en}</title>\n\
         <style>body{{font-family:system-ui,sans-serif;margin:2rem auto;max-inline-size:32rem;\
         padding-inline:1rem;line-height:1.6;color:#333}}</style>\n</head>\n<body>\n<main>\n\
         <p lang=\"zh-CN\">{zh_cn}</p>\n<p lang=\"zh-TW\">{zh_tw}</p>\n<p lang=\"en\">{en}</p>\n\
         </main>\n</body>\n</html>\n"
    );
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, REFUSAL_CSP),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        html,
    )
        .into_response()
}

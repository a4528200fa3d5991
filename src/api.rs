//! The app's one HTTP client: finding the server, reading survey definitions and sending
//! responses.
//!
//! The app is served either by `manyi serve`, which advertises its API at
//! `/manyi-config.json`, or as static files with no server at all; in that case discovery finds
//! nothing and the app works locally only.

use gloo_net::http::Request;
use manyi_core::Response;
use manyi_core::outbox::IngestReply;
use serde::Deserialize;

/// Why a request to the server failed. Every variant leaves the outbox unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    #[error("the server could not be reached")]
    Network,
    #[error("the server answered {status}: {message}")]
    Status {
        status: u16,
        code: String,
        message: String,
    },
    #[error("the server's reply could not be read: {0}")]
    Decode(String),
}

#[derive(Debug, Deserialize)]
struct Config {
    api: String,
}

#[derive(Debug, Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Debug, Deserialize)]
struct ErrorDetail {
    code: String,
    message: String,
}

thread_local! {
    /// The outcome of discovery once the server (or a static file server) has answered.
    static DISCOVERED: std::cell::RefCell<Option<Option<String>>> =
        const { std::cell::RefCell::new(None) };
}

/// Sends to `api` (an API base such as `https://manyi.example/api/v1`) instead of the server
/// that served the app: a kiosk set up with an endpoint of its own.
pub fn use_endpoint(api: String) {
    DISCOVERED.with(|d| *d.borrow_mut() = Some(Some(api)));
}

/// The API base (such as `/api/v1`) of the server that served the app, or `None` when the app
/// was served without one. The answer is remembered for the page's life; a failed request is
/// not, so discovery is tried again once the network is back.
pub async fn discover() -> Option<String> {
    if let Some(known) = DISCOVERED.with(|d| d.borrow().clone()) {
        return known;
    }
    let response = Request::get("/manyi-config.json").send().await.ok()?;
    // A static server answers unknown paths with the app's HTML page, which is not JSON.
    let found = if response.ok() {
        response.json::<Config>().await.ok().map(|c| c.api)
    } else {
        None
    };
    DISCOVERED.with(|d| *d.borrow_mut() = Some(found.clone()));
    found
}

/// The JSON text of the latest published version of survey `id`, or `None` when the server
/// has no such survey.
pub async fn survey_json(api: &str, id: &str) -> Result<Option<String>, ApiError> {
    let id = String::from(js_sys::encode_uri_component(id));
    let response = Request::get(&format!("{api}/surveys/{id}"))
        .send()
        .await
        .map_err(|_| ApiError::Network)?;
    match response.status() {
        404 => Ok(None),
        _ if response.ok() => response
            .text()
            .await
            .map(Some)
            .map_err(|e| ApiError::Decode(e.to_string())),
        _ => Err(error_of(response).await),
    }
}

/// The origins allowed to embed survey `id` (empty when it may not be embedded).
pub async fn allowed_origins(api: &str, id: &str) -> Result<Vec<String>, ApiError> {
    let id = String::from(js_sys::encode_uri_component(id));
    let response = Request::get(&format!("{api}/surveys/{id}/origins"))
        .send()
        .await
        .map_err(|_| ApiError::Network)?;
    if !response.ok() {
        return Err(error_of(response).await);
    }
    // Read as a plain JSON value, which the bundle decodes anyway, rather than with a struct of
    // its own: the embed screen is in every respondent's bundle.
    let body = response
        .json::<serde_json::Value>()
        .await
        .map_err(|e| ApiError::Decode(e.to_string()))?;
    let list = body["allowed_origins"]
        .as_array()
        .ok_or_else(|| ApiError::Decode("no allowed_origins list".to_owned()))?;
    Ok(list
        .iter()
        .filter_map(|origin| origin.as_str().map(str::to_owned))
        .collect())
}

/// The JSON text of a built-in template, served as a file next to the app, or `None` when it
/// cannot be fetched.
pub async fn template_json(name: &str) -> Option<String> {
    let response = Request::get(&format!("/templates/{name}.json"))
        .send()
        .await
        .ok()?;
    if !response.ok() {
        return None;
    }
    response.text().await.ok()
}

/// Sends a batch of responses; the reply lists a verdict per response, in order.
pub async fn post_responses(api: &str, responses: &[&Response]) -> Result<IngestReply, ApiError> {
    let request = Request::post(&format!("{api}/responses"))
        .json(&responses)
        .map_err(|e| ApiError::Decode(e.to_string()))?;
    let response = request.send().await.map_err(|_| ApiError::Network)?;
    if !response.ok() {
        return Err(error_of(response).await);
    }
    response
        .json::<IngestReply>()
        .await
        .map_err(|e| ApiError::Decode(e.to_string()))
}

/// The error a non-2xx reply stands for, with the server's code and message when it sent them.
async fn error_of(response: gloo_net::http::Response) -> ApiError {
    let status = response.status();
    match response.json::<ErrorBody>().await {
        Ok(body) => ApiError::Status {
            status,
            code: body.error.code,
            message: body.error.message,
        },
        Err(_) => ApiError::Status {
            status,
            code: "http".to_owned(),
            message: response.status_text(),
        },
    }
}

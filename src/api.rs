//! The app's one HTTP client: finding the server and sending responses to it.
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

/// The API base (such as `/api/v1`) of the server that served the app, or `None` when the app
/// was served without one.
pub async fn discover() -> Option<String> {
    let response = Request::get("/manyi-config.json").send().await.ok()?;
    if !response.ok() {
        return None;
    }
    // A static server answers unknown paths with the app's HTML page, which is not JSON.
    response.json::<Config>().await.ok().map(|c| c.api)
}

/// Sends a batch of responses; the reply lists a verdict per response, in order.
pub async fn post_responses(api: &str, responses: &[&Response]) -> Result<IngestReply, ApiError> {
    let request = Request::post(&format!("{api}/responses"))
        .json(&responses)
        .map_err(|e| ApiError::Decode(e.to_string()))?;
    let response = request.send().await.map_err(|_| ApiError::Network)?;
    if !response.ok() {
        let status = response.status();
        return Err(match response.json::<ErrorBody>().await {
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
        });
    }
    response
        .json::<IngestReply>()
        .await
        .map_err(|e| ApiError::Decode(e.to_string()))
}

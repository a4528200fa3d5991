//! The extractors that read a request's body, path and query. Each rejects with the API's own
//! error (`{"error": {"code", "message", "details"}}`), where axum's own extractors would
//! answer in plain text, so a client can rely on one error shape whatever went wrong.

use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::StatusCode;
use manyi_api::ErrorCode;
use serde::de::DeserializeOwned;

use crate::error::AppError;
use crate::policy::MAX_BODY_BYTES;

/// A JSON body: too large → 413 `body_too_large`, unreadable → 400 `unreadable_body`, not JSON
/// of this type → 400 `malformed_json`. Handlers that report a body's problems in their own
/// words (with their own codes) read it as `ApiJson<Value>` and convert it themselves.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::client(StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::BodyTooLarge,
                    format!("the request body is larger than {MAX_BODY_BYTES} bytes; send smaller batches"),
                )
            } else {
                AppError::client(StatusCode::BAD_REQUEST, ErrorCode::UnreadableBody, rejection.body_text())
            }
        })?;
        serde_json::from_slice(&bytes).map(ApiJson).map_err(|e| {
            AppError::client(
                StatusCode::BAD_REQUEST,
                ErrorCode::MalformedJson,
                format!("the body is not valid JSON: {e}"),
            )
        })
    }
}

/// A path parameter read with the API's own error (`invalid_path`), where axum's rejection (a
/// parameter that is not UTF-8 once decoded) would answer in plain text.
#[derive(Debug, FromRequestParts)]
#[from_request(via(Path), rejection(AppError))]
pub struct ApiPath<T>(pub T);

impl From<PathRejection> for AppError {
    fn from(rejection: PathRejection) -> AppError {
        // A route whose pattern and extractor disagree is the server's fault, not the client's.
        if rejection.status().is_server_error() {
            AppError::Internal(rejection.body_text())
        } else {
            AppError::client(
                StatusCode::BAD_REQUEST,
                ErrorCode::InvalidPath,
                rejection.body_text(),
            )
        }
    }
}

/// A query string read with the API's own error (`invalid_query`), where axum's rejection (a
/// repeated or unreadable parameter) would answer in plain text.
#[derive(Debug, FromRequestParts)]
#[from_request(via(Query), rejection(AppError))]
pub struct ApiQuery<T>(pub T);

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> AppError {
        invalid_query(rejection.body_text())
    }
}

/// The error for a query that does not read, or that reads but asks for something that does not
/// exist (an unknown format, a date that is no date): handlers that read a parameter further
/// answer with the same code as [`ApiQuery`].
pub fn invalid_query(message: impl Into<String>) -> AppError {
    AppError::client(StatusCode::BAD_REQUEST, ErrorCode::InvalidQuery, message)
}

//! The API's one error type. Every failure leaves as `{"error": {"code", "message", "details"}}`
//! with a fitting status; internal failures are logged and described only as internal, so no
//! database message or path ever reaches a client.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use manyi_api::{ErrorBody, ErrorCode, ErrorInfo};
use serde_json::Value;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A client error with a stable machine-readable code.
    #[error("{message}")]
    Client {
        status: StatusCode,
        code: ErrorCode,
        message: String,
        details: Option<Value>,
    },
    /// Anything the client cannot fix; the cause is logged, not sent.
    #[error("internal error: {0}")]
    Internal(String),
    /// A server set up wrongly (such as a database that cannot be opened), told to whoever
    /// starts it in a sentence of its own. Only startup meets it; a client would be told no
    /// more than of an internal error.
    #[error("{0}")]
    Config(String),
}

impl AppError {
    pub fn client(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> AppError {
        AppError::Client {
            status,
            code,
            message: message.into(),
            details: None,
        }
    }

    pub fn with_details(self, details: Value) -> AppError {
        match self {
            AppError::Client {
                status,
                code,
                message,
                ..
            } => AppError::Client {
                status,
                code,
                message,
                details: Some(details),
            },
            internal => internal,
        }
    }

    pub fn not_found(what: impl Into<String>) -> AppError {
        AppError::client(StatusCode::NOT_FOUND, ErrorCode::NotFound, what)
    }
}

/// A query option that does not read is the client's to fix: 400 `invalid_query`.
impl From<manyi_api::QueryError> for AppError {
    fn from(error: manyi_api::QueryError) -> AppError {
        AppError::client(StatusCode::BAD_REQUEST, ErrorCode::InvalidQuery, error.0)
    }
}

impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> AppError {
        AppError::Internal(format!("database: {error}"))
    }
}

impl From<sqlx::migrate::MigrateError> for AppError {
    fn from(error: sqlx::migrate::MigrateError) -> AppError {
        AppError::Internal(format!("migration: {error}"))
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code, message, details) = match self {
            AppError::Client {
                status,
                code,
                message,
                details,
            } => (status, code, message, details),
            AppError::Internal(cause) | AppError::Config(cause) => {
                tracing::error!(%cause, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorCode::Internal,
                    "something went wrong on the server; the request can be retried".to_owned(),
                    None,
                )
            }
        };
        // Details are plain JSON values made by the server, so writing them cannot fail.
        let details = details.and_then(|d| serde_json::value::to_raw_value(&d).ok());
        let body = ErrorBody {
            error: ErrorInfo {
                code,
                message,
                details,
            },
        };
        (status, Json(body)).into_response()
    }
}

/// Middleware for the whole router: a 405 that the router or the file service made itself
/// (with an `Allow` header and no body) becomes the API's JSON error, keeping `Allow`, so every
/// error reply has the one shape.
pub async fn json_method_not_allowed(response: Response) -> Response {
    if response.status() != StatusCode::METHOD_NOT_ALLOWED
        || response.headers().contains_key(header::CONTENT_TYPE)
    {
        return response;
    }
    let mut reply = AppError::client(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        "this endpoint does not take this method; the Allow header lists those it takes",
    )
    .into_response();
    if let Some(allow) = response.headers().get(header::ALLOW) {
        reply.headers_mut().insert(header::ALLOW, allow.clone());
    }
    reply
}

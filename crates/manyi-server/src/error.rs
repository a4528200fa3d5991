//! The API's one error type. Every failure leaves as `{"error": {"code", "message", "details"}}`
//! with a fitting status; internal failures are logged and described only as internal, so no
//! database message or path ever reaches a client.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A client error with a stable machine-readable code.
    #[error("{message}")]
    Client {
        status: StatusCode,
        code: &'static str,
        message: String,
        details: Option<Value>,
    },
    /// Anything the client cannot fix; the cause is logged, not sent.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn client(status: StatusCode, code: &'static str, message: impl Into<String>) -> AppError {
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
        AppError::client(StatusCode::NOT_FOUND, "not_found", what)
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

/// The body of every error reply. The OpenAPI document describes errors with this type and
/// `AppError` writes it, so the two cannot disagree.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorInfo,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorInfo {
    /// A stable machine-readable code such as `not_found` or `invalid_definition`.
    pub code: String,
    /// A sentence for people.
    pub message: String,
    /// More about the problem when there is more, such as every problem of a definition with
    /// its JSON path (`[{"path", "message"}]`); otherwise null.
    pub details: Option<Value>,
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
            AppError::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "something went wrong on the server; the request can be retried".to_owned(),
                    None,
                )
            }
        };
        let body = ErrorBody {
            error: ErrorInfo {
                code: code.to_owned(),
                message,
                details,
            },
        };
        (status, Json(body)).into_response()
    }
}

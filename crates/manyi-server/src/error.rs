//! The API's one error type. Every failure leaves as `{"error": {"code", "message", "details"}}`
//! with a fitting status; internal failures are logged and described only as internal, so no
//! database message or path ever reaches a client.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

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
        let body = json!({"error": {"code": code, "message": message, "details": details}});
        (status, Json(body)).into_response()
    }
}

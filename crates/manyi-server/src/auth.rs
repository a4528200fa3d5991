//! Staff tokens: `manyi token create` prints a new token once; the server keeps only its
//! SHA-256 hash and accepts `Authorization: Bearer TOKEN` on staff endpoints while the token is
//! not revoked.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use manyi_api::ErrorCode;
use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::state::AppState;

/// The prefix of every token, so a leaked one is recognisable in logs and secret scanners.
pub const TOKEN_PREFIX: &str = "manyi_";

/// A new random token (32 bytes from the operating system, hex) and its short public id.
pub fn new_token() -> Result<(String, String), AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| AppError::Internal(format!("no randomness for a token: {e}")))?;
    let secret = hex(&bytes);
    let id = secret[..8].to_owned();
    Ok((id, format!("{TOKEN_PREFIX}{secret}")))
}

/// The stored form of a token.
pub fn hash_token(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Proof that the request carries a valid staff token; handlers that take it are staff-only.
#[derive(Debug, Clone)]
pub struct Staff {
    /// The token's name, for logs.
    pub name: String,
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let unauthorized = |message: &str| {
            AppError::client(
                StatusCode::UNAUTHORIZED,
                ErrorCode::Unauthorized,
                message.to_owned(),
            )
        };
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(|| unauthorized("this endpoint needs Authorization: Bearer TOKEN"))?;
        match state.db.token_name(&hash_token(token)).await? {
            Some(name) => Ok(Staff { name }),
            None => Err(unauthorized("the token is unknown or revoked")),
        }
    }
}

//! Staff authentication: the extractor that turns `Authorization: Bearer TOKEN` into the
//! [`Staff`] the token grants, while it is not revoked. Handlers that take a `Staff` are
//! staff-only; each then asks `Staff::allow` or `Staff::allow_on` for its action.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use manyi_api::ErrorCode;

use crate::error::AppError;
use crate::state::AppState;
pub use crate::token::Staff;
use crate::token::hash_token;

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
        state
            .db
            .staff(&hash_token(token))
            .await?
            .ok_or_else(|| unauthorized("the token is unknown or revoked"))
    }
}

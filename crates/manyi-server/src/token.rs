//! Tokens: `manyi token create --role ROLE` prints a new token once; the server keeps only its
//! SHA-256 hash. A token grants a role (`manyi_api::Role::may` says what each may do), on the
//! surveys it is limited to, if any. The request extractor that finds a request's token is in
//! `auth`; this module is plain data, below the database.

use axum::http::StatusCode;
use manyi_api::{Action, ErrorCode, Me, Role};
use sha2::{Digest, Sha256};

use crate::error::AppError;

/// The prefix of every token, so a leaked one is recognisable in logs and secret scanners.
pub const TOKEN_PREFIX: &str = "manyi_";

/// A new random token (32 bytes from the operating system, hex) and its public id, drawn
/// separately: the id is shown in lists and logs, so it must say nothing about the secret.
pub fn new_token() -> Result<(String, String), AppError> {
    let secret = hex(&random::<32>()?);
    let id = hex(&random::<6>()?);
    Ok((id, format!("{TOKEN_PREFIX}{secret}")))
}

/// `N` bytes from the operating system's generator.
pub fn random<const N: usize>() -> Result<[u8; N], AppError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)
        .map_err(|e| AppError::Internal(format!("no randomness from the system: {e}")))?;
    Ok(bytes)
}

/// The stored form of a token.
pub fn hash_token(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

pub fn hex(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len() * 2);
    push_hex(&mut text, bytes);
    text
}

/// Appends `bytes` to `text` in lowercase hex.
pub fn push_hex(text: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for b in bytes {
        text.push(char::from(DIGITS[usize::from(b >> 4)]));
        text.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
}

/// Proof that the request carries a valid staff token, and what the token may do. Handlers that
/// take it are staff-only; each asks [`Staff::allow`] or [`Staff::allow_on`] for its action
/// before doing anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    pub id: String,
    /// The token's name, for logs and the audit log.
    pub name: String,
    pub role: Role,
    /// The surveys the token is limited to; `None` for every survey.
    pub surveys: Option<Vec<String>>,
}

impl Staff {
    /// Refuses (403 `forbidden`) unless the token's role may take the action.
    pub fn allow(&self, action: Action) -> Result<(), AppError> {
        if self.role.may(action) {
            return Ok(());
        }
        let allowed: Vec<String> = Role::allowed(action)
            .iter()
            .map(|role| role.as_str().to_owned())
            .collect();
        Err(AppError::client(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            format!(
                "a token with the role {} may not {}; a token with the role {} may",
                self.role,
                action.describe(),
                allowed.join(" or ")
            ),
        ))
    }

    /// Refuses (403 `forbidden`) unless the token's role may take the action and its survey
    /// scope includes `survey`.
    pub fn allow_on(&self, action: Action, survey: &str) -> Result<(), AppError> {
        self.allow(action)?;
        if self.covers(survey) {
            return Ok(());
        }
        let scope = self.surveys.as_deref().unwrap_or_default().join(", ");
        Err(AppError::client(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            format!("this token is limited to the surveys {scope}; it may not act on {survey:?}"),
        ))
    }

    /// Whether the token's survey scope includes `survey`.
    pub fn covers(&self, survey: &str) -> bool {
        self.me().covers(survey)
    }

    /// The identity `GET /api/v1/me` reports.
    pub fn me(&self) -> Me {
        Me {
            token_id: self.id.clone(),
            name: self.name.clone(),
            role: self.role.clone(),
            surveys: self.surveys.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_id_is_not_a_prefix_of_its_secret() {
        let (id, token) = new_token().unwrap();
        assert_eq!(id.len(), 12);
        assert!(!token[TOKEN_PREFIX.len()..].starts_with(&id[..8]));
        assert_eq!(token.len(), TOKEN_PREFIX.len() + 64);
    }

    #[test]
    fn hex_writes_each_byte_as_two_lowercase_digits() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        assert_eq!(hex(&[]), "");
        // The SHA-256 of "abc", as published in FIPS 180-2.
        assert_eq!(
            hash_token("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn refusals_name_the_roles_that_may() {
        let staff = Staff {
            id: "a1".into(),
            name: "reports".into(),
            role: Role::Analyst,
            surveys: Some(vec!["rq".into()]),
        };
        let message = staff.allow(Action::Publish).unwrap_err().to_string();
        assert_eq!(
            message,
            "a token with the role analyst may not publish survey definitions; a token with the role admin or editor may"
        );
        assert!(staff.allow_on(Action::ReadReports, "rq").is_ok());
        let message = staff
            .allow_on(Action::ReadReports, "nps")
            .unwrap_err()
            .to_string();
        assert!(message.contains("limited to the surveys rq"), "{message}");
    }
}

//! manyi-server: the REST endpoint that stores survey definitions and responses.
//!
//! The server never trusts a client's score: every response is validated against the survey
//! version it answers and scored again with `manyi-core`. Responses are idempotent by their
//! client-made UUID, so a client on a bad connection can re-send until it hears back.

pub mod app;
pub mod auth;
pub mod db;
pub mod embed;
pub mod error;
pub mod limit;
pub mod openapi;
pub mod origins;
pub mod staff;
pub mod targets;

pub use app::{AppState, app, publish_templates, serve};
pub use db::Db;
pub use error::AppError;

//! manyi-server: the REST endpoint that stores survey definitions and responses.
//!
//! The server never trusts a client's score: every response is validated against the survey
//! version it answers and scored again with `manyi-core`. Responses are idempotent by their
//! client-made UUID, so a client on a bad connection can re-send until it hears back.
//!
//! The modules are layered, each importing only those below it: `error`, `policy`, `openapi`
//! and `token` at the bottom; `xlsx`, `db`, `limit`, `state`, `extract`, `auth` and `cors` above
//! them; `export` (the export's streamed body) on `db` and `xlsx`; the handlers in `routes/` (one
//! module per resource) above those; `router`, which assembles the routes and layers, and `serve`
//! at the top.

pub mod auth;
pub mod cors;
pub mod db;
pub mod error;
pub mod export;
pub mod extract;
pub mod limit;
pub mod openapi;
pub mod policy;
pub mod prerender;
pub mod router;
pub mod routes;
pub mod serve;
pub mod state;
pub mod token;
pub mod webhooks;
pub mod xlsx;

pub use db::Db;
pub use error::AppError;
pub use router::app;
pub use serve::{ConnectionLimits, publish_templates, serve};
pub use state::AppState;

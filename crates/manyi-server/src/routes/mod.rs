//! The handlers, one module per resource. Each module holds its endpoints with their
//! `#[utoipa::path]` documentation and the request and reply types only they use; the router
//! (`router.rs`) mounts them.

pub mod access;
pub mod cases;
pub mod embed;
pub mod meta;
pub mod origins;
pub mod reports;
pub mod responses;
pub mod survey_page;
pub mod surveys;
pub mod targets;
pub mod webhooks;

//! Talking to the server: the one HTTP client (`api`) and the engine that sends the outbox
//! (`sync`).

pub mod api;
pub mod sync;

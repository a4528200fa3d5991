//! The manyi command line's library half: file input and the command implementations, kept out
//! of `main.rs` so tests can call them directly.

pub mod commands;
pub mod crm;
pub mod input;

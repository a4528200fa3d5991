//! The interface's strings and number formats (the `manyi-i18n` crate, shared with the server's
//! prerendered pages), and which language a screen shows (`locale`).

pub use manyi_i18n::*;

pub mod locale;

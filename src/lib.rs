//! manyi-app: the survey runner in the browser.
//!
//! The app shows the surveys available on this device, runs them page by page in three
//! languages, keeps drafts and completed responses in local storage and reports on them. All
//! survey logic (validation, visibility, scoring, statistics) comes from `manyi-core`; this
//! crate only adds the interface, the browser's storage and clock, and the languages of the UI.

pub mod admin;
pub mod api;
mod app;
pub mod catalog;
pub mod clock;
pub mod components;
pub mod download;
pub mod draft;
pub mod embed;
mod embed_app;
pub mod format;
pub mod i18n;
pub mod kiosk;
mod kiosk_app;
pub mod locale;
pub mod nav;
pub mod outbox;
pub mod outbox_idb;
pub mod quota;
mod staff_app;
pub mod storage;
pub mod sync;
pub mod validation;

pub use app::App;
pub use embed_app::EmbedApp;
pub use kiosk_app::KioskApp;
pub use staff_app::StaffApp;

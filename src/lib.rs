//! manyi-app: the survey runner in the browser.
//!
//! The app shows the surveys available on this device, runs them page by page in three
//! languages, keeps drafts and completed responses in local storage and reports on them. All
//! survey logic (validation, visibility, scoring, statistics) comes from `manyi-core`; this
//! crate only adds the interface, the browser's storage and clock, and the languages of the UI.
//!
//! The modules go by family: each bundle's root (`bundles`), the views (`components`, one
//! component per file, by screen), the logic each screen keeps outside its views (`runner`,
//! `staff`, `kiosk`, `embed`), and what they are built on: the device's storage (`storage`),
//! the server (`net`), the interface's languages (`i18n`) and the browser's clock, downloads
//! and location (`browser`).

pub mod browser;
mod bundles;
pub mod components;
pub mod embed;
pub mod i18n;
pub mod kiosk;
pub mod net;
pub mod runner;
pub mod staff;
pub mod storage;

pub use bundles::{App, EmbedApp, KioskApp, StaffApp};

//! The interface, one component per file, grouped by screen.

pub mod admin;
pub mod embed;
pub mod home;
pub mod kiosk;
mod loading;
pub mod results;
pub mod runner;
mod storage_alert;
mod sync_status;

pub use loading::Loading;
pub use storage_alert::StorageAlert;
pub use sync_status::SyncStatusLine;

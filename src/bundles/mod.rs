//! Each bundle's root component, with its screens and app-wide context. Every bundle is
//! mounted by its own binary (`src/main.rs`, `src/bin/`), so a bundle carries only the screens
//! its root renders.

mod embed;
mod kiosk;
mod respondent;
mod staff;

pub use embed::EmbedApp;
pub use kiosk::KioskApp;
pub use respondent::App;
pub use staff::StaffApp;

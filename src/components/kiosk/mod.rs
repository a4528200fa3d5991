//! The counter kiosk: welcome, survey, thank-you and reset, over and over, with idle handling
//! and staff settings behind a PIN; and the PIN's lock on the staff's screens of its device.

mod form_buttons;
mod idle_overlay;
mod kiosk_flow;
mod kiosk_lock;
mod kiosk_page;
mod kiosk_setup;
mod pin_prompt;
mod staff_corner;
mod welcome;

pub use kiosk_lock::KioskLock;
pub use kiosk_page::KioskPage;

//! The counter kiosk's logic outside its views. The kiosk's screens are `components::kiosk`.

pub mod lock;
pub mod settings;

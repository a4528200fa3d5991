//! The home screen: the surveys on this device, the language switch and definition import.

mod home_page;
mod import_definition;
mod language_switch;
mod survey_list;

pub use home_page::HomePage;

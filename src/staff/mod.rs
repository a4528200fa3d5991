//! The staff's dashboard outside its views. Its screens are `components::admin`.

pub mod dashboard;
pub mod rights;

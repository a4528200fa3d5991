//! The staff's dashboard outside its views. Its screens are `components::admin`.

pub mod cases;
pub mod dashboard;
pub mod rights;

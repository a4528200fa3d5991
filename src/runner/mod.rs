//! The survey runner's logic outside its views: the messages shown next to answers
//! (`validation`). The runner's screens are `components::runner`.

pub mod validation;

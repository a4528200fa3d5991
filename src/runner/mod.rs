//! The survey runner's logic outside its views: a respondent's run through one survey
//! (`session`) and the messages shown next to answers (`validation`). The runner's screens are
//! `components::runner`.

pub mod session;
pub mod validation;

//! The survey runner's logic outside its views: a respondent's run through one survey
//! (`session`), the messages shown next to answers (`validation`) and what each step of a
//! contact question makes of its answer (`contact`). The runner's screens are
//! `components::runner`.

pub mod contact;
pub mod session;
pub mod validation;

//! The survey runner's logic outside its views: a respondent's run through one survey
//! (`session`), the messages shown next to answers (`validation`) and what each step of a
//! contact question makes of its answer (`contact`), and the answers given on the page the
//! server drew before the app arrived (`early`). The runner's screens are `components::runner`.

pub mod contact;
pub mod early;
pub mod session;
pub mod validation;

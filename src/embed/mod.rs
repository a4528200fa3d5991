//! The embed screen's logic outside its views: the frame's settings and theme (`settings`) and
//! its dealings with the host page (`host`). The screen itself is `components::embed`.

pub mod host;
pub mod settings;

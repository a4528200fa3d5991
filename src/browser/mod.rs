//! Small helpers over the browser's own facilities: its clock, file downloads, the location
//! with in-app navigation and the size elements are drawn at.

pub mod clock;
pub mod download;
pub mod nav;
pub mod size;

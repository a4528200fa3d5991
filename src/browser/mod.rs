//! Small helpers over the browser's own facilities: its clock, file downloads, the location
//! with in-app navigation, the size elements are drawn at and waiting for a frame.

pub mod clock;
pub mod download;
pub mod frame;
pub mod nav;
pub mod size;

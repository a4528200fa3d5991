//! Small helpers over the browser's own facilities: its clock, file downloads, the location
//! with in-app navigation, the size elements are drawn at, waiting for a frame, and the page the
//! server drew before the app arrived.

pub mod clock;
pub mod download;
pub mod frame;
pub mod nav;
pub mod prerendered;
pub mod size;

//! Small helpers over the browser's own facilities: its clock, file downloads and the
//! location with in-app navigation.

pub mod clock;
pub mod download;
pub mod nav;

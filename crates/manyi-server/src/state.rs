//! The state every handler shares: the database, the built app's directory and the rate limit
//! on public writes.

use std::path::PathBuf;

use crate::db::Db;
use crate::limit::{Limiter, RateLimit};

#[derive(Debug, Clone)]
pub struct AppState {
    pub db: Db,
    /// The built app (`dist/`), served at `/` when present.
    pub dist: Option<PathBuf>,
    /// The rate limit on public writes.
    pub limiter: Limiter,
}

impl AppState {
    /// State with the default rate limit.
    pub fn new(db: Db, dist: Option<PathBuf>) -> AppState {
        AppState {
            db,
            dist,
            limiter: Limiter::new(Some(RateLimit::DEFAULT)),
        }
    }
}

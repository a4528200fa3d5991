//! The state every handler shares: the database, the built app's directory, the rate limit
//! on public writes and whether to send HSTS.

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
    /// Whether replies tell browsers to use HTTPS only (`Strict-Transport-Security`), for a
    /// server reached over HTTPS through a reverse proxy.
    pub hsts: bool,
    /// How webhooks are sent (`serve` starts the sender).
    pub webhooks: crate::webhooks::WebhookConfig,
}

impl AppState {
    /// State with the default rate limit.
    pub fn new(db: Db, dist: Option<PathBuf>) -> AppState {
        AppState {
            db,
            dist,
            limiter: Limiter::new(Some(RateLimit::DEFAULT)),
            hsts: false,
            webhooks: crate::webhooks::WebhookConfig::DEFAULT,
        }
    }
}

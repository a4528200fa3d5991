//! What the server says about itself: where its API is, and whether it is healthy.

use serde::{Deserialize, Serialize};

/// Where the API is, relative to the app's origin.
pub const API_BASE: &str = "/api/v1";

// `GET /manyi-config.json`: the app reads this to learn that a server is there and where its
// API is; served as static files, it finds none and works locally.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ManyiConfig {
    /// Where the API is, relative to the app.
    #[cfg_attr(feature = "openapi", schema(example = "/api/v1"))]
    pub api: String,
}

// `GET /healthz`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// Always `ok`: a failing database gives 500 instead.
    #[cfg_attr(feature = "openapi", schema(example = "ok"))]
    pub status: String,
}

//! What a client reads before anything else: whether the server is up (`/healthz`), where its
//! API is (`/manyi-config.json`, which the app looks for to learn that a server is there) and
//! the OpenAPI document of that API.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use manyi_api::{API_BASE, ErrorBody, Health, ManyiConfig};

use crate::error::AppError;
use crate::openapi::{OpenApiJson, PUBLIC};
use crate::state::AppState;

/// `GET /healthz`: whether the database answers.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = PUBLIC,
    responses(
        (status = 200, description = "The database answers", body = Health),
        (status = 500, description = "`internal`: the database does not answer", body = ErrorBody),
    )
)]
pub async fn healthz(State(state): State<AppState>) -> Result<Json<Health>, AppError> {
    sqlx::query("SELECT 1").execute(state.db.pool()).await?;
    Ok(Json(Health {
        status: "ok".to_owned(),
    }))
}

/// `GET /manyi-config.json`: the app reads this to learn that a server is there and where its
/// API is; served as static files, it finds none and works locally.
#[utoipa::path(
    get,
    path = "/manyi-config.json",
    tag = PUBLIC,
    responses((status = 200, description = "Where the API is", body = ManyiConfig))
)]
pub async fn manyi_config() -> Json<ManyiConfig> {
    Json(ManyiConfig {
        api: API_BASE.to_owned(),
    })
}

/// `GET /api/v1/openapi.json`: this document.
#[utoipa::path(
    get,
    path = "/v1/openapi.json",
    tag = PUBLIC,
    responses((status = 200, description = "The OpenAPI 3.1 document of this API", content_type = "application/json"))
)]
pub async fn openapi_json(Extension(doc): Extension<OpenApiJson>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        doc.0.to_string(),
    )
        .into_response()
}

//! The HTTP interface: `app(state)` builds the whole router, so tests drive it in-process with
//! `oneshot` and `serve` runs the same router on a socket.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use manyi_core::validate::Validator;
use manyi_core::{ResponseScores, Survey, score_response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use crate::db::{Db, Stored};
use crate::error::{AppError, ErrorBody, ErrorInfo};
use crate::limit::{Limiter, RateLimit, limit_writes};
use crate::openapi::{self, OpenApiJson, PUBLIC, ResponseBatchSchema, SurveySchema};
use crate::origins::{self, CrossOrigin};
use crate::{embed, staff, targets};

/// The most responses one request may carry.
pub const MAX_BATCH: usize = 500;
/// The largest request body accepted (a full batch of long answers fits with room to spare).
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;
/// How long one request may take before it is answered with 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The app's policy up to `frame-ancestors`, which differs between ordinary pages and embed
/// pages.
macro_rules! app_csp_head {
    () => {
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; connect-src 'self'; "
    };
}

/// The Content-Security-Policy of the app's pages: no inline scripts, wasm allowed, framed only
/// by the app itself.
pub const APP_CSP: &str = concat!(app_csp_head!(), "frame-ancestors 'self'");

/// The app's policy for an embed page: framed by the app itself and by `origins`.
pub fn app_csp(origins: &[String]) -> String {
    format!(
        "{}frame-ancestors 'self' {}",
        app_csp_head!(),
        origins.join(" ")
    )
}

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

/// Every documented route: the router and the OpenAPI document are both built from this one
/// list (utoipa-axum's `routes!` takes a handler's path and methods from its
/// `#[utoipa::path]`), so nothing is served undocumented or documented unserved. Handlers
/// sharing a path share one `routes!` unless they need different layers. The app's own pages
/// (`/`, `/embed/…`) are added by `app`; they are not API.
pub fn documented_routes(state: &AppState) -> OpenApiRouter<AppState> {
    let api = OpenApiRouter::new()
        .routes(routes!(openapi::openapi_json))
        .routes(routes!(staff::list_surveys, staff::publish_survey))
        .routes(routes!(get_survey))
        .routes(routes!(origins::get_origins, origins::put_origins))
        .routes(routes!(targets::get_targets, targets::put_targets))
        .routes(routes!(staff::report))
        .routes(routes!(staff::texts))
        .routes(routes!(staff::export_responses))
        // The CORS layer wraps the rate limit, so a listed site can read a 429 too.
        .routes(
            routes!(post_responses)
                .layer(from_fn_with_state(state.clone(), limit_writes))
                .layer(from_fn_with_state(state.clone(), origins::cors_responses)),
        )
        .routes(routes!(origins::preflight_responses))
        .routes(routes!(staff::delete_response))
        // Unknown API paths answer with the API's JSON error, never with the app's page.
        .fallback(|| async { AppError::not_found("no such endpoint") });
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(healthz))
        .routes(routes!(manyi_config))
        .nest("/api", api)
}

/// The whole router with its layers.
pub fn app(state: AppState) -> Router {
    let (router, doc) = documented_routes(&state).split_for_parts();
    let router = router.layer(Extension(OpenApiJson::new(&doc)));
    let router = match state.dist.clone() {
        // Client routes (/s/…, /results) are the app's: unknown paths get index.html with 200.
        // Embed pages are the app too, with a policy that depends on the survey; the loader
        // that host pages include gets headers of its own.
        Some(dist) => {
            let index = dist.join("index.html");
            // The build writes a brotli and a gzip copy beside each file (scripts/precompress.mjs):
            // the wasm bundles shrink to about a third, at no cost per request. A file without
            // copies, or a browser that accepts neither, gets the file itself.
            let files = ServeDir::new(&dist)
                .precompressed_br()
                .precompressed_gzip()
                .fallback(
                    ServeFile::new(index)
                        .precompressed_br()
                        .precompressed_gzip(),
                );
            // The app's file names carry no hash (public/boot.js loads them by name), so a
            // browser must ask whether a file changed before using its copy: a cached glue module
            // from one release beside another release's wasm would not start. The question costs
            // a 304 without a body when nothing changed (ServeDir answers If-Modified-Since).
            let files = tower::ServiceBuilder::new()
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("no-cache"),
                ))
                .service(files);
            router
                .route("/embed/{survey_id}", get(embed::embed_page))
                .route("/embed.js", get(embed::loader))
                .fallback_service(files)
        }
        None => router.fallback(|| async { AppError::not_found("no such endpoint") }),
    };
    router
        .with_state(state)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        // Pages that set their own policy (embed pages) keep it.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(APP_CSP),
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(TraceLayer::new_for_http())
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct Health {
    /// Always `ok`: a failing database gives 500 instead.
    #[schema(example = "ok")]
    status: &'static str,
}

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
async fn healthz(State(state): State<AppState>) -> Result<Json<Health>, AppError> {
    sqlx::query("SELECT 1").execute(state.db.pool()).await?;
    Ok(Json(Health { status: "ok" }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct ManyiConfig {
    /// Where the API is, relative to the app.
    #[schema(example = "/api/v1")]
    api: &'static str,
}

/// `GET /manyi-config.json`: the app reads this to learn that a server is there and where its
/// API is; served as static files, it finds none and works locally.
#[utoipa::path(
    get,
    path = "/manyi-config.json",
    tag = PUBLIC,
    responses((status = 200, description = "Where the API is", body = ManyiConfig))
)]
async fn manyi_config() -> Json<ManyiConfig> {
    Json(ManyiConfig { api: "/api/v1" })
}

/// `GET /api/v1/surveys/{id}`: the latest published definition. A page on one of the survey's
/// allowed origins may read it (CORS).
#[utoipa::path(
    get,
    path = "/v1/surveys/{id}",
    tag = PUBLIC,
    params(
        ("id" = String, Path, description = "The survey id"),
        ("Origin" = Option<String>, Header, description = "When it is on the survey's allowed \
            origins, the reply carries `Access-Control-Allow-Origin` with it"),
    ),
    responses(
        (status = 200, description = "The latest published version", body = SurveySchema),
        (status = 404, description = "`not_found`: no such survey", body = ErrorBody),
    )
)]
async fn get_survey(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    CrossOrigin(origin): CrossOrigin,
) -> Result<Response, AppError> {
    let survey = state
        .db
        .survey(&id, None)
        .await?
        .ok_or_else(|| AppError::not_found(format!("no survey {id:?}")))?;
    let mut response = Json(survey).into_response();
    if let Some(origin) = origin
        && state.db.allowed_origins(&id).await?.contains(&origin)
    {
        origins::allow_origin(&mut response, &origin);
    }
    origins::vary_origin(&mut response);
    Ok(response)
}

/// A JSON body read with the API's own errors: too large → 413, not JSON → 400, each with the
/// error shape, where axum's own rejections would answer in plain text.
#[derive(Debug)]
pub struct JsonBody(pub Value);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::client(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "body_too_large",
                    format!("the request body is larger than {MAX_BODY_BYTES} bytes; send smaller batches"),
                )
            } else {
                AppError::client(StatusCode::BAD_REQUEST, "unreadable_body", rejection.body_text())
            }
        })?;
        serde_json::from_slice(&bytes).map(JsonBody).map_err(|e| {
            AppError::client(
                StatusCode::BAD_REQUEST,
                "malformed_json",
                format!("the body is not valid JSON: {e}"),
            )
        })
    }
}

/// A path parameter read with the API's own error, where axum's rejection (a parameter that is
/// not UTF-8 once decoded) would answer in plain text.
#[derive(Debug)]
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(ApiPath(value)),
            Err(rejection) if rejection.status().is_server_error() => {
                Err(AppError::Internal(rejection.body_text()))
            }
            Err(rejection) => Err(AppError::client(
                StatusCode::BAD_REQUEST,
                "invalid_path",
                rejection.body_text(),
            )),
        }
    }
}

/// A query string read with the API's own error (`invalid_query`), where axum's rejection (a
/// repeated or unreadable parameter) would answer in plain text.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(value)| ApiQuery(value))
            .map_err(|rejection| {
                AppError::client(
                    StatusCode::BAD_REQUEST,
                    "invalid_query",
                    rejection.body_text(),
                )
            })
    }
}

/// What became of one response of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
enum ItemStatus {
    /// Stored now.
    Accepted,
    /// Already stored with identical content; nothing changed.
    Duplicate,
    /// Already stored with different content under this id; the stored one stays.
    Conflict,
    /// Not stored; `error` says why.
    Rejected,
}

/// The outcome for one response of a batch.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct ItemResult {
    /// The response's id, when it had a readable one.
    id: Option<String>,
    status: ItemStatus,
    /// For `conflict` and `rejected`: `malformed_response`, `unknown_survey`,
    /// `invalid_response` (details: the core's response errors), `origin_not_allowed` or
    /// `conflict`.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<ErrorInfo>,
}

/// The reply to a batch: counts, and one result per response in the order sent.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct BatchReply {
    accepted: usize,
    duplicate: usize,
    conflict: usize,
    rejected: usize,
    results: Vec<ItemResult>,
}

/// `POST /api/v1/responses`: one response or an array of up to [`MAX_BATCH`].
///
/// Every response is validated against the survey version it names and scored again here; a
/// score sent by the client is ignored. The reply is 200 with one result per response, in
/// order, so a client knows exactly which to drop (accepted, duplicate) and which to keep
/// (conflict, rejected — with the reason).
///
/// From another site's page (an `Origin` other than the server's own), only responses to
/// surveys that list that origin are taken; the others are rejected with `origin_not_allowed`.
#[utoipa::path(
    post,
    path = "/v1/responses",
    tag = PUBLIC,
    params(("Origin" = Option<String>, Header, description = "From another site, responses \
        are taken only for surveys that list this origin; the reply carries \
        `Access-Control-Allow-Origin` when some survey lists it")),
    request_body = ResponseBatchSchema,
    responses(
        (status = 200, description = "One result per response, in order", body = BatchReply),
        (status = 400, description = "`malformed_json`, `unreadable_body`, `malformed_body` or `empty_batch`", body = ErrorBody),
        (status = 413, description = "`batch_too_large` (over 500 responses) or `body_too_large` (over 8 MiB)", body = ErrorBody),
        (status = 429, description = "`rate_limited`: wait for the seconds in `Retry-After`", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until a request is accepted again"))),
    )
)]
async fn post_responses(
    State(state): State<AppState>,
    CrossOrigin(origin): CrossOrigin,
    JsonBody(body): JsonBody,
) -> Result<Json<BatchReply>, AppError> {
    let items = match body {
        Value::Array(items) => items,
        object @ Value::Object(_) => vec![object],
        _ => {
            return Err(AppError::client(
                StatusCode::BAD_REQUEST,
                "malformed_body",
                "send one response object or an array of them",
            ));
        }
    };
    if items.is_empty() {
        return Err(AppError::client(
            StatusCode::BAD_REQUEST,
            "empty_batch",
            "the batch holds no responses",
        ));
    }
    if items.len() > MAX_BATCH {
        return Err(AppError::client(
            StatusCode::PAYLOAD_TOO_LARGE,
            "batch_too_large",
            format!(
                "a batch holds at most {MAX_BATCH} responses, this one {}",
                items.len()
            ),
        ));
    }

    let mut results: Vec<ItemResult> = Vec::with_capacity(items.len());
    let mut accepted: Vec<(usize, manyi_core::Response, ResponseScores)> = Vec::new();
    let mut surveys: HashMap<(String, u32), Option<Survey>> = HashMap::new();
    // For a cross-origin request: whether each survey met so far lists the origin.
    let mut origin_allowed: HashMap<String, bool> = HashMap::new();
    for (index, item) in items.into_iter().enumerate() {
        let id = item.get("id").and_then(Value::as_str).map(str::to_owned);
        let reject = |code: &str, message: String, details: Option<Value>| ItemResult {
            id: id.clone(),
            status: ItemStatus::Rejected,
            error: Some(ErrorInfo {
                code: code.to_owned(),
                message,
                details,
            }),
        };
        let response: manyi_core::Response = match serde_json::from_value(item) {
            Ok(r) => r,
            Err(e) => {
                results.push(reject("malformed_response", e.to_string(), None));
                continue;
            }
        };
        if let Some(origin) = &origin {
            if !origin_allowed.contains_key(&response.survey_id) {
                let listed = state.db.allowed_origins(&response.survey_id).await?;
                origin_allowed.insert(response.survey_id.clone(), listed.contains(origin));
            }
            if !origin_allowed[&response.survey_id] {
                results.push(reject(
                    "origin_not_allowed",
                    format!(
                        "survey {:?} does not take responses from {origin}; staff can add it to the survey's allowed origins",
                        response.survey_id
                    ),
                    None,
                ));
                continue;
            }
        }
        let key = (response.survey_id.clone(), response.survey_version);
        if !surveys.contains_key(&key) {
            let survey = state.db.survey(&key.0, Some(key.1)).await?;
            surveys.insert(key.clone(), survey);
        }
        let Some(survey) = surveys[&key].as_ref() else {
            results.push(reject(
                "unknown_survey",
                format!("no survey {:?} version {}", key.0, key.1),
                None,
            ));
            continue;
        };
        if let Err(errors) = Validator::new(survey).response(&response) {
            let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
            results.push(reject(
                "invalid_response",
                messages.join("; "),
                Some(json!(errors)),
            ));
            continue;
        }
        let scores = score_response(survey, &response);
        results.push(ItemResult {
            id,
            status: ItemStatus::Accepted,
            error: None,
        });
        accepted.push((index, response, scores));
    }

    let batch: Vec<(manyi_core::Response, ResponseScores)> = accepted
        .iter()
        .map(|(_, r, s)| (r.clone(), s.clone()))
        .collect();
    let stored = state.db.store_responses(&batch).await?;
    for ((index, _, _), outcome) in accepted.iter().zip(stored) {
        match outcome {
            Stored::Inserted => {}
            Stored::Duplicate => results[*index].status = ItemStatus::Duplicate,
            Stored::Conflict => {
                results[*index].status = ItemStatus::Conflict;
                results[*index].error = Some(ErrorInfo {
                    code: "conflict".to_owned(),
                    message: "a different response with this id is already stored".to_owned(),
                    details: None,
                });
            }
        }
    }
    let count = |status: ItemStatus| results.iter().filter(|r| r.status == status).count();
    Ok(Json(BatchReply {
        accepted: count(ItemStatus::Accepted),
        duplicate: count(ItemStatus::Duplicate),
        conflict: count(ItemStatus::Conflict),
        rejected: count(ItemStatus::Rejected),
        results,
    }))
}

/// Publishes the built-in templates (version 1 each) unless they are there, so the app's
/// surveys exist on a fresh server.
pub async fn publish_templates(db: &Db) -> Result<(), AppError> {
    for name in manyi_core::templates::names() {
        let survey = manyi_core::templates::get(name)
            .expect("listed templates exist")
            .map_err(|e| AppError::Internal(format!("template {name}: {e}")))?;
        db.publish(&survey).await?;
    }
    Ok(())
}

/// Runs the server on `addr` until Ctrl-C.
pub async fn serve(addr: std::net::SocketAddr, state: AppState) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    println!("manyi is running at http://{local}/");
    let service = app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}

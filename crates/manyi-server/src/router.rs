//! The router: every route and every layer, and nothing else. `app(state)` builds it, so tests
//! drive the whole server in-process with `oneshot` and `serve` runs the same router on a
//! socket. What each route does is in its resource's module under `routes/`.

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{from_fn_with_state, map_response};
use axum::routing::get;
use axum::{Extension, Router};
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use crate::cors::cors_responses;
use crate::error::{AppError, json_method_not_allowed};
use crate::limit::limit_writes;
use crate::openapi::{ApiDoc, OpenApiJson};
use crate::policy::{APP_CSP, HSTS, MAX_BODY_BYTES, REQUEST_TIMEOUT};
use crate::routes::{
    access, cases, embed, meta, origins, reports, responses, survey_page, surveys, targets,
    webhooks,
};
use crate::state::AppState;

/// Every documented route: the router and the OpenAPI document are both built from this one
/// list (utoipa-axum's `routes!` takes a handler's path and methods from its
/// `#[utoipa::path]`), so nothing is served undocumented or documented unserved. Handlers
/// sharing a path share one `routes!` unless they need different layers. The app's own pages
/// (`/`, `/embed/…`) are added by `app`; they are not API.
pub fn documented_routes(state: &AppState) -> OpenApiRouter<AppState> {
    let api = OpenApiRouter::new()
        .routes(routes!(meta::openapi_json))
        .routes(routes!(access::me))
        .routes(routes!(access::audit))
        .routes(routes!(surveys::list_surveys, surveys::publish_survey))
        .routes(routes!(surveys::get_survey))
        .routes(routes!(origins::get_origins, origins::put_origins))
        .routes(routes!(targets::get_targets, targets::put_targets))
        .routes(routes!(cases::get_alert_rules, cases::put_alert_rules))
        .routes(routes!(cases::list_cases))
        .routes(routes!(cases::get_case))
        .routes(routes!(cases::post_case_event))
        .routes(routes!(cases::loop_figures))
        .routes(routes!(webhooks::list_webhooks, webhooks::add_webhook))
        .routes(routes!(webhooks::remove_webhook))
        .routes(routes!(webhooks::list_deliveries))
        .routes(routes!(webhooks::redeliver))
        .routes(routes!(reports::report))
        .routes(routes!(reports::texts))
        .routes(routes!(responses::export_responses))
        // The CORS layer wraps the rate limit, so a listed site can read a 429 too.
        .routes(
            routes!(responses::post_responses)
                .layer(from_fn_with_state(state.limiter.clone(), limit_writes))
                .layer(from_fn_with_state(state.clone(), cors_responses)),
        )
        .routes(routes!(origins::preflight_responses))
        .routes(routes!(responses::delete_response))
        // Unknown API paths answer with the API's JSON error, never with the app's page.
        .fallback(|| async { AppError::not_found("no such endpoint") });
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(meta::healthz))
        .routes(routes!(meta::manyi_config))
        .nest("/api", api)
}

/// The whole router with its layers.
pub fn app(state: AppState) -> Router {
    let (router, doc) = documented_routes(&state).split_for_parts();
    let router = router.layer(Extension(OpenApiJson::new(&doc)));
    let router = match state.dist.clone() {
        // Client routes (/results, /admin/…) are the app's: unknown paths get index.html with
        // 200. A survey's page gets its first question drawn in (`routes::survey_page`).
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
                .route(
                    "/s/{survey_id}",
                    get(survey_page::survey_page).layer(CompressionLayer::new()),
                )
                .route("/embed/{survey_id}", get(embed::embed_page))
                .route("/embed.js", get(embed::loader))
                .fallback_service(files)
        }
        None => router.fallback(|| async { AppError::not_found("no such endpoint") }),
    };
    // Only a server reached over HTTPS may ask browsers to insist on HTTPS; the operator says so.
    let router = if state.hsts {
        router.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        ))
    } else {
        router
    };
    router
        .with_state(state)
        .layer(map_response(json_method_not_allowed))
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

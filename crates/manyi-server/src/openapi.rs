//! The OpenAPI document's own parts: its description, tags and staff security scheme, and the
//! document as served (`routes/meta.rs` serves it at `GET /api/v1/openapi.json`).
//!
//! Nothing here is hand-written JSON. The operations come from the handlers'
//! `#[utoipa::path]` annotations, collected by the same `routes!` list that builds the router
//! (`router::documented_routes`), so a route cannot be served undocumented. Every type that
//! crosses HTTP is the contract's (`manyi-api`), which derives its schemas; the core's formats
//! (definitions, responses, targets) enter as their schemars JSON Schema, the one
//! `docs/survey.schema.json` is made from, exactly as `manyi_api::openapi::core_schemas` gives
//! them, which OpenAPI 3.1 allows as it uses the same JSON Schema dialect (2020-12).

use std::sync::Arc;

use manyi_api::openapi::core_schemas;
use serde_json::Value;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The name of the bearer-token security scheme that staff routes declare (as
/// `security(("staff_token" = []))`: utoipa takes only a literal there).
pub const STAFF_TOKEN: &str = "staff_token";

/// Tags group the operations in documentation viewers.
pub const PUBLIC: &str = "public";
pub const STAFF: &str = "staff";

/// The document's fixed parts: its description and the staff security scheme. Paths and
/// schemas are added by `OpenApiRouter` as routes are registered.
#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "manyi",
        description = "The manyi survey server: survey definitions, idempotent response \
            ingestion and, for staff, publishing, reports and exports. Every error is \
            `{\"error\": {\"code\", \"message\", \"details\"}}`."
    ),
    modifiers(&StaffTokenScheme),
    tags(
        (name = "public", description = "Open to respondents and embedding pages."),
        (name = "staff", description = "Need `Authorization: Bearer TOKEN` (`manyi token create --role ROLE`). \
            What a token may do is its role's: `admin` everything; `editor` publishes, sets origins and \
            targets and reads reports; `analyst` reads reports, open-text answers, exports and follow-up \
            cases; `case_handler` reads and handles follow-up cases. A token limited to some surveys acts on those only. \
            Anything else is 403 `forbidden`.")
    )
)]
pub struct ApiDoc;

struct StaffTokenScheme;

impl Modify for StaffTokenScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.description = Some(
            "A staff token made by `manyi token create --role ROLE`; the server stores only its hash."
                .to_owned(),
        );
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(STAFF_TOKEN, SecurityScheme::Http(scheme));
    }
}

/// The document, serialised once when the router is built.
#[derive(Debug, Clone)]
pub struct OpenApiJson(pub Arc<str>);

impl OpenApiJson {
    pub fn new(doc: &utoipa::openapi::OpenApi) -> OpenApiJson {
        OpenApiJson(Arc::from(document(doc).to_string()))
    }
}

/// The document as served: utoipa's, with the core's schemas put in exactly as schemars makes
/// them. They go in as JSON rather than through utoipa's schema types because those drop
/// keywords they do not model (`const`, which tells the variants of the core's enums apart).
pub fn document(doc: &utoipa::openapi::OpenApi) -> Value {
    // The document is made of plain maps, strings and numbers, so this cannot fail.
    let mut value = serde_json::to_value(doc).expect("an OpenAPI document is JSON");
    if let Some(schemas) = value
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        schemas.extend(core_schemas());
    }
    value
}

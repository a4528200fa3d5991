//! The OpenAPI document's own parts: its description, tags and staff security scheme, the
//! schemas of the core's formats, and the document as served (`routes/meta.rs` serves it at
//! `GET /api/v1/openapi.json`).
//!
//! Nothing here is hand-written JSON. The operations come from the handlers'
//! `#[utoipa::path]` annotations, collected by the same `routes!` list that builds the router
//! (`router::documented_routes`), so a route cannot be served undocumented. The server's own
//! reply types derive `utoipa::ToSchema`. The core's formats (definitions, responses) are not
//! derived a second time: their schemars JSON Schema, the one `docs/survey.schema.json` is made
//! from, goes into the document's components as it is, which OpenAPI 3.1 allows as it uses the
//! same JSON Schema dialect (2020-12).

use std::borrow::Cow;
use std::sync::Arc;

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value};
use utoipa::openapi::schema::{KnownFormat, SchemaFormat, Type};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{ObjectBuilder, RefOr, Schema};
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
        (name = "staff", description = "Need `Authorization: Bearer TOKEN` (`manyi token create`).")
    )
)]
pub struct ApiDoc;

struct StaffTokenScheme;

impl Modify for StaffTokenScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.description = Some(
            "A staff token made by `manyi token create`; the server stores only its hash."
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

/// Every schema of the core's formats that the API uses, keyed by name.
pub fn core_schemas() -> Map<String, Value> {
    let mut schemas = core_definitions::<manyi_core::Survey>();
    schemas.extend(core_definitions::<manyi_core::Response>());
    schemas.extend(core_definitions::<manyi_core::targets::Target>());
    schemas
}

/// The JSON Schema settings for the core's types: draft 2020-12 (OpenAPI 3.1's dialect), with
/// references pointing into the document's components.
fn schema_settings() -> SchemaSettings {
    SchemaSettings::draft2020_12().with(|s| {
        s.definitions_path = "/components/schemas".into();
        s.meta_schema = None;
    })
}

/// A core type's JSON Schema and every schema it refers to, as schemars makes them: the type's
/// own schema under its name among the definitions.
pub fn core_definitions<T: JsonSchema>() -> Map<String, Value> {
    let mut generator = schema_settings().into_generator();
    // Generating a reference (rather than the root schema) files the type's own schema among
    // the definitions too, so every schema of the type lands in the components.
    let _ = generator.subschema_for::<T>();
    generator.take_definitions(true)
}

/// Declares a server-side name for a core type's schema so `#[utoipa::path]` can refer to it:
/// the orphan rule keeps utoipa's traits off the core's types, and the core stays free of web
/// concerns anyway. The marker gives the name; `document` puts in the schema itself.
macro_rules! core_schema {
    ($(#[$doc:meta])* $marker:ident => $core:ty) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $marker;

        impl utoipa::PartialSchema for $marker {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .description(Some(concat!("The JSON Schema of `", stringify!($core), "`.")))
                    .build()
                    .into()
            }
        }

        impl utoipa::ToSchema for $marker {
            fn name() -> Cow<'static, str> {
                <$core as JsonSchema>::schema_name()
            }
        }
    };
}

core_schema!(
    /// A survey definition (`manyi_core::Survey`), as in `docs/survey.schema.json`.
    SurveySchema => manyi_core::Survey
);
core_schema!(
    /// A respondent's submission (`manyi_core::Response`).
    ResponseSchema => manyi_core::Response
);
core_schema!(
    /// A target staff set (`manyi_core::targets::Target`).
    TargetSchema => manyi_core::targets::Target
);
core_schema!(
    /// A text, either one string or a map of locale → string (`manyi_core::LocalizedText`).
    LocalizedTextSchema => manyi_core::LocalizedText
);

/// A file such as an XLSX workbook.
#[derive(Debug)]
pub struct BinarySchema;

impl utoipa::PartialSchema for BinarySchema {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .build()
            .into()
    }
}

impl utoipa::ToSchema for BinarySchema {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Binary")
    }
}

/// The report (`manyi_core::Report`). The report types carry no JSON Schema (only the
/// definition and response formats do), so the document describes it in words.
#[derive(Debug)]
pub struct ReportSchema;

impl utoipa::PartialSchema for ReportSchema {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .description(Some(
                "The aggregate report: `survey_id`, `survey_version`, `n`, `questions`, \
                 `dimensions`, `composite`, `nps`, `csat`, `ces`, `meta_keys` (the `meta` keys \
                 the responses have), and `segments`, `buckets` and `comparison` (with z- and \
                 t-tests of the NPS, CSAT, CES and composite changes) when asked for. Figures \
                 that cannot be computed are null; numbers are unrounded. See the README's \
                 report section.",
            ))
            .build()
            .into()
    }
}

impl utoipa::ToSchema for ReportSchema {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Report")
    }
}

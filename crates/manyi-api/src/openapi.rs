//! The OpenAPI side of the contract (the `openapi` feature, which only the server turns on).
//!
//! The contract's own types derive `utoipa::ToSchema`. The core's formats (definitions,
//! responses, targets) are not derived a second time: the markers here name their schemars JSON
//! Schema, the one `docs/survey.schema.json` is made from, and [`core_schemas`] gives those
//! schemas for the server to put into its document as they are, which OpenAPI 3.1 allows as it
//! uses the same JSON Schema dialect (2020-12).

use std::borrow::Cow;

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value};
use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, OneOfBuilder, SchemaFormat, Type};
use utoipa::openapi::{ObjectBuilder, Ref, RefOr, Schema};

use crate::MAX_BATCH;

/// Every schema of the core's formats that the API uses, keyed by name.
pub fn core_schemas() -> Map<String, Value> {
    let mut schemas = core_definitions::<manyi_core::Survey>();
    schemas.extend(core_definitions::<manyi_core::Response>());
    schemas.extend(core_definitions::<manyi_core::targets::Target>());
    schemas.extend(core_definitions::<manyi_core::alerts::AlertRule>());
    schemas.extend(core_definitions::<manyi_core::alerts::FiredRule>());
    schemas.extend(core_definitions::<manyi_core::cases::LoopFigures>());
    schemas.extend(core_definitions::<manyi_core::ResponseScores>());
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
    /// The scores the server computed for a response (`manyi_core::ResponseScores`).
    ResponseScoresSchema => manyi_core::ResponseScores
);
core_schema!(
    /// A target staff set (`manyi_core::targets::Target`).
    TargetSchema => manyi_core::targets::Target
);
core_schema!(
    /// An alert rule (`manyi_core::alerts::AlertRule`).
    AlertRuleSchema => manyi_core::alerts::AlertRule
);
core_schema!(
    /// A case's severity (`manyi_core::alerts::Severity`).
    SeveritySchema => manyi_core::alerts::Severity
);
core_schema!(
    /// A rule that opened a case (`manyi_core::alerts::FiredRule`).
    FiredRuleSchema => manyi_core::alerts::FiredRule
);
core_schema!(
    /// The loop figures of a period (`manyi_core::cases::LoopFigures`).
    LoopFiguresSchema => manyi_core::cases::LoopFigures
);
core_schema!(
    /// A text, either one string or a map of locale → string (`manyi_core::LocalizedText`).
    LocalizedTextSchema => manyi_core::LocalizedText
);

/// The body of `POST /api/v1/responses`: one response or an array of them. Documentation only;
/// the handler reads the body itself so each response of a batch gets its own verdict.
#[derive(Debug)]
pub struct ResponseBatchSchema;

impl utoipa::PartialSchema for ResponseBatchSchema {
    fn schema() -> RefOr<Schema> {
        let response = || Ref::from_schema_name(<ResponseSchema as utoipa::ToSchema>::name());
        OneOfBuilder::new()
            .description(Some(format!(
                "One response, or an array of 1 to {MAX_BATCH} responses."
            )))
            .item(response())
            .item(
                ArrayBuilder::new()
                    .items(response())
                    .min_items(Some(1))
                    .max_items(Some(MAX_BATCH)),
            )
            .into()
    }
}

impl utoipa::ToSchema for ResponseBatchSchema {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("ResponseBatch")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        <ResponseSchema as utoipa::ToSchema>::schemas(schemas);
    }
}

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

//! Surveys as staff manage them: the list, publishing (manyi or SurveyJS definitions), the
//! allowed origins and the targets.

use manyi_core::LocalizedText;
use manyi_core::surveyjs::ReportKind;
use manyi_core::targets::Target;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A survey as listed for staff.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SurveySummary {
    pub id: String,
    /// The latest version.
    pub version: u32,
    /// The latest version's title.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::LocalizedTextSchema))]
    pub title: LocalizedText,
    /// How many versions are published.
    pub versions: i64,
    /// How many responses are stored (all versions).
    pub responses: i64,
    /// The origins allowed to embed the survey (`PUT /api/v1/surveys/{id}/origins`).
    pub allowed_origins: Vec<String>,
}

/// How the body of `POST /api/v1/surveys` is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum DefinitionFormat {
    /// A manyi definition.
    #[default]
    Manyi,
    /// A SurveyJS JSON definition, imported into a manyi definition first.
    Surveyjs,
}

impl DefinitionFormat {
    /// The format as the query writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            DefinitionFormat::Manyi => "manyi",
            DefinitionFormat::Surveyjs => "surveyjs",
        }
    }
}

/// How to read a published definition.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct PublishQuery {
    /// `manyi` (the default) or `surveyjs`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", param(inline))]
    pub format: DefinitionFormat,
    /// With `format=surveyjs`: the survey id (default: made from the title).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// With `format=surveyjs`: the version (default: 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    /// With `format=surveyjs`: refuse the import (422 `import_reported`) when anything is
    /// reported, instead of publishing what could be imported.
    #[serde(default)]
    pub strict: bool,
}

/// Something in a SurveyJS definition that was not imported as it was.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    /// A JSON path into the SurveyJS definition, such as `$.pages[0].elements[3].visibleIf`.
    pub path: String,
    /// `element` (not imported), `property` (not imported), `condition` (not imported; the
    /// question behaves as without it) or `changed` (imported with a change).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub kind: ReportKind,
    /// What happened and why.
    pub message: String,
}

impl From<&manyi_core::surveyjs::Report> for ImportReport {
    fn from(report: &manyi_core::surveyjs::Report) -> ImportReport {
        ImportReport {
            path: report.path.clone(),
            kind: report.kind,
            message: report.message.clone(),
        }
    }
}

/// The reply to a publication.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Published {
    pub id: String,
    pub version: u32,
    /// Whether this request stored the version (false: it was already there, identical).
    pub created: bool,
    /// With `format=surveyjs`: what was not imported as it was (absent when nothing).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reports: Vec<ImportReport>,
}

/// The most origins one survey may list; a portal needs a handful, and the list ends up in
/// every embed page's `Content-Security-Policy` header. (The schema of [`OriginsBody`] repeats
/// the number, as utoipa takes only a literal there.)
pub const MAX_ORIGINS: usize = 50;

/// A survey's allowed origins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AllowedOrigins {
    pub survey_id: String,
    /// Normalised (`scheme://host[:port]`, lower case, no default port), in the order given.
    #[cfg_attr(feature = "openapi", schema(example = json!(["https://portal.example.com", "http://127.0.0.1:5173"])))]
    pub allowed_origins: Vec<String>,
}

/// The body of `PUT /api/v1/surveys/{id}/origins`. The entries are read one by one so every bad
/// one is reported with its path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OriginsBody {
    /// `scheme://host[:port]` with http or https; no path, query, wildcard or trailing slash.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>, max_items = 50, example = json!(["https://portal.example.com"])))]
    pub allowed_origins: Vec<Value>,
}

/// A survey's targets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Targets {
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<crate::openapi::TargetSchema>, example = json!([{"metric": "csat", "target": 85, "deadline": "2026-06-30"}])))]
    pub targets: Vec<Target>,
}

/// Whether a JSON definition is SurveyJS's rather than manyi's: SurveyJS keeps questions under
/// `elements` (on the root or on pages), or under `questions` on the root in its oldest
/// single-page form, while a manyi definition has them under its pages' `questions` and always
/// carries a numeric `version`. The server uses this to hint at `?format=surveyjs`; the app to
/// pick the import for a file.
pub fn looks_like_surveyjs(definition: &Value) -> bool {
    let Some(root) = definition.as_object() else {
        return false;
    };
    let holds_elements = root.contains_key("elements")
        || root.contains_key("questions")
        || root
            .get("pages")
            .and_then(Value::as_array)
            .is_some_and(|pages| pages.iter().any(|page| page.get("elements").is_some()));
    holds_elements && !root.get("version").is_some_and(Value::is_u64)
}

//! SurveyJS interoperability: its expression language, evaluated with survey-core's semantics
//! ([`Expr`]), and import ([`import()`]) and export ([`export()`]) of its JSON definitions.
//!
//! An export writes what SurveyJS has no place for (survey id and version, dimensions,
//! weights, reverse coding, metrics, Likert versus rating, manyi's own conditions) into
//! `manyi` properties, which an import reads back: SurveyJS keeps unknown properties in the
//! JSON, and SurveyJS Creator keeps them when they are registered with
//! `Serializer.addProperty`.

mod eval;
mod export;
mod expr;
mod import;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub(crate) use eval::object;
pub use eval::{FUNCTIONS, Scope, Value};
pub use export::{export, manyi_condition_to_surveyjs};
pub use expr::{BinOp, Expr};
pub use import::{Import, ImportError, Options, Report, ReportKind, import, import_with};

use crate::model::{Dimension, Metric, QuestionKind, ScoringSettings};

/// The survey's `manyi` property.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SurveyExt {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    version: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    default_locale: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    locales: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    dimensions: Vec<Dimension>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scoring: Option<ScoringSettings>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    show_scores: bool,
}

/// A question's `manyi` property.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct QuestionExt {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kind: Option<QuestionKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dimension: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    reverse: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    weight: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    metric: Option<Metric>,
    /// Conditions in manyi's language, with their SurveyJS translation in `visibleIf` etc.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    visible_if: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    enable_if: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    required_if: Option<String>,
    /// Matrix rows by id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    rows: BTreeMap<String, RowExt>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RowExt {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dimension: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    reverse: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    weight: Option<f64>,
}

impl QuestionExt {
    fn is_empty(&self) -> bool {
        self.kind.is_none()
            && self.dimension.is_none()
            && !self.reverse
            && self.weight.is_none()
            && self.metric.is_none()
            && self.visible_if.is_none()
            && self.enable_if.is_none()
            && self.required_if.is_none()
            && self.rows.is_empty()
    }
}

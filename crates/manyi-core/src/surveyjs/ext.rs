//! The `manyi` properties of a SurveyJS document: what an export writes for everything SurveyJS
//! has no place for, and what an import reads back. Both directions share these types, so they
//! stay in step.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{ContactMethod, Dimension, Metric, QuestionKind, ScoringSettings};

/// The survey's `manyi` property.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SurveyExt {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) version: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) default_locale: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) locales: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) dimensions: Vec<Dimension>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) scoring: Option<ScoringSettings>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(super) show_scores: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) segments: Option<Vec<String>>,
}

/// A question's `manyi` property.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct QuestionExt {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) kind: Option<QuestionKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) dimension: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(super) reverse: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) weight: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) metric: Option<Metric>,
    /// Conditions in manyi's language, with their SurveyJS translation in `visibleIf` etc.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) visible_if: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) enable_if: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) required_if: Option<String>,
    /// Matrix rows by id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(super) rows: BTreeMap<String, RowExt>,
    /// A contact question's methods (with `kind` `contact` on its consent's boolean).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) methods: Vec<ContactMethod>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RowExt {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) dimension: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(super) reverse: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) weight: Option<f64>,
}

impl QuestionExt {
    pub(super) fn is_empty(&self) -> bool {
        self.kind.is_none()
            && self.dimension.is_none()
            && !self.reverse
            && self.weight.is_none()
            && self.metric.is_none()
            && self.visible_if.is_none()
            && self.enable_if.is_none()
            && self.required_if.is_none()
            && self.rows.is_empty()
            && self.methods.is_empty()
    }
}

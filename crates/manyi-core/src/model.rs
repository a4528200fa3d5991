//! The survey definition and response formats: plain serde data, no behaviour beyond lookups,
//! and the two traits through which the rest of the core reads answers ([`Answers`] by id,
//! [`AnswerSet`] also whole), whatever holds them.
//!
//! Both formats are JSON contracts shared by the browser, the server and the CLI, so every field
//! here is part of a public format. Add fields with `#[serde(default)]`; never repurpose one.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A locale tag such as `zh-CN`, `zh-TW` or `en`.
pub type Locale = String;

/// Text that is either the same in every language or given per locale.
///
/// `"Hello"` and `{"en": "Hello", "zh-CN": "你好"}` are both valid. Lookup falls back to the
/// survey's default locale, then to any translation, so a missing translation never shows an
/// empty label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum LocalizedText {
    /// The same text in every locale.
    Plain(String),
    /// Text keyed by locale tag.
    PerLocale(BTreeMap<Locale, String>),
}

impl LocalizedText {
    /// The text for `locale`, falling back to `default_locale`, then to the first translation.
    ///
    /// Locale tags are compared case-insensitively because browsers report `zh-cn` and `zh-CN`
    /// alike.
    pub fn get<'a>(&'a self, locale: &str, default_locale: &str) -> &'a str {
        match self {
            LocalizedText::Plain(text) => text,
            LocalizedText::PerLocale(map) => {
                let find = |wanted: &str| {
                    map.iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(wanted))
                        .map(|(_, v)| v.as_str())
                };
                find(locale)
                    .or_else(|| find(default_locale))
                    .or_else(|| map.values().next().map(String::as_str))
                    .unwrap_or("")
            }
        }
    }

    /// Whether any translation is non-empty.
    pub fn is_blank(&self) -> bool {
        match self {
            LocalizedText::Plain(text) => text.trim().is_empty(),
            LocalizedText::PerLocale(map) => map.values().all(|v| v.trim().is_empty()),
        }
    }
}

impl From<&str> for LocalizedText {
    fn from(text: &str) -> Self {
        LocalizedText::Plain(text.to_owned())
    }
}

/// A survey definition, as authored in JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Survey {
    /// Stable identifier, `[a-z0-9_-]+`, used in URLs.
    pub id: String,
    /// Integer version, starting at 1; a published change increments it.
    pub version: u32,
    pub title: LocalizedText,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<LocalizedText>,
    /// The locale used when the respondent's locale has no translation.
    pub default_locale: Locale,
    /// The locales this survey is offered in; must contain `default_locale`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locales: Vec<Locale>,
    /// Dimensions that scaled questions can belong to, with their composite weights.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dimensions: Vec<Dimension>,
    pub pages: Vec<Page>,
    /// Scoring settings; every field has a default.
    #[serde(default, skip_serializing_if = "ScoringSettings::is_default")]
    pub scoring: ScoringSettings,
    /// Text of the thank-you screen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thank_you: Option<LocalizedText>,
    /// Whether the thank-you screen shows the respondent their own scores.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub show_scores: bool,
    /// The `meta` keys (at most 8) that reports break the figures down by and filter on from
    /// the server's stored rollups. Absent, the keys manyi's own channels write: `channel`,
    /// `location` and `counter`. A report may still use any other key; it then reads the
    /// stored responses one by one, which is slower.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segments: Option<Vec<String>>,
}

/// The segment keys of a survey that declares none.
pub const DEFAULT_SEGMENTS: [&str; 3] = ["channel", "location", "counter"];

impl Survey {
    /// The declared segment keys, or [`DEFAULT_SEGMENTS`].
    pub fn segment_keys(&self) -> Vec<String> {
        match &self.segments {
            Some(keys) => keys.clone(),
            None => DEFAULT_SEGMENTS.iter().map(|k| (*k).to_owned()).collect(),
        }
    }
}

/// How per-response scores are combined.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ScoringSettings {
    /// The composite index is missing when the answered items carry less than this share of
    /// the total weight (0 < share ≤ 1).
    #[serde(default = "default_min_coverage")]
    pub min_coverage: f64,
}

fn default_min_coverage() -> f64 {
    0.5
}

impl Default for ScoringSettings {
    fn default() -> Self {
        ScoringSettings {
            min_coverage: default_min_coverage(),
        }
    }
}

impl ScoringSettings {
    fn is_default(&self) -> bool {
        *self == ScoringSettings::default()
    }
}

/// A group of items scored together (satisfaction, trust, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Dimension {
    pub id: String,
    pub title: LocalizedText,
    /// Relative weight in the composite index; dimensions default to equal weights. Zero keeps
    /// the dimension in the report but out of the composite.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
}

impl Dimension {
    /// The weight with the documented default of 1 (equal weights).
    pub fn effective_weight(&self) -> f64 {
        self.weight.unwrap_or(1.0)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Page {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<LocalizedText>,
    pub questions: Vec<Question>,
}

/// The kinds of question the runner can show and the core can score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// Net Promoter question: integers 0–10.
    Nps,
    /// A numeric rating (stars or numbers) on `scale`.
    Rating,
    /// An agreement item on `scale`.
    Likert,
    SingleChoice,
    MultiChoice,
    Text,
    /// Several Likert rows sharing one `scale`.
    Matrix,
    /// Whether the respondent may be contacted about their answers and, only if so, how: by
    /// one of the question's `methods`, with a phone number or an e-mail address. Its answer
    /// is a [`Contact`]; it is never scored.
    Contact,
}

impl QuestionKind {
    /// Whether answers are numbers on a scale (and so can be rescaled, reversed and weighted).
    pub fn is_scaled(self) -> bool {
        matches!(
            self,
            QuestionKind::Nps | QuestionKind::Rating | QuestionKind::Likert | QuestionKind::Matrix
        )
    }
}

/// The standard metric a question stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Net Promoter Score (0–10).
    Nps,
    /// Customer satisfaction, top-2-box (usually 1–5).
    Csat,
    /// Customer Effort Score 2.0 (1–7 agreement).
    Ces,
}

/// A numeric scale. Values are `min`, `min + step`, …, `max`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Scale {
    pub min: f64,
    pub max: f64,
    /// Distance between points; 1 (an integer scale) unless given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<f64>,
    /// Labels for some or all points (typically the two ends).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<ScaleLabel>,
}

impl Scale {
    pub const NPS: Scale = Scale {
        min: 0.0,
        max: 10.0,
        step: None,
        labels: Vec::new(),
    };

    pub fn new(min: f64, max: f64) -> Scale {
        Scale {
            min,
            max,
            step: None,
            labels: Vec::new(),
        }
    }

    pub fn step(&self) -> f64 {
        self.step.unwrap_or(1.0)
    }

    /// Whether `x` is one of the scale's points (within floating-point tolerance).
    pub fn contains(&self, x: f64) -> bool {
        Bounds::of(self).contains(x)
    }

    /// The scale's points in ascending order.
    pub fn points(&self) -> Vec<f64> {
        let step = self.step();
        if !(step > 0.0) || !(self.max >= self.min) {
            return Vec::new();
        }
        let count = ((self.max - self.min) / step + 1e-9).floor() as usize + 1;
        (0..count).map(|i| self.min + step * i as f64).collect()
    }

    /// Reverse coding on the declared bounds: `min + max − x`.
    pub fn reverse(&self, x: f64) -> f64 {
        self.min + self.max - x
    }

    /// Linear rescaling of `x` to 0–100.
    pub fn to_percent(&self, x: f64) -> f64 {
        (x - self.min) / (self.max - self.min) * 100.0
    }
}

/// Whether `k` is a whole number of at most 2^51 in size (`false` for any other number).
///
/// Adding and taking away 1.5 · 2^52 rounds such a number to a whole one, so the result is `k`
/// exactly when `k` is whole. This is how a scale's points are told, for every answer of a
/// report, without `round` (a library call on x86-64 without SSE4.1) and without a round trip
/// through an integer, whose saturating conversion is a chain of dependent instructions.
pub(crate) fn is_whole(k: f64) -> bool {
    const ROUND: f64 = 6_755_399_441_055_744.0;
    k.abs() <= 2_251_799_813_685_248.0 && (k + ROUND) - ROUND == k
}

/// A scale's numeric bounds alone, cheap to copy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    pub min: f64,
    pub max: f64,
    pub step: f64,
}

impl Bounds {
    pub fn of(scale: &Scale) -> Bounds {
        Bounds {
            min: scale.min,
            max: scale.max,
            step: scale.step(),
        }
    }

    /// Whether `x` is one of the points `min`, `min + step`, …, `max`.
    pub fn contains(&self, x: f64) -> bool {
        if !x.is_finite() || x < self.min - 1e-9 || x > self.max + 1e-9 {
            return false;
        }
        let k = self.steps_from_min(x);
        // An answer on the scale usually gives a whole k, whose rounding is k itself, so that
        // is tested first, cheaply; anything else is decided as before.
        if is_whole(k) {
            return true;
        }
        (k - k.round()).abs() < 1e-9
    }

    /// `(x − min) / step`. Most scales have a step of 1, by which a division is exact and
    /// changes nothing, so it is left out (it is the slowest step of checking an answer).
    pub fn steps_from_min(&self, x: f64) -> f64 {
        if self.step == 1.0 {
            x - self.min
        } else {
            (x - self.min) / self.step
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ScaleLabel {
    pub value: f64,
    pub label: LocalizedText,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ChoiceOption {
    /// The stored answer value.
    pub value: String,
    pub label: LocalizedText,
}

/// One row of a matrix question: an item of its own, with its own dimension and coding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct MatrixRow {
    pub id: String,
    pub text: LocalizedText,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimension: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reverse: bool,
    /// Relative weight within its dimension (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
}

/// Which rows a required matrix needs answered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum RequiredRows {
    /// Every row.
    #[default]
    All,
    /// At least one row.
    Any,
}

impl RequiredRows {
    fn is_all(&self) -> bool {
        *self == RequiredRows::All
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Unique within the survey, `[a-z0-9_]+`.
    pub id: String,
    pub kind: QuestionKind,
    pub text: LocalizedText,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<LocalizedText>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
    /// The dimension this item scores into (scaled kinds other than matrix).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimension: Option<String>,
    /// Reverse-worded item: scored as `min + max − x`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reverse: bool,
    /// Relative weight within its dimension (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
    /// The scale of rating, Likert and matrix questions. NPS is always 0–10; a given scale for
    /// it may only add labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<Scale>,
    /// Options of choice questions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<ChoiceOption>,
    /// Rows of matrix questions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<MatrixRow>,
    /// What a required matrix needs: every row answered (the default), or any one of them, as
    /// SurveyJS's `isRequired` asks of its matrix.
    #[serde(default, skip_serializing_if = "RequiredRows::is_all")]
    pub required_rows: RequiredRows,
    /// Marks the question as the survey's standard NPS, CSAT or CES item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<Metric>,
    /// Show the question only when this condition holds. In manyi's language it may use
    /// earlier answers only; a SurveyJS expression may use any question's answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visible_if: Option<ConditionText>,
    /// The question can be answered only while this condition holds (SurveyJS's `enableIf`;
    /// `readOnly` is the condition `false`). Otherwise it is shown read-only: an answer it
    /// already has is kept, and it is not required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_if: Option<ConditionText>,
    /// The question is required while this condition holds (SurveyJS's `requiredIf`), as if
    /// `required` were set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_if: Option<ConditionText>,
    /// Maximum characters of a text answer (default [`DEFAULT_TEXT_MAX_LENGTH`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// Whether a text answer is long-form (a text area rather than one line).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub multiline: bool,
    /// Rating display hint: stars instead of numbers.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stars: bool,
    /// Checks of an answer beyond its kind's own (SurveyJS's validators), at most
    /// [`MAX_VALIDATORS`](crate::limits::MAX_VALIDATORS).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub validators: Vec<AnswerValidator>,
    /// The ways a contact question offers to be contacted, in the order shown; every method
    /// ([`ContactMethod::ALL`]) when empty. See [`Question::contact_methods`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub methods: Vec<ContactMethod>,
}

/// A way to contact a respondent who agreed to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ContactMethod {
    /// A phone number: digits with an optional leading `+`, spaces and dashes allowed.
    Phone,
    /// An e-mail address.
    Email,
}

impl ContactMethod {
    /// Every method, in the order a question that names none offers them.
    pub const ALL: [ContactMethod; 2] = [ContactMethod::Phone, ContactMethod::Email];

    /// The method's name in JSON, in conditions (`contact.method == "phone"`) and in exports.
    pub fn as_str(self) -> &'static str {
        match self {
            ContactMethod::Phone => "phone",
            ContactMethod::Email => "email",
        }
    }

    /// The method named `name` as [`ContactMethod::as_str`] writes it.
    pub fn from_name(name: &str) -> Option<ContactMethod> {
        ContactMethod::ALL.into_iter().find(|m| m.as_str() == name)
    }
}

/// A check of an answer beyond its kind's own: one of SurveyJS's validators, which an imported
/// survey keeps. An answer that fails one is invalid, as an answer off its scale is: the runner
/// and the server refuse it, and a report counts it as invalid rather than scoring it. Blank
/// answers are not checked (whether one is allowed is `required`'s business).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AnswerValidator {
    pub check: Check,
    /// The message shown when the check fails (SurveyJS's `text`); without it the runner
    /// shows its own, in the respondent's language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<LocalizedText>,
}

/// What an [`AnswerValidator`] checks, as survey-core's validator of the same name does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Check {
    /// A text answer is an e-mail address (SurveyJS's `email`, with its pattern).
    Email,
    /// A text answer contains a match of `regex` (SurveyJS's `regex`: searched for, not
    /// anchored, so `^…$` to match the whole answer). The syntax is the Rust regex crate's,
    /// which reads common JavaScript patterns alike but has no look-around or
    /// back-references; `\d`, `\w` and `\s` are ASCII only. At most
    /// [`MAX_PATTERN_LENGTH`](crate::limits::MAX_PATTERN_LENGTH) characters.
    Pattern {
        regex: String,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        case_insensitive: bool,
    },
    /// A text answer is a number (read as SurveyJS reads one: `1,5` is 1.5) between `min`
    /// and `max` inclusive (SurveyJS's `numeric`).
    Numeric {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<f64>,
    },
    /// A multiple choice answer has between `min` and `max` options chosen (SurveyJS's
    /// `answercount`).
    AnswerCount {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<u32>,
    },
    /// A text answer is between `min` and `max` characters long, counted as JavaScript counts
    /// them (UTF-16 code units: an emoji is two), and with `allow_digits: false` does not end
    /// in a digit: survey-core's check is `/\d+$/`, so digits elsewhere pass (SurveyJS's
    /// `text`).
    TextLength {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<u32>,
        #[serde(default = "yes", skip_serializing_if = "is_yes")]
        allow_digits: bool,
    },
}

fn yes() -> bool {
    true
}

fn is_yes(b: &bool) -> bool {
    *b
}

/// A condition on answers: text in manyi's condition language, or `{"surveyjs": "…"}`, an
/// expression in SurveyJS's language, evaluated with SurveyJS's semantics so that an imported
/// survey behaves as it did there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum ConditionText {
    /// manyi's condition language, such as `nps <= 6 and channel == "web"`.
    Manyi(String),
    /// A SurveyJS expression, such as `{"surveyjs": "{nps} <= 6 and {channel} = 'web'"}`.
    SurveyJs(SurveyJsExpression),
}

/// A SurveyJS expression, marked as such by its key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SurveyJsExpression {
    pub surveyjs: String,
    /// Names the expression reads that are no question of the survey (lower case, without
    /// `.member` or `[index]`), read as empty, as SurveyJS reads a name it cannot find. An
    /// imported survey lists here the names its conditions read by mistake, so they behave
    /// as they did in SurveyJS; any other name that is not a question is a problem of the
    /// definition, as a typo should be.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unknown: Vec<String>,
}

impl ConditionText {
    /// A SurveyJS expression.
    pub fn surveyjs(text: impl Into<String>) -> ConditionText {
        ConditionText::SurveyJs(SurveyJsExpression {
            surveyjs: text.into(),
            unknown: Vec::new(),
        })
    }

    /// The condition's text, whichever its language.
    pub fn text(&self) -> &str {
        match self {
            ConditionText::Manyi(text) => text,
            ConditionText::SurveyJs(e) => &e.surveyjs,
        }
    }
}

impl From<&str> for ConditionText {
    fn from(text: &str) -> Self {
        ConditionText::Manyi(text.to_owned())
    }
}

/// The character limit of a text answer when the definition gives none.
pub const DEFAULT_TEXT_MAX_LENGTH: u32 = 2000;

/// The scale a kind uses when the definition gives none (rating and Likert: 1–5).
pub fn default_scale(kind: QuestionKind) -> Option<Scale> {
    match kind {
        QuestionKind::Nps => Some(Scale::NPS),
        QuestionKind::Rating | QuestionKind::Likert | QuestionKind::Matrix => {
            Some(Scale::new(1.0, 5.0))
        }
        _ => None,
    }
}

impl Question {
    /// The scale answers are checked and scored on, with defaults applied. NPS always uses
    /// 0–10 integer points whatever labels the definition adds.
    pub fn effective_scale(&self) -> Option<Scale> {
        match self.kind {
            QuestionKind::Nps => {
                let mut scale = Scale::NPS;
                if let Some(given) = &self.scale {
                    scale.labels = given.labels.clone();
                }
                Some(scale)
            }
            kind if kind.is_scaled() => self.scale.clone().or_else(|| default_scale(kind)),
            _ => None,
        }
    }

    /// The points a respondent is offered, in ascending order, each with its label if it has
    /// one: those of the effective scale, or of 1 to 5 for a question without one. The app's
    /// controls and the server's drawn first page both list these.
    pub fn offered_points(&self) -> Vec<(f64, Option<LocalizedText>)> {
        let scale = self
            .effective_scale()
            .unwrap_or_else(|| Scale::new(1.0, 5.0));
        scale
            .points()
            .into_iter()
            .map(|x| {
                let label = scale
                    .labels
                    .iter()
                    .find(|l| (l.value - x).abs() < 1e-9)
                    .map(|l| l.label.clone());
                (x, label)
            })
            .collect()
    }

    /// The bounds answers are checked against, without copying the scale's labels: this runs
    /// for every answer the server or a report checks.
    pub fn bounds(&self) -> Option<Bounds> {
        match self.kind {
            QuestionKind::Nps => Some(Bounds::of(&Scale::NPS)),
            kind if kind.is_scaled() => Some(match &self.scale {
                Some(scale) => Bounds::of(scale),
                None => Bounds {
                    min: 1.0,
                    max: 5.0,
                    step: 1.0,
                },
            }),
            _ => None,
        }
    }

    /// The most characters a text answer may have: the question's own `max_length` (or
    /// [`DEFAULT_TEXT_MAX_LENGTH`]), but never more than
    /// [`MAX_TEXT_ANSWER_LENGTH`](crate::limits::MAX_TEXT_ANSWER_LENGTH), so a definition
    /// cannot let a respondent store an unbounded text.
    pub fn max_length(&self) -> u32 {
        self.max_length
            .unwrap_or(DEFAULT_TEXT_MAX_LENGTH)
            .min(crate::limits::MAX_TEXT_ANSWER_LENGTH)
    }

    /// The methods a contact question offers: its own `methods`, or every method when it
    /// names none.
    pub fn contact_methods(&self) -> &[ContactMethod] {
        if self.methods.is_empty() {
            &ContactMethod::ALL
        } else {
            &self.methods
        }
    }
}

impl Survey {
    /// Every question in page order.
    pub fn questions(&self) -> impl Iterator<Item = &Question> {
        self.pages.iter().flat_map(|p| p.questions.iter())
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions().find(|q| q.id == id)
    }

    /// Whether running the survey needs the `surveyjs` feature: a condition in SurveyJS's
    /// expression language, or a pattern validator. A build without it refuses such a
    /// definition; the respondent's usual bundle hands it to the full one.
    pub fn needs_surveyjs(&self) -> bool {
        self.questions().any(|q| {
            [&q.visible_if, &q.enable_if, &q.required_if]
                .into_iter()
                .flatten()
                .any(|c| matches!(c, ConditionText::SurveyJs(_)))
                || q.validators
                    .iter()
                    .any(|v| matches!(v.check, Check::Pattern { .. }))
        })
    }

    pub fn locales_or_default(&self) -> Vec<Locale> {
        if self.locales.is_empty() {
            vec![self.default_locale.clone()]
        } else {
            self.locales.clone()
        }
    }

    /// The question marked with `metric`, if any.
    pub fn metric_question(&self, metric: Metric) -> Option<&Question> {
        self.questions().find(|q| q.metric == Some(metric))
    }
}

/// One answer. The JSON shape follows the question kind: a number for scaled questions, a string
/// for single choice and text, a list of strings for multiple choice, an object of row id →
/// number for a matrix, and for a contact question an object with a boolean `agreed` (see
/// [`Contact`]), which no matrix answer has, so the two objects are told apart by it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum Answer {
    Number(f64),
    Text(String),
    Choices(Vec<String>),
    Matrix(BTreeMap<String, f64>),
    Contact(Contact),
}

/// The answer to a contact question: `{"agreed": false}`, or `{"agreed": true, "method":
/// "phone", "value": "+86 138 1234 5678"}`.
///
/// It is one answer rather than three so that consent and details are checked, stored and
/// deleted together: details without consent are refused as a whole (see
/// `validate::ContactProblem`), and a condition reads the consent and the method as parts of
/// it (`contact.agreed == true`, `contact.method == "email"`) the way it reads a matrix row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Contact {
    /// Whether the respondent agreed to be contacted about their answers.
    pub agreed: bool,
    /// How, when they agreed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<ContactMethod>,
    /// The phone number or e-mail address, when they agreed, as typed but without the spaces
    /// around it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl Contact {
    /// A refusal to be contacted, which carries no details.
    pub fn declined() -> Contact {
        Contact {
            agreed: false,
            method: None,
            value: None,
        }
    }

    /// Consent to be contacted by `method` at `value`.
    pub fn agreed(method: ContactMethod, value: impl Into<String>) -> Contact {
        Contact {
            agreed: true,
            method: Some(method),
            value: Some(value.into()),
        }
    }
}

impl Answer {
    /// A short name of the JSON shape, for error messages.
    pub fn shape(&self) -> &'static str {
        match self {
            Answer::Number(_) => "a number",
            Answer::Text(_) => "a string",
            Answer::Choices(_) => "a list of strings",
            Answer::Matrix(_) => "an object of row answers",
            Answer::Contact(_) => "a contact answer",
        }
    }
}

/// Read access to answers by question id, so conditions evaluate over a response, a draft, a
/// row of a table or a test fixture.
pub trait Answers {
    fn answer(&self, question: &str) -> Option<&Answer>;
}

impl Answers for BTreeMap<String, Answer> {
    fn answer(&self, question: &str) -> Option<&Answer> {
        self.get(question)
    }
}

impl Answers for std::collections::HashMap<String, Answer> {
    fn answer(&self, question: &str) -> Option<&Answer> {
        self.get(question)
    }
}

/// Answers that can also be walked whole: a response's map, or a row that a reader fills
/// without building `Response` values (the table's `AnswerRow`). Validation and the table
/// accept either.
pub trait AnswerSet: Answers {
    /// Calls `f(id, answer)` for every answer, including answers to unknown questions.
    fn each_raw<'a>(&'a self, f: &mut dyn FnMut(&'a str, &'a Answer));

    /// The answer to the question at `index` in survey order, whose id is `id`.
    fn answer_at(&self, index: usize, id: &str) -> Option<&Answer> {
        let _ = index;
        self.answer(id)
    }

    /// The answers by their question's place in survey order, with the questions' ids, when
    /// the set holds them that way (a row a reader fills by question does): then the answers
    /// are walked in that order without a call per answer and without looking ids up, which
    /// is what checking and counting a million rows mostly spent its time on.
    fn by_place(&self) -> Option<(&[&str], &[Option<Answer>])> {
        None
    }

    /// How many answers [`AnswerSet::each_raw`] walks.
    fn answer_count(&self) -> usize {
        let mut count = 0;
        self.each_raw(&mut |_, _| count += 1);
        count
    }
}

impl AnswerSet for BTreeMap<String, Answer> {
    fn each_raw<'a>(&'a self, f: &mut dyn FnMut(&'a str, &'a Answer)) {
        self.iter().for_each(|(k, v)| f(k, v));
    }
}

/// A respondent's submission.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Response {
    /// A UUID made by the client; it makes delivery idempotent.
    pub id: String,
    pub survey_id: String,
    pub survey_version: u32,
    /// RFC 3339 with offset.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::time::deserialize_option"
    )]
    pub started_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// RFC 3339 with offset.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::time::deserialize_option"
    )]
    pub submitted_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<Locale>,
    /// Question id → answer. Unanswered questions are absent.
    #[serde(default)]
    pub answers: BTreeMap<String, Answer>,
    /// Context such as channel, location, counter or customer reference.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub meta: BTreeMap<String, String>,
    /// A response submitted before completion (a kiosk's idle timeout): required answers may be
    /// missing.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub partial: bool,
}

// `LocalizedText`, `ConditionText` and `Answer` are read by the shape of their JSON, as
// `#[serde(untagged)]` reads them, but in one pass: the derived impls first copy every value
// into serde's generic `Content` and then try each form on the copy, which doubles the code
// that reads definitions and responses in the browser's bundle. A value of no form fails with
// the derived impls' message, at the same path.

impl<'de> Deserialize<'de> for LocalizedText {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = match deserializer.deserialize_any(ShapeVisitor)? {
            Shape::Item(Item::Text(text)) => Some(LocalizedText::Plain(text)),
            Shape::Object(entries) => {
                let mut texts = BTreeMap::new();
                let mut all_text = true;
                for (locale, item) in entries {
                    match item {
                        Item::Text(text) => {
                            texts.insert(locale, text);
                        }
                        _ => all_text = false,
                    }
                }
                all_text.then_some(LocalizedText::PerLocale(texts))
            }
            _ => None,
        };
        text.ok_or_else(|| no_variant("LocalizedText"))
    }
}

impl<'de> Deserialize<'de> for ConditionText {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let condition = match deserializer.deserialize_any(ShapeVisitor)? {
            Shape::Item(Item::Text(text)) => Some(ConditionText::Manyi(text)),
            // `SurveyJsExpression` denies unknown fields: `surveyjs` and `unknown`, once each.
            Shape::Object(entries) => {
                let (mut text, mut unknown, mut other) = (None, None, false);
                for (key, item) in entries {
                    match (key.as_str(), item) {
                        ("surveyjs", Item::Text(t)) if text.is_none() => text = Some(t),
                        ("unknown", Item::Texts(names)) if unknown.is_none() => {
                            unknown = Some(names)
                        }
                        _ => other = true,
                    }
                }
                text.filter(|_| !other).map(|surveyjs| {
                    ConditionText::SurveyJs(SurveyJsExpression {
                        surveyjs,
                        unknown: unknown.unwrap_or_default(),
                    })
                })
            }
            _ => None,
        };
        condition.ok_or_else(|| no_variant("ConditionText"))
    }
}

impl<'de> Deserialize<'de> for Answer {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let answer = match deserializer.deserialize_any(ShapeVisitor)? {
            Shape::Item(Item::Number(x)) => Some(Answer::Number(x)),
            Shape::Item(Item::Text(text)) => Some(Answer::Text(text)),
            Shape::Item(Item::Texts(_) | Item::Bool(_) | Item::Other) => None,
            Shape::Object(entries)
                if entries
                    .iter()
                    .any(|(key, item)| key == "agreed" && matches!(item, Item::Bool(_))) =>
            {
                contact(entries).map(Answer::Contact)
            }
            Shape::List(items) => items
                .into_iter()
                .map(|item| match item {
                    Item::Text(text) => Some(text),
                    _ => None,
                })
                .collect::<Option<Vec<String>>>()
                .map(Answer::Choices),
            Shape::Object(entries) => {
                let mut rows = BTreeMap::new();
                let mut all_numbers = true;
                for (row, item) in entries {
                    match item {
                        Item::Number(x) => {
                            rows.insert(row, x);
                        }
                        _ => all_numbers = false,
                    }
                }
                all_numbers.then_some(Answer::Matrix(rows))
            }
        };
        answer.ok_or_else(|| no_variant("Answer"))
    }
}

/// A contact answer from an object's entries: `agreed` once, and `method` (a method's name)
/// and `value` (text) at most once each; anything else makes it no answer at all, as an
/// unknown field makes a definition's object malformed.
fn contact(entries: Vec<(String, Item)>) -> Option<Contact> {
    let (mut agreed, mut method, mut value) = (None, None, None);
    for (key, item) in entries {
        match (key.as_str(), item) {
            ("agreed", Item::Bool(b)) if agreed.is_none() => agreed = Some(b),
            ("method", Item::Text(name)) if method.is_none() => {
                method = Some(ContactMethod::from_name(&name)?)
            }
            ("value", Item::Text(text)) if value.is_none() => value = Some(text),
            _ => return None,
        }
    }
    Some(Contact {
        agreed: agreed?,
        method,
        value,
    })
}

/// The error `#[serde(untagged)]` gives when no form fits.
fn no_variant<E: serde::de::Error>(name: &str) -> E {
    E::custom(format_args!(
        "data did not match any variant of untagged enum {name}"
    ))
}

/// A JSON value as far as `LocalizedText`, `ConditionText` and `Answer` look into it.
enum Shape {
    Item(Item),
    List(Vec<Item>),
    Object(Vec<(String, Item)>),
}

/// A scalar (a boolean is a contact answer's `agreed`), a list of strings (a SurveyJS
/// expression's `unknown`), or `Other` for any value these forms never take.
enum Item {
    Number(f64),
    Text(String),
    Texts(Vec<String>),
    Bool(bool),
    Other,
}

struct ShapeVisitor;

impl<'de> serde::de::Visitor<'de> for ShapeVisitor {
    type Value = Shape;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Shape, E> {
        Ok(Shape::Item(Item::Bool(b)))
    }

    fn visit_i64<E>(self, x: i64) -> Result<Shape, E> {
        Ok(Shape::Item(Item::Number(x as f64)))
    }

    fn visit_u64<E>(self, x: u64) -> Result<Shape, E> {
        Ok(Shape::Item(Item::Number(x as f64)))
    }

    fn visit_f64<E>(self, x: f64) -> Result<Shape, E> {
        Ok(Shape::Item(Item::Number(x)))
    }

    fn visit_str<E>(self, text: &str) -> Result<Shape, E> {
        Ok(Shape::Item(Item::Text(text.to_owned())))
    }

    fn visit_string<E>(self, text: String) -> Result<Shape, E> {
        Ok(Shape::Item(Item::Text(text)))
    }

    fn visit_unit<E>(self) -> Result<Shape, E> {
        Ok(Shape::Item(Item::Other))
    }

    fn visit_none<E>(self) -> Result<Shape, E> {
        Ok(Shape::Item(Item::Other))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Shape, A::Error> {
        let mut items = Vec::new();
        while let Some(ItemSeed(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Shape::List(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Shape, A::Error> {
        let mut entries = Vec::new();
        while let Some((key, ItemSeed(item))) = map.next_entry::<String, ItemSeed>()? {
            entries.push((key, item));
        }
        Ok(Shape::Object(entries))
    }
}

/// An item of a list or an object: a scalar, a list of strings, or `Other` (any other nested
/// list or object is read through and dropped).
struct ItemSeed(Item);

impl<'de> Deserialize<'de> for ItemSeed {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(ItemSeed(
            match deserializer.deserialize_any(ShapeVisitor)? {
                Shape::Item(item) => item,
                Shape::List(items) => items
                    .into_iter()
                    .map(|item| match item {
                        Item::Text(text) => Some(text),
                        _ => None,
                    })
                    .collect::<Option<Vec<String>>>()
                    .map_or(Item::Other, Item::Texts),
                Shape::Object(_) => Item::Other,
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surveys_with_surveyjs_conditions_or_patterns_need_the_surveyjs_runtime() {
        let survey = |question: &str| -> Survey {
            serde_json::from_str(&format!(
                r#"{{"id": "s", "version": 1, "title": "S", "default_locale": "en",
                    "pages": [{{"id": "p", "questions": [
                        {{"id": "a", "kind": "nps", "text": "A"}}, {question}]}}]}}"#
            ))
            .unwrap()
        };
        let plain = survey(r#"{"id": "b", "kind": "text", "text": "B", "visible_if": "a >= 9"}"#);
        assert!(!plain.needs_surveyjs());
        let condition = survey(
            r#"{"id": "b", "kind": "text", "text": "B", "required_if": {"surveyjs": "{a} > 8"}}"#,
        );
        assert!(condition.needs_surveyjs());
        let email = survey(
            r#"{"id": "b", "kind": "text", "text": "B", "validators": [{"check": "email"}]}"#,
        );
        assert!(!email.needs_surveyjs());
        let pattern = survey(
            r#"{"id": "b", "kind": "text", "text": "B",
                "validators": [{"check": {"pattern": {"regex": "^[0-9]+$"}}}]}"#,
        );
        assert!(pattern.needs_surveyjs());
    }

    #[test]
    fn whole_numbers_are_told_as_rounding_tells_them() {
        let big = 2_251_799_813_685_248.0; // 2^51
        let mut cases = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            -0.5,
            1.5,
            2.5,
            6.999_999_999_999_999,
            7.000_000_000_000_001,
            1e-300,
            f64::MIN_POSITIVE / 2.0,
            big,
            -big,
            big - 1.0,
            big - 0.5,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        cases.extend((-2000..2000).map(|i| f64::from(i) / 8.0));
        for k in cases {
            assert_eq!(is_whole(k), k.is_finite() && k == k.round(), "{k}");
        }
        // Beyond 2^51 the test gives up (`contains` and `position` then round as before).
        assert!(!is_whole(big * 2.0));
    }
}

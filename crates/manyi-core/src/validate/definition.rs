//! Definition validation: a definition is checked as a whole and gets every problem at once,
//! each with a JSON path, so an author fixes a file in one round. The checks cover the survey
//! (ids, versions, locales, dimensions and weights), each question (kind, scale, options, rows,
//! validators, a contact question's methods) and each condition in either language (its
//! syntax, and that what it reads exists).

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::checks::compile as compile_pattern;
#[cfg(feature = "surveyjs")]
use crate::condition::surveyjs::{Expr, FUNCTIONS};
use crate::condition::{Condition, Operand};
use crate::limits::{self, MAX_VALIDATORS};
use crate::model::{
    AnswerValidator, Check, ConditionText, ContactMethod, Question, QuestionKind, RequiredRows,
    Survey,
};

/// One problem in a survey definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// Where the problem is, as a JSON path such as `$.pages[0].questions[2].scale.min`.
    pub path: String,
    /// What is wrong, in plain words.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Why a definition could not be accepted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DefinitionError {
    /// The text is not JSON of the definition's shape; the path says where reading stopped.
    #[error("{path}: {message}")]
    Malformed { path: String, message: String },
    /// The definition parsed but breaks rules; every problem is listed.
    #[error("{} problem(s) in the definition, first: {}", .0.len(), .0[0])]
    Invalid(Vec<Problem>),
}

impl DefinitionError {
    /// Every problem as a list, whatever the variant, for uniform display.
    pub fn problems(&self) -> Vec<Problem> {
        match self {
            DefinitionError::Malformed { path, message } => vec![Problem {
                path: path.clone(),
                message: message.clone(),
            }],
            DefinitionError::Invalid(problems) => problems.clone(),
        }
    }
}

/// Parses and validates a definition from JSON text.
pub fn parse_survey(json: &str) -> Result<Survey, DefinitionError> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let survey: Survey = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        DefinitionError::Malformed {
            path: if path == "." {
                "$".to_owned()
            } else {
                format!("$.{path}")
            },
            message: e.into_inner().to_string(),
        }
    })?;
    // `deserialize` reads one value and stops; text after it would go unnoticed, so a file
    // with a second object or stray characters at its end would pass as the first value.
    deserializer.end().map_err(|e| DefinitionError::Malformed {
        path: "$".to_owned(),
        message: e.to_string(),
    })?;
    let problems = validate_survey(&survey);
    if problems.is_empty() {
        Ok(survey)
    } else {
        Err(DefinitionError::Invalid(problems))
    }
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn is_survey_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// Collects problems. With `PATHS` it records each one with its path and message; without, it
/// only notes that there was one, and the closures that would write them are never called, so
/// a build that only asks [`is_valid_survey`] carries none of that formatting.
struct Checker<const PATHS: bool> {
    problems: Vec<Problem>,
    failed: bool,
}

impl<const PATHS: bool> Checker<PATHS> {
    fn new() -> Self {
        Checker {
            problems: Vec::new(),
            failed: false,
        }
    }

    fn push<P: Into<String>, M: Into<String>>(
        &mut self,
        path: impl FnOnce() -> P,
        message: impl FnOnce() -> M,
    ) {
        self.failed = true;
        if PATHS {
            self.problems.push(Problem {
                path: path().into(),
                message: message().into(),
            });
        }
    }

    fn weight(&mut self, path: impl FnOnce() -> String, weight: Option<f64>) {
        if let Some(w) = weight
            && (!w.is_finite() || w < 0.0)
        {
            self.push(path, || format!("weight must be a number ≥ 0, found {w}"));
        }
    }
}

/// Checks a parsed definition and returns every problem found (empty when valid).
pub fn validate_survey(survey: &Survey) -> Vec<Problem> {
    check_survey::<true>(survey).problems
}

/// Whether a parsed definition is valid: [`validate_survey`] finds nothing. For a reader that
/// only needs the answer (the survey runner), without the code that describes problems.
pub fn is_valid_survey(survey: &Survey) -> bool {
    !check_survey::<false>(survey).failed
}

fn check_survey<const PATHS: bool>(survey: &Survey) -> Checker<PATHS> {
    let mut c = Checker::new();

    if !is_survey_id(&survey.id) {
        c.push(
            || "$.id",
            || {
                format!(
                    "survey id {:?} must be 1–64 characters of a–z, 0–9, `_` or `-`",
                    survey.id
                )
            },
        );
    }
    if survey.version == 0 {
        c.push(|| "$.version", || "version starts at 1");
    }
    if survey.title.is_blank() {
        c.push(|| "$.title", || "the title is empty");
    }
    if survey.default_locale.trim().is_empty() {
        c.push(|| "$.default_locale", || "the default locale is empty");
    }
    if !survey.locales.is_empty() && !survey.locales.contains(&survey.default_locale) {
        c.push(
            || "$.locales",
            || {
                format!(
                    "the locales do not include the default locale {:?}",
                    survey.default_locale
                )
            },
        );
    }
    let coverage = survey.scoring.min_coverage;
    if !(coverage > 0.0 && coverage <= 1.0) {
        c.push(
            || "$.scoring.min_coverage",
            || {
                format!(
                    "the minimum answered-weight share must be above 0 and at most 1, found {coverage}"
                )
            },
        );
    }

    if let Some(keys) = &survey.segments {
        if keys.len() > limits::MAX_SEGMENT_KEYS {
            c.push(
                || "$.segments",
                || {
                    format!(
                        "{} segment keys, more than the {} a survey may declare",
                        keys.len(),
                        limits::MAX_SEGMENT_KEYS
                    )
                },
            );
        }
        for (i, key) in keys.iter().enumerate() {
            if key.is_empty() || key.chars().count() > limits::MAX_META_KEY_LENGTH {
                c.push(
                    || format!("$.segments[{i}]"),
                    || {
                        format!(
                            "segment key {key:?} must be 1–{} characters, as a `meta` key is",
                            limits::MAX_META_KEY_LENGTH
                        )
                    },
                );
            } else if keys[..i].contains(key) {
                c.push(
                    || format!("$.segments[{i}]"),
                    || format!("segment key {key:?} is declared twice"),
                );
            }
        }
    }

    let mut dimension_ids: HashMap<&str, usize> = HashMap::new();
    for (i, d) in survey.dimensions.iter().enumerate() {
        let path = format!("$.dimensions[{i}]");
        if !is_id(&d.id) {
            c.push(
                || format!("{path}.id"),
                || format!("dimension id {:?} must use only a–z, 0–9 and `_`", d.id),
            );
        }
        if let Some(first) = dimension_ids.insert(&d.id, i) {
            c.push(
                || format!("{path}.id"),
                || {
                    format!(
                        "dimension id {:?} is already used by $.dimensions[{first}]",
                        d.id
                    )
                },
            );
        }
        c.weight(|| format!("{path}.weight"), d.weight);
    }

    if survey.pages.is_empty() {
        c.push(|| "$.pages", || "a survey needs at least one page");
    }

    let mut page_ids: HashMap<&str, usize> = HashMap::new();
    // Question ids in page order, each with its path, so `visible_if` can be checked against
    // what comes before it.
    let mut seen_questions: HashMap<&str, (usize, &Question)> = HashMap::new();
    let mut order = 0usize;
    let mut used_dimensions: HashSet<&str> = HashSet::new();
    let mut metrics: HashMap<&'static str, String> = HashMap::new();

    for (pi, page) in survey.pages.iter().enumerate() {
        let page_path = format!("$.pages[{pi}]");
        if !is_id(&page.id) {
            c.push(
                || format!("{page_path}.id"),
                || format!("page id {:?} must use only a–z, 0–9 and `_`", page.id),
            );
        }
        if let Some(first) = page_ids.insert(&page.id, pi) {
            c.push(
                || format!("{page_path}.id"),
                || format!("page id {:?} is already used by $.pages[{first}]", page.id),
            );
        }
        if page.questions.is_empty() {
            c.push(
                || format!("{page_path}.questions"),
                || "a page needs at least one question",
            );
        }
        for (qi, q) in page.questions.iter().enumerate() {
            let path = format!("{page_path}.questions[{qi}]");
            check_question(&mut c, survey, q, &path, &dimension_ids, &seen_questions);
            for dim in q
                .dimension
                .iter()
                .chain(q.rows.iter().filter_map(|r| r.dimension.as_ref()))
            {
                used_dimensions.insert(dim.as_str());
            }
            if let Some(metric) = q.metric {
                let name = metric_name(metric);
                if let Some(first) = metrics.insert(name, path.clone()) {
                    c.push(
                        || format!("{path}.metric"),
                        || {
                            format!(
                                "metric {name} is already marked on {first}; mark one question per metric"
                            )
                        },
                    );
                }
            }
            if seen_questions.contains_key(q.id.as_str()) {
                c.push(
                    || format!("{path}.id"),
                    || format!("question id {:?} is used twice", q.id),
                );
            } else {
                seen_questions.insert(&q.id, (order, q));
            }
            order += 1;
        }
    }

    let weighted: Vec<&crate::model::Dimension> = survey
        .dimensions
        .iter()
        .filter(|d| used_dimensions.contains(d.id.as_str()))
        .collect();
    if !weighted.is_empty() && weighted.iter().all(|d| d.effective_weight() == 0.0) {
        c.push(
            || "$.dimensions",
            || "every dimension with items has weight 0, so the composite index cannot be computed",
        );
    }
    for (i, d) in survey.dimensions.iter().enumerate() {
        if !used_dimensions.contains(d.id.as_str()) {
            c.push(
                || format!("$.dimensions[{i}]"),
                || format!("dimension {:?} has no items", d.id),
            );
        }
    }
    c
}

fn check_question<const PATHS: bool>(
    c: &mut Checker<PATHS>,
    survey: &Survey,
    q: &Question,
    path: &str,
    dimensions: &HashMap<&str, usize>,
    earlier: &HashMap<&str, (usize, &Question)>,
) {
    if !is_id(&q.id) {
        c.push(
            || format!("{path}.id"),
            || format!("question id {:?} must use only a–z, 0–9 and `_`", q.id),
        );
    }
    if q.text.is_blank() {
        c.push(|| format!("{path}.text"), || "the question text is empty");
    }
    let scaled = q.kind.is_scaled();
    let check_dimension = |c: &mut Checker<PATHS>, dim: &Option<String>, at: String| {
        if let Some(dim) = dim
            && !dimensions.contains_key(dim.as_str())
        {
            c.push(|| at, || format!("unknown dimension {dim:?}"));
        }
    };
    if q.kind == QuestionKind::Matrix {
        if q.dimension.is_some() {
            c.push(
                || format!("{path}.dimension"),
                || "a matrix question takes its dimensions per row (rows[].dimension)",
            );
        }
        if q.reverse {
            c.push(
                || format!("{path}.reverse"),
                || "a matrix question is reversed per row (rows[].reverse)",
            );
        }
    } else {
        check_dimension(c, &q.dimension, format!("{path}.dimension"));
        if (q.dimension.is_some() || q.reverse) && !scaled {
            c.push(
                || path.to_owned(),
                || {
                    format!(
                        "only scaled questions (nps, rating, likert, matrix) can have a dimension or be reversed, not {}",
                        kind_name(q.kind)
                    )
                },
            );
        }
    }
    c.weight(|| format!("{path}.weight"), q.weight);

    match (&q.scale, q.kind) {
        (Some(_), kind) if !scaled => c.push(
            || format!("{path}.scale"),
            || format!("a {} question has no scale", kind_name(kind)),
        ),
        // A standard NPS scale falls through to the general checks, which check its labels.
        (Some(scale), QuestionKind::Nps)
            if scale.min != 0.0 || scale.max != 10.0 || scale.step.is_some_and(|s| s != 1.0) =>
        {
            c.push(
                || format!("{path}.scale"),
                || "an NPS question is always 0–10 in steps of 1; its scale may only add labels",
            );
        }
        (Some(scale), _) => {
            if !scale.min.is_finite() || !scale.max.is_finite() || scale.min >= scale.max {
                c.push(
                    || format!("{path}.scale"),
                    || {
                        format!(
                            "scale min ({}) must be below max ({})",
                            scale.min, scale.max
                        )
                    },
                );
            } else if let Some(step) = scale.step {
                let count = (scale.max - scale.min) / step;
                if !(step > 0.0) || (count - count.round()).abs() > 1e-9 {
                    c.push(
                        || format!("{path}.scale.step"),
                        || {
                            format!(
                                "step {step} must be positive and divide max − min ({})",
                                scale.max - scale.min
                            )
                        },
                    );
                } else if count > 100.0 {
                    c.push(
                        || format!("{path}.scale"),
                        || "a scale may have at most 101 points",
                    );
                }
            } else if scale.max - scale.min > 100.0 {
                c.push(
                    || format!("{path}.scale"),
                    || "a scale may have at most 101 points",
                );
            } else if (scale.min - scale.min.round()).abs() > 1e-9 {
                c.push(
                    || format!("{path}.scale.min"),
                    || "an integer scale (no step given) must start at an integer",
                );
            }
            // Labels are only checked on a sound scale; on a broken one every label would be
            // "off the scale" and bury the real problem.
            let sound = scale.min < scale.max;
            for (li, label) in scale.labels.iter().enumerate().filter(|_| sound) {
                if !scale.contains(label.value) {
                    c.push(
                        || format!("{path}.scale.labels[{li}].value"),
                        || format!("{} is not a point of the scale", label.value),
                    );
                }
            }
        }
        _ => {}
    }

    let has_options = matches!(
        q.kind,
        QuestionKind::SingleChoice | QuestionKind::MultiChoice
    );
    if has_options {
        if q.options.is_empty() {
            c.push(
                || format!("{path}.options"),
                || "a choice question needs at least one option",
            );
        }
        let mut values: HashMap<&str, usize> = HashMap::new();
        for (oi, option) in q.options.iter().enumerate() {
            if option.value.is_empty() {
                c.push(
                    || format!("{path}.options[{oi}].value"),
                    || "an option value is empty",
                );
            }
            if let Some(first) = values.insert(&option.value, oi) {
                c.push(
                    || format!("{path}.options[{oi}].value"),
                    || {
                        format!(
                            "option value {:?} is already used by options[{first}]",
                            option.value
                        )
                    },
                );
            }
            if option.label.is_blank() {
                c.push(
                    || format!("{path}.options[{oi}].label"),
                    || "the option label is empty",
                );
            }
        }
    } else if !q.options.is_empty() {
        c.push(
            || format!("{path}.options"),
            || format!("a {} question has no options", kind_name(q.kind)),
        );
    }

    if q.kind == QuestionKind::Matrix {
        if q.rows.is_empty() {
            c.push(
                || format!("{path}.rows"),
                || "a matrix question needs at least one row",
            );
        }
        let mut ids: HashMap<&str, usize> = HashMap::new();
        for (ri, row) in q.rows.iter().enumerate() {
            let row_path = format!("{path}.rows[{ri}]");
            if !is_id(&row.id) {
                c.push(
                    || format!("{row_path}.id"),
                    || format!("row id {:?} must use only a–z, 0–9 and `_`", row.id),
                );
            }
            if let Some(first) = ids.insert(&row.id, ri) {
                c.push(
                    || format!("{row_path}.id"),
                    || format!("row id {:?} is already used by rows[{first}]", row.id),
                );
            }
            if row.text.is_blank() {
                c.push(|| format!("{row_path}.text"), || "the row text is empty");
            }
            check_dimension(c, &row.dimension, format!("{row_path}.dimension"));
            c.weight(|| format!("{row_path}.weight"), row.weight);
        }
    } else if !q.rows.is_empty() {
        c.push(
            || format!("{path}.rows"),
            || format!("a {} question has no rows", kind_name(q.kind)),
        );
    }
    if q.required_rows != RequiredRows::All && q.kind != QuestionKind::Matrix {
        c.push(
            || format!("{path}.required_rows"),
            || "required_rows applies only to matrix questions",
        );
    }

    if let Some(metric) = q.metric {
        use crate::model::Metric;
        let ok = match metric {
            Metric::Nps => q.kind == QuestionKind::Nps,
            Metric::Csat | Metric::Ces => {
                matches!(q.kind, QuestionKind::Rating | QuestionKind::Likert)
            }
        };
        if !ok {
            c.push(
                || format!("{path}.metric"),
                || {
                    format!(
                        "metric {} does not fit a {} question (NPS needs kind nps; CSAT and CES need rating or likert)",
                        metric_name(metric),
                        kind_name(q.kind)
                    )
                },
            );
        }
        if metric == Metric::Ces
            && let Some(scale) = q.effective_scale()
            && (scale.min != 1.0 || scale.max != 7.0 || scale.step() != 1.0)
        {
            c.push(
                || format!("{path}.scale"),
                || {
                    "CES 2.0 uses a 1–7 agreement scale; the old 1–5 effort scale must not be pooled with it"
                },
            );
        }
    }

    if q.kind == QuestionKind::Text {
        if q.max_length == Some(0) {
            c.push(
                || format!("{path}.max_length"),
                || "max_length must be at least 1",
            );
        }
    } else if q.max_length.is_some() || q.multiline {
        c.push(
            || path.to_owned(),
            || "max_length and multiline apply only to text questions",
        );
    }
    if q.kind == QuestionKind::Contact {
        for (mi, method) in q.methods.iter().enumerate() {
            if q.methods[..mi].contains(method) {
                c.push(
                    || format!("{path}.methods[{mi}]"),
                    || format!("method {:?} is listed twice", method.as_str()),
                );
            }
        }
    } else if !q.methods.is_empty() {
        c.push(
            || format!("{path}.methods"),
            || "methods apply only to contact questions",
        );
    }
    if q.stars && q.kind != QuestionKind::Rating {
        c.push(
            || format!("{path}.stars"),
            || "stars apply only to rating questions",
        );
    }
    if q.validators.len() > MAX_VALIDATORS {
        c.push(
            || format!("{path}.validators"),
            || {
                format!(
                    "a question may have at most {MAX_VALIDATORS} validators, found {}",
                    q.validators.len()
                )
            },
        );
    }
    // Beyond the limit the rest is not compiled: a definition of a million patterns would
    // cost that many compilations to be refused.
    for (vi, validator) in q.validators.iter().enumerate().take(MAX_VALIDATORS) {
        check_validator(c, q.kind, validator, &format!("{path}.validators[{vi}]"));
    }

    for (name, condition) in [
        ("visible_if", &q.visible_if),
        ("enable_if", &q.enable_if),
        ("required_if", &q.required_if),
    ] {
        if let Some(condition) = condition {
            check_condition(c, survey, q, format!("{path}.{name}"), condition, earlier);
        }
    }
}

/// Checks one validator: that it applies to the question's kind, that a pattern compiles
/// within the limits, that bounds are sound and a message, when given, is not empty.
fn check_validator<const PATHS: bool>(
    c: &mut Checker<PATHS>,
    kind: QuestionKind,
    validator: &AnswerValidator,
    at: &str,
) {
    let (name, applies_to) = match &validator.check {
        Check::Email => ("email", QuestionKind::Text),
        Check::Pattern { .. } => ("pattern", QuestionKind::Text),
        Check::Numeric { .. } => ("numeric", QuestionKind::Text),
        Check::AnswerCount { .. } => ("answer_count", QuestionKind::MultiChoice),
        Check::TextLength { .. } => ("text_length", QuestionKind::Text),
    };
    if kind != applies_to {
        c.push(
            || format!("{at}.check"),
            || {
                format!(
                    "the {name} check applies to {} questions, not {}",
                    kind_name(applies_to),
                    kind_name(kind)
                )
            },
        );
    }
    let check_at = format!("{at}.check.{name}");
    let disjoint = |c: &mut Checker<PATHS>, min: f64, max: f64| {
        if min > max {
            c.push(
                || check_at.clone(),
                || format!("min ({min}) is above max ({max}), so no answer would pass"),
            );
        }
    };
    match &validator.check {
        Check::Email => {}
        Check::Pattern {
            regex,
            case_insensitive,
        } => {
            if let Err(e) = compile_pattern(regex, *case_insensitive) {
                c.push(|| format!("{at}.check.pattern.regex"), || e);
            }
        }
        Check::Numeric { min, max } => {
            for (bound, x) in [("min", min), ("max", max)] {
                if let Some(x) = x
                    && !x.is_finite()
                {
                    c.push(
                        || format!("{at}.check.numeric.{bound}"),
                        || format!("{bound} must be a finite number, found {x}"),
                    );
                }
            }
            if let (Some(min), Some(max)) = (min, max) {
                disjoint(c, *min, *max);
            }
        }
        Check::AnswerCount { min, max } | Check::TextLength { min, max, .. } => {
            for (bound, x) in [("min", min), ("max", max)] {
                if *x == Some(0) {
                    c.push(
                        || format!("{at}.check.{name}.{bound}"),
                        || format!("{bound} counts from 1 (leave it out for no bound)"),
                    );
                }
            }
            if let (Some(min), Some(max)) = (min, max) {
                disjoint(c, f64::from(*min), f64::from(*max));
            }
        }
    }
    if validator.message.as_ref().is_some_and(|m| m.is_blank()) {
        c.push(|| format!("{at}.message"), || "the message is empty");
    }
}

/// Checks one condition: its syntax, and that what it reads exists. A manyi condition may use
/// earlier answers only, and its string literals must be options of the choice questions they
/// are compared with. A SurveyJS expression may use any question (SurveyJS re-evaluates
/// conditions whenever any answer changes) and only the functions manyi implements.
fn check_condition<const PATHS: bool>(
    c: &mut Checker<PATHS>,
    survey: &Survey,
    q: &Question,
    at: String,
    condition: &ConditionText,
    earlier: &HashMap<&str, (usize, &Question)>,
) {
    let text = match condition {
        ConditionText::Manyi(text) => text,
        ConditionText::SurveyJs(e) => {
            return check_surveyjs(c, survey, at, &e.surveyjs, &e.unknown);
        }
    };
    match Condition::parse(text) {
        Err(e) => c.push(|| at, || format!("syntax error: {e}")),
        Ok(condition) => {
            for var in condition.variables() {
                if var.question == q.id {
                    c.push(
                        || at.clone(),
                        || format!("the condition refers to its own question {:?}", q.id),
                    );
                    continue;
                }
                let Some((_, target)) = earlier.get(var.question.as_str()) else {
                    let later = survey.question(&var.question).is_some();
                    c.push(
                        || at.clone(),
                        || match later {
                            true => format!(
                                "the condition refers to {:?}, which comes later; it may only use earlier answers",
                                var.question
                            ),
                            false => format!(
                                "the condition refers to unknown question {:?}",
                                var.question
                            ),
                        },
                    );
                    continue;
                };
                match (&var.row, target.kind) {
                    (Some(part), QuestionKind::Contact) if part != "agreed" && part != "method" => {
                        c.push(
                            || at.clone(),
                            || {
                                format!(
                                    "{var}: a condition reads a contact question's agreed or method, never its contact details"
                                )
                            },
                        );
                    }
                    (Some(_), QuestionKind::Contact) => {}
                    (None, QuestionKind::Contact) => c.push(
                        || at.clone(),
                        || {
                            format!(
                                "compare {0}.agreed or {0}.method, not the whole contact answer",
                                var.question
                            )
                        },
                    ),
                    (Some(row), QuestionKind::Matrix)
                        if !target.rows.iter().any(|r| &r.id == row) =>
                    {
                        c.push(
                            || at.clone(),
                            || format!("question {:?} has no row {row:?}", var.question),
                        );
                    }
                    (Some(_), QuestionKind::Matrix) => {}
                    (Some(_), _) => c.push(
                        || at.clone(),
                        || {
                            format!(
                                "{var} names a row, but {:?} is not a matrix (or contact) question",
                                var.question
                            )
                        },
                    ),
                    (None, QuestionKind::Matrix) => c.push(
                        || at.clone(),
                        || {
                            format!(
                                "compare a matrix row ({}.ROW), not the whole matrix",
                                var.question
                            )
                        },
                    ),
                    _ => {}
                }
            }
            for (var, literal) in condition.literal_comparisons() {
                let Some((_, target)) = earlier.get(var.question.as_str()) else {
                    continue;
                };
                if let Operand::Text(value) = literal
                    && matches!(
                        target.kind,
                        QuestionKind::SingleChoice | QuestionKind::MultiChoice
                    )
                    && !target.options.iter().any(|o| &o.value == value)
                {
                    c.push(
                        || at.clone(),
                        || format!("{value:?} is not an option of {:?}", var.question),
                    );
                }
                // A contact answer's parts compare only with what they can be, so that a typo
                // does not make a condition that never holds.
                if target.kind == QuestionKind::Contact {
                    match (var.row.as_deref(), literal) {
                        (Some("agreed"), Operand::Bool(_)) => {}
                        (Some("agreed"), _) => c.push(
                            || at.clone(),
                            || format!("{var} is true or false; compare it with true or false"),
                        ),
                        (Some("method"), Operand::Text(name))
                            if ContactMethod::from_name(name)
                                .is_some_and(|m| target.contact_methods().contains(&m)) => {}
                        (Some("method"), _) => c.push(
                            || at.clone(),
                            || format!("{literal} is not a method {:?} offers", var.question),
                        ),
                        _ => {}
                    }
                }
            }
        }
    }
}

/// A build without the `surveyjs` feature refuses SurveyJS expressions, as `Rule::parse` does.
#[cfg(not(feature = "surveyjs"))]
fn check_surveyjs<const PATHS: bool>(
    c: &mut Checker<PATHS>,
    _survey: &Survey,
    at: String,
    _text: &str,
    _unknown: &[String],
) {
    c.push(
        || at,
        || "SurveyJS expressions are not supported by this build".to_owned(),
    );
}

/// Checks a SurveyJS expression: its syntax, its functions, and that every name it reads is a
/// question or listed in `unknown`, whose names must each be read and be no question.
#[cfg(feature = "surveyjs")]
fn check_surveyjs<const PATHS: bool>(
    c: &mut Checker<PATHS>,
    survey: &Survey,
    at: String,
    text: &str,
    unknown: &[String],
) {
    let expr = match Expr::parse(text) {
        Ok(expr) => expr,
        Err(e) => return c.push(|| at, || format!("syntax error: {e}")),
    };
    for name in expr.functions() {
        if !FUNCTIONS.contains(&name) {
            c.push(
                || at.clone(),
                || {
                    format!(
                        "unknown function {name:?}; manyi evaluates {}",
                        FUNCTIONS.join(", ")
                    )
                },
            );
        }
    }
    let mut read = HashSet::new();
    for var in expr.variables() {
        if is_json_literal(var) {
            continue;
        }
        let question = variable_question(var);
        if survey.question(&question).is_none() && !unknown.contains(&question) {
            c.push(
                || at.clone(),
                || {
                    format!(
                        "the expression refers to {{{var}}}, but there is no question \
                         {question:?} (list it in `unknown` to read it as empty, as SurveyJS \
                         does)"
                    )
                },
            );
        }
        read.insert(question);
    }
    for name in unknown {
        if survey.question(name).is_some() {
            c.push(
                || format!("{at}.unknown"),
                || format!("{name:?} is a question of the survey, so it is not unknown"),
            );
        } else if !read.contains(name) {
            c.push(
                || format!("{at}.unknown"),
                || format!("the expression does not read {name:?}"),
            );
        }
    }
}

/// The question a SurveyJS variable path reads: its first segment, lower-cased (SurveyJS
/// names are case-insensitive and manyi ids are lower case), without `[index]`.
pub(crate) fn variable_question(path: &str) -> String {
    let first = path.split('.').next().unwrap_or_default();
    let first = match first.rfind('[') {
        Some(i) if first.ends_with(']') => &first[..i],
        _ => first,
    };
    first.to_ascii_lowercase()
}

/// Whether a variable is SurveyJS's JSON object literal (`{"key": 1}`), not a name.
#[cfg(feature = "surveyjs")]
fn is_json_literal(name: &str) -> bool {
    name.contains(':') && serde_json::from_str::<serde_json::Value>(&format!("{{{name}}}")).is_ok()
}

fn metric_name(metric: crate::model::Metric) -> &'static str {
    match metric {
        crate::model::Metric::Nps => "nps",
        crate::model::Metric::Csat => "csat",
        crate::model::Metric::Ces => "ces",
    }
}

fn kind_name(kind: QuestionKind) -> &'static str {
    match kind {
        QuestionKind::Nps => "nps",
        QuestionKind::Rating => "rating",
        QuestionKind::Likert => "likert",
        QuestionKind::SingleChoice => "single_choice",
        QuestionKind::MultiChoice => "multi_choice",
        QuestionKind::Text => "text",
        QuestionKind::Matrix => "matrix",
        QuestionKind::Contact => "contact",
    }
}

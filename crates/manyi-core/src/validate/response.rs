//! Response validation: a response is checked against the definition it claims to answer, and
//! each problem is a typed [`ResponseError`] naming the question. [`Validator`] indexes a
//! survey and parses its conditions once, for checking many responses.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::checks::{self, CheckFailure, Patterns};
use super::contact::{ContactProblem, check_contact};
use crate::limits::{MAX_ANSWERS, MAX_META_KEY_LENGTH, MAX_META_KEYS, MAX_META_VALUE_LENGTH};
use crate::model::{Answer, AnswerSet, Question, QuestionKind, RequiredRows, Response, Survey};
use crate::visibility::Visibility;

/// One problem with a response.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ResponseError {
    #[error("response id {id:?} is not a UUID")]
    InvalidId { id: String },
    #[error("the response is for survey {found:?}, not {expected:?}")]
    WrongSurvey { expected: String, found: String },
    #[error("the response is for version {found} of the survey, not {expected}")]
    WrongVersion { expected: u32, found: u32 },
    #[error("submitted_at is before started_at")]
    SubmittedBeforeStarted,
    #[error("{question:?} is not a question of this survey")]
    UnknownQuestion { question: String },
    #[error("{question:?} expects {expected}, found {found}")]
    WrongType {
        question: String,
        expected: String,
        found: String,
    },
    #[error("{question:?}: {value} is outside the scale {min}–{max}")]
    OutOfRange {
        question: String,
        value: f64,
        min: f64,
        max: f64,
    },
    #[error("{question:?}: {value} is not a point of the scale (steps of {step} from {min})")]
    NotOnScale {
        question: String,
        value: f64,
        min: f64,
        step: f64,
    },
    #[error("{question:?}: {value:?} is not one of the options")]
    UnknownOption { question: String, value: String },
    #[error("{question:?}: option {value:?} is chosen twice")]
    DuplicateChoice { question: String, value: String },
    #[error("{question:?} has no row {row:?}")]
    UnknownRow { question: String, row: String },
    #[error("{question:?}: the answer has {length} characters; the limit is {max}")]
    TooLong {
        question: String,
        length: usize,
        max: u32,
    },
    #[error("{question:?} is required")]
    MissingRequired { question: String },
    /// The answer fails the question's validator at `validator` (its index in `validators`).
    #[error("{question:?}: {failure}")]
    FailedCheck {
        question: String,
        validator: usize,
        failure: CheckFailure,
    },
    /// A contact question's answer is refused (see [`ContactProblem`]).
    #[error("{question:?}: {problem}")]
    InvalidContact {
        question: String,
        problem: ContactProblem,
    },
    #[error("{question:?} is hidden by its condition, so it cannot have an answer")]
    AnsweredHidden { question: String },
    #[error("the response has {count} answers; the limit is {max}")]
    TooManyAnswers { count: usize, max: usize },
    #[error("meta has {count} keys; the limit is {max}")]
    TooManyMetaKeys { count: usize, max: usize },
    /// `key` is the key's first [`MAX_META_KEY_LENGTH`] characters and `…`.
    #[error("meta key {key:?} has {length} characters; the limit is {max}")]
    MetaKeyTooLong {
        key: String,
        length: usize,
        max: usize,
    },
    #[error("meta {key:?}: the value has {length} characters; the limit is {max}")]
    MetaValueTooLong {
        key: String,
        length: usize,
        max: usize,
    },
}

impl ResponseError {
    /// The question the problem concerns, if it concerns one.
    pub fn question(&self) -> Option<&str> {
        match self {
            ResponseError::UnknownQuestion { question }
            | ResponseError::WrongType { question, .. }
            | ResponseError::OutOfRange { question, .. }
            | ResponseError::NotOnScale { question, .. }
            | ResponseError::UnknownOption { question, .. }
            | ResponseError::DuplicateChoice { question, .. }
            | ResponseError::UnknownRow { question, .. }
            | ResponseError::TooLong { question, .. }
            | ResponseError::MissingRequired { question }
            | ResponseError::FailedCheck { question, .. }
            | ResponseError::InvalidContact { question, .. }
            | ResponseError::AnsweredHidden { question } => Some(question),
            _ => None,
        }
    }
}

/// Whether `s` is a UUID in its canonical hyphenated text form (any version, either case).
pub fn is_uuid(s: &str) -> bool {
    let bytes = s.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// Checks one answer against its question, ignoring whether it is required or visible: its
/// shape and values for the question's kind, then the question's validators, which compile
/// their patterns for this one answer (use [`check_answer_in`] to check many).
pub fn check_answer(q: &Question, answer: &Answer) -> Result<(), ResponseError> {
    check_answer_in(q, answer, &Patterns::default())
}

/// [`check_answer`] with the survey's patterns compiled once.
#[inline]
pub fn check_answer_in(
    q: &Question,
    answer: &Answer,
    patterns: &Patterns,
) -> Result<(), ResponseError> {
    // The commonest answer, a point of a scale for a question without validators, is told in
    // line where answers are checked one after another; everything else is checked in full.
    if let (QuestionKind::Nps | QuestionKind::Rating | QuestionKind::Likert, Answer::Number(x)) =
        (q.kind, answer)
        && q.validators.is_empty()
        && q.bounds().is_some_and(|bounds| bounds.contains(*x))
    {
        return Ok(());
    }
    check_answer_fully(q, answer, patterns)
}

fn check_answer_fully(
    q: &Question,
    answer: &Answer,
    patterns: &Patterns,
) -> Result<(), ResponseError> {
    check_kind(q, answer)?;
    // A blank answer is no answer: validators, as survey-core's, leave empty values alone.
    if !is_answered(answer) {
        return Ok(());
    }
    for (index, validator) in q.validators.iter().enumerate() {
        if let Some(failure) = checks::failure(&validator.check, answer, patterns.get(&q.id, index))
        {
            return Err(ResponseError::FailedCheck {
                question: q.id.clone(),
                validator: index,
                failure,
            });
        }
    }
    Ok(())
}

/// Checks an answer's shape and values against its question's kind.
fn check_kind(q: &Question, answer: &Answer) -> Result<(), ResponseError> {
    let wrong_type = |expected: &str| ResponseError::WrongType {
        question: q.id.clone(),
        expected: expected.to_owned(),
        found: answer.shape().to_owned(),
    };
    match (q.kind, answer) {
        (QuestionKind::Nps | QuestionKind::Rating | QuestionKind::Likert, Answer::Number(x)) => {
            let bounds = q.bounds().expect("scaled kinds have bounds");
            check_scaled(&q.id, bounds, *x)
        }
        (QuestionKind::Nps | QuestionKind::Rating | QuestionKind::Likert, _) => {
            Err(wrong_type("a number"))
        }
        (QuestionKind::SingleChoice, Answer::Text(value)) => {
            if q.options.iter().any(|o| &o.value == value) {
                Ok(())
            } else {
                Err(ResponseError::UnknownOption {
                    question: q.id.clone(),
                    value: value.clone(),
                })
            }
        }
        (QuestionKind::SingleChoice, _) => Err(wrong_type("one option value (a string)")),
        (QuestionKind::MultiChoice, Answer::Choices(values)) => {
            let mut seen = HashSet::new();
            for value in values {
                if !q.options.iter().any(|o| &o.value == value) {
                    return Err(ResponseError::UnknownOption {
                        question: q.id.clone(),
                        value: value.clone(),
                    });
                }
                if !seen.insert(value) {
                    return Err(ResponseError::DuplicateChoice {
                        question: q.id.clone(),
                        value: value.clone(),
                    });
                }
            }
            Ok(())
        }
        (QuestionKind::MultiChoice, _) => Err(wrong_type("a list of option values")),
        (QuestionKind::Text, Answer::Text(text)) => {
            let length = text.chars().count();
            if length > q.max_length() as usize {
                Err(ResponseError::TooLong {
                    question: q.id.clone(),
                    length,
                    max: q.max_length(),
                })
            } else {
                Ok(())
            }
        }
        (QuestionKind::Text, _) => Err(wrong_type("a string")),
        (QuestionKind::Matrix, Answer::Matrix(rows)) => {
            let bounds = q.bounds().expect("matrix has bounds");
            for (row, x) in rows {
                if !q.rows.iter().any(|r| &r.id == row) {
                    return Err(ResponseError::UnknownRow {
                        question: q.id.clone(),
                        row: row.clone(),
                    });
                }
                if !bounds.contains(*x) {
                    return check_scaled(&format!("{}.{}", q.id, row), bounds, *x);
                }
            }
            Ok(())
        }
        (QuestionKind::Matrix, _) => Err(wrong_type("an object of row id → number")),
        (QuestionKind::Contact, Answer::Contact(contact)) => {
            check_contact(q, contact).map_err(|problem| ResponseError::InvalidContact {
                question: q.id.clone(),
                problem,
            })
        }
        (QuestionKind::Contact, _) => Err(wrong_type(
            "a contact answer ({\"agreed\": …, \"method\": …, \"value\": …})",
        )),
    }
}

fn check_scaled(question: &str, scale: crate::model::Bounds, x: f64) -> Result<(), ResponseError> {
    // A point of the scale is in range too, so the usual answer needs this test alone; the
    // errors are told apart out of line.
    if scale.contains(x) {
        Ok(())
    } else {
        scaled_error(question, scale, x)
    }
}

/// Why `x` is not a point of `scale`.
#[cold]
fn scaled_error(question: &str, scale: crate::model::Bounds, x: f64) -> Result<(), ResponseError> {
    if !x.is_finite() || x < scale.min - 1e-9 || x > scale.max + 1e-9 {
        return Err(ResponseError::OutOfRange {
            question: question.to_owned(),
            value: x,
            min: scale.min,
            max: scale.max,
        });
    }
    if !scale.contains(x) {
        return Err(ResponseError::NotOnScale {
            question: question.to_owned(),
            value: x,
            min: scale.min,
            step: scale.step,
        });
    }
    Ok(())
}

/// Whether an answer counts as given. An empty string, an empty list or an empty matrix is the
/// same as no answer: a respondent who clears a field has not answered it. A contact answer is
/// given once the respondent said yes or no, whatever details it lacks (those are its check's).
pub fn is_answered(answer: &Answer) -> bool {
    match answer {
        Answer::Number(_) | Answer::Contact(_) => true,
        Answer::Text(s) => !s.trim().is_empty(),
        Answer::Choices(list) => !list.is_empty(),
        Answer::Matrix(rows) => !rows.is_empty(),
    }
}

/// Whether `answer` is enough for `q` when `q` is required: an answer (see [`is_answered`]),
/// and for a matrix whose `required_rows` is `all`, an answer to every row. The runner asks
/// this too, so it stops the respondent where the server would refuse the response.
pub fn fulfils_required(q: &Question, answer: Option<&Answer>) -> bool {
    match answer.filter(|a| is_answered(a)) {
        None => false,
        Some(Answer::Matrix(rows)) if q.required_rows == RequiredRows::All => {
            q.rows.iter().all(|r| rows.contains_key(&r.id))
        }
        Some(_) => true,
    }
}

/// Checks responses against one definition. Build it once (it indexes the questions and parses
/// the conditions) and check any number of responses with it.
#[derive(Debug, Clone)]
pub struct Validator<'s> {
    survey: &'s Survey,
    questions: HashMap<&'s str, &'s Question>,
    /// The questions in survey order, each where `questions` finds it by its id (`None` at
    /// the earlier places of an id the definition repeats): answers held by their question's
    /// place ([`AnswerSet::by_place`]) are checked without hashing their ids, against the
    /// very question the lookup would give.
    by_place: Vec<Option<&'s Question>>,
    visibility: Visibility,
    patterns: Patterns,
    /// Whether any question is required or has a condition: only then can an answer be
    /// missing or hidden.
    may_miss_or_hide: bool,
}

impl<'s> Validator<'s> {
    pub fn new(survey: &'s Survey) -> Validator<'s> {
        let questions: HashMap<&'s str, &'s Question> =
            survey.questions().map(|q| (q.id.as_str(), q)).collect();
        let by_place = survey
            .questions()
            .map(|q| {
                questions
                    .get(q.id.as_str())
                    .filter(|&&found| std::ptr::eq(found, q))
            })
            .map(|q| q.copied())
            .collect();
        let visibility = Visibility::new(survey);
        Validator {
            survey,
            questions,
            by_place,
            may_miss_or_hide: survey.questions().any(|q| q.required)
                || visibility.has_conditions()
                || visibility.has_answer_conditions(),
            visibility,
            patterns: Patterns::new(survey),
        }
    }

    /// The question an answer with this id (and, when the answers know it, this place in
    /// survey order) answers: the same as looking the id up, faster when the place is known.
    fn question(&self, place: Option<usize>, id: &str) -> Option<&'s Question> {
        if let Some(Some(q)) = place.and_then(|i| self.by_place.get(i))
            && (std::ptr::eq(q.id.as_str(), id) || q.id == id)
        {
            return Some(q);
        }
        self.questions.get(id).copied()
    }

    /// Checks a response, envelope (id, survey, version, timestamps) and answers.
    pub fn response(&self, response: &Response) -> Result<(), Vec<ResponseError>> {
        let survey = self.survey;
        let mut errors = Vec::new();
        if !is_uuid(&response.id) {
            errors.push(ResponseError::InvalidId {
                id: response.id.clone(),
            });
        }
        if response.survey_id != survey.id {
            errors.push(ResponseError::WrongSurvey {
                expected: survey.id.clone(),
                found: response.survey_id.clone(),
            });
        }
        if response.survey_version != survey.version {
            errors.push(ResponseError::WrongVersion {
                expected: survey.version,
                found: response.survey_version,
            });
        }
        if let (Some(started), Some(submitted)) = (response.started_at, response.submitted_at)
            && submitted < started
        {
            errors.push(ResponseError::SubmittedBeforeStarted);
        }
        check_meta(&response.meta, &mut errors);
        if let Err(answer_errors) = self.answers(&response.answers, response.partial) {
            errors.extend(answer_errors);
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// Checks answers alone, without the envelope: for data that has none, such as the rows of
    /// a CSV export. `partial` allows missing required answers.
    pub fn answers(
        &self,
        answers: &dyn AnswerSet,
        partial: bool,
    ) -> Result<(), Vec<ResponseError>> {
        let count = answers.answer_count();
        if count > MAX_ANSWERS {
            // Checking each answer would cost time and an error per unknown id for answers
            // that cannot all belong to a real survey.
            return Err(vec![ResponseError::TooManyAnswers {
                count,
                max: MAX_ANSWERS,
            }]);
        }
        let mut errors = Vec::new();
        let mut check =
            |place: Option<usize>, id: &str, answer: &Answer| match self.question(place, id) {
                None => errors.push(ResponseError::UnknownQuestion {
                    question: id.to_owned(),
                }),
                Some(q) => {
                    if let Err(e) = check_answer_in(q, answer, &self.patterns) {
                        errors.push(e);
                    }
                }
            };
        match answers.by_place() {
            Some((ids, values)) => {
                for (place, (id, value)) in ids.iter().zip(values).enumerate() {
                    if let Some(answer) = value {
                        check(Some(place), id, answer);
                    }
                }
            }
            None => answers.each_raw(&mut |id, answer| check(None, id, answer)),
        }
        if !self.may_miss_or_hide {
            // Without required questions or conditions, the pass below finds nothing.
            return if errors.is_empty() {
                Ok(())
            } else {
                Err(errors)
            };
        }
        let hidden = if self.visibility.has_conditions() {
            self.visibility.hidden(answers)
        } else {
            HashSet::new()
        };
        let (disabled, required_now) = if self.visibility.has_answer_conditions() {
            (
                self.visibility.disabled(answers, &hidden),
                self.visibility.required(answers, &hidden),
            )
        } else {
            (HashSet::new(), HashSet::new())
        };
        for (index, q) in self.survey.questions().enumerate() {
            let answer = answers.answer_at(index, &q.id).filter(|a| is_answered(a));
            let shown = !hidden.contains(&q.id);
            // A read-only question is not required: SurveyJS does not validate one.
            let required = shown
                && (q.required || required_now.contains(&q.id))
                && !disabled.contains(&q.id)
                && !partial;
            match answer {
                Some(_) if !shown => errors.push(ResponseError::AnsweredHidden {
                    question: q.id.clone(),
                }),
                _ if required && !fulfils_required(q, answer) => {
                    errors.push(ResponseError::MissingRequired {
                        question: q.id.clone(),
                    })
                }
                _ => {}
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// Checks a response's metadata against the limits of [`crate::limits`]: how many keys, how
/// long each key and each value.
fn check_meta(meta: &BTreeMap<String, String>, errors: &mut Vec<ResponseError>) {
    if meta.len() > MAX_META_KEYS {
        errors.push(ResponseError::TooManyMetaKeys {
            count: meta.len(),
            max: MAX_META_KEYS,
        });
        return;
    }
    for (key, value) in meta {
        let length = key.chars().count();
        if length > MAX_META_KEY_LENGTH {
            errors.push(ResponseError::MetaKeyTooLong {
                key: clipped(key),
                length,
                max: MAX_META_KEY_LENGTH,
            });
            continue;
        }
        let length = value.chars().count();
        if length > MAX_META_VALUE_LENGTH {
            errors.push(ResponseError::MetaValueTooLong {
                key: key.clone(),
                length,
                max: MAX_META_VALUE_LENGTH,
            });
        }
    }
}

/// A key too long to repeat whole in an error: its first [`MAX_META_KEY_LENGTH`] characters
/// and `…`.
fn clipped(key: &str) -> String {
    let mut out: String = key.chars().take(MAX_META_KEY_LENGTH).collect();
    out.push('…');
    out
}

/// Checks a response against the definition it answers and returns every problem (build a
/// [`Validator`] to check many).
pub fn validate_response(survey: &Survey, response: &Response) -> Result<(), Vec<ResponseError>> {
    Validator::new(survey).response(response)
}

/// Checks answers without an envelope (build a [`Validator`] to check many).
pub fn validate_answers(
    survey: &Survey,
    answers: &BTreeMap<String, Answer>,
    partial: bool,
) -> Result<(), Vec<ResponseError>> {
    Validator::new(survey).answers(answers, partial)
}

//! What the runner tells a respondent about one answer, derived from `manyi-core`'s checks.

use manyi_core::model::AnswerValidator;
use manyi_core::validate::{
    CheckFailure, ContactProblem, ResponseError, check_answer, fulfils_required, is_answered,
};
use manyi_core::{Answer, LocalizedText, Question};

use crate::i18n::{self, Lang, Msg};

/// A problem with one answer, as shown next to its question.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FieldError {
    Required,
    /// A required matrix that needs every row has some rows unanswered.
    EveryRow,
    TooLong {
        max: u32,
    },
    Invalid,
    /// The answer fails the question's validator at `validator` (its index in `validators`).
    Check {
        validator: usize,
        failure: CheckFailure,
    },
    /// A contact answer lacks a method or details, or its number or address is not valid.
    Contact(ContactProblem),
}

impl FieldError {
    /// The runner's own message, in the interface's language.
    pub fn message(self, lang: Lang) -> String {
        match self {
            FieldError::Required => Msg::Required.text(lang).to_owned(),
            FieldError::EveryRow => Msg::EveryRow.text(lang).to_owned(),
            FieldError::TooLong { max } => i18n::too_long(lang, max),
            FieldError::Invalid => Msg::InvalidAnswer.text(lang).to_owned(),
            FieldError::Check { failure, .. } => i18n::check_failure(lang, failure),
            FieldError::Contact(problem) => i18n::contact_problem(lang, problem),
        }
    }

    /// The message the survey gives for this error instead of the runner's (a validator's
    /// own, SurveyJS's `text`), shown in the survey's language.
    pub fn survey_message(self, validators: &[AnswerValidator]) -> Option<&LocalizedText> {
        match self {
            FieldError::Check { validator, .. } => validators.get(validator)?.message.as_ref(),
            _ => None,
        }
    }
}

/// The problem with `answer` to `question`, if any. A blank answer only matters when the
/// question is `required`: always, or by its `required_if` condition at the moment; so does a
/// matrix with rows left blank, when it needs every row, as the server checks.
pub fn field_error(
    question: &Question,
    answer: Option<&Answer>,
    required: bool,
) -> Option<FieldError> {
    match answer.filter(|a| is_answered(a)) {
        None => required.then_some(FieldError::Required),
        Some(answer) => match check_answer(question, answer) {
            Ok(()) if required && !fulfils_required(question, Some(answer)) => {
                Some(FieldError::EveryRow)
            }
            Ok(()) => None,
            Err(ResponseError::TooLong { max, .. }) => Some(FieldError::TooLong { max }),
            Err(ResponseError::FailedCheck {
                validator, failure, ..
            }) => Some(FieldError::Check { validator, failure }),
            Err(ResponseError::InvalidContact { problem, .. }) => {
                Some(FieldError::Contact(problem))
            }
            Err(_) => Some(FieldError::Invalid),
        },
    }
}

//! The syntax error that both condition languages report, so that a caller shows an error in
//! either language the same way (the CLI and the definition checks point at `position`).

use crate::limits::{MAX_CONDITION_DEPTH, MAX_CONDITION_LENGTH, MAX_CONDITION_NESTING};

/// A syntax error, with the character position (0-based) where it was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at character {})", position + 1)]
pub struct ParseError {
    /// 0-based character offset into the condition text.
    pub position: usize,
    pub message: String,
}

impl ParseError {
    /// The error for a condition in SurveyJS's language in a build without the `surveyjs`
    /// feature.
    #[cfg(not(feature = "surveyjs"))]
    pub(crate) fn not_in_build() -> ParseError {
        ParseError {
            position: 0,
            message: "SurveyJS expressions are not supported by this build".to_owned(),
        }
    }

    /// The error for a condition longer than [`MAX_CONDITION_LENGTH`], pointing at the first
    /// character past the limit.
    pub(crate) fn too_long() -> ParseError {
        ParseError {
            position: MAX_CONDITION_LENGTH,
            message: format!("conditions are at most {MAX_CONDITION_LENGTH} characters long"),
        }
    }

    /// The error for a condition whose tree is deeper than [`MAX_CONDITION_DEPTH`], pointing
    /// at the operator that passes the limit.
    pub(crate) fn too_deep(position: usize) -> ParseError {
        ParseError {
            position,
            message: format!(
                "conditions are at most {MAX_CONDITION_DEPTH} operators deep, each operator of \
                 a chain such as `a and b and …` counting as one"
            ),
        }
    }

    /// The error for a condition that opens more than [`MAX_CONDITION_NESTING`] parentheses,
    /// negations, calls or lists inside one another, pointing at the one that passes the limit.
    pub(crate) fn too_nested(position: usize) -> ParseError {
        ParseError {
            position,
            message: format!(
                "conditions nest at most {MAX_CONDITION_NESTING} parentheses, negations, calls \
                 or lists inside one another"
            ),
        }
    }
}

/// Whether `text` is longer than [`MAX_CONDITION_LENGTH`] characters, counted only as far as
/// the limit so that a huge text costs no more than a long one.
pub(crate) fn too_long(text: &str) -> bool {
    text.chars().nth(MAX_CONDITION_LENGTH).is_some()
}

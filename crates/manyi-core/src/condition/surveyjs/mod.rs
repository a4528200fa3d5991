//! SurveyJS's expression language, the second language a definition may write a condition in
//! (`{"surveyjs": "…"}`): [`Expr`] is parsed and printed as survey-core reads and writes it
//! (`expr.rs`) and evaluated with survey-core's semantics (`eval.rs`) over a [`Scope`] of named
//! values; [`AnswerScope`] is a survey's answers as such a scope.
//!
//! The language lives beside manyi's own rather than with the SurveyJS import and export:
//! visibility and validation evaluate and check expressions, and the import and export, which
//! check what they write, sit above validation.

mod eval;
mod expr;

use std::fmt;

pub use eval::{FUNCTIONS, Scope, Value};
pub(crate) use eval::{JsLower, get_number, number_to_string};
pub use expr::{BinOp, Expr};

use crate::model::{Answer, Answers};
use eval::object;

/// Answers as SurveyJS expressions see them: a number, a string, a list of strings, a matrix
/// as an object of row → number, or a contact answer as an object of `agreed` and `method`. Names match case-insensitively, as in SurveyJS; question
/// ids are lower case, so the lower-cased name is tried after the exact one.
#[derive(Clone, Copy)]
pub struct AnswerScope<'a>(pub &'a dyn Answers);

impl fmt::Debug for AnswerScope<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AnswerScope")
    }
}

impl Scope for AnswerScope<'_> {
    fn get(&self, name: &str) -> Option<Value> {
        let answer = self
            .0
            .answer(name)
            .or_else(|| self.0.answer(&name.to_ascii_lowercase()))?;
        Some(match answer {
            Answer::Number(n) => Value::Number(*n),
            Answer::Text(s) => Value::Text(s.clone()),
            Answer::Choices(list) => Value::Array(list.iter().cloned().map(Value::Text).collect()),
            Answer::Matrix(rows) => {
                object(rows.iter().map(|(k, v)| (k.clone(), Value::Number(*v))))
            }
            // As in manyi's language, the consent and the method without the contact details.
            Answer::Contact(contact) => object(
                std::iter::once(("agreed".to_owned(), Value::Bool(contact.agreed))).chain(
                    contact
                        .method
                        .map(|m| ("method".to_owned(), Value::Text(m.as_str().to_owned()))),
                ),
            ),
        })
    }
}

//! Conditions: when a question is shown (`visible_if`), read-only (`enable_if`) or required
//! (`required_if`). A definition writes each condition in one of two languages, which live side
//! by side here:
//!
//! - manyi's own language ([`Condition`]): small, with a printer whose output parses back to
//!   the same tree;
//! - SurveyJS's expression language ([`surveyjs`]): survey-core's grammar and semantics, so a
//!   condition written for SurveyJS behaves here as it does there.
//!
//! [`Rule`] is a parsed condition in either language, evaluated with that language's semantics;
//! both parsers report a [`ParseError`] with a position. This family reads only the model and
//! the number parser. Visibility and validation evaluate and check conditions through it, and
//! the SurveyJS import and export, which sit above validation, translate between the two
//! languages with it.

mod error;
mod manyi;
pub mod surveyjs;

pub use error::ParseError;
pub use manyi::{CompareOp, Condition, Operand, VarRef};

use crate::model::{Answers, ConditionText};
#[cfg(feature = "surveyjs")]
use surveyjs::AnswerScope;
use surveyjs::Expr;

/// A parsed condition in either of the languages a definition may use.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    Manyi(Condition),
    SurveyJs(Expr),
}

impl Rule {
    /// Parses a condition in the language it is written in. A build without the `surveyjs`
    /// feature refuses SurveyJS's language.
    pub fn parse(text: &ConditionText) -> Result<Rule, ParseError> {
        match text {
            ConditionText::Manyi(text) => Condition::parse(text).map(Rule::Manyi),
            #[cfg(feature = "surveyjs")]
            ConditionText::SurveyJs(e) => Expr::parse(&e.surveyjs).map(Rule::SurveyJs),
            #[cfg(not(feature = "surveyjs"))]
            ConditionText::SurveyJs(_) => Err(ParseError::not_in_build()),
        }
    }

    /// Evaluates the condition on the given answers, each language with its own semantics.
    pub fn eval(&self, answers: &dyn Answers) -> bool {
        match self {
            Rule::Manyi(condition) => condition.eval(answers),
            #[cfg(feature = "surveyjs")]
            Rule::SurveyJs(expr) => expr.holds(&AnswerScope(answers)),
            // Never parsed in such a build (see `parse`).
            #[cfg(not(feature = "surveyjs"))]
            Rule::SurveyJs(_) => false,
        }
    }
}

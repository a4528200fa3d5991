//! SurveyJS interoperability: its expression language, evaluated with survey-core's semantics,
//! and (in later modules) import and export of its JSON survey definitions.

mod eval;
mod expr;

pub use eval::{FUNCTIONS, Scope, Value};
pub use expr::{BinOp, Expr};

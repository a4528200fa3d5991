//! Validation of survey definitions (`definition.rs`: every problem at once, each with a JSON
//! path) and of responses (`response.rs`: typed [`ResponseError`]s, and the [`Validator`] that
//! checks many responses against one survey).
//!
//! The two halves share no code: a definition is checked on its own, and a response against a
//! definition that is already valid. Both read the model; the definition checks also parse
//! conditions, and the response checks evaluate them through the survey's visibility.

mod definition;
mod response;

pub(crate) use definition::variable_question;
pub use definition::{DefinitionError, Problem, is_valid_survey, parse_survey, validate_survey};
pub use response::{
    ResponseError, Validator, check_answer, fulfils_required, is_answered, is_uuid,
    validate_answers, validate_response,
};

//! Validation of survey definitions (`definition.rs`: every problem at once, each with a JSON
//! path) and of responses (`response.rs`: typed [`ResponseError`]s, and the [`Validator`] that
//! checks many responses against one survey), with a contact question's answer checked in
//! `contact.rs`.
//!
//! A definition is checked on its own, and a response against a definition that is already
//! valid. Both read the model; the definition checks also parse conditions, and the response
//! checks evaluate them through the survey's visibility. What the two halves share is
//! `checks.rs`, a question's validators: definition validation compiles their patterns to say
//! what is wrong with one, response validation runs them.

mod checks;
mod contact;
mod definition;
mod response;

pub(crate) use checks::compile as compile_pattern;
pub use checks::{CheckFailure, Patterns};
pub use contact::{ContactProblem, check_contact, is_email_address, is_phone_number};
pub(crate) use definition::variable_question;
pub use definition::{DefinitionError, Problem, is_valid_survey, parse_survey, validate_survey};
pub use response::{
    ResponseError, Validator, check_answer, check_answer_in, fulfils_required, is_answered,
    is_uuid, validate_answers, validate_response,
};

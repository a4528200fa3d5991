//! The built-in survey templates, embedded at compile time so the server and the CLI offer
//! them without any file access.

use crate::model::Survey;
use crate::validate::{DefinitionError, parse_survey};

/// The names of the built-in templates, in the order they are listed to users. The browser
/// app fetches the templates as files (`/templates/{name}.json`, copied from this crate by
/// Trunk), so it uses only this list and carries none of the JSON in its bundle.
pub const NAMES: [&str; 4] = ["nps", "csat", "ces", "rq"];

/// The names of the built-in templates.
pub fn names() -> impl Iterator<Item = &'static str> {
    NAMES.into_iter()
}

/// The JSON text of a template, exactly as shipped.
pub fn json(name: &str) -> Option<&'static str> {
    Some(match name {
        "nps" => include_str!("../templates/nps.json"),
        "csat" => include_str!("../templates/csat.json"),
        "ces" => include_str!("../templates/ces.json"),
        "rq" => include_str!("../templates/rq.json"),
        _ => return None,
    })
}

/// A template parsed and validated. The templates are tested to be valid, so the error case
/// only arises for an unknown name.
pub fn get(name: &str) -> Option<Result<Survey, DefinitionError>> {
    json(name).map(parse_survey)
}

//! The built-in survey templates, embedded at compile time so every build (browser, server,
//! CLI) offers the same ones without any file access.

use crate::model::Survey;
use crate::validate::{DefinitionError, parse_survey};

/// Template names with their JSON text, in the order they are listed to users.
const TEMPLATES: &[(&str, &str)] = &[
    ("nps", include_str!("../templates/nps.json")),
    ("csat", include_str!("../templates/csat.json")),
    ("ces", include_str!("../templates/ces.json")),
    ("rq", include_str!("../templates/rq.json")),
];

/// The names of the built-in templates.
pub fn names() -> impl Iterator<Item = &'static str> {
    TEMPLATES.iter().map(|(name, _)| *name)
}

/// The JSON text of a template, exactly as shipped.
pub fn json(name: &str) -> Option<&'static str> {
    TEMPLATES.iter().find(|(n, _)| *n == name).map(|(_, j)| *j)
}

/// A template parsed and validated. The templates are tested to be valid, so the error case
/// only arises for an unknown name.
pub fn get(name: &str) -> Option<Result<Survey, DefinitionError>> {
    json(name).map(parse_survey)
}

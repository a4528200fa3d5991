//! The surveys available on this device: the built-in templates plus imported definitions.

use manyi_core::validate::Problem;
use manyi_core::{Survey, parse_survey, templates};

use crate::storage::{StorageError, Store};

/// Imported definitions, as a JSON array of definition objects.
pub const IMPORTED_KEY: &str = "manyi.surveys.v1";

/// Where a survey comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Template,
    Imported,
}

/// Imported definitions as stored. Each was validated on import, but one that no longer
/// validates (after a core upgrade) is skipped rather than breaking the list.
fn imported(store: Option<&Store>) -> Result<Vec<Survey>, StorageError> {
    let Some(store) = store else {
        return Ok(Vec::new());
    };
    let values: Vec<serde_json::Value> = store.get_json(IMPORTED_KEY)?.unwrap_or_default();
    Ok(values
        .iter()
        .filter_map(|value| parse_survey(&value.to_string()).ok())
        .collect())
}

/// Every available survey; an imported definition replaces a template with the same id.
pub fn all(store: Option<&Store>) -> (Vec<(Survey, Source)>, Option<StorageError>) {
    let (imported, problem) = match imported(store) {
        Ok(list) => (list, None),
        Err(error) => (Vec::new(), Some(error)),
    };
    let mut surveys: Vec<(Survey, Source)> = templates::names()
        .filter_map(|name| templates::get(name)?.ok())
        .filter(|t| !imported.iter().any(|s| s.id == t.id))
        .map(|s| (s, Source::Template))
        .collect();
    surveys.extend(imported.into_iter().map(|s| (s, Source::Imported)));
    (surveys, problem)
}

/// The survey with `id`, if this device has it.
pub fn find(store: Option<&Store>, id: &str) -> (Option<Survey>, Option<StorageError>) {
    let (surveys, problem) = all(store);
    let survey = surveys.into_iter().map(|(s, _)| s).find(|s| s.id == id);
    (survey, problem)
}

/// Why a definition could not be imported.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImportError {
    #[error("the definition is not valid")]
    Invalid(Vec<Problem>),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Validates `json` and stores it, replacing an earlier import with the same id.
pub fn import(store: Option<&Store>, json: &str) -> Result<Survey, ImportError> {
    let survey = parse_survey(json).map_err(|e| ImportError::Invalid(e.problems()))?;
    let store = store.ok_or(StorageError::Unavailable)?;
    let mut values: Vec<serde_json::Value> = match store.get_json(IMPORTED_KEY) {
        Ok(values) => values.unwrap_or_default(),
        // The unreadable list has been moved aside, so a new list can start.
        Err(StorageError::Corrupt { .. }) => Vec::new(),
        Err(error) => return Err(error.into()),
    };
    values.retain(|v| v.get("id").and_then(|id| id.as_str()) != Some(survey.id.as_str()));
    let value = serde_json::from_str(json).map_err(|e| StorageError::Failed(e.to_string()))?;
    values.push(value);
    store.set_json(IMPORTED_KEY, &values)?;
    Ok(survey)
}

//! The surveys this device can run: definitions imported on this device, the ones published on
//! the server (remembered for use offline), and the built-in templates, which are served as
//! files next to the app so the bundle carries none of them.

use std::collections::BTreeMap;

use manyi_core::validate::{Problem, is_valid_survey};
use manyi_core::{Survey, parse_survey, templates};
use serde_json::value::RawValue;

use crate::net::api;
use crate::storage::{StorageError, Store};

/// Imported definitions, as a JSON array of definition objects.
pub const IMPORTED_KEY: &str = "manyi.surveys.v1";
/// The last definition fetched from the server for each survey id, as a JSON object.
pub const PUBLISHED_KEY: &str = "manyi.published.v1";

/// Where a survey comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Template,
    Imported,
}

/// The survey `json` defines, when it parses and validates: what [`parse_survey`] accepts. Only
/// an import reports why a definition is unusable; reading one without tracking where a
/// malformed value is, and checking it without describing its problems, keeps that code (a
/// second parser for every type of the definition, and every problem's message) out of the
/// respondent's bundle.
fn usable(json: &str) -> Option<Survey> {
    let survey: Survey = serde_json::from_str(json).ok()?;
    is_valid_survey(&survey).then_some(survey)
}

/// Imported definitions as stored. Each was validated on import, but one that no longer
/// validates (after a core upgrade) is skipped rather than breaking the list. Each is kept as
/// its JSON text until it is read as a survey.
fn imported(store: Option<&Store>) -> Result<Vec<Survey>, StorageError> {
    let Some(store) = store else {
        return Ok(Vec::new());
    };
    let values: Vec<Box<RawValue>> = store.get_json(IMPORTED_KEY)?.unwrap_or_default();
    Ok(values
        .iter()
        .filter_map(|value| usable(value.get()))
        .collect())
}

/// A built-in template, fetched and validated.
async fn template(name: &str) -> Option<Survey> {
    usable(&api::template_json(name).await?)
}

/// Every survey to list on the home page: the templates, then the imported definitions; an
/// imported definition replaces a template with the same id.
pub async fn all(store: Option<&Store>) -> (Vec<(Survey, Source)>, Option<StorageError>) {
    let (imported, problem) = match imported(store) {
        Ok(list) => (list, None),
        Err(error) => (Vec::new(), Some(error)),
    };
    let fetched = futures::future::join_all(templates::NAMES.map(template)).await;
    let mut surveys: Vec<(Survey, Source)> = fetched
        .into_iter()
        .flatten()
        .filter(|t| !imported.iter().any(|s| s.id == t.id))
        .map(|s| (s, Source::Template))
        .collect();
    surveys.extend(imported.into_iter().map(|s| (s, Source::Imported)));
    (surveys, problem)
}

/// The survey with `id`: imported on this device first (an author testing a definition means
/// that one), then the server's latest published version (or, with the server unreachable, the
/// one it published last time), then the built-in template of that name.
pub async fn find(store: Option<&Store>, id: &str) -> (Option<Survey>, Option<StorageError>) {
    let (imported, problem) = match imported(store) {
        Ok(list) => (list, None),
        Err(error) => (Vec::new(), Some(error)),
    };
    if let Some(survey) = imported.into_iter().find(|s| s.id == id) {
        return (Some(survey), problem);
    }
    let published = async {
        let api = api::discover().await?;
        match api::survey_json(&api, id).await {
            Ok(Some(json)) => usable(&json).inspect(|_| remember(store, id, json)),
            Ok(None) => None,
            Err(_) => remembered(store, id),
        }
    };
    // A template's file is requested while the server is asked, rather than after it says it
    // has no such survey: the respondent waits for two requests in a row instead of three.
    let template = async {
        match templates::NAMES.contains(&id) {
            true => api::template_json(id).await,
            false => None,
        }
    };
    let (published, template) = futures::future::join(published, template).await;
    let survey = published.or_else(|| usable(&template?));
    (survey, problem)
}

/// Keeps a published definition (its JSON text, which parsed) for use offline. This is a cache:
/// failing to write it loses nothing, so a failure is not reported.
fn remember(store: Option<&Store>, id: &str, json: String) {
    let (Some(store), Ok(value)) = (store, RawValue::from_string(json)) else {
        return;
    };
    let mut all: BTreeMap<String, Box<RawValue>> = store
        .get_json(PUBLISHED_KEY)
        .ok()
        .flatten()
        .unwrap_or_default();
    all.insert(id.to_owned(), value);
    let _ = store.set_json(PUBLISHED_KEY, &all);
}

/// The definition the server published last time it was reachable.
fn remembered(store: Option<&Store>, id: &str) -> Option<Survey> {
    let all: BTreeMap<String, Box<RawValue>> = store?.get_json(PUBLISHED_KEY).ok().flatten()?;
    usable(all.get(id)?.get())
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

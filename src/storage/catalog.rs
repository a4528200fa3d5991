//! The surveys this device can run: definitions imported on this device, the ones published on
//! the server (remembered for use offline), and the built-in templates, which are served as
//! files next to the app so the bundle carries none of them. Importing a definition (manyi's or
//! SurveyJS's) onto this device is here too, for the home page and the local-only dashboard.

use std::collections::BTreeMap;

use manyi_core::validate::{Problem, is_valid_survey};
use manyi_core::{Survey, parse_survey, surveyjs, templates};
use serde_json::value::RawValue;

use crate::browser::nav;
use crate::net::api::{self, Detail};
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

/// A survey found without a request ([`at_hand`]).
#[derive(Debug, Clone, PartialEq)]
pub enum AtHand {
    /// Imported on this device.
    Imported(Survey),
    /// Sent by the server with the survey's page.
    Served(Survey),
}

impl AtHand {
    pub fn survey(self) -> Survey {
        match self {
            AtHand::Imported(survey) | AtHand::Served(survey) => survey,
        }
    }
}

/// The survey `json` defines, when it parses and validates: what [`parse_survey`] accepts. Only
/// an import reports why a definition is unusable; reading one without tracking where a
/// malformed value is, and checking it without describing its problems, keeps that code (a
/// second parser for every type of the definition, and every problem's message) out of the
/// respondent's bundle.
fn usable(json: &str) -> Option<Survey> {
    let survey: Survey = serde_json::from_str(json).ok()?;
    // The respondent's usual bundle cannot run SurveyJS conditions or patterns: it hands such a
    // survey to the full bundle, which finds it again.
    if !cfg!(feature = "surveyjs") && survey.needs_surveyjs() {
        nav::use_full_runner();
        return None;
    }
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

/// The survey with `id` when it is at hand without a request, and where it comes from:
/// imported on this device (as [`find`] prefers), else the definition the server sent with the
/// survey's page, which is remembered for use offline like one fetched. `None` leaves it to
/// [`find`].
pub fn at_hand(
    store: Option<&Store>,
    id: &str,
    served: Option<String>,
) -> (Option<AtHand>, Option<StorageError>) {
    let (imported, problem) = match imported(store) {
        Ok(list) => (list, None),
        Err(error) => (Vec::new(), Some(error)),
    };
    if let Some(survey) = imported.into_iter().find(|s| s.id == id) {
        return (Some(AtHand::Imported(survey)), problem);
    }
    let survey = served.and_then(|json| {
        let survey = usable(&json).filter(|s| s.id == id)?;
        remember(store, id, json);
        Some(AtHand::Served(survey))
    });
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

/// A definition imported onto this device.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub survey: Survey,
    /// What a SurveyJS import did not carry over as it was.
    pub reports: Vec<Detail>,
}

/// Whether `text` is a SurveyJS definition rather than a manyi one, by the contract's rule
/// (`manyi_api::looks_like_surveyjs`), which the server's hint follows too.
pub fn is_surveyjs(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text)
        .is_ok_and(|definition| manyi_api::looks_like_surveyjs(&definition))
}

/// Imports `text`, a manyi definition or (when `surveyjs`) a SurveyJS one, onto this device:
/// a SurveyJS definition goes through the core's import first, and either is then validated
/// and stored like any import.
pub fn import_definition(
    store: Option<&Store>,
    text: &str,
    surveyjs: bool,
) -> Result<Imported, ImportError> {
    if !surveyjs {
        return import(store, text).map(|survey| Imported {
            survey,
            reports: Vec::new(),
        });
    }
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        ImportError::Invalid(vec![Problem {
            path: "$".to_owned(),
            message: format!("not JSON: {e}"),
        }])
    })?;
    let import_surveyjs = surveyjs::import(&value).map_err(|error| match error {
        surveyjs::ImportError::NotAnObject(found) => ImportError::Invalid(vec![Problem {
            path: "$".to_owned(),
            message: format!("a SurveyJS definition is a JSON object, not {found}"),
        }]),
        surveyjs::ImportError::NothingImported { reports } => ImportError::Invalid(
            reports
                .into_iter()
                .map(|r| Problem {
                    path: r.path,
                    message: r.message,
                })
                .collect(),
        ),
        surveyjs::ImportError::Invalid { problems, .. } => ImportError::Invalid(problems),
    })?;
    let json = serde_json::to_string(&import_surveyjs.survey)
        .map_err(|e| StorageError::Failed(e.to_string()))?;
    Ok(Imported {
        survey: import(store, &json)?,
        reports: reports_of(&import_surveyjs.reports),
    })
}

/// A SurveyJS import's reports as the problems with paths the interface lists.
fn reports_of(reports: &[surveyjs::Report]) -> Vec<Detail> {
    reports
        .iter()
        .map(|r| Detail::from(manyi_api::ImportReport::from(r)))
        .collect()
}

/// Validates `json` and stores it, replacing an earlier import with the same id.
fn import(store: Option<&Store>, json: &str) -> Result<Survey, ImportError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surveyjs_definitions_are_told_from_manyi_ones() {
        assert!(is_surveyjs(r#"{"elements": []}"#));
        assert!(is_surveyjs(r#"{"questions": []}"#));
        assert!(is_surveyjs(
            r#"{"pages": [{"name": "p1", "elements": []}]}"#
        ));
        assert!(!is_surveyjs(
            r#"{"id": "x", "pages": [{"id": "p1", "questions": []}]}"#
        ));
        assert!(!is_surveyjs(r#"[{"elements": []}]"#));
        assert!(!is_surveyjs("not json"));
    }

    #[test]
    fn an_import_lists_problems_before_it_needs_storage() {
        let Err(ImportError::Invalid(problems)) = import_definition(None, "{", true) else {
            panic!("text that is not JSON is not a SurveyJS definition");
        };
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].path, "$");
        assert!(problems[0].message.starts_with("not JSON"), "{problems:?}");
        let Err(ImportError::Invalid(problems)) = import_definition(None, "[]", true) else {
            panic!("a SurveyJS definition is an object");
        };
        assert_eq!(problems[0].path, "$");
        assert!(matches!(
            import_definition(None, r#"{"id": "x"}"#, false),
            Err(ImportError::Invalid(problems)) if !problems.is_empty()
        ));
        let valid = r#"{"elements": [{"type": "rating", "name": "q1"}]}"#;
        assert_eq!(
            import_definition(None, valid, true),
            Err(ImportError::Storage(StorageError::Unavailable))
        );
    }
}

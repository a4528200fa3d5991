//! The in-progress answers of one survey, autosaved so a reload or a closed tab loses nothing.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use manyi_core::Answer;
use serde::{Deserialize, Serialize};

use crate::storage::{StorageError, Store};

/// The draft of one survey on this device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    /// Answers to another version of the definition may not fit it, so they are not resumed.
    pub survey_version: u32,
    #[serde(deserialize_with = "manyi_core::time::deserialize")]
    pub started_at: DateTime<FixedOffset>,
    pub page: usize,
    pub answers: BTreeMap<String, Answer>,
}

fn key(survey_id: &str) -> String {
    format!("manyi.draft.v1.{survey_id}")
}

pub fn load(store: &Store, survey_id: &str) -> Result<Option<Draft>, StorageError> {
    store.get_json(&key(survey_id))
}

pub fn save(store: &Store, survey_id: &str, draft: &Draft) -> Result<(), StorageError> {
    store.set_json(&key(survey_id), draft)
}

pub fn clear(store: &Store, survey_id: &str) -> Result<(), StorageError> {
    store.remove(&key(survey_id))
}

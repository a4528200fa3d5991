//! The local outbox of completed responses, waiting for a later sync to send them.
//!
//! The outbox is a JSON array under [`OUTBOX_KEY`]. Entries are handled as raw JSON values when
//! appending, so an entry this version cannot read (written by a newer one, say) is kept as it
//! is rather than dropped.

use crate::storage::{StorageError, Store};

pub const OUTBOX_KEY: &str = "manyi.outbox.v1";

/// One completed response with the scores the client computed; what the server says about it
/// is decided by `manyi_core::outbox`.
pub type OutboxEntry = manyi_core::outbox::OutboxItem;

/// The outbox's raw entries. A corrupt outbox has already been moved aside when this reports
/// it, so the caller may start a new one.
fn raw_entries(store: &Store) -> Result<Vec<serde_json::Value>, StorageError> {
    Ok(store.get_json(OUTBOX_KEY)?.unwrap_or_default())
}

/// Appends `entry`. A corrupt outbox is set aside and reported through `notify`, and the entry
/// starts a new outbox; any other failure is returned so the caller can offer a download.
pub fn push(
    store: &Store,
    entry: &OutboxEntry,
    notify: &dyn Fn(StorageError),
) -> Result<(), StorageError> {
    let mut entries = match raw_entries(store) {
        Ok(entries) => entries,
        Err(error @ StorageError::Corrupt { .. }) => {
            notify(error);
            Vec::new()
        }
        Err(error) => return Err(error),
    };
    entries.push(serde_json::to_value(entry).map_err(|e| StorageError::Failed(e.to_string()))?);
    store.set_json(OUTBOX_KEY, &entries)
}

/// The readable entries and how many could not be read.
pub fn load(store: &Store) -> Result<(Vec<OutboxEntry>, usize), StorageError> {
    let raw = raw_entries(store)?;
    let total = raw.len();
    let entries: Vec<OutboxEntry> = raw
        .into_iter()
        .filter_map(|value| serde_json::from_value(value).ok())
        .collect();
    let skipped = total - entries.len();
    Ok((entries, skipped))
}

/// Changes the readable entries with `change` and writes the outbox back. Entries this version
/// cannot read are written back untouched, after the readable ones, so nothing is lost.
pub fn update<T>(
    store: &Store,
    change: impl FnOnce(&mut Vec<OutboxEntry>) -> T,
) -> Result<T, StorageError> {
    let raw = raw_entries(store)?;
    let mut entries = Vec::with_capacity(raw.len());
    let mut unreadable = Vec::new();
    for value in raw {
        match serde_json::from_value::<OutboxEntry>(value.clone()) {
            Ok(entry) => entries.push(entry),
            Err(_) => unreadable.push(value),
        }
    }
    let result = change(&mut entries);
    let mut out = Vec::with_capacity(entries.len() + unreadable.len());
    for entry in &entries {
        out.push(serde_json::to_value(entry).map_err(|e| StorageError::Failed(e.to_string()))?);
    }
    out.extend(unreadable);
    store.set_json(OUTBOX_KEY, &out)?;
    Ok(result)
}

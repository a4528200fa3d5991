//! The local outbox of completed responses, waiting for a later sync to send them.
//!
//! The outbox is a JSON array under [`OUTBOX_KEY`]. Entries are handled as their JSON text when
//! appending, so an entry this version cannot read (written by a newer one, say) is kept as it
//! is rather than dropped. Text rather than `serde_json::Value`s: reading an entry from a value
//! and writing one into a value would each be another copy of the entry's whole (de)serializer in
//! the respondent's bundle.

use serde_json::value::RawValue;

use crate::storage::{StorageError, Store};

pub const OUTBOX_KEY: &str = "manyi.outbox.v1";

/// One completed response with the scores the client computed; what the server says about it
/// is decided by `manyi_core::outbox`.
pub type OutboxEntry = manyi_core::outbox::OutboxItem;

/// The outbox's raw entries. A corrupt outbox has already been moved aside when this reports
/// it, so the caller may start a new one.
fn raw_entries(store: &Store) -> Result<Vec<Box<RawValue>>, StorageError> {
    Ok(store.get_json(OUTBOX_KEY)?.unwrap_or_default())
}

fn to_raw(entry: &OutboxEntry) -> Result<Box<RawValue>, StorageError> {
    serde_json::value::to_raw_value(entry).map_err(|e| StorageError::Failed(e.to_string()))
}

fn read(raw: &RawValue) -> Option<OutboxEntry> {
    serde_json::from_str(raw.get()).ok()
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
    entries.push(to_raw(entry)?);
    store.set_json(OUTBOX_KEY, &entries)
}

/// The readable entries and how many could not be read.
pub fn load(store: &Store) -> Result<(Vec<OutboxEntry>, usize), StorageError> {
    let raw = raw_entries(store)?;
    let total = raw.len();
    let entries: Vec<OutboxEntry> = raw.iter().filter_map(|value| read(value)).collect();
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
        match read(&value) {
            Some(entry) => entries.push(entry),
            None => unreadable.push(value),
        }
    }
    let result = change(&mut entries);
    let mut out = Vec::with_capacity(entries.len() + unreadable.len());
    for entry in &entries {
        out.push(to_raw(entry)?);
    }
    out.extend(unreadable);
    store.set_json(OUTBOX_KEY, &out)?;
    Ok(result)
}

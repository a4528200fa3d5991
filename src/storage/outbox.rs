//! The local outbox of completed responses, waiting for a later sync to send them.
//!
//! [`OutboxStore`] is what the runner and the sync engine see: add an entry, read the next
//! batch, settle a batch with the server's reply, count what waits. Two places keep entries:
//! [`LocalOutbox`], a JSON array in local storage under [`OUTBOX_KEY`] (the respondent's and
//! the embed screen's), and the kiosk's IndexedDB outbox (`outbox_idb`), which holds tens of
//! thousands of responses where local storage's few megabytes hold a few thousand. Each bundle
//! picks its store when it starts the sync engine, so respondents never download the other.
//!
//! Local entries are handled as their JSON text when appending, so an entry this version cannot
//! read (written by a newer one, say) is kept as it is rather than dropped. Text rather than
//! `serde_json::Value`s: reading an entry from a value and writing one into a value would each
//! be another copy of the entry's whole (de)serializer in the respondent's bundle.

use std::future::Future;
use std::pin::Pin;

use manyi_api::BatchReply;
use manyi_core::outbox::{Applied, apply_reply, next_batch};
use serde_json::value::RawValue;

use crate::storage::{StorageError, Store};

pub const OUTBOX_KEY: &str = "manyi.outbox.v1";

/// One completed response with the scores the client computed; what the server says about it
/// is decided by `manyi_core::outbox`.
pub type OutboxEntry = manyi_core::outbox::OutboxItem;

/// An outbox operation under way. Local storage answers at once, IndexedDB later; both look
/// the same to the caller.
pub type Pending<T> = Pin<Box<dyn Future<Output = Result<T, StorageError>>>>;

/// An entry read for sending, with the key it is kept under where the store has keys.
#[derive(Debug, Clone, PartialEq)]
pub struct Queued {
    pub key: Option<u64>,
    pub entry: OutboxEntry,
}

/// How the outbox stands, for the sending status.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    /// Entries waiting to be sent.
    pub waiting: usize,
    /// Entries the server refused, kept on the device: (response id, the server's reason).
    pub refused: Vec<(String, String)>,
    /// Entries this version cannot read, kept as they are.
    pub unreadable: usize,
}

/// Where completed responses wait for the server.
pub trait OutboxStore {
    /// Adds `entry`. The answer is a problem met on the way that did not stop the entry being
    /// kept (an unreadable outbox set aside), for the interface to mention.
    fn push(&self, entry: OutboxEntry) -> Pending<Option<StorageError>>;

    /// How many entries wait, and which were refused.
    fn summary(&self) -> Pending<Summary>;

    /// At most `max` entries to send next, oldest first, never a refused one.
    fn batch(&self, max: usize) -> Pending<Vec<Queued>>;

    /// Applies the server's reply to a batch that was sent: acknowledged entries leave, refused
    /// ones stay marked with the reason (`manyi_core::outbox::apply_reply` decides).
    fn settle(&self, sent: Vec<Queued>, reply: BatchReply) -> Pending<Applied>;
}

/// The outbox in local storage.
#[derive(Debug, Clone, Copy, Default)]
pub struct LocalOutbox;

impl OutboxStore for LocalOutbox {
    fn push(&self, entry: OutboxEntry) -> Pending<Option<StorageError>> {
        Box::pin(std::future::ready(
            Store::open().and_then(|store| push(&store, &entry)),
        ))
    }

    fn summary(&self) -> Pending<Summary> {
        Box::pin(std::future::ready(
            Store::open().and_then(|store| summary(&store)),
        ))
    }

    fn batch(&self, max: usize) -> Pending<Vec<Queued>> {
        let batch = Store::open().and_then(|store| {
            let (entries, _) = load(&store)?;
            Ok(next_batch(&entries, max)
                .into_iter()
                .map(|i| Queued {
                    key: None,
                    entry: entries[i].clone(),
                })
                .collect())
        });
        Box::pin(std::future::ready(batch))
    }

    fn settle(&self, sent: Vec<Queued>, reply: BatchReply) -> Pending<Applied> {
        let ids: Vec<String> = sent.into_iter().map(|q| q.entry.response.id).collect();
        Box::pin(std::future::ready(Store::open().and_then(|store| {
            update(&store, |items| apply_reply(items, &ids, &reply.verdicts()))
        })))
    }
}

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

/// Appends `entry`. A corrupt outbox is set aside and returned as the problem met on the way,
/// and the entry starts a new outbox; any other failure is returned as the error, so the
/// caller can offer a download.
pub fn push(store: &Store, entry: &OutboxEntry) -> Result<Option<StorageError>, StorageError> {
    let (mut entries, problem) = match raw_entries(store) {
        Ok(entries) => (entries, None),
        Err(error @ StorageError::Corrupt { .. }) => (Vec::new(), Some(error)),
        Err(error) => return Err(error),
    };
    entries.push(to_raw(entry)?);
    store.set_json(OUTBOX_KEY, &entries)?;
    Ok(problem)
}

/// The readable entries and how many could not be read.
pub fn load(store: &Store) -> Result<(Vec<OutboxEntry>, usize), StorageError> {
    let raw = raw_entries(store)?;
    let total = raw.len();
    let entries: Vec<OutboxEntry> = raw.iter().filter_map(|value| read(value)).collect();
    let skipped = total - entries.len();
    Ok((entries, skipped))
}

/// Calls `each` with every readable entry, oldest first, and returns how many could not be
/// read. The entries are parsed one at a time from the stored text: the outbox is first split
/// into its entries' texts as slices of it, not copies, which also finds a corrupt outbox (set
/// aside and reported) before any entry is passed on.
pub fn for_each(store: &Store, mut each: impl FnMut(OutboxEntry)) -> Result<usize, StorageError> {
    let unreadable = store.read_with(OUTBOX_KEY, |text| {
        let raw: Vec<&RawValue> = serde_json::from_str(text)?;
        let mut unreadable = 0;
        for value in raw {
            match read(value) {
                Some(entry) => each(entry),
                None => unreadable += 1,
            }
        }
        Ok(unreadable)
    })?;
    Ok(unreadable.unwrap_or(0))
}

/// What waits in the local outbox.
pub fn summary(store: &Store) -> Result<Summary, StorageError> {
    let (entries, unreadable) = load(store)?;
    let refused: Vec<(String, String)> = entries
        .iter()
        .filter_map(|e| {
            let refusal = e.refused.as_ref()?;
            Some((
                e.response.id.clone(),
                format!("{}: {}", refusal.code, refusal.message),
            ))
        })
        .collect();
    Ok(Summary {
        waiting: entries.len() - refused.len(),
        refused,
        unreadable,
    })
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

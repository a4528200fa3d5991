//! The kiosk's outbox in IndexedDB.
//!
//! A kiosk offline for a week queues thousands of responses (about 450 bytes of JSON each),
//! more than local storage's few megabytes hold, so the kiosk keeps them in IndexedDB, whose
//! quota is a share of the disk. Each entry is one record in the `outbox` store under an
//! auto-incremented key, so key order is arrival order:
//! `{ "state": 0 | 1 | 2, "json": "<the entry as JSON>" }`. The text is kept as written, so an
//! entry this version cannot read stays as it is (state 2) instead of being dropped. The
//! `state` index (IndexedDB cannot index booleans) finds the next batch without reading the
//! rest: the records waiting in key order.
//!
//! Local storage stays the fallback: when the database cannot be opened, or a write fails (a
//! full quota), entries go to the local-storage outbox, and every later read first moves what
//! waits there into the database. A response is never refused a place while either has room.

use std::cell::RefCell;
use std::rc::Rc;

use idb::{
    Database, Error as IdbError, Index, KeyPath, KeyRange, ObjectStore, Query, TransactionMode,
    TransactionResult,
};
use manyi_api::BatchReply;
use manyi_core::outbox::{Applied, apply_reply};
use wasm_bindgen::JsValue;

use crate::storage::outbox::{
    self, LocalOutbox, OutboxEntry, OutboxStore, Pending, Queued, Summary,
};
use crate::storage::{StorageError, Store};

const DB_NAME: &str = "manyi";
const DB_VERSION: u32 = 1;
const STORE: &str = "outbox";
const BY_STATE: &str = "state";

/// A record's state, as the `state` index sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Waiting = 0,
    Refused = 1,
    /// Written by a version that this one cannot read; kept, never sent.
    Unreadable = 2,
}

impl State {
    fn key(self) -> JsValue {
        JsValue::from(self as u32)
    }

    fn of(entry: &OutboxEntry) -> State {
        if entry.refused.is_some() {
            State::Refused
        } else {
            State::Waiting
        }
    }
}

/// The outbox in IndexedDB, opened on first use and shared by clones.
#[derive(Debug, Clone, Default)]
pub struct IndexedOutbox {
    db: Rc<RefCell<Option<Rc<Database>>>>,
}

impl IndexedOutbox {
    pub fn new() -> IndexedOutbox {
        IndexedOutbox::default()
    }

    async fn database(&self) -> Result<Rc<Database>, StorageError> {
        if let Some(db) = self.db.borrow().clone() {
            return Ok(db);
        }
        let db = Database::builder(DB_NAME)
            .version(DB_VERSION)
            .add_object_store(ObjectStore::builder(STORE).auto_increment(true).add_index(
                Index::builder(BY_STATE.to_owned(), KeyPath::new_single(BY_STATE)),
            ))
            .build()
            .await
            .map_err(storage_error)?;
        let db = Rc::new(db);
        *self.db.borrow_mut() = Some(db.clone());
        Ok(db)
    }

    /// Adds entries in one transaction: all of them or none.
    async fn add(&self, entries: &[OutboxEntry]) -> Result<(), StorageError> {
        let db = self.database().await?;
        let tx = db
            .transaction(&[STORE], TransactionMode::ReadWrite)
            .map_err(storage_error)?;
        let store = tx.object_store(STORE).map_err(storage_error)?;
        for entry in entries {
            let json =
                serde_json::to_string(entry).map_err(|e| StorageError::Failed(e.to_string()))?;
            // The request's outcome is the transaction's: awaiting it below covers every add.
            store
                .add(&record(State::of(entry), &json), None)
                .map_err(storage_error)?;
        }
        finish(&store, tx).await
    }

    /// Moves what waits in the local-storage outbox (put there when the database could not
    /// take it) into the database. Entries leave local storage only once the database has them.
    async fn take_in_local(&self) -> Result<(), StorageError> {
        let Ok(store) = Store::open() else {
            return Ok(());
        };
        let (entries, _) = outbox::load(&store)?;
        if entries.is_empty() {
            return Ok(());
        }
        self.add(&entries).await?;
        let moved: Vec<&str> = entries.iter().map(|e| e.response.id.as_str()).collect();
        outbox::update(&store, |items| {
            items.retain(|item| !moved.contains(&item.response.id.as_str()));
        })
    }

    async fn summary_in(&self, db: &Database) -> Result<Summary, StorageError> {
        let tx = db
            .transaction(&[STORE], TransactionMode::ReadOnly)
            .map_err(storage_error)?;
        let store = tx.object_store(STORE).map_err(storage_error)?;
        let index = store.index(BY_STATE).map_err(storage_error)?;
        let waiting = index
            .count(Some(only(State::Waiting)?))
            .map_err(storage_error)?;
        let unreadable = index
            .count(Some(only(State::Unreadable)?))
            .map_err(storage_error)?;
        let refused = index
            .get_all(Some(only(State::Refused)?), None)
            .map_err(storage_error)?;
        let waiting = waiting.await.map_err(storage_error)? as usize;
        let unreadable = unreadable.await.map_err(storage_error)? as usize;
        let refused = refused
            .await
            .map_err(storage_error)?
            .iter()
            .filter_map(|value| read(value).ok())
            .filter_map(|entry| {
                let refusal = entry.refused?;
                Some((
                    entry.response.id,
                    format!("{}: {}", refusal.code, refusal.message),
                ))
            })
            .collect();
        Ok(Summary {
            waiting,
            refused,
            unreadable,
        })
    }

    /// The next batch, and how many unreadable records were set aside on the way.
    async fn batch_in(
        &self,
        db: &Database,
        max: usize,
    ) -> Result<(Vec<Queued>, usize), StorageError> {
        let tx = db
            .transaction(&[STORE], TransactionMode::ReadWrite)
            .map_err(storage_error)?;
        let store = tx.object_store(STORE).map_err(storage_error)?;
        let index = store.index(BY_STATE).map_err(storage_error)?;
        let limit = Some(u32::try_from(max).unwrap_or(u32::MAX));
        // Both requests are made before either is awaited, so they read the same records.
        let values = index
            .get_all(Some(only(State::Waiting)?), limit)
            .map_err(storage_error)?;
        let keys = index
            .get_all_keys(Some(only(State::Waiting)?), limit)
            .map_err(storage_error)?;
        let values = values.await.map_err(storage_error)?;
        let keys = keys.await.map_err(storage_error)?;
        let mut batch = Vec::with_capacity(values.len());
        let mut set_aside = 0;
        for (value, key) in values.iter().zip(keys) {
            match read(value) {
                Ok(entry) => batch.push(Queued {
                    key: key.as_f64().map(|k| k as u64),
                    entry,
                }),
                Err(json) => {
                    // Set aside in place, so it neither blocks the queue nor gets lost.
                    store
                        .put(&record(State::Unreadable, &json), Some(&key))
                        .map_err(storage_error)?;
                    set_aside += 1;
                }
            }
        }
        finish(&store, tx).await?;
        Ok((batch, set_aside))
    }

    async fn settle_in(
        &self,
        db: &Database,
        sent: Vec<Queued>,
        reply: BatchReply,
    ) -> Result<Applied, StorageError> {
        let ids: Vec<String> = sent.iter().map(|q| q.entry.response.id.clone()).collect();
        let mut items: Vec<OutboxEntry> = sent.iter().map(|q| q.entry.clone()).collect();
        let applied = apply_reply(&mut items, &ids, &reply.verdicts());
        let tx = db
            .transaction(&[STORE], TransactionMode::ReadWrite)
            .map_err(storage_error)?;
        let store = tx.object_store(STORE).map_err(storage_error)?;
        for queued in &sent {
            let Some(key) = queued.key.map(|k| JsValue::from(k as f64)) else {
                continue;
            };
            let id = &queued.entry.response.id;
            match items.iter().find(|item| &item.response.id == id) {
                // Acknowledged: it leaves the outbox.
                None => {
                    store.delete(Query::Key(key)).map_err(storage_error)?;
                }
                Some(item) if item.refused.is_some() && queued.entry.refused.is_none() => {
                    let json = serde_json::to_string(item)
                        .map_err(|e| StorageError::Failed(e.to_string()))?;
                    store
                        .put(&record(State::Refused, &json), Some(&key))
                        .map_err(storage_error)?;
                }
                Some(_) => {}
            }
        }
        finish(&store, tx).await?;
        Ok(applied)
    }
}

impl OutboxStore for IndexedOutbox {
    fn push(&self, entry: OutboxEntry) -> Pending<Option<StorageError>> {
        let this = self.clone();
        Box::pin(async move {
            match this.add(std::slice::from_ref(&entry)).await {
                Ok(()) => Ok(None),
                // Full or unavailable: local storage keeps it until the database has room.
                Err(_) => LocalOutbox.push(entry).await,
            }
        })
    }

    fn summary(&self) -> Pending<Summary> {
        let this = self.clone();
        Box::pin(async move {
            let Ok(db) = this.database().await else {
                return LocalOutbox.summary().await;
            };
            // Entries that stay in local storage (the database still full) are counted too.
            let _ = this.take_in_local().await;
            let mut summary = this.summary_in(&db).await?;
            if let Ok(local) = LocalOutbox.summary().await {
                summary.waiting += local.waiting;
                summary.unreadable += local.unreadable;
                summary.refused.extend(local.refused);
            }
            Ok(summary)
        })
    }

    fn batch(&self, max: usize) -> Pending<Vec<Queued>> {
        let this = self.clone();
        Box::pin(async move {
            let Ok(db) = this.database().await else {
                return LocalOutbox.batch(max).await;
            };
            match this.take_in_local().await {
                Ok(()) => loop {
                    // An empty batch means "nothing to send", so one made empty only by
                    // unreadable records is read again past them.
                    let (batch, set_aside) = this.batch_in(&db, max).await?;
                    if !batch.is_empty() || set_aside == 0 {
                        break Ok(batch);
                    }
                },
                // The database has no room for them yet: send them from local storage first,
                // which makes room.
                Err(_) => LocalOutbox.batch(max).await,
            }
        })
    }

    fn settle(&self, sent: Vec<Queued>, reply: BatchReply) -> Pending<Applied> {
        let this = self.clone();
        Box::pin(async move {
            // A batch read from local storage has no keys and is settled there.
            if sent.iter().all(|q| q.key.is_none()) {
                return LocalOutbox.settle(sent, reply).await;
            }
            let db = this.database().await?;
            this.settle_in(&db, sent, reply).await
        })
    }
}

/// How many records [`for_each_entry`] reads at once: enough that a request's round trip is
/// spread over many records, few enough that a page is a small part of a full outbox.
const PAGE: u32 = 500;

/// Calls `each` with every readable entry kept in the database, oldest first, for the reports
/// on this device's responses (`storage::device`). The records are read a page at a time
/// within one read-only transaction (so every page sees the same outbox), and each page is
/// passed on before the next is requested, so at most one page is held at once.
pub async fn for_each_entry(mut each: impl FnMut(OutboxEntry)) -> Result<(), StorageError> {
    let outbox = IndexedOutbox::new();
    let db = outbox.database().await?;
    let tx = db
        .transaction(&[STORE], TransactionMode::ReadOnly)
        .map_err(storage_error)?;
    let store = tx.object_store(STORE).map_err(storage_error)?;
    let mut after: Option<JsValue> = None;
    loop {
        let range = || -> Result<Option<Query>, StorageError> {
            after
                .as_ref()
                .map(|key| {
                    KeyRange::lower_bound(key, Some(true))
                        .map(Query::KeyRange)
                        .map_err(storage_error)
                })
                .transpose()
        };
        // Both requests are made before either is awaited, so they read the same records; the
        // keys say where the next page starts (records are kept without a key path).
        let values = store.get_all(range()?, Some(PAGE)).map_err(storage_error)?;
        let keys = store
            .get_all_keys(range()?, Some(PAGE))
            .map_err(storage_error)?;
        let values = values.await.map_err(storage_error)?;
        let keys = keys.await.map_err(storage_error)?;
        // The page is passed on synchronously, then the next page is requested from this same
        // callback: a transaction stays open only for requests made while it is active.
        values
            .iter()
            .filter_map(|v| read(v).ok())
            .for_each(&mut each);
        match keys.last() {
            Some(last) if keys.len() == PAGE as usize => after = Some(last.clone()),
            _ => return Ok(()),
        }
    }
}

/// The record kept for one entry.
fn record(state: State, json: &str) -> JsValue {
    let record = js_sys::Object::new();
    // Setting a property on a fresh plain object cannot fail.
    let _ = js_sys::Reflect::set(&record, &BY_STATE.into(), &state.key());
    let _ = js_sys::Reflect::set(&record, &"json".into(), &json.into());
    record.into()
}

/// The entry in a record, or the record's text when this version cannot read it.
fn read(record: &JsValue) -> Result<OutboxEntry, String> {
    let json = js_sys::Reflect::get(record, &"json".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    serde_json::from_str(&json).map_err(|_| json)
}

fn only(state: State) -> Result<Query, StorageError> {
    KeyRange::only(&state.key())
        .map(Query::KeyRange)
        .map_err(storage_error)
}

/// Waits for a read-write transaction to commit; an aborted one reports its reason (a full
/// quota shows up here, when the browser writes).
async fn finish(store: &ObjectStore, tx: idb::Transaction) -> Result<(), StorageError> {
    let raw: web_sys::IdbTransaction = store.transaction().into();
    match tx.await.map_err(storage_error)? {
        TransactionResult::Committed => Ok(()),
        TransactionResult::Aborted => Err(raw.error().map_or_else(
            || StorageError::Failed("the database transaction was aborted".to_owned()),
            |e| StorageError::from_js(e.into()),
        )),
    }
}

/// The storage error behind a database error: a full quota or a refused database is named as
/// such (from the browser's exception), anything else keeps the database's message.
fn storage_error(error: IdbError) -> StorageError {
    match error {
        IdbError::DomException(e) => StorageError::from_js(e.into()),
        IdbError::IndexedDbNotFound(_) => StorageError::Unavailable,
        IdbError::AddFailed(e)
        | IdbError::UpdateFailed(e)
        | IdbError::DeleteFailed(e)
        | IdbError::TransactionOpenFailed(e)
        | IdbError::IndexedDbOpenFailed(e) => StorageError::from_js(e),
        other => StorageError::Failed(other.to_string()),
    }
}

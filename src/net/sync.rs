//! Sending the outbox to the server: in batches, whenever a server is there and the browser is
//! online, with exponential backoff and jitter after failures.
//!
//! What leaves the outbox and what stays is decided by `manyi_core::outbox` from the server's
//! reply; a response is removed only after the server acknowledged it. This module adds the
//! triggers (start, a new response, the browser coming online, a retry timer), the HTTP call and
//! the status the interface shows. Everything runs on the page's single thread, so a flag is
//! enough to keep two runs from overlapping.

use std::rc::Rc;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use leptos::prelude::*;
use manyi_core::outbox::backoff_ms;

use crate::browser::clock;
use crate::net::api;
use crate::storage::outbox::OutboxStore;

/// The first retry waits about a second; retries never wait more than a minute.
const BACKOFF_BASE_MS: u64 = 1_000;
const BACKOFF_CAP_MS: u64 = 60_000;

/// What the interface shows about sending.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncStatus {
    /// Whether the app was served by a manyi server it can send to.
    pub server: bool,
    /// Responses waiting to be sent.
    pub pending: usize,
    /// Responses the server refused, kept on the device: (response id, the server's reason).
    pub refused: Vec<(String, String)>,
    pub last_success: Option<DateTime<FixedOffset>>,
    pub last_error: Option<String>,
}

/// The sync engine, shared through context.
#[derive(Clone, Copy)]
pub struct Sync {
    pub status: RwSignal<SyncStatus>,
    /// Where completed responses wait: the bundle decides (local storage or IndexedDB).
    outbox: StoredValue<Rc<dyn OutboxStore>, LocalStorage>,
    api: RwSignal<Option<String>>,
    running: StoredValue<bool>,
    /// Failed attempts in a row, for the backoff.
    failures: StoredValue<u32>,
    /// Whether a retry timer is already set, so failures do not stack timers.
    retry_set: StoredValue<bool>,
}

impl std::fmt::Debug for Sync {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The outbox is a trait object; its status says what there is to say about it.
        f.debug_struct("Sync")
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl Sync {
    /// Creates the engine over `outbox`, provides it as context, finds the server and starts
    /// the first run.
    pub fn provide(outbox: Rc<dyn OutboxStore>) -> Sync {
        let sync = Sync {
            status: RwSignal::new(SyncStatus::default()),
            outbox: StoredValue::new_local(outbox),
            api: RwSignal::new(None),
            running: StoredValue::new(false),
            failures: StoredValue::new(0),
            retry_set: StoredValue::new(false),
        };
        provide_context(sync);
        sync.refresh_counts();
        leptos::task::spawn_local(async move {
            let found = api::discover().await;
            sync.status.update(|s| s.server = found.is_some());
            sync.api.set(found);
            sync.kick();
        });
        // Coming back online is the moment to send what piled up.
        let handle = window_event_listener(leptos::ev::online, move |_| {
            sync.failures.set_value(0);
            sync.kick();
        });
        on_cleanup(move || handle.remove());
        sync
    }

    /// Starts a run unless one is under way.
    pub fn kick(self) {
        if self.running.get_value() {
            return;
        }
        self.running.set_value(true);
        leptos::task::spawn_local(async move {
            self.run().await;
            self.running.set_value(false);
            self.refresh_counts();
        });
    }

    /// Where completed responses wait, for the runner to add to.
    pub fn outbox(self) -> Rc<dyn OutboxStore> {
        self.outbox.get_value()
    }

    /// Reads the outbox's counts again, for the status.
    pub fn refresh_counts(self) {
        let outbox = self.outbox();
        leptos::task::spawn_local(async move {
            if let Ok(summary) = outbox.summary().await {
                self.status.update(|s| {
                    s.pending = summary.waiting;
                    s.refused = summary.refused;
                });
            }
        });
    }

    async fn run(self) {
        let Some(api) = self.api.get_untracked() else {
            return;
        };
        let outbox = self.outbox();
        loop {
            let batch = match outbox.batch(manyi_api::MAX_BATCH).await {
                Ok(batch) => batch,
                Err(error) => {
                    self.fail(error.to_string());
                    return;
                }
            };
            if batch.is_empty() {
                return;
            }
            if !browser_online() {
                // The `online` event starts the next run.
                return;
            }
            let responses: Vec<&manyi_core::Response> =
                batch.iter().map(|q| &q.entry.response).collect();
            match api::post_responses(&api, &responses).await {
                Ok(reply) => {
                    // Settled by id: a response queued meanwhile stays.
                    if let Err(error) = outbox.settle(batch, reply).await {
                        self.fail(error.to_string());
                        return;
                    }
                    self.failures.set_value(0);
                    self.status.update(|s| {
                        s.last_success = Some(clock::now());
                        s.last_error = None;
                    });
                    self.refresh_counts();
                }
                Err(error) => {
                    self.fail(error.to_string());
                    return;
                }
            }
        }
    }

    /// Records a failed attempt and sets a retry after the backoff.
    fn fail(self, message: String) {
        let failures = self.failures.get_value() + 1;
        self.failures.set_value(failures);
        self.status.update(|s| s.last_error = Some(message));
        if self.retry_set.get_value() {
            return;
        }
        self.retry_set.set_value(true);
        let wait = backoff_ms(
            failures,
            BACKOFF_BASE_MS,
            BACKOFF_CAP_MS,
            js_sys::Math::random(),
        );
        set_timeout(
            move || {
                self.retry_set.set_value(false);
                self.kick();
            },
            Duration::from_millis(wait),
        );
    }
}

fn browser_online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

//! Local storage behind a small typed interface.
//!
//! Storage in a browser can be missing (privacy modes, blocked cookies), full, or hold text
//! that no longer parses (an old version, a manual edit, a crash mid-write). None of these may
//! stop a respondent: every operation returns a [`StorageError`] that the interface shows, and
//! unreadable values are moved aside under a `manyi.corrupt.<timestamp>` key instead of being
//! deleted, so nobody's answers are thrown away by the app.
//!
//! Inside another site's page, browsers that block third-party storage refuse the frame its
//! own local storage. The embed screen then keeps the values in the host page's storage,
//! through the loader: [`use_host_storage`] switches every [`Store`] to a copy held here, whose
//! every change is passed to the host page.
//!
//! The submodules are what is kept on the device, each built on [`Store`]: drafts, the outbox
//! (with the kiosk's IndexedDB outbox) and every response on the device read from both, the
//! surveys this device can run, and the browser's storage estimate.

pub mod catalog;
pub mod device;
pub mod draft;
pub mod outbox;
pub mod outbox_idb;
pub mod quota;

use std::cell::RefCell;
use std::collections::BTreeMap;

use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};

/// The prefix of the keys that hold values which could not be read.
pub const CORRUPT_PREFIX: &str = "manyi.corrupt.";

/// Why a storage operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StorageError {
    #[error("local storage is not available in this browser")]
    Unavailable,
    #[error("local storage is full")]
    QuotaExceeded,
    #[error("the value under {key} could not be read and was moved to {moved_to}")]
    Corrupt { key: String, moved_to: String },
    #[error("local storage failed: {0}")]
    Failed(String),
}

impl StorageError {
    pub(crate) fn from_js(error: JsValue) -> StorageError {
        match error.dyn_ref::<web_sys::DomException>() {
            // Code 22 is the legacy number of QuotaExceededError that some engines still use.
            Some(e) if e.name() == "QuotaExceededError" || e.code() == 22 => {
                StorageError::QuotaExceeded
            }
            Some(e) if e.name() == "SecurityError" => StorageError::Unavailable,
            Some(e) => StorageError::Failed(e.message()),
            None => StorageError::Failed(
                error
                    .as_string()
                    .unwrap_or_else(|| "unknown error".to_owned()),
            ),
        }
    }
}

/// Passes a change (key, new text or `None` for removed) to the host page.
type HostWrite = Box<dyn Fn(&str, Option<&str>)>;

/// Values kept in the host page's storage: a copy of them, and where each change goes.
struct HostStorage {
    values: BTreeMap<String, String>,
    write: HostWrite,
}

thread_local! {
    static HOST: RefCell<Option<HostStorage>> = const { RefCell::new(None) };
}

/// From now on, every [`Store`] holds `values` (what the host page keeps for this app) and hands
/// each change to `write` (key, new value or `None` for removed), which passes it to the host.
pub fn use_host_storage(
    values: BTreeMap<String, String>,
    write: impl Fn(&str, Option<&str>) + 'static,
) {
    HOST.with(|host| {
        *host.borrow_mut() = Some(HostStorage {
            values,
            write: Box::new(write),
        });
    });
}

/// Takes in changes the host page reports (made by this app in another of its tabs).
pub fn host_storage_changed(changes: impl IntoIterator<Item = (String, Option<String>)>) {
    HOST.with(|host| {
        if let Some(host) = host.borrow_mut().as_mut() {
            for (key, value) in changes {
                match value {
                    Some(value) => host.values.insert(key, value),
                    None => host.values.remove(&key),
                };
            }
        }
    });
}

/// The browser tab's session storage, for what must be forgotten when the tab is closed (a
/// staff token, a kiosk's unlocked staff screens); `None` where the browser refuses it.
pub fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

/// Whether the browser lets this page use its own local storage.
pub fn local_storage_allowed() -> bool {
    web_sys::window().is_some_and(|w| matches!(w.local_storage(), Ok(Some(_))))
}

/// Where a [`Store`]'s values are.
#[derive(Debug, Clone)]
enum Backend {
    Local(web_sys::Storage),
    /// The host page's, through [`use_host_storage`].
    Host,
}

/// The origin's local storage (or, once [`use_host_storage`] was called, the host page's).
#[derive(Debug, Clone)]
pub struct Store(Backend);

impl Store {
    /// Opens local storage; reading the property itself throws when the browser blocks it.
    pub fn open() -> Result<Store, StorageError> {
        if HOST.with(|host| host.borrow().is_some()) {
            return Ok(Store(Backend::Host));
        }
        let window = web_sys::window().ok_or(StorageError::Unavailable)?;
        match window.local_storage() {
            Ok(Some(storage)) => Ok(Store(Backend::Local(storage))),
            Ok(None) | Err(_) => Err(StorageError::Unavailable),
        }
    }

    /// The raw text under `key`.
    pub fn get_raw(&self, key: &str) -> Result<Option<String>, StorageError> {
        match &self.0 {
            Backend::Local(storage) => storage.get_item(key).map_err(StorageError::from_js),
            Backend::Host => Ok(HOST.with(|host| {
                host.borrow()
                    .as_ref()
                    .and_then(|host| host.values.get(key).cloned())
            })),
        }
    }

    pub fn set_raw(&self, key: &str, value: &str) -> Result<(), StorageError> {
        match &self.0 {
            Backend::Local(storage) => storage.set_item(key, value).map_err(StorageError::from_js),
            Backend::Host => host_write(key, Some(value)),
        }
    }

    pub fn remove(&self, key: &str) -> Result<(), StorageError> {
        match &self.0 {
            Backend::Local(storage) => storage.remove_item(key).map_err(StorageError::from_js),
            Backend::Host => host_write(key, None),
        }
    }

    /// The value under `key`, or `None` when there is none.
    ///
    /// Text that does not parse is moved to a corrupt key and reported as
    /// [`StorageError::Corrupt`]; if even the move fails, the text stays where it is and the
    /// move's error is returned, so a later write cannot silently overwrite it unnoticed.
    pub fn get_json<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, StorageError> {
        self.read_with(key, |text| serde_json::from_str(text))
    }

    /// What `read` makes of the text under `key`, or `None` when there is none. `read` may
    /// borrow from the text (the parts of a list as slices of it, say, rather than copies);
    /// text it cannot parse is moved aside as [`Store::get_json`] does.
    pub fn read_with<T>(
        &self,
        key: &str,
        read: impl FnOnce(&str) -> serde_json::Result<T>,
    ) -> Result<Option<T>, StorageError> {
        let Some(text) = self.get_raw(key)? else {
            return Ok(None);
        };
        match read(&text) {
            Ok(value) => Ok(Some(value)),
            Err(_) => {
                let moved_to = self.set_aside(key, &text)?;
                Err(StorageError::Corrupt {
                    key: key.to_owned(),
                    moved_to,
                })
            }
        }
    }

    pub fn set_json<T: Serialize>(&self, key: &str, value: &T) -> Result<(), StorageError> {
        let text = serde_json::to_string(value).map_err(|e| StorageError::Failed(e.to_string()))?;
        self.set_raw(key, &text)
    }

    /// Copies `text` to a fresh corrupt key, then removes `key`; returns the new key.
    fn set_aside(&self, key: &str, text: &str) -> Result<String, StorageError> {
        let mut stamp = js_sys::Date::now() as u64;
        // Two values set aside within one millisecond must not overwrite each other.
        while self.get_raw(&format!("{CORRUPT_PREFIX}{stamp}"))?.is_some() {
            stamp += 1;
        }
        let moved_to = format!("{CORRUPT_PREFIX}{stamp}");
        self.set_raw(&moved_to, text)?;
        self.remove(key)?;
        Ok(moved_to)
    }
}

/// Changes the copy, then tells the host page.
fn host_write(key: &str, value: Option<&str>) -> Result<(), StorageError> {
    HOST.with(|host| {
        let mut host = host.borrow_mut();
        let host = host.as_mut().ok_or(StorageError::Unavailable)?;
        match value {
            Some(value) => host.values.insert(key.to_owned(), value.to_owned()),
            None => host.values.remove(key),
        };
        (host.write)(key, value);
        Ok(())
    })
}

//! Local storage behind a small typed interface.
//!
//! Storage in a browser can be missing (privacy modes, blocked cookies), full, or hold text
//! that no longer parses (an old version, a manual edit, a crash mid-write). None of these may
//! stop a respondent: every operation returns a [`StorageError`] that the interface shows, and
//! unreadable values are moved aside under a `manyi.corrupt.<timestamp>` key instead of being
//! deleted, so nobody's answers are thrown away by the app.

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
    fn from_js(error: JsValue) -> StorageError {
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

/// The origin's local storage.
#[derive(Debug, Clone)]
pub struct Store(web_sys::Storage);

impl Store {
    /// Opens local storage; reading the property itself throws when the browser blocks it.
    pub fn open() -> Result<Store, StorageError> {
        let window = web_sys::window().ok_or(StorageError::Unavailable)?;
        match window.local_storage() {
            Ok(Some(storage)) => Ok(Store(storage)),
            Ok(None) | Err(_) => Err(StorageError::Unavailable),
        }
    }

    /// The raw text under `key`.
    pub fn get_raw(&self, key: &str) -> Result<Option<String>, StorageError> {
        self.0.get_item(key).map_err(StorageError::from_js)
    }

    pub fn set_raw(&self, key: &str, value: &str) -> Result<(), StorageError> {
        self.0.set_item(key, value).map_err(StorageError::from_js)
    }

    pub fn remove(&self, key: &str) -> Result<(), StorageError> {
        self.0.remove_item(key).map_err(StorageError::from_js)
    }

    /// The value under `key`, or `None` when there is none.
    ///
    /// Text that does not parse is moved to a corrupt key and reported as
    /// [`StorageError::Corrupt`]; if even the move fails, the text stays where it is and the
    /// move's error is returned, so a later write cannot silently overwrite it unnoticed.
    pub fn get_json<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, StorageError> {
        let Some(text) = self.get_raw(key)? else {
            return Ok(None);
        };
        match serde_json::from_str(&text) {
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

//! A kiosk's settings, kept on the device, and the limits its timings obey.

use serde::{Deserialize, Serialize};

use crate::storage::{StorageError, Store};

/// Where the settings live in local storage.
pub const SETTINGS_KEY: &str = "manyi.kiosk.v1";
/// An idle timeout shorter than this would end sessions of customers who are only reading.
pub const MIN_IDLE_SECS: u32 = 15;
/// How long the "are you still there?" countdown runs before an idle session ends.
pub const IDLE_COUNTDOWN_SECS: u32 = 10;
/// How long a press on the staff corner must last to open the PIN prompt.
pub const LONG_PRESS_MS: u64 = 2_000;

/// What happens to the answers of a customer who walks away mid-survey.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdleAction {
    #[default]
    Discard,
    /// Stored as a partial response (`partial: true`), if anything was answered.
    Submit,
}

/// Everything staff set up on a kiosk.
///
/// The PIN is kept as typed: it keeps customers out of the settings, and anyone who can open
/// the browser's developer tools on the kiosk could change the settings directly anyway.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct KioskSettings {
    pub pin: String,
    pub counter: String,
    pub location: String,
    /// The language each session starts in (a tag such as `zh-CN`); the customer may switch.
    pub language: Option<String>,
    /// The API base of the server to send to, such as `https://manyi.example/api/v1`; `None`
    /// sends to the server that served the app.
    pub endpoint: Option<String>,
    pub reset_secs: u32,
    pub idle_secs: u32,
    pub on_idle: IdleAction,
}

impl Default for KioskSettings {
    fn default() -> KioskSettings {
        KioskSettings {
            pin: String::new(),
            counter: String::new(),
            location: String::new(),
            language: None,
            endpoint: None,
            reset_secs: 5,
            idle_secs: 60,
            on_idle: IdleAction::Discard,
        }
    }
}

/// A setting staff got wrong, for the message next to its field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingsError {
    Pin,
    Counter,
    IdleTooShort,
    ResetOutOfRange,
}

impl KioskSettings {
    /// Every problem with these settings; empty when they can be saved.
    pub fn problems(&self) -> Vec<SettingsError> {
        let mut problems = Vec::new();
        if self.pin.len() < 4 || !self.pin.bytes().all(|b| b.is_ascii_digit()) {
            problems.push(SettingsError::Pin);
        }
        if self.counter.trim().is_empty() {
            problems.push(SettingsError::Counter);
        }
        if self.idle_secs < MIN_IDLE_SECS {
            problems.push(SettingsError::IdleTooShort);
        }
        if !(1..=120).contains(&self.reset_secs) {
            problems.push(SettingsError::ResetOutOfRange);
        }
        problems
    }

    /// The tags every response from this kiosk carries in its `meta`.
    pub fn meta(&self) -> std::collections::BTreeMap<String, String> {
        let mut meta = std::collections::BTreeMap::from([
            ("channel".to_owned(), "kiosk".to_owned()),
            ("counter".to_owned(), self.counter.clone()),
        ]);
        if !self.location.trim().is_empty() {
            meta.insert("location".to_owned(), self.location.clone());
        }
        meta
    }
}

/// The saved settings, or `None` on a kiosk that was never set up. Settings edited by hand
/// below the idle minimum are raised to it rather than obeyed.
pub fn load(store: &Store) -> Result<Option<KioskSettings>, StorageError> {
    Ok(store
        .get_json::<KioskSettings>(SETTINGS_KEY)?
        .map(|mut settings| {
            settings.idle_secs = settings.idle_secs.max(MIN_IDLE_SECS);
            settings
        }))
}

pub fn save(store: &Store, settings: &KioskSettings) -> Result<(), StorageError> {
    store.set_json(SETTINGS_KEY, settings)
}

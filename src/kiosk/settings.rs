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

/// What one queued response takes in the browser's storage, rounded up from the measurement in
/// `docs/PERFORMANCE.md` (IndexedDB with its indexes and overhead), to turn free space into a
/// number of responses.
pub const BYTES_PER_RESPONSE: u64 = 2_000;
/// Staff are warned while this many responses still fit: days of a busy counter, time enough to
/// bring the kiosk back online.
pub const LOW_ROOM: u64 = 5_000;
/// Below this the warning becomes urgent.
pub const CRITICAL_ROOM: u64 = 500;

/// How full the kiosk's storage is, for the staff's warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageLevel {
    Fine,
    Low,
    Critical,
}

impl StorageLevel {
    pub fn name(self) -> &'static str {
        match self {
            StorageLevel::Fine => "fine",
            StorageLevel::Low => "low",
            StorageLevel::Critical => "critical",
        }
    }
}

/// The level for `usage` bytes of a `quota`, with the number of responses that still fit and
/// the share used in percent. Either measure raises the level: little room left, or a high
/// share of a quota the browser may also fill with other data.
pub fn storage_level(usage: u64, quota: u64) -> (StorageLevel, u64, u64) {
    let room = quota.saturating_sub(usage) / BYTES_PER_RESPONSE;
    let used_percent = if quota == 0 {
        100
    } else {
        (u128::from(usage) * 100 / u128::from(quota)).min(100) as u64
    };
    let level = if room < CRITICAL_ROOM || used_percent >= 95 {
        StorageLevel::Critical
    } else if room < LOW_ROOM || used_percent >= 80 {
        StorageLevel::Low
    } else {
        StorageLevel::Fine
    };
    (level, room, used_percent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_level_warns_on_little_room_or_a_high_share() {
        let cases = [
            // (usage, quota, level, room, percent)
            (0, 10_000_000_000, StorageLevel::Fine, 5_000_000, 0),
            (1_000_000, 100_000_000, StorageLevel::Fine, 49_500, 1),
            (80_000_000, 100_000_000, StorageLevel::Low, 10_000, 80),
            (0, 9_999_999, StorageLevel::Low, 4_999, 0),
            (0, 10_000_000, StorageLevel::Fine, 5_000, 0),
            (95_000_000, 100_000_000, StorageLevel::Critical, 2_500, 95),
            (0, 999_999, StorageLevel::Critical, 499, 0),
            (5, 0, StorageLevel::Critical, 0, 100),
            (u64::MAX, u64::MAX, StorageLevel::Critical, 0, 100),
        ];
        for (usage, quota, level, room, percent) in cases {
            assert_eq!(
                storage_level(usage, quota),
                (level, room, percent),
                "usage {usage} of {quota}"
            );
        }
    }
}

//! The kiosk's lock on the staff's screens of its device. The home page, `/results` and the
//! dashboard's local-only mode show every response kept on the device, earlier customers'
//! included, so on a device set up as a kiosk they ask for the kiosk's PIN first. An unlock
//! lasts for the browser tab's session only, and the kiosk locks them again whenever it starts,
//! so staff who go back to the kiosk leave nothing open behind them.

use leptos::prelude::*;

use super::settings;
use crate::storage::{Store, session_storage};

/// Where an unlock is kept: session storage, which the browser forgets with the tab.
pub const UNLOCKED_KEY: &str = "manyi.kiosk.unlocked.v1";
/// The id of the survey the kiosk on this device last ran, for the way back to it.
pub const SURVEY_KEY: &str = "manyi.kiosk.survey.v1";

/// What stands between the staff's screens and a kiosk device's responses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lock {
    /// The kiosk's PIN, which opens the screens as it opens the kiosk's settings.
    pub pin: String,
    /// The kiosk's page, when this device knows which survey it runs.
    pub kiosk_path: Option<String>,
}

/// The lock as the staff's bundle shares it between its screens; `None` once they are open.
#[derive(Debug, Clone, Copy)]
pub struct StaffLock(pub RwSignal<Option<Lock>>);

/// The lock of this device's staff screens, or `None` when they are open: the device is set
/// up as no kiosk, or they were unlocked in this tab. Settings that cannot be read leave the
/// device as no kiosk, as the kiosk itself then asks to be set up again.
pub fn current() -> Option<Lock> {
    let unlocked = session_storage()
        .and_then(|session| session.get_item(UNLOCKED_KEY).ok().flatten())
        .is_some();
    if unlocked {
        return None;
    }
    let store = Store::open().ok()?;
    let settings = settings::load(&store).ok()??;
    Some(Lock {
        pin: settings.pin,
        kiosk_path: kiosk_path(&store),
    })
}

/// Opens the staff's screens for the rest of this tab's session. Without session storage the
/// unlock lasts until the page is left, which is the safer way to fail.
pub fn unlock() {
    if let Some(session) = session_storage() {
        let _ = session.set_item(UNLOCKED_KEY, "1");
    }
}

/// What the kiosk does as it starts at `/kiosk/{survey_id}`: it remembers its survey for the
/// way back and locks the staff's screens again. A failure to remember only loses the way back.
pub fn kiosk_started(store: Option<&Store>, survey_id: &str) {
    if let Some(session) = session_storage() {
        let _ = session.remove_item(UNLOCKED_KEY);
    }
    if let Some(store) = store.filter(|_| !survey_id.is_empty()) {
        let _ = store.set_raw(SURVEY_KEY, survey_id);
    }
}

/// The page of the kiosk this device last ran, if any: its survey id as it stood in the
/// kiosk's own address.
pub fn kiosk_path(store: &Store) -> Option<String> {
    let id = store.get_raw(SURVEY_KEY).ok()??;
    Some(format!("/kiosk/{id}"))
}

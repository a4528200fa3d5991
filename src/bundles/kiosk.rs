//! The kiosk bundle's root: a counter kiosk at `/kiosk/{id}`, with its IndexedDB outbox.

use std::rc::Rc;

use leptos::prelude::*;

use crate::browser::nav::{Bundle, Location};
use crate::components::kiosk::KioskPage;
use crate::i18n::locale::StorageProblem;
use crate::kiosk::{lock, settings};
use crate::net::api;
use crate::net::sync::Sync;
use crate::storage::Store;
use crate::storage::outbox;
use crate::storage::outbox_idb::IndexedOutbox;
use crate::storage::quota;

/// The counter kiosk's app, a bundle of its own: `/kiosk/{survey_id}`.
#[component]
pub fn KioskApp() -> impl IntoView {
    let location = Location::provide(|path| Bundle::of(path) == Bundle::Kiosk);
    let problem = RwSignal::new(None);
    provide_context(StorageProblem(problem));
    let id = location
        .path_untracked()
        .trim_start_matches("/kiosk")
        .trim_matches('/')
        .to_owned();
    lock::kiosk_started(Store::open().ok().as_ref(), &id);
    let settings = match Store::open() {
        Ok(store) => {
            if let Err(error) = outbox::load(&store) {
                problem.set(Some(error));
            }
            settings::load(&store).unwrap_or_else(|error| {
                problem.set(Some(error));
                None
            })
        }
        Err(error) => {
            problem.set(Some(error));
            None
        }
    };
    if let Some(endpoint) = settings.as_ref().and_then(|s| s.endpoint.clone()) {
        api::use_endpoint(endpoint);
    }
    // Responses wait in IndexedDB, which holds weeks of a busy counter's responses offline.
    Sync::provide(Rc::new(IndexedOutbox::new()));
    // Asked once per start: a browser may grant it later (Chromium decides by engagement).
    quota::request_persistence();

    view! {
        <main class="app kiosk" id="main">
            <KioskPage id settings />
        </main>
    }
}

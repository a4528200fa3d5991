//! The staff's bundle root: the device's home page, `/results` and the dashboard.

use std::rc::Rc;

use leptos::prelude::*;

use crate::browser::nav::{Bundle, Location, under};
use crate::components::admin::AdminPage;
use crate::components::home::HomePage;
use crate::components::kiosk::KioskLock;
use crate::components::results::ResultsPage;
use crate::i18n::Lang;
use crate::i18n::locale::{StorageProblem, provide_ui_lang};
use crate::kiosk::lock::{self, StaffLock};
use crate::net::sync::Sync;
use crate::storage::outbox::LocalOutbox;

/// A screen of the staff's bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Screen {
    Home,
    Results,
    Admin,
    /// The home page or the results on a kiosk's device, until the kiosk's PIN is entered.
    Locked,
}

/// The staff's app, a bundle of its own so respondents never download it: the device's home
/// page (its surveys, definition import), the dashboard (`/admin`) and the results of the
/// responses stored on this device (`/results`).
#[component]
pub fn StaffApp() -> impl IntoView {
    let location = Location::provide(|path| Bundle::of(path) == Bundle::Staff);
    provide_context(StorageProblem(RwSignal::new(None)));
    // The home page shows how sending stands, so this bundle sends the outbox as the others do.
    Sync::provide(Rc::new(LocalOutbox));
    // Both screens below list the device's surveys or report on its responses, earlier kiosk
    // customers' included. The dashboard locks its local-only mode itself: signed in to a
    // server, it shows none of the device's data.
    let staff_lock = StaffLock(RwSignal::new(lock::current()));
    provide_context(staff_lock);
    let screen = Memo::new(move |_| {
        let path = location.path();
        if under(&path, "/admin") {
            Screen::Admin
        } else if staff_lock.0.with(Option::is_some) {
            Screen::Locked
        } else if under(&path, "/results") {
            Screen::Results
        } else {
            // `/` and any path no screen claims, as a first-time visitor would expect.
            Screen::Home
        }
    });
    view! {
        <main class="app" id="main">
            {move || match screen.get() {
                Screen::Admin => view! { <AdminPage /> }.into_any(),
                Screen::Results => view! { <ResultsPage /> }.into_any(),
                Screen::Home => view! { <HomePage /> }.into_any(),
                Screen::Locked => view! { <LockedScreen staff_lock /> }.into_any(),
            }}
        </main>
    }
}

/// The kiosk's lock in place of the home page or the results, in the language they would show.
#[component]
fn LockedScreen(staff_lock: StaffLock) -> impl IntoView {
    provide_ui_lang(Lang::ALL.to_vec(), Lang::ZhCn);
    let on_unlock = Callback::new(move |()| staff_lock.0.set(None));
    staff_lock
        .0
        .get_untracked()
        .map(|current| view! { <KioskLock lock=current on_unlock /> })
}

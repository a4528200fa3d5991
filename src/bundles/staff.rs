//! The staff's bundle root: the device's home page, `/results` and the dashboard.

use std::rc::Rc;

use leptos::prelude::*;

use crate::browser::nav::{Bundle, Location, under};
use crate::components::admin::AdminPage;
use crate::components::home::HomePage;
use crate::components::results::ResultsPage;
use crate::i18n::locale::StorageProblem;
use crate::net::sync::Sync;
use crate::storage::outbox::LocalOutbox;

/// A screen of the staff's bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Screen {
    Home,
    Results,
    Admin,
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
    let screen = Memo::new(move |_| {
        let path = location.path();
        if under(&path, "/admin") {
            Screen::Admin
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
            }}
        </main>
    }
}

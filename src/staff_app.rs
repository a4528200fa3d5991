use std::rc::Rc;

use leptos::prelude::*;

use crate::components::home::HomePage;
use crate::components::results::ResultsPage;
use crate::locale::StorageProblem;
use crate::nav::{Bundle, Location, under};
use crate::outbox::LocalOutbox;
use crate::sync::Sync;

/// The staff's app, a bundle of its own so respondents never download it: the device's home
/// page (its surveys, definition import) and the results of the responses stored on it.
#[component]
pub fn StaffApp() -> impl IntoView {
    let location = Location::provide(|path| Bundle::of(path) == Bundle::Staff);
    provide_context(StorageProblem(RwSignal::new(None)));
    // The home page shows how sending stands, so this bundle sends the outbox as the others do.
    Sync::provide(Rc::new(LocalOutbox));
    view! {
        <main class="app" id="main">
            {move || {
                let path = location.path();
                if under(&path, "/results") || under(&path, "/admin") {
                    view! { <ResultsPage /> }.into_any()
                } else {
                    // `/` and any path no screen claims, as a first-time visitor would expect.
                    view! { <HomePage /> }.into_any()
                }
            }}
        </main>
    }
}

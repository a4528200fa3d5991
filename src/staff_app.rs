use leptos::prelude::*;

use crate::components::results::ResultsPage;
use crate::locale::StorageProblem;
use crate::nav::{Bundle, Location};

/// The staff's app, a bundle of its own so respondents never download it: for now the results
/// of the responses stored on this device.
#[component]
pub fn StaffApp() -> impl IntoView {
    Location::provide(|path| Bundle::of(path) == Bundle::Staff);
    provide_context(StorageProblem(RwSignal::new(None)));
    view! {
        <main class="app" id="main">
            <ResultsPage />
        </main>
    }
}

use leptos::prelude::*;

use crate::components::results::ResultsPage;
use crate::locale::StorageProblem;
use crate::nav::{self, Location};

/// The staff's app, a bundle of its own so respondents never download it: for now the results
/// of the responses stored on this device.
#[component]
pub fn StaffApp() -> impl IntoView {
    Location::provide(nav::is_staff_path);
    provide_context(StorageProblem(RwSignal::new(None)));
    view! {
        <main class="app" id="main">
            <ResultsPage />
        </main>
    }
}

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::components::home::HomePage;
use crate::components::results::ResultsPage;
use crate::components::runner::SurveyPage;
use crate::locale::StorageProblem;
use crate::outbox;
use crate::storage::Store;
use crate::sync::Sync;

/// The whole app: shared state and the three screens.
#[component]
pub fn App() -> impl IntoView {
    let problem = RwSignal::new(None);
    provide_context(StorageProblem(problem));
    // Reading the outbox once at start-up finds an unreadable one early, sets it aside and tells
    // the respondent before anything else is stored.
    match Store::open() {
        Ok(store) => {
            if let Err(error) = outbox::load(&store) {
                problem.set(Some(error));
            }
        }
        Err(error) => problem.set(Some(error)),
    }
    Sync::provide();

    view! {
        <Router>
            <main class="app" id="main">
                <Routes fallback=HomePage>
                    <Route path=path!("/") view=HomePage />
                    <Route path=path!("/s/:id") view=SurveyPage />
                    <Route path=path!("/results") view=ResultsPage />
                </Routes>
            </main>
        </Router>
    }
}

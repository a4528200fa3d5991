//! The respondent's bundle root: the survey runner at `/s/{id}`.

use std::rc::Rc;

use leptos::prelude::*;

use crate::browser::nav::{Bundle, Location};
use crate::browser::prerendered;
use crate::components::runner::{SurveyNotFound, SurveyPage};
use crate::i18n::locale::StorageProblem;
use crate::net::sync::Sync;
use crate::storage::Store;
use crate::storage::outbox::{self, LocalOutbox};

/// The respondent's app: the survey runner at `/s/{survey_id}`, with shared state. The home
/// page is the staff's bundle and the embed screen a bundle of its own: respondents arrive by a
/// survey's link.
#[component]
pub fn App() -> impl IntoView {
    let location = Location::provide(|path| Bundle::of(path) == Bundle::Respondent);
    start_respondent_services();
    // A change of query only (such as the language) keeps the survey and its state.
    let id = Memo::new(move |_| survey_id(&location.path(), "/s/"));
    view! {
        <main class="app" id="main">
            {move || match id.get() {
                Some(id) => view! { <SurveyPage id=id /> }.into_any(),
                None => view! { <SurveyNotFound /> }.into_any(),
            }}
        </main>
    }
}

/// What a bundle that respondents answer in starts with: the storage problem as context, an
/// early read of the outbox, and the sync engine.
pub(crate) fn start_respondent_services() {
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
    // The problem shows in the app, so the app shows at once rather than a drawn page.
    if problem.with_untracked(Option::is_some) {
        prerendered::take_over_now();
    }
    Sync::provide(Rc::new(LocalOutbox));
}

/// The survey id in `path` below `prefix` (`/s/nps` gives `nps`); `None` when there is none, or
/// when more segments follow.
pub(crate) fn survey_id(path: &str, prefix: &str) -> Option<String> {
    path.strip_prefix(prefix)
        .filter(|id| !id.is_empty() && !id.contains('/'))
        .map(str::to_owned)
}

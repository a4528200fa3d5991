use std::rc::Rc;

use leptos::prelude::*;

use crate::components::embed::EmbedPage;
use crate::components::home::HomePage;
use crate::components::runner::SurveyPage;
use crate::locale::StorageProblem;
use crate::nav::{Bundle, Location};
use crate::outbox::{self, LocalOutbox};
use crate::storage::Store;
use crate::sync::Sync;

/// A screen of the respondent's bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Screen {
    Home,
    Survey(String),
    Embed(String),
}

impl Screen {
    fn of(path: &str) -> Screen {
        let embed = path.strip_prefix("/embed/");
        if let Some(id) = embed.filter(|id| !id.is_empty() && !id.contains('/')) {
            return Screen::Embed(id.to_owned());
        }
        match path.strip_prefix("/s/") {
            Some(id) if !id.is_empty() && !id.contains('/') => Screen::Survey(id.to_owned()),
            // Unknown paths show the home page, as a first-time visitor would expect.
            _ => Screen::Home,
        }
    }
}

/// The respondent's app: the home page and the survey runner, with shared state.
#[component]
pub fn App() -> impl IntoView {
    let location = Location::provide(|path| Bundle::of(path) == Bundle::Respondent);
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
    Sync::provide(Rc::new(LocalOutbox));

    // A change of query only (such as the language) keeps the screen and its state.
    let screen = Memo::new(move |_| Screen::of(&location.path()));
    view! {
        <main class="app" id="main">
            {move || match screen.get() {
                Screen::Home => view! { <HomePage /> }.into_any(),
                Screen::Survey(id) => view! { <SurveyPage id=id /> }.into_any(),
                Screen::Embed(id) => view! { <EmbedPage id=id /> }.into_any(),
            }}
        </main>
    }
}

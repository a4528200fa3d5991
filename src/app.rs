use leptos::prelude::*;

use crate::components::embed::EmbedPage;
use crate::components::runner::{SurveyNotFound, SurveyPage};
use crate::locale::StorageProblem;
use crate::nav::{Bundle, Location};
use crate::outbox;
use crate::storage::Store;
use crate::sync::Sync;

/// A screen of the respondent's bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Screen {
    Survey(String),
    Embed(String),
    /// A path of this bundle without a survey id, such as `/s/`.
    NotFound,
}

impl Screen {
    fn of(path: &str) -> Screen {
        let embed = path.strip_prefix("/embed/");
        if let Some(id) = embed.filter(|id| !id.is_empty() && !id.contains('/')) {
            return Screen::Embed(id.to_owned());
        }
        match path.strip_prefix("/s/") {
            Some(id) if !id.is_empty() && !id.contains('/') => Screen::Survey(id.to_owned()),
            _ => Screen::NotFound,
        }
    }
}

/// The respondent's app: the survey runner, on its own or embedded, with shared state. The home
/// page is the staff's bundle: respondents arrive by a survey's link.
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
    Sync::provide();

    // A change of query only (such as the language) keeps the screen and its state.
    let screen = Memo::new(move |_| Screen::of(&location.path()));
    view! {
        <main class="app" id="main">
            {move || match screen.get() {
                Screen::Survey(id) => view! { <SurveyPage id=id /> }.into_any(),
                Screen::Embed(id) => view! { <EmbedPage id=id /> }.into_any(),
                Screen::NotFound => view! { <SurveyNotFound /> }.into_any(),
            }}
        </main>
    }
}

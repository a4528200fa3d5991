//! The embed bundle's root: the runner inside another site's frame at `/embed/{id}`.

use leptos::prelude::*;

use super::respondent::{start_respondent_services, survey_id};
use crate::browser::nav::{Bundle, Location};
use crate::components::embed::EmbedPage;
use crate::components::runner::SurveyNotFound;

/// The embed screen's app, a bundle of its own so that respondents following a survey's link do
/// not download it: `/embed/{survey_id}`, the survey runner inside another site's frame.
#[component]
pub fn EmbedApp() -> impl IntoView {
    let location = Location::provide(|path| Bundle::of(path) == Bundle::Embed);
    start_respondent_services();
    // The frame's page never changes its path: the host page makes a new frame for a survey.
    view! {
        <main class="app" id="main">
            {match survey_id(&location.path_untracked(), "/embed/") {
                Some(id) => view! { <EmbedPage id=id /> }.into_any(),
                None => view! { <SurveyNotFound /> }.into_any(),
            }}
        </main>
    }
}

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::survey_form::{FormEvent, SurveyForm};
use super::survey_not_found::SurveyNotFound;
use crate::browser::prerendered;
use crate::components::Loading;
use crate::i18n::Lang;
use crate::i18n::locale::{StorageProblem, ui_lang};
use crate::storage::Store;
use crate::storage::catalog::{self, AtHand};

/// The `/s/{survey_id}` route: finds the survey (on this device, in the page the server sent,
/// on the server or among the templates) and runs it.
#[component]
pub fn SurveyPage(
    id: String,
    /// Passed on to [`SurveyForm`].
    #[prop(optional)]
    on_event: Option<Callback<FormEvent>>,
    /// Passed on to [`SurveyForm`].
    #[prop(optional)]
    embedded: bool,
) -> impl IntoView {
    let problem = expect_context::<StorageProblem>();
    // The page the server drew carries the definition: with it, the form is built at once,
    // ready to take the drawn page's place.
    let store = Store::open().ok();
    let served = prerendered::definition(&id);
    let (at_hand, issue) = catalog::at_hand(store.as_ref(), &id, served);
    if let Some(error) = issue {
        problem.report(error);
    }
    // Anything but the served survey is not what the drawn page shows.
    if !matches!(at_hand, Some(AtHand::Served(_))) {
        prerendered::take_over_now();
    }
    // `None` while the survey is looked for. A signal set by a task rather than a resource under
    // `Suspense`: the one thing to wait for needs none of their machinery, which would weigh on
    // the respondent's bundle.
    let found = RwSignal::new(at_hand.map(|found| Some(Arc::new(found.survey()))));
    if found.with_untracked(Option::is_none) {
        spawn_local(async move {
            let (survey, issue) = catalog::find(store.as_ref(), &id).await;
            if let Some(error) = issue {
                problem.report(error);
            }
            // Setting a signal that was disposed (the screen is gone) does nothing.
            found.set(Some(survey.map(Arc::new)));
        });
    }
    let loading = ui_lang(Lang::ALL.to_vec(), Lang::ZhCn);

    move || match found.get() {
        None => view! { <Loading lang=loading /> }.into_any(),
        Some(Some(survey)) => view! { <SurveyForm survey on_event embedded /> }.into_any(),
        Some(None) => view! { <SurveyNotFound /> }.into_any(),
    }
}

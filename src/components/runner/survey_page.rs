use std::sync::Arc;

use leptos::prelude::*;

use super::survey_form::{FormEvent, SurveyForm};
use super::survey_not_found::SurveyNotFound;
use crate::catalog;
use crate::components::Loading;
use crate::i18n::Lang;
use crate::locale::{StorageProblem, ui_lang};
use crate::storage::Store;

/// The `/s/{survey_id}` route: finds the survey (on this device, on the server or among the
/// templates) and runs it.
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
    let found = LocalResource::new(move || {
        let id = id.clone();
        async move {
            let (survey, issue) = catalog::find(Store::open().ok().as_ref(), &id).await;
            if let Some(error) = issue {
                problem.report(error);
            }
            survey.map(Arc::new)
        }
    });
    let loading = ui_lang(Lang::ALL.to_vec(), Lang::ZhCn);

    view! {
        <Suspense fallback=move || view! { <Loading lang=loading /> }>
            {move || {
                found
                    .get()
                    .map(|survey| match survey {
                        Some(survey) => view! { <SurveyForm survey on_event embedded /> }.into_any(),
                        None => view! { <SurveyNotFound /> }.into_any(),
                    })
            }}
        </Suspense>
    }
}

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::survey_form::SurveyForm;
use crate::catalog;
use crate::components::StorageAlert;
use crate::i18n::{Lang, Msg};
use crate::locale::{StorageProblem, provide_ui_lang};
use crate::storage::Store;

/// The `/s/{survey_id}` route: finds the survey on this device and runs it.
#[component]
pub fn SurveyPage() -> impl IntoView {
    let params = use_params_map();
    let problem = expect_context::<StorageProblem>();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());

    move || {
        let (survey, issue) = catalog::find(Store::open().ok().as_ref(), &id.get());
        if let Some(error) = issue {
            problem.report(error);
        }
        match survey {
            Some(survey) => view! { <SurveyForm survey=Arc::new(survey) /> }.into_any(),
            None => {
                let lang = provide_ui_lang(Lang::ALL.to_vec(), Lang::ZhCn);
                view! {
                    <h1 data-testid="survey-not-found">{lang.t(Msg::SurveyNotFound)}</h1>
                    <StorageAlert />
                    <p>
                        <a href=move || format!("/?lang={}", lang.get().tag())>
                            {lang.t(Msg::HomeLink)}
                        </a>
                    </p>
                }
                .into_any()
            }
        }
    }
}

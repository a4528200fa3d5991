use leptos::prelude::*;
use manyi_core::Response;

use super::survey_report::SurveyReport;
use crate::catalog;
use crate::components::{Loading, StorageAlert};
use crate::i18n::{self, Lang, Msg};
use crate::locale::{StorageProblem, provide_ui_lang};
use crate::outbox;
use crate::storage::Store;

/// One report per survey that has responses on this device.
#[component]
pub fn ResultsPage() -> impl IntoView {
    let lang = provide_ui_lang(Lang::ALL.to_vec(), Lang::ZhCn);
    let problem = expect_context::<StorageProblem>();
    let store = Store::open().ok();
    let (entries, skipped) = match store.as_ref().map(outbox::load) {
        Some(Ok(loaded)) => loaded,
        Some(Err(error)) => {
            problem.report(error);
            (Vec::new(), 0)
        }
        None => (Vec::new(), 0),
    };
    // One report per survey, in the order their first responses arrived.
    let mut ids: Vec<String> = Vec::new();
    for entry in &entries {
        if !ids.contains(&entry.response.survey_id) {
            ids.push(entry.response.survey_id.clone());
        }
    }
    let empty = ids.is_empty();
    let reports = LocalResource::new(move || {
        let (ids, entries) = (ids.clone(), entries.clone());
        async move {
            let store = Store::open().ok();
            let mut reports = Vec::new();
            for id in ids {
                let (survey, issue) = catalog::find(store.as_ref(), &id).await;
                if let Some(error) = issue {
                    problem.report(error);
                }
                // Responses to a survey whose definition is nowhere to be found cannot be
                // scored; they stay in the outbox and appear once the definition is back.
                if let Some(survey) = survey {
                    let responses: Vec<Response> = entries
                        .iter()
                        .filter(|e| e.response.survey_id == id)
                        .map(|e| e.response.clone())
                        .collect();
                    reports.push((survey, responses));
                }
            }
            reports
        }
    });

    view! {
        <header class="top-bar">
            <h1 class="app-title">{lang.t(Msg::ResultsTitle)}</h1>
            <nav class="top-links">
                <a href=move || format!("/?lang={}", lang.get().tag())>{lang.t(Msg::HomeLink)}</a>
            </nav>
        </header>
        <StorageAlert />
        {(skipped > 0)
            .then(|| {
                view! {
                    <p class="notice" data-testid="results-skipped">
                        {move || i18n::skipped_entries(lang.get(), skipped)}
                    </p>
                }
            })}
        {empty
            .then(|| {
                view! {
                    <p class="lead" data-testid="results-empty">
                        {lang.t(Msg::ResultsEmpty)}
                    </p>
                }
            })}
        <Suspense fallback=move || view! { <Loading lang=lang /> }>
            {move || {
                reports
                    .get()
                    .map(|reports| {
                        reports
                            .into_iter()
                            .map(|(survey, responses)| view! { <SurveyReport survey responses /> })
                            .collect_view()
                    })
            }}
        </Suspense>
    }
}

use leptos::prelude::*;
use manyi_core::Response;

use super::survey_report::SurveyReport;
use crate::components::{Loading, StorageAlert};
use crate::i18n::locale::{StorageProblem, provide_ui_lang};
use crate::i18n::{self, Lang, Msg};
use crate::storage::catalog;
use crate::storage::outbox;
use crate::storage::outbox_idb;
use crate::storage::{StorageError, Store};

/// One report per survey that has responses on this device.
#[component]
pub fn ResultsPage() -> impl IntoView {
    let lang = provide_ui_lang(Lang::ALL.to_vec(), Lang::ZhCn);
    let problem = expect_context::<StorageProblem>();
    let store = Store::open().ok();
    let (local, skipped) = match store.as_ref().map(outbox::load) {
        Some(Ok(loaded)) => loaded,
        Some(Err(error)) => {
            problem.report(error);
            (Vec::new(), 0)
        }
        None => (Vec::new(), 0),
    };
    let reports = LocalResource::new(move || {
        let local = local.clone();
        async move {
            // A kiosk keeps its responses in IndexedDB; a device that never ran one has none.
            let mut entries = local;
            match outbox_idb::all_entries().await {
                Ok(kept) => entries.extend(kept),
                Err(StorageError::Unavailable) => {}
                Err(error) => problem.report(error),
            }
            // One report per survey, in the order their first responses arrived.
            let mut ids: Vec<String> = Vec::new();
            for entry in &entries {
                if !ids.contains(&entry.response.survey_id) {
                    ids.push(entry.response.survey_id.clone());
                }
            }
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
        <Suspense fallback=move || view! { <Loading lang=lang /> }>
            {move || {
                reports
                    .get()
                    .map(|reports| {
                        if reports.is_empty() {
                            return view! {
                                <p class="lead" data-testid="results-empty">
                                    {lang.t(Msg::ResultsEmpty)}
                                </p>
                            }
                                .into_any();
                        }
                        reports
                            .into_iter()
                            .map(|(survey, responses)| view! { <SurveyReport survey responses /> })
                            .collect_view()
                            .into_any()
                    })
            }}
        </Suspense>
    }
}

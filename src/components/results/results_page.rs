use leptos::prelude::*;
use manyi_core::Response;

use super::survey_report::SurveyReport;
use crate::catalog;
use crate::components::StorageAlert;
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
    let (surveys, issue) = catalog::all(store.as_ref());
    if let Some(error) = issue {
        problem.report(error);
    }
    let reports: Vec<_> = surveys
        .into_iter()
        .filter_map(|(survey, _)| {
            let responses: Vec<Response> = entries
                .iter()
                .filter(|e| e.response.survey_id == survey.id)
                .map(|e| e.response.clone())
                .collect();
            (!responses.is_empty()).then_some((survey, responses))
        })
        .collect();
    let empty = reports.is_empty();

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
        {reports
            .into_iter()
            .map(|(survey, responses)| view! { <SurveyReport survey responses /> })
            .collect_view()}
    }
}

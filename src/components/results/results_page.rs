use leptos::prelude::*;
use manyi_core::aggregate::ReportBuilder;
use manyi_core::{Plan, Report, ReportOptions, Survey};

use super::survey_report::SurveyReport;
use crate::components::{Loading, StorageAlert};
use crate::i18n::locale::{StorageProblem, provide_ui_lang};
use crate::i18n::{self, Lang, Msg};
use crate::storage::catalog;
use crate::storage::{Store, device};

/// One report per survey that has responses on this device.
#[component]
pub fn ResultsPage() -> impl IntoView {
    let lang = provide_ui_lang(Lang::ALL.to_vec(), Lang::ZhCn);
    let problem = expect_context::<StorageProblem>();
    let reports = LocalResource::new(move || async move {
        let store = Store::open().ok();
        // Two readings of the device's responses: the first finds which surveys they answer
        // (and so which definitions to look for), the second adds each response to its
        // survey's report as it is read, so they are never all held at once.
        let (counts, read) = device::surveys(store.as_ref()).await;
        let skipped = read.unreadable;
        // What could be read is still reported on; the problem is shown beside it.
        for error in read.problems.iter().cloned() {
            problem.report(error);
        }
        let mut surveys = Vec::new();
        for (id, _) in counts.0 {
            let (survey, issue) = catalog::find(store.as_ref(), &id).await;
            if let Some(error) = issue {
                problem.report(error);
            }
            // Responses to a survey whose definition is nowhere to be found cannot be
            // scored; they stay in the outbox and appear once the definition is back.
            if let Some(survey) = survey {
                surveys.push(survey);
            }
        }
        let plans: Vec<Plan> = surveys.iter().map(Plan::new).collect();
        let mut builders: Vec<ReportBuilder> = plans
            .iter()
            .map(|plan| ReportBuilder::new(plan, ReportOptions::default()))
            .collect();
        let again = device::each_response(store.as_ref(), |response| {
            if let Some(i) = surveys.iter().position(|s| s.id == response.survey_id) {
                builders[i].push_response(&response);
            }
        })
        .await;
        // The problems the first reading met are shown already; only a new one is told.
        for error in again.problems {
            if !read.problems.contains(&error) {
                problem.report(error);
            }
        }
        // One report per survey, in the order their first responses arrived.
        let reports: Vec<(Survey, Report)> = builders
            .into_iter()
            .map(ReportBuilder::finish)
            .zip(surveys.iter().cloned())
            .map(|(report, survey)| (survey, report))
            .collect();
        (reports, skipped)
    });
    let skipped = move || reports.with(|r| r.as_ref().map_or(0, |(_, skipped)| *skipped));

    view! {
        <header class="top-bar">
            <h1 class="app-title">{lang.t(Msg::ResultsTitle)}</h1>
            <nav class="top-links">
                <a href=move || format!("/?lang={}", lang.get().tag())>{lang.t(Msg::HomeLink)}</a>
            </nav>
        </header>
        <StorageAlert />
        {move || {
            let skipped = skipped();
            (skipped > 0)
                .then(|| {
                    view! {
                        <p class="notice" data-testid="results-skipped">
                            {move || i18n::skipped_entries(lang.get(), skipped)}
                        </p>
                    }
                })
        }}
        <Suspense fallback=move || view! { <Loading lang=lang /> }>
            {move || {
                reports
                    .get()
                    .map(|(reports, _)| {
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
                            .map(|(survey, report)| view! { <SurveyReport survey report /> })
                            .collect_view()
                            .into_any()
                    })
            }}
        </Suspense>
    }
}

use leptos::prelude::*;

use super::import_definition::ImportDefinition;
use super::language_switch::LanguageSwitch;
use super::survey_list::SurveyList;
use crate::components::{Loading, StorageAlert, SyncStatusLine};
use crate::i18n::locale::{StorageProblem, provide_ui_lang};
use crate::i18n::{Lang, Msg};
use crate::storage::Store;
use crate::storage::catalog;
use crate::storage::outbox;

/// The list of surveys available on this device.
#[component]
pub fn HomePage() -> impl IntoView {
    let lang = provide_ui_lang(Lang::ALL.to_vec(), Lang::ZhCn);
    let problem = expect_context::<StorageProblem>();
    // Reading the outbox first finds an unreadable one, sets it aside and says so before
    // anything else is stored; a browser without storage is reported here too.
    if let Err(error) = Store::open().and_then(|store| outbox::load(&store)) {
        problem.report(error);
    }
    let listed = LocalResource::new(move || async move {
        let (list, issue) = catalog::all(Store::open().ok().as_ref()).await;
        if let Some(error) = issue {
            problem.report(error);
        }
        list
    });
    let surveys = Signal::derive(move || listed.get().unwrap_or_default());
    let on_imported = Callback::new(move |()| listed.refetch());
    let results_href = move || format!("/results?lang={}", lang.get().tag());

    view! {
        <header class="top-bar">
            <h1 class="app-title" data-testid="home-title">
                {lang.t(Msg::HomeTitle)}
            </h1>
            <LanguageSwitch />
        </header>
        <StorageAlert />
        <SyncStatusLine />
        <p class="lead">{lang.t(Msg::HomeIntro)}</p>
        <Suspense fallback=move || view! { <Loading lang=lang /> }>
            <SurveyList surveys=surveys />
        </Suspense>
        <ImportDefinition on_imported=on_imported />
        <p class="footer-links">
            <a href=results_href data-testid="results-link">
                {lang.t(Msg::ResultsLink)}
            </a>
        </p>
    }
}

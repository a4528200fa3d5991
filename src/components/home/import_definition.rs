use leptos::prelude::*;
use leptos::task::spawn_local;
use manyi_core::Survey;
use manyi_core::validate::Problem;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::i18n::locale::{StorageProblem, UiLang};
use crate::i18n::{self, Msg};
use crate::net::api::Detail;
use crate::storage::Store;
use crate::storage::catalog::{self, ImportError, Imported};

/// What the last import attempt came to.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    /// Stored; for a SurveyJS file, with what was not carried over as it was.
    Imported(Box<Survey>, Vec<Detail>),
    Invalid(Vec<Problem>),
    Unreadable,
}

/// A file input that validates a definition (manyi's, or SurveyJS's, imported by the core) and
/// adds it to this device's surveys. Problems are listed with their JSON paths so an author can
/// fix the file in one go, and so is what a SurveyJS import did not carry over as it was.
#[component]
pub fn ImportDefinition(
    /// Called after a definition was stored, so the list can show it.
    on_imported: Callback<()>,
) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let problem = expect_context::<StorageProblem>();
    let outcome = RwSignal::new(None::<Outcome>);

    let on_change = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        spawn_local(async move {
            let text = JsFuture::from(file.text())
                .await
                .ok()
                .and_then(|v| v.as_string());
            let Some(text) = text else {
                outcome.set(Some(Outcome::Unreadable));
                return;
            };
            let store = Store::open().ok();
            let surveyjs = catalog::is_surveyjs(&text);
            match catalog::import_definition(store.as_ref(), &text, surveyjs) {
                Ok(Imported { survey, reports }) => {
                    on_imported.run(());
                    outcome.set(Some(Outcome::Imported(Box::new(survey), reports)));
                }
                Err(ImportError::Invalid(problems)) => {
                    outcome.set(Some(Outcome::Invalid(problems)));
                }
                Err(ImportError::Storage(error)) => {
                    outcome.set(None);
                    problem.report(error);
                }
            }
        });
    };

    let result = move || {
        outcome.get().map(|o| match o {
            Outcome::Imported(survey, reports) => {
                let title = survey
                    .title
                    .get(lang.get().tag(), &survey.default_locale)
                    .to_owned();
                let reports = (!reports.is_empty()).then(|| {
                    view! {
                        <ul class="import-reports" data-testid="import-reports">
                            {reports
                                .into_iter()
                                .map(|r| {
                                    view! {
                                        <li data-testid="import-report">
                                            <code>{r.path}</code>
                                            " "
                                            {r.message}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                });
                view! {
                    <div class="notice success" data-testid="import-ok">
                        <p>{i18n::imported(lang.get(), &title)}</p>
                        {reports}
                    </div>
                }
                .into_any()
            }
            Outcome::Invalid(problems) => view! {
                <div class="notice error" data-testid="import-errors">
                    <p>{lang.t(Msg::ImportInvalid)}</p>
                    <ul>
                        {problems
                            .into_iter()
                            .map(|p| {
                                view! {
                                    <li data-testid="import-problem">
                                        <code>{p.path}</code>
                                        " "
                                        {p.message}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </div>
            }
            .into_any(),
            Outcome::Unreadable => view! {
                <p class="notice error" data-testid="import-errors">
                    {lang.t(Msg::ImportUnreadable)}
                </p>
            }
            .into_any(),
        })
    };

    view! {
        <section class="import" aria-labelledby="import-heading">
            <h2 id="import-heading">{lang.t(Msg::ImportHeading)}</h2>
            <p id="import-help" class="help">{lang.t(Msg::ImportHelp)}</p>
            <label for="import-file" class="field-label">
                {lang.t(Msg::ImportFileLabel)}
            </label>
            <input
                id="import-file"
                type="file"
                accept="application/json,.json"
                aria-describedby="import-help"
                data-testid="import-file"
                on:change=on_change
            />
            <div role="status">{result}</div>
        </section>
    }
}

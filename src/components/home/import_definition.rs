use leptos::prelude::*;
use leptos::task::spawn_local;
use manyi_core::Survey;
use manyi_core::validate::Problem;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::catalog::{self, ImportError};
use crate::i18n::{self, Msg};
use crate::locale::{StorageProblem, UiLang};
use crate::storage::Store;

/// What the last import attempt came to.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Imported(Box<Survey>),
    Invalid(Vec<Problem>),
    Unreadable,
}

/// A file input that validates a definition and adds it to this device's surveys. Problems
/// are listed with their JSON paths so an author can fix the file in one go.
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
            match catalog::import(Store::open().ok().as_ref(), &text) {
                Ok(survey) => {
                    on_imported.run(());
                    outcome.set(Some(Outcome::Imported(Box::new(survey))));
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
            Outcome::Imported(survey) => {
                let title = survey
                    .title
                    .get(lang.get().tag(), &survey.default_locale)
                    .to_owned();
                view! {
                    <p class="notice success" data-testid="import-ok">
                        {i18n::imported(lang.get(), &title)}
                    </p>
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

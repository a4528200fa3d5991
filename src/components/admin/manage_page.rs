use leptos::prelude::*;
use leptos::task::spawn_local;
use manyi_api::Action;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::alert_rules_panel::AlertRulesPanel;
use super::origins_editor::OriginsEditor;
use super::problem_list::ProblemList;
use super::role_note::RoleNote;
use super::share_links::ShareLinks;
use crate::i18n::locale::UiLang;
use crate::i18n::{self, AdminMsg};
use crate::net::api::Detail;
use crate::staff::dashboard::{self, Access, Failure, Saved};
use crate::staff::rights::Rights;

/// What the last publication came to.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Saved(Saved),
    Problems(Vec<Detail>),
    Failed(Failure),
}

/// The latest definition as the editor starts from it: pretty-printed, with its version raised
/// by one, ready to be changed and published as the next version.
fn next_version_text(survey: &manyi_core::Survey) -> String {
    let mut next = survey.clone();
    next.version += 1;
    serde_json::to_string_pretty(&next).unwrap_or_default()
}

/// Uploading or editing a definition (manyi or SurveyJS JSON) and publishing it, with every
/// problem shown with its path and what a SurveyJS import left out; for a server's survey also
/// its allowed embedding origins, the embed snippet and the kiosk link. Publishing and changing
/// the origins are offered only to a token whose role includes them.
#[component]
pub fn ManagePage(access: Access, id: Option<String>) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let rights = expect_context::<Rights>();
    let publishes = match &id {
        Some(id) => rights.may(Action::Publish, id),
        None => rights.may_some(Action::Publish),
    };
    let text = RwSignal::new(String::new());
    let surveyjs = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Outcome>);
    let busy = RwSignal::new(false);
    let stored_access = StoredValue::new(access.clone());

    if let Some(id) = id.clone().filter(|_| publishes) {
        let access = access.clone();
        spawn_local(async move {
            if let Ok(survey) = dashboard::survey(&access, &id).await {
                text.set(next_version_text(&survey));
            }
        });
    }

    let on_file = move |ev: leptos::ev::Event| {
        let Some(file) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|input| input.files())
            .and_then(|files| files.get(0))
        else {
            return;
        };
        spawn_local(async move {
            if let Some(content) = JsFuture::from(file.text())
                .await
                .ok()
                .and_then(|v| v.as_string())
            {
                text.set(content);
            }
        });
    };
    let publish = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        outcome.set(None);
        busy.set(true);
        let (access, content, surveyjs) = (
            stored_access.get_value(),
            text.get_untracked(),
            surveyjs.get_untracked(),
        );
        spawn_local(async move {
            let result = dashboard::publish(&access, &content, surveyjs).await;
            busy.set(false);
            outcome.set(Some(match result {
                Ok(saved) => Outcome::Saved(saved),
                Err(error) if !error.problems().is_empty() => Outcome::Problems(error.problems()),
                Err(error) => Outcome::Failed(Failure::from(&error)),
            }));
        });
    };

    let result = move || {
        outcome.get().map(|o| match o {
            Outcome::Saved(saved) => {
                let href = format!(
                    "/admin/s/{}?lang={}",
                    js_sys::encode_uri_component(&saved.id),
                    lang.get().tag()
                );
                let reports = (!saved.reports.is_empty()).then(|| {
                    view! {
                        <p>{lang.t(AdminMsg::ImportReports)}</p>
                        <ProblemList items=saved.reports.clone() testid="import-reports" />
                    }
                });
                view! {
                    <div class="notice success" data-testid="publish-ok">
                        <p>{move || i18n::published(lang.get(), &saved.id, saved.version)}</p>
                        {reports}
                        <p><a href=href>{lang.t(AdminMsg::OpenOverview)}</a></p>
                    </div>
                }
                .into_any()
            }
            Outcome::Problems(items) => view! {
                <div class="notice error" data-testid="publish-errors">
                    <p>{lang.t(AdminMsg::PublishInvalid)}</p>
                    <ProblemList items testid="publish-problems" />
                </div>
            }
            .into_any(),
            Outcome::Failed(failure) => {
                let refused = failure.is_refusal().to_string();
                view! {
                    <p class="notice error" data-testid="publish-errors" data-refused=refused>
                        {move || failure.text(lang.get())}
                    </p>
                }
                .into_any()
            }
        })
    };

    let local = access.is_local();
    // A server keeps a survey's embedding origins and its alert rules; the rules are read
    // with the survey's settings, so only a token that may read those sees them.
    let server_parts = match (&access, &id) {
        (Access::Server(staff), Some(id)) => {
            let changes = rights.may(Action::ChangeSettings, id);
            let alerts = rights.may(Action::ReadSettings, id).then(|| {
                view! {
                    <AlertRulesPanel staff=staff.clone() id=id.clone() editable=changes />
                }
            });
            Some(view! {
                <OriginsEditor staff=staff.clone() id=id.clone() editable=changes />
                {alerts}
            })
        }
        _ => None,
    };
    let heading = id.clone();
    view! {
        <nav class="crumbs">
            <a href=move || format!("/admin?lang={}", lang.get().tag())>{lang.t(AdminMsg::BackToSurveys)}</a>
        </nav>
        <section class="card" aria-labelledby="manage-heading">
            <h2 id="manage-heading">
                {move || match &heading {
                    Some(id) => i18n::manage_title(lang.get(), id),
                    None => lang.t(AdminMsg::NewSurvey)().to_owned(),
                }}
            </h2>
            {match publishes {
                true => view! {
                    <p class="help">{lang.t(if local { AdminMsg::PublishLocalHelp } else { AdminMsg::PublishHelp })}</p>
                    <form on:submit=publish>
                        <fieldset class="format">
                            <legend>{lang.t(AdminMsg::DefinitionFormat)}</legend>
                            <label>
                                <input type="radio" name="format" value="manyi" data-testid="format-manyi"
                                    prop:checked=move || !surveyjs.get() on:change=move |_| surveyjs.set(false) />
                                " manyi JSON"
                            </label>
                            <label>
                                <input type="radio" name="format" value="surveyjs" data-testid="format-surveyjs"
                                    prop:checked=move || surveyjs.get() on:change=move |_| surveyjs.set(true) />
                                " SurveyJS JSON"
                            </label>
                        </fieldset>
                        <label for="definition-file" class="field-label">{lang.t(AdminMsg::DefinitionFile)}</label>
                        <input id="definition-file" type="file" accept="application/json,.json"
                            data-testid="definition-file" on:change=on_file />
                        <label for="definition-text" class="field-label">{lang.t(AdminMsg::DefinitionText)}</label>
                        <textarea id="definition-text" rows="16" class="code" spellcheck="false"
                            data-testid="definition-text" prop:value=text
                            on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                        <button type="submit" class="primary" data-testid="publish" disabled=move || busy.get()>
                            {lang.t(if local { AdminMsg::SaveOnDevice } else { AdminMsg::Publish })}
                        </button>
                    </form>
                    <div role="status">{result}</div>
                }.into_any(),
                false => view! { <RoleNote msg=AdminMsg::NoPublish testid="no-publish" /> }.into_any(),
            }}
        </section>
        {server_parts}
        {id.map(|id| view! { <ShareLinks id /> })}
    }
}

use leptos::prelude::*;
use manyi_api::{NewWebhookEndpoint, SurveySummary, WebhookEndpoint, WebhookEvent};

use super::problem_list::ProblemList;
use crate::i18n::locale::UiLang;
use crate::i18n::{self, AdminMsg};
use crate::net::api::{ApiError, Detail};
use crate::staff::dashboard::Failure;

/// The form that registers an endpoint: its URL, the events it hears of and optionally the one
/// survey whose events it gets. The contract's checks run before sending and the server's
/// after. The reply's signing secret is shown here once, with the reminder to store it: the
/// server never shows it again.
#[component]
pub fn WebhookForm(
    add: Action<NewWebhookEndpoint, Result<WebhookEndpoint, ApiError>>,
    surveys: Signal<Vec<SurveySummary>>,
) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let url = RwSignal::new(String::new());
    let events = RwSignal::new(WebhookEvent::KNOWN.to_vec());
    let survey = RwSignal::new(String::new());
    let local = RwSignal::new(None::<Vec<Detail>>);
    let busy = add.pending();

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = NewWebhookEndpoint {
            url: url.get_untracked().trim().to_owned(),
            // In the order the form lists them, whatever order they were ticked in.
            events: WebhookEvent::KNOWN
                .iter()
                .filter(|e| events.with_untracked(|list| list.contains(e)))
                .cloned()
                .collect(),
            survey_id: Some(survey.get_untracked()).filter(|s| !s.is_empty()),
        };
        let problems = body.problems();
        if problems.is_empty() {
            local.set(None);
            add.dispatch_local(body);
        } else {
            local.set(Some(
                problems
                    .into_iter()
                    .map(|p| Detail {
                        path: p.path,
                        kind: None,
                        message: p.message,
                        position: None,
                    })
                    .collect(),
            ));
        }
    };

    let checkboxes = WebhookEvent::KNOWN
        .iter()
        .map(|event| {
            let (name, ticked, toggled, described) =
                (event.as_str(), event.clone(), event.clone(), event.clone());
            view! {
                <label class="check">
                    <input type="checkbox" data-testid=format!("event-{name}")
                        prop:checked=move || events.with(|list| list.contains(&ticked))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            events.update(|list| {
                                list.retain(|e| e != &toggled);
                                if on {
                                    list.push(toggled.clone());
                                }
                            });
                        } />
                    " "<code>{name}</code>" "{move || i18n::webhook_event(lang.get(), &described)}
                </label>
            }
        })
        .collect_view();
    let survey_options = move || {
        surveys
            .get()
            .into_iter()
            .map(|s| {
                let id = s.id.clone();
                let title = s.title.get(lang.get().tag(), "").to_owned();
                view! {
                    <option value=s.id.clone() selected=move || survey.get() == id>{format!("{title} ({})", s.id)}</option>
                }
            })
            .collect_view()
    };
    let outcome = move || {
        if let Some(items) = local.get() {
            return Some(view! { <ProblemList items testid="webhook-problems" /> }.into_any());
        }
        add.value().get().map(|result| match result {
            Ok(endpoint) => {
                let secret = endpoint.secret.unwrap_or_default();
                view! {
                    <div class="notice success" data-testid="webhook-added">
                        <label for="webhook-secret" class="field-label">{lang.t(AdminMsg::Secret)}</label>
                        <input id="webhook-secret" readonly class="code" data-testid="webhook-secret"
                            aria-describedby="webhook-secret-note" prop:value=secret />
                        <p id="webhook-secret-note"><strong>{lang.t(AdminMsg::SecretOnce)}</strong></p>
                    </div>
                }
                .into_any()
            }
            Err(error) if !error.problems().is_empty() => {
                view! { <ProblemList items=error.problems() testid="webhook-problems" /> }.into_any()
            }
            Err(error) => view! {
                <p class="notice error" data-testid="webhook-failed">{move || Failure::from(&error).text(lang.get())}</p>
            }
            .into_any(),
        })
    };
    view! {
        <section class="card" aria-labelledby="new-webhook-heading">
            <h3 id="new-webhook-heading">{lang.t(AdminMsg::NewEndpoint)}</h3>
            <form on:submit=submit data-testid="webhook-form">
                <label for="webhook-url" class="field-label">{lang.t(AdminMsg::EndpointUrl)}</label>
                <input id="webhook-url" type="url" required class="code" aria-describedby="webhook-url-help"
                    data-testid="webhook-url" prop:value=url on:input=move |ev| url.set(event_target_value(&ev)) />
                <p id="webhook-url-help" class="help">{lang.t(AdminMsg::EndpointUrlHelp)}</p>
                <fieldset class="checks">
                    <legend>{lang.t(AdminMsg::Events)}</legend>
                    {checkboxes}
                </fieldset>
                <label for="webhook-survey" class="field-label">{lang.t(AdminMsg::EndpointSurvey)}</label>
                <select id="webhook-survey" data-testid="webhook-survey"
                    on:change=move |ev| survey.set(event_target_value(&ev))>
                    <option value="" selected=move || survey.get().is_empty()>{lang.t(AdminMsg::AnySurvey)}</option>
                    {survey_options}
                </select>
                <p>
                    <button type="submit" class="primary" data-testid="add-webhook" disabled=move || busy.get()>
                        {lang.t(AdminMsg::AddEndpoint)}
                    </button>
                </p>
            </form>
            <div role="status">{outcome}</div>
        </section>
    }
}

use leptos::html;
use leptos::prelude::*;
use manyi_api::WebhookEndpoint;

use super::webhook_deliveries::WebhookDeliveries;
use crate::browser::clock;
use crate::i18n::locale::UiLang;
use crate::i18n::{self, AdminMsg};
use crate::net::api::{ApiError, StaffApi};

/// One registered endpoint: where it is, what it hears of, its recent deliveries, and its
/// removal, which asks to be confirmed first.
#[component]
pub fn WebhookEndpointCard(
    staff: StaffApi,
    endpoint: WebhookEndpoint,
    remove: Action<String, Result<(), ApiError>>,
) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let confirming = RwSignal::new(false);
    let confirm_button = NodeRef::<html::Button>::new();
    // The confirmation takes the keyboard focus when it appears, so a keyboard user answers
    // it at once and a screen reader reads its question.
    Effect::new(move |_| {
        if let Some(button) = confirm_button.get() {
            let _ = button.focus();
        }
    });
    let heading = format!("webhook-{}", endpoint.id);
    let labelled_by = heading.clone();
    let (id, url) = (endpoint.id.clone(), endpoint.url.clone());
    let testid_id = id.clone();
    let events = endpoint
        .events
        .iter()
        .map(|e| e.as_str().to_owned())
        .collect::<Vec<_>>()
        .join(", ");
    let survey = endpoint.survey_id.clone();
    let confirm = {
        let (id, url) = (id.clone(), url.clone());
        move || {
            confirming.get().then(|| {
                let (id, url) = (id.clone(), url.clone());
                let (question, labelled_by) = (format!("confirm-{id}"), format!("confirm-{id}"));
                view! {
                    <div class="confirm" role="group" aria-labelledby=labelled_by>
                        <p id=question>{move || i18n::remove_endpoint(lang.get(), &url)}</p>
                        <p class="button-row">
                            <button type="button" class="primary" node_ref=confirm_button data-testid="confirm-remove-webhook"
                                on:click=move |_| {
                                    remove.dispatch_local(id.clone());
                                }>
                                {lang.t(AdminMsg::ConfirmRemove)}
                            </button>
                            <button type="button" data-testid="cancel-remove-webhook" on:click=move |_| confirming.set(false)>
                                {lang.t(AdminMsg::Cancel)}
                            </button>
                        </p>
                    </div>
                }
            })
        }
    };
    view! {
        <section class="card" aria-labelledby=labelled_by data-testid="webhook-endpoint" data-id=testid_id>
            <h3 id=heading><code data-testid="webhook-endpoint-url">{url}</code></h3>
            <dl class="facts">
                <div class="fact">
                    <dt>{lang.t(AdminMsg::Events)}</dt>
                    <dd data-testid="webhook-endpoint-events">{events}</dd>
                </div>
                <div class="fact">
                    <dt>{lang.t(AdminMsg::Survey)}</dt>
                    <dd>
                        {match survey {
                            Some(id) => view! { <code>{id}</code> }.into_any(),
                            None => lang.t(AdminMsg::AnySurvey).into_any(),
                        }}
                    </dd>
                </div>
                <div class="fact">
                    <dt>{lang.t(AdminMsg::Registered)}</dt>
                    <dd><time datetime=endpoint.created_at.to_rfc3339()>{clock::shown(endpoint.created_at)}</time></dd>
                </div>
            </dl>
            <p>
                <button type="button" class="link-button" data-testid="remove-webhook"
                    aria-expanded=move || confirming.get().to_string()
                    on:click=move |_| confirming.set(true)>
                    {lang.t(AdminMsg::Remove)}
                </button>
            </p>
            {confirm}
            <WebhookDeliveries staff endpoint=id />
        </section>
    }
}

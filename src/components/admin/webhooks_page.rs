use leptos::prelude::*;
use manyi_api::{Action as Right, NewWebhookEndpoint};

use super::role_note::RoleNote;
use super::webhook_endpoint::WebhookEndpointCard;
use super::webhook_form::WebhookForm;
use crate::components::Loading;
use crate::i18n::AdminMsg;
use crate::i18n::locale::UiLang;
use crate::staff::dashboard::{Access, Failure};
use crate::staff::rights::Rights;

/// `/admin/webhooks`: the endpoints the server delivers events to, for an administrator's
/// token: each with its recent deliveries, and the form that adds one. The list is read again
/// after each addition or removal.
#[component]
pub fn WebhooksPage(access: Access) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let rights = expect_context::<Rights>();
    let crumbs = view! {
        <nav class="crumbs">
            <a href=move || format!("/admin?lang={}", lang.get().tag())>{lang.t(AdminMsg::BackToSurveys)}</a>
        </nav>
    };
    let staff = match access {
        Access::Server(staff) if rights.may_some(Right::ManageWebhooks) => StoredValue::new(staff),
        _ => {
            return view! { {crumbs} <RoleNote msg=AdminMsg::NoWebhooksRole testid="no-webhooks-role" /> }
                .into_any();
        }
    };
    let add = Action::new_local(move |endpoint: &NewWebhookEndpoint| {
        let (staff, endpoint) = (staff.get_value(), endpoint.clone());
        async move { staff.add_webhook(&endpoint).await }
    });
    let remove = Action::new_local(move |id: &String| {
        let (staff, id) = (staff.get_value(), id.clone());
        async move { staff.remove_webhook(&id).await }
    });
    let endpoints = LocalResource::new(move || {
        add.version().track();
        remove.version().track();
        let staff = staff.get_value();
        async move { staff.webhooks().await }
    });
    let listed = LocalResource::new(move || {
        let staff = staff.get_value();
        async move { staff.surveys().await.unwrap_or_default() }
    });
    let surveys = Signal::derive(move || listed.get().unwrap_or_default());
    let body = move || {
        endpoints.get().map(|result| match result {
            Err(error) => view! {
                <p class="notice error" role="alert" data-testid="load-error">
                    {Failure::from(&error).text(lang.get())}
                </p>
            }
            .into_any(),
            Ok(list) if list.is_empty() => {
                view! { <p class="help" data-testid="no-webhooks">{lang.t(AdminMsg::NoWebhooks)}</p> }.into_any()
            }
            Ok(list) => list
                .into_iter()
                .map(|endpoint| view! { <WebhookEndpointCard staff=staff.get_value() endpoint remove /> })
                .collect_view()
                .into_any(),
        })
    };
    let remove_error = move || {
        remove.value().get().and_then(Result::err).map(|error| {
            view! { <p class="notice error" data-testid="remove-error">{Failure::from(&error).text(lang.get())}</p> }
        })
    };
    view! {
        {crumbs}
        <section class="card" aria-labelledby="webhooks-heading">
            <h2 id="webhooks-heading">{lang.t(AdminMsg::Webhooks)}</h2>
            <p class="help">{lang.t(AdminMsg::WebhooksHelp)}</p>
            <div role="status">{remove_error}</div>
        </section>
        <Transition fallback=move || view! { <Loading lang=lang /> }>{body}</Transition>
        <WebhookForm add surveys />
    }
    .into_any()
}

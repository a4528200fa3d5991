use leptos::prelude::*;
use manyi_api::Delivery;

use crate::browser::clock;
use crate::components::Loading;
use crate::i18n::locale::UiLang;
use crate::i18n::{self, AdminMsg};
use crate::net::api::StaffApi;
use crate::staff::dashboard::Failure;

/// An endpoint's deliveries, newest first, a page at a time, each with what its attempts came
/// to and a button that sends it again; the page is read again after a redelivery.
#[component]
pub fn WebhookDeliveries(staff: StaffApi, endpoint: String) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let (staff, endpoint) = (StoredValue::new(staff), StoredValue::new(endpoint));
    // Where the page shown starts: `None` for the newest deliveries, else a page's `next`.
    let after = RwSignal::new(None::<String>);
    let redeliver = Action::new_local(move |delivery: &String| {
        let (staff, endpoint, delivery) =
            (staff.get_value(), endpoint.get_value(), delivery.clone());
        async move { staff.redeliver(&endpoint, &delivery).await }
    });
    let page = LocalResource::new(move || {
        redeliver.version().track();
        let (staff, endpoint, after) = (staff.get_value(), endpoint.get_value(), after.get());
        async move { staff.deliveries(&endpoint, after.as_deref()).await }
    });
    let heading = endpoint.with_value(|id| format!("deliveries-{id}"));
    let row = move |delivery: Delivery| {
        let (status, id) = (delivery.status.clone(), delivery.id.clone());
        let next = delivery
            .next_attempt_at
            .map(|t| view! { <time datetime=t.to_rfc3339()>{clock::shown(t)}</time> });
        view! {
            <tr data-testid="delivery-row" data-event=delivery.event.as_str().to_owned()
                data-status=delivery.status.as_str().to_owned()>
                <td><time datetime=delivery.created_at.to_rfc3339()>{clock::shown(delivery.created_at)}</time></td>
                <th scope="row"><code>{delivery.event.as_str().to_owned()}</code></th>
                <td data-testid="delivery-status">{move || i18n::delivery_status(lang.get(), &status)}</td>
                <td data-testid="delivery-attempts">{delivery.attempts}</td>
                <td>{delivery.last_error.unwrap_or_else(|| "—".to_owned())}</td>
                <td>{next}</td>
                <td>
                    <button type="button" data-testid="redeliver" disabled=move || redeliver.pending().get()
                        on:click=move |_| {
                            redeliver.dispatch_local(id.clone());
                        }>
                        {lang.t(AdminMsg::Redeliver)}
                    </button>
                </td>
            </tr>
        }
    };
    let body = move || {
        page.get().map(|result| match result {
            Err(error) => view! {
                <p class="notice error" data-testid="deliveries-error">{Failure::from(&error).text(lang.get())}</p>
            }
            .into_any(),
            Ok(found) if found.deliveries.is_empty() && after.get_untracked().is_none() => {
                view! { <p class="help" data-testid="no-deliveries">{lang.t(AdminMsg::NoDeliveries)}</p> }.into_any()
            }
            Ok(found) => {
                let older = found.next.map(|next| {
                    view! {
                        <button type="button" class="link-button" data-testid="older-deliveries"
                            on:click=move |_| after.set(Some(next.clone()))>
                            {lang.t(AdminMsg::OlderDeliveries)}
                        </button>
                    }
                });
                let newest = after.get_untracked().is_some().then(|| {
                    view! {
                        <button type="button" class="link-button" data-testid="newest-deliveries"
                            on:click=move |_| after.set(None)>
                            {lang.t(AdminMsg::AuditNewest)}
                        </button>
                    }
                });
                view! {
                    <div class="table-wrap">
                        <table data-testid="deliveries">
                            <thead>
                                <tr>
                                    <th scope="col">{lang.t(AdminMsg::When)}</th>
                                    <th scope="col">{lang.t(AdminMsg::Events)}</th>
                                    <th scope="col">{lang.t(AdminMsg::Status)}</th>
                                    <th scope="col">{lang.t(AdminMsg::Attempts)}</th>
                                    <th scope="col">{lang.t(AdminMsg::LastError)}</th>
                                    <th scope="col">{lang.t(AdminMsg::NextAttempt)}</th>
                                    <th scope="col">{lang.t(AdminMsg::Redeliver)}</th>
                                </tr>
                            </thead>
                            <tbody>{found.deliveries.into_iter().map(row).collect_view()}</tbody>
                        </table>
                    </div>
                    <p class="button-row">{newest}" "{older}</p>
                }
                .into_any()
            }
        })
    };
    let redeliver_error = move || {
        redeliver.value().get().and_then(Result::err).map(|error| {
            view! { <p class="notice error" data-testid="redeliver-error">{Failure::from(&error).text(lang.get())}</p> }
        })
    };
    view! {
        <h4 id=heading.clone()>{lang.t(AdminMsg::Deliveries)}</h4>
        <Transition fallback=move || view! { <Loading lang=lang /> }>{body}</Transition>
        <div role="status">{redeliver_error}</div>
    }
}

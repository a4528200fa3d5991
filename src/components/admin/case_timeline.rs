use leptos::prelude::*;
use manyi_api::CaseEvent;

use crate::browser::clock;
use crate::i18n::locale::UiLang;
use crate::i18n::{self, AdminMsg};

/// A case's timeline, oldest first: when, who, and what each entry records.
#[component]
pub fn CaseTimeline(events: Vec<CaseEvent>) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let rows = events
        .into_iter()
        .map(|event| {
            let at = event.at;
            let (by, kind) = (event.by.clone(), event.kind.as_str().to_owned());
            let what = move || i18n::case_event(lang.get(), &event, clock::shown);
            view! {
                <tr data-testid="timeline-event" data-kind=kind>
                    <td><time datetime=at.to_rfc3339()>{clock::shown(at)}</time></td>
                    <td data-testid="timeline-by">{by}</td>
                    <td data-testid="timeline-what">{what}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="timeline-heading">
            <h3 id="timeline-heading">{lang.t(AdminMsg::Timeline)}</h3>
            <div class="table-wrap">
                <table data-testid="timeline">
                    <thead>
                        <tr>
                            <th scope="col">{lang.t(AdminMsg::When)}</th>
                            <th scope="col">{lang.t(AdminMsg::AuditActor)}</th>
                            <th scope="col">{lang.t(AdminMsg::What)}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

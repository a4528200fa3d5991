use leptos::prelude::*;
use manyi_api::CaseSummary;

use crate::browser::clock;
use crate::components::Loading;
use crate::i18n::locale::UiLang;
use crate::i18n::{self, AdminMsg};
use crate::net::api::{ApiError, StaffApi};
use crate::staff::cases::InboxFilters;
use crate::staff::dashboard::Failure;

/// The cases the inbox's filters select, most urgent first, a page at a time: "more" adds the
/// next page below, read from the server's cursor, so the urgent ones stay in view.
#[component]
pub fn CaseTable(staff: StaffApi, filters: Memo<InboxFilters>) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let staff = StoredValue::new(staff);
    let first = LocalResource::new(move || {
        let (staff, query) = (staff.get_value(), filters.get().case_query(None));
        async move { staff.cases(&query).await }
    });
    let body = move || {
        first.get().map(|result| match result {
            Err(error) => view! {
                <p class="notice error" role="alert" data-testid="cases-error">
                    {Failure::from(&error).text(lang.get())}
                </p>
            }
            .into_any(),
            Ok(page) if page.cases.is_empty() => {
                view! { <p class="help" data-testid="no-cases">{lang.t(AdminMsg::NoCases)}</p> }.into_any()
            }
            Ok(page) => {
                // This page's rows and where the next page starts; a new first page (other
                // filters) draws this anew.
                let rows = RwSignal::new(page.cases);
                let next = RwSignal::new(page.next);
                let query = filters.get_untracked();
                let more = Action::new_local(move |after: &String| {
                    let (staff, query) = (staff.get_value(), query.case_query(Some(after.clone())));
                    async move {
                        let page = staff.cases(&query).await?;
                        rows.update(|list| list.extend(page.cases));
                        next.set(page.next);
                        Ok::<(), ApiError>(())
                    }
                });
                let more_button = move || {
                    next.get().map(|after| {
                        view! {
                            <button type="button" data-testid="more-cases" disabled=move || more.pending().get()
                                on:click=move |_| {
                                    more.dispatch_local(after.clone());
                                }>
                                {lang.t(AdminMsg::MoreCases)}
                            </button>
                        }
                    })
                };
                let more_error = move || {
                    more.value().get().and_then(Result::err).map(|error| {
                        view! { <p class="notice error">{Failure::from(&error).text(lang.get())}</p> }
                    })
                };
                view! {
                    <div class="table-wrap">
                        <table data-testid="case-table">
                            <thead>
                                <tr>
                                    <th scope="col">{lang.t(AdminMsg::CaseRules)}</th>
                                    <th scope="col">{lang.t(AdminMsg::Severity)}</th>
                                    <th scope="col">{lang.t(AdminMsg::Status)}</th>
                                    <th scope="col">{lang.t(AdminMsg::Owner)}</th>
                                    <th scope="col">{lang.t(AdminMsg::Location)}</th>
                                    <th scope="col">{lang.t(AdminMsg::Survey)}</th>
                                    <th scope="col">{lang.t(AdminMsg::Opened)}</th>
                                    <th scope="col">{lang.t(AdminMsg::Due)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                <For each=move || rows.get() key=|case| case.id.clone() let:case>
                                    {row(lang, case)}
                                </For>
                            </tbody>
                        </table>
                    </div>
                    <p class="button-row">{more_button}</p>
                    <div role="status">{more_error}</div>
                }
                .into_any()
            }
        })
    };
    view! {
        <section class="card" aria-labelledby="case-list-heading">
            <h3 id="case-list-heading">{lang.t(AdminMsg::CaseList)}</h3>
            <Transition fallback=move || view! { <Loading lang=lang /> }>{body}</Transition>
        </section>
    }
}

/// One case of the inbox; overdue is said in words, not only by colour.
fn row(lang: UiLang, case: CaseSummary) -> impl IntoView {
    let href = {
        let id = String::from(js_sys::encode_uri_component(&case.id));
        move || format!("/admin/cases/{id}?lang={}", lang.get().tag())
    };
    let names: Vec<String> = case.rules.iter().map(|r| r.name.clone()).collect();
    let (severity, status, owner) = (case.severity, case.status.clone(), case.owner.clone());
    let overdue = case.overdue.then(|| {
        view! { " · " <strong class="warn" data-testid="case-overdue">{lang.t(AdminMsg::Overdue)}</strong> }
    });
    view! {
        <tr data-testid="case-row" data-id=case.id.clone() data-status=case.status.as_str().to_owned()
            data-overdue=case.overdue.to_string()>
            <th scope="row">
                <a href=href data-testid="case-link">{move || i18n::names(lang.get(), &names)}</a>
            </th>
            <td data-testid="case-severity" data-severity=severity.key()>{move || i18n::severity(lang.get(), severity)}</td>
            <td data-testid="case-status">{move || i18n::wire_status(lang.get(), &status)}</td>
            <td data-testid="case-owner">
                {move || owner.clone().unwrap_or_else(|| AdminMsg::Unassigned.text(lang.get()).to_owned())}
            </td>
            <td>{case.location.unwrap_or_else(|| "—".to_owned())}</td>
            <td><code>{case.survey_id}</code></td>
            <td><time datetime=case.opened_at.to_rfc3339()>{clock::shown(case.opened_at)}</time></td>
            <td data-testid="case-due">
                <time datetime=case.due_at.to_rfc3339()>{clock::shown(case.due_at)}</time>
                {overdue}
            </td>
        </tr>
    }
}

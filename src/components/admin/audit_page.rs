use leptos::prelude::*;
use manyi_api::{Action, AuditEntry, AuditQuery};

use super::role_note::RoleNote;
use crate::browser::clock;
use crate::browser::nav::Location;
use crate::components::Loading;
use crate::i18n::locale::UiLang;
use crate::i18n::{self, AdminMsg};
use crate::staff::dashboard::{Access, Failure};
use crate::staff::rights::Rights;

/// How many entries a page shows.
const PAGE: u32 = 50;

/// When an entry was made, in the browser's zone; the server's text if it does not read.
fn local_time(at: &str) -> String {
    manyi_core::time::parse_datetime(at)
        .map(|t| {
            clock::in_browser_zone(t)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_else(|| at.to_owned())
}

/// `/admin/audit`: the server's audit log for an administrator's token, newest first, a page
/// at a time; the page starts before the entry in the address's `before`, so "older" is a link.
#[component]
pub fn AuditPage(access: Access) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let rights = expect_context::<Rights>();
    let crumbs = view! {
        <nav class="crumbs">
            <a href=move || format!("/admin?lang={}", lang.get().tag())>{lang.t(AdminMsg::BackToSurveys)}</a>
        </nav>
    };
    let staff = match access {
        Access::Server(staff) if rights.may_some(Action::ReadAudit) => staff,
        _ => {
            return view! { {crumbs} <RoleNote msg=AdminMsg::NoAudit testid="no-audit" /> }
                .into_any();
        }
    };
    let location = Location::current();
    let before = Memo::new(move |_| location.query("before").filter(|b| !b.is_empty()));
    let page = LocalResource::new(move || {
        let (staff, before) = (staff.clone(), before.get());
        async move {
            let query = AuditQuery {
                before,
                survey: None,
                limit: Some(PAGE),
            };
            staff.audit(&query).await
        }
    });
    let href = move |before: Option<&str>| {
        let tag = lang.get().tag();
        match before {
            Some(id) => format!(
                "/admin/audit?lang={tag}&before={}",
                js_sys::encode_uri_component(id)
            ),
            None => format!("/admin/audit?lang={tag}"),
        }
    };
    let row = move |entry: AuditEntry| {
        let action = entry.action.clone();
        view! {
            <tr data-testid="audit-row" data-id=entry.id data-action=entry.action.as_str().to_owned()>
                <td data-testid="audit-time"><time datetime=entry.at.clone()>{local_time(&entry.at)}</time></td>
                <td data-testid="audit-actor">{entry.actor}</td>
                <td data-testid="audit-action">{move || i18n::audit_action(lang.get(), &action)}</td>
                <td data-testid="audit-survey">{entry.survey_id.map(|id| view! { <code>{id}</code> })}</td>
                <td data-testid="audit-detail">{entry.detail}</td>
            </tr>
        }
    };
    let body = move || {
        page.get().map(|result| match result {
            Err(error) => view! {
                <p class="notice error" role="alert" data-testid="load-error">
                    {Failure::from(&error).text(lang.get())}
                </p>
            }
            .into_any(),
            Ok(found) => {
                let older = found.next.map(|next| {
                    view! {
                        <a href=move || href(Some(&next)) data-testid="audit-older">{lang.t(AdminMsg::AuditOlder)}</a>
                    }
                });
                let newest = before.get_untracked().is_some().then(|| {
                    view! {
                        <a href=move || href(None) data-testid="audit-newest">{lang.t(AdminMsg::AuditNewest)}</a>
                    }
                });
                let table = match found.entries.is_empty() {
                    true => view! { <p class="help" data-testid="audit-empty">{lang.t(AdminMsg::AuditEmpty)}</p> }
                        .into_any(),
                    false => view! {
                        <div class="table-wrap">
                            <table data-testid="audit-table">
                                <thead>
                                    <tr>
                                        <th scope="col">{lang.t(AdminMsg::AuditTime)}</th>
                                        <th scope="col">{lang.t(AdminMsg::AuditActor)}</th>
                                        <th scope="col">{lang.t(AdminMsg::AuditAction)}</th>
                                        <th scope="col">{lang.t(AdminMsg::Survey)}</th>
                                        <th scope="col">{lang.t(AdminMsg::AuditDetail)}</th>
                                    </tr>
                                </thead>
                                <tbody>{found.entries.into_iter().map(row).collect_view()}</tbody>
                            </table>
                        </div>
                    }
                    .into_any(),
                };
                view! {
                    {table}
                    <p class="button-row">{newest}" "{older}</p>
                }
                .into_any()
            }
        })
    };
    view! {
        {crumbs}
        <section class="card" aria-labelledby="audit-heading">
            <h2 id="audit-heading">{lang.t(AdminMsg::AuditLog)}</h2>
            <p class="help">{lang.t(AdminMsg::AuditHelp)}</p>
            <Suspense fallback=move || view! { <Loading lang=lang /> }>{body}</Suspense>
        </section>
    }
    .into_any()
}

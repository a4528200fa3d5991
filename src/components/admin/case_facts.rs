use leptos::prelude::*;
use manyi_api::{Case, ContactMethod};

use crate::browser::clock;
use crate::i18n::locale::UiLang;
use crate::i18n::{self, AdminMsg};

/// A case's summary (status, severity, owner, where, when, how it ended) and the customer's
/// contact when they agreed to be contacted: a phone number to call, an address to write to.
#[component]
pub fn CaseFacts(case: Case) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let summary = case.summary;
    let (severity, status, owner) = (
        summary.severity,
        summary.status.clone(),
        summary.owner.clone(),
    );
    let time = |t: chrono::DateTime<chrono::FixedOffset>| {
        view! { <time datetime=t.to_rfc3339()>{clock::shown(t)}</time> }
    };
    let overdue = summary.overdue.then(|| {
        view! { " · " <strong class="warn" data-testid="case-overdue">{lang.t(AdminMsg::Overdue)}</strong> }
    });
    let row = |label: AdminMsg, testid: &'static str, value: AnyView| {
        view! {
            <div class="fact">
                <dt>{lang.t(label)}</dt>
                <dd data-testid=testid>{value}</dd>
            </div>
        }
    };
    let dash = || "—".into_any();
    let facts = vec![
        row(
            AdminMsg::Status,
            "case-status",
            (move || i18n::wire_status(lang.get(), &status)).into_any(),
        ),
        row(
            AdminMsg::Severity,
            "case-severity",
            (move || i18n::severity(lang.get(), severity)).into_any(),
        ),
        row(
            AdminMsg::Owner,
            "case-owner",
            (move || {
                owner
                    .clone()
                    .unwrap_or_else(|| AdminMsg::Unassigned.text(lang.get()).to_owned())
            })
            .into_any(),
        ),
        row(
            AdminMsg::Location,
            "case-location",
            summary.location.map_or_else(dash, IntoAny::into_any),
        ),
        row(
            AdminMsg::Survey,
            "case-survey",
            view! { <code>{summary.survey_id}</code> }.into_any(),
        ),
        row(
            AdminMsg::Opened,
            "case-opened",
            time(summary.opened_at).into_any(),
        ),
        row(
            AdminMsg::Due,
            "case-due",
            view! { {time(summary.due_at)} {overdue} }.into_any(),
        ),
        row(
            AdminMsg::FirstActionAt,
            "case-first-action",
            case.first_action_at
                .map_or_else(dash, |t| time(t).into_any()),
        ),
        row(
            AdminMsg::EndedAt,
            "case-ended",
            case.ended_at.map_or_else(dash, |t| time(t).into_any()),
        ),
        row(
            AdminMsg::Resolution,
            "case-resolution",
            case.resolution.map_or_else(dash, IntoAny::into_any),
        ),
        row(
            AdminMsg::ContactedFact,
            "case-contacted",
            lang.t(if case.contacted {
                AdminMsg::Contacted
            } else {
                AdminMsg::NotContacted
            })
            .into_any(),
        ),
    ];
    let contact = match case.contact {
        Some(contact) => {
            // A number is dialled without the spaces people write in it.
            let (label, href) = match &contact.method {
                ContactMethod::Phone => {
                    let digits: String = contact.value.chars().filter(|c| !c.is_whitespace()).collect();
                    (AdminMsg::Phone, Some(format!("tel:{digits}")))
                }
                ContactMethod::Email => (AdminMsg::Email, Some(format!("mailto:{}", contact.value))),
                ContactMethod::Other(_) => (AdminMsg::ContactHeading, None),
            };
            let value = contact.value.clone();
            view! {
                <p data-testid="case-contact" data-method=contact.method.as_str().to_owned()>
                    {lang.t(label)}": "
                    {match href {
                        Some(href) => view! { <a href=href data-testid="case-contact-link">{value}</a> }.into_any(),
                        None => value.into_any(),
                    }}
                </p>
            }
            .into_any()
        }
        None => view! { <p class="help" data-testid="case-no-contact">{lang.t(AdminMsg::NoContact)}</p> }.into_any(),
    };
    view! {
        <section class="card" aria-labelledby="case-summary-heading">
            <h3 id="case-summary-heading">{lang.t(AdminMsg::CaseSummary)}</h3>
            <dl class="facts" data-testid="case-facts">{facts}</dl>
        </section>
        <section class="card" aria-labelledby="case-contact-heading">
            <h3 id="case-contact-heading">{lang.t(AdminMsg::ContactHeading)}</h3>
            {contact}
        </section>
    }
}

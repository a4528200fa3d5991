use leptos::prelude::*;
use manyi_api::LoopFigures;
use manyi_core::cases::MedianDuration;

use crate::browser::clock;
use crate::components::Loading;
use crate::i18n::format::fixed;
use crate::i18n::locale::UiLang;
use crate::i18n::{self, AdminMsg, AnyMsg, Msg};
use crate::net::api::StaffApi;
use crate::staff::cases::{InboxFilters, NOT_ENDED};
use crate::staff::dashboard::Failure;

/// A rate in percent, or a dash when its denominator was 0.
fn percent(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_owned(), |p| format!("{} %", fixed(p, 1)))
}

/// The loop figures of the period and survey or location the inbox is filtered on (the
/// definitions are the core's, `manyi_core::cases`), and each owner's backlog with a link to
/// those cases. Reloaded only when what they depend on changes, not with the other filters.
#[component]
pub fn LoopFiguresCard(staff: StaffApi, filters: Memo<InboxFilters>) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let now = clock::now();
    let (today, offset) = (now.date_naive(), *now.offset());
    let query = Memo::new(move |_| filters.get().loop_query(today, offset));
    let period = move || {
        let (from, to) = filters.get().period(today);
        format!("{from} – {to}")
    };
    let figures = LocalResource::new(move || {
        let (staff, query) = (staff.clone(), query.get());
        async move { staff.loop_figures(&query).await }
    });
    // An owner's link lists their cases not ended, with the inbox's other filters kept.
    let owner_href = move |owner: Option<String>| {
        let mut next = filters.get_untracked();
        next.statuses = NOT_ENDED.to_vec();
        next.unassigned = owner.is_none();
        next.owner = owner;
        next.overdue = false;
        format!("/admin/cases?{}", next.query(lang.get().tag()))
    };
    let body = move || {
        figures.get().map(|result| match result {
            Err(error) => view! {
                <p class="notice error" role="alert" data-testid="loop-error">
                    {Failure::from(&error).text(lang.get())}
                </p>
            }
            .into_any(),
            Ok(f) => figures_view(lang, f, owner_href).into_any(),
        })
    };
    view! {
        <section class="card" aria-labelledby="loop-heading">
            <h3 id="loop-heading">
                {lang.t(AdminMsg::LoopFigures)}" "
                <span class="muted" data-testid="loop-period">{period}</span>
            </h3>
            <p class="help">{lang.t(AdminMsg::LoopHelp)}</p>
            <Transition fallback=move || view! { <Loading lang=lang /> }>{body}</Transition>
        </section>
    }
}

/// The figures as cards, then the backlog table.
fn figures_view(
    lang: UiLang,
    f: LoopFigures,
    owner_href: impl Fn(Option<String>) -> String + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let median = move |m: MedianDuration| {
        move || {
            let value = m
                .median_seconds
                .map_or_else(|| "—".to_owned(), |s| i18n::duration(lang.get(), s));
            i18n::with_n(lang.get(), &value, m.n)
        }
    };
    let card = |key: &'static str, label: AnyMsg, value: AnyView| {
        view! {
            <div class="stat-card" data-testid=format!("loop-{key}")>
                <dt>{lang.t(label)}</dt>
                <dd class="stat-value" data-testid=format!("loop-{key}-value")>{value}</dd>
            </div>
        }
    };
    let cards = vec![
        card(
            "responses",
            Msg::Responses.into(),
            f.responses.to_string().into_any(),
        ),
        card(
            "opened",
            AdminMsg::CasesOpened.into(),
            f.opened.to_string().into_any(),
        ),
        card(
            "complaint",
            AdminMsg::ComplaintRate.into(),
            percent(f.complaint_pct).into_any(),
        ),
        card(
            "resolved",
            AdminMsg::StatusResolved.into(),
            f.resolved.to_string().into_any(),
        ),
        card(
            "closed",
            AdminMsg::StatusClosed.into(),
            f.closed.to_string().into_any(),
        ),
        card(
            "first-action",
            AdminMsg::FirstAction.into(),
            median(f.first_action).into_any(),
        ),
        card(
            "resolution",
            AdminMsg::ResolutionTime.into(),
            median(f.resolution).into_any(),
        ),
        card(
            "sla",
            AdminMsg::WithinSla.into(),
            percent(f.within_service_level_pct).into_any(),
        ),
        card(
            "closed-loop",
            AdminMsg::ClosedLoop.into(),
            percent(f.closed_loop_pct).into_any(),
        ),
    ];
    let backlog = match f.owners.is_empty() {
        true => {
            view! { <p class="help" data-testid="no-backlog">{lang.t(AdminMsg::NoBacklog)}</p> }
                .into_any()
        }
        false => {
            let rows = f
                .owners
                .into_iter()
                .map(|load| {
                    let owner = load.owner.clone().unwrap_or_default();
                    let name = load.owner.clone();
                    let href = move || owner_href(load.owner.clone());
                    let shown = move || match &name {
                        Some(owner) => owner.clone(),
                        None => AdminMsg::Unassigned.text(lang.get()).to_owned(),
                    };
                    view! {
                        <tr data-testid="backlog-row" data-owner=owner>
                            <th scope="row"><a href=href>{shown}</a></th>
                            <td data-testid="backlog-open">{load.open}</td>
                            <td data-testid="backlog-overdue">{load.overdue}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <div class="table-wrap">
                    <table data-testid="backlog-table">
                        <caption>{lang.t(AdminMsg::Backlog)}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{lang.t(AdminMsg::Owner)}</th>
                                <th scope="col">{lang.t(AdminMsg::OpenCases)}</th>
                                <th scope="col">{lang.t(AdminMsg::Overdue)}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
            .into_any()
        }
    };
    view! {
        <dl class="cards" data-testid="loop-figures">{cards}</dl>
        {backlog}
    }
}

use leptos::prelude::*;
use manyi_api::SurveySummary;
use manyi_core::cases::CaseStatus;

use crate::browser::clock;
use crate::browser::nav::Location;
use crate::i18n::locale::UiLang;
use crate::i18n::{self, AdminMsg};
use crate::staff::cases::{InboxFilters, NOT_ENDED, status_list};

/// The inbox's filters (status, owner or unassigned, location, survey, overdue) and the loop
/// figures' period, applied together by changing the address.
#[component]
pub fn CaseFilters(filters: InboxFilters, surveys: Signal<Vec<SurveySummary>>) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let location = Location::current();
    let (from_day, to_day) = filters.period(clock::now().date_naive());
    let status = RwSignal::new(filters.status_text().unwrap_or_default());
    let owner = RwSignal::new(filters.owner.clone().unwrap_or_default());
    let unassigned = RwSignal::new(filters.unassigned);
    let place = RwSignal::new(filters.location.clone().unwrap_or_default());
    let survey = RwSignal::new(filters.survey.clone().unwrap_or_default());
    let overdue = RwSignal::new(filters.overdue);
    let from = RwSignal::new(from_day.to_string());
    let to = RwSignal::new(to_day.to_string());

    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = |s: RwSignal<String>| {
            Some(s.get_untracked().trim().to_owned()).filter(|t| !t.is_empty())
        };
        let next = InboxFilters::from_params(|key| match key {
            "status" => text(status),
            "owner" => text(owner),
            "unassigned" => unassigned.get_untracked().then(|| "true".to_owned()),
            "location" => text(place),
            "survey" => text(survey),
            "overdue" => overdue.get_untracked().then(|| "true".to_owned()),
            "from" => text(from),
            "to" => text(to),
            _ => None,
        });
        location.replace(&format!(
            "/admin/cases?{}",
            next.query(lang.0.get_untracked().tag())
        ));
    };

    let mut statuses: Vec<(String, Signal<&'static str>)> = vec![
        (String::new(), Signal::derive(lang.t(AdminMsg::AnyStatus))),
        (
            status_list(&NOT_ENDED),
            Signal::derive(lang.t(AdminMsg::NotEnded)),
        ),
    ];
    statuses.extend(CaseStatus::ALL.map(|s| {
        let label = Signal::derive(move || i18n::case_status(lang.get(), s));
        (s.key().to_owned(), label)
    }));
    let survey_options = move || {
        surveys
            .get()
            .into_iter()
            .map(|s| {
                let id = s.id.clone();
                let title = s.title.get(lang.get().tag(), "").to_owned();
                view! {
                    <option value=s.id.clone() selected=move || survey.get() == id>
                        {format!("{title} ({})", s.id)}
                    </option>
                }
            })
            .collect_view()
    };
    view! {
        <form class="filter-bar" on:submit=apply aria-label=lang.t(AdminMsg::CaseFilters) data-testid="case-filters">
            <div class="field">
                <label for="case-status" class="field-label">{lang.t(AdminMsg::Status)}</label>
                <select id="case-status" data-testid="filter-status"
                    on:change=move |ev| status.set(event_target_value(&ev))>
                    {statuses
                        .into_iter()
                        .map(|(value, label)| {
                            let chosen = value.clone();
                            view! { <option value=value selected=move || status.get() == chosen>{label}</option> }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="case-owner" class="field-label">{lang.t(AdminMsg::Owner)}</label>
                <input id="case-owner" type="text" data-testid="filter-owner" prop:value=owner
                    disabled=move || unassigned.get()
                    on:input=move |ev| owner.set(event_target_value(&ev)) />
            </div>
            <label class="check">
                <input type="checkbox" data-testid="filter-unassigned" prop:checked=unassigned
                    on:change=move |ev| unassigned.set(event_target_checked(&ev)) />
                " "{lang.t(AdminMsg::UnassignedOnly)}
            </label>
            <div class="field">
                <label for="case-location" class="field-label">{lang.t(AdminMsg::Location)}</label>
                <input id="case-location" type="text" data-testid="filter-location" prop:value=place
                    on:input=move |ev| place.set(event_target_value(&ev)) />
            </div>
            <div class="field">
                <label for="case-survey" class="field-label">{lang.t(AdminMsg::Survey)}</label>
                <select id="case-survey" data-testid="filter-survey"
                    on:change=move |ev| survey.set(event_target_value(&ev))>
                    <option value="" selected=move || survey.get().is_empty()>{lang.t(AdminMsg::AnySurvey)}</option>
                    {survey_options}
                </select>
            </div>
            <label class="check">
                <input type="checkbox" data-testid="filter-overdue" prop:checked=overdue
                    on:change=move |ev| overdue.set(event_target_checked(&ev)) />
                " "{lang.t(AdminMsg::OverdueOnly)}
            </label>
            <div class="field">
                <label for="loop-from" class="field-label">{lang.t(AdminMsg::PeriodFrom)}</label>
                <input id="loop-from" type="date" data-testid="period-from" prop:value=from
                    on:input=move |ev| from.set(event_target_value(&ev)) />
            </div>
            <div class="field">
                <label for="loop-to" class="field-label">{lang.t(AdminMsg::PeriodTo)}</label>
                <input id="loop-to" type="date" data-testid="period-to" prop:value=to
                    on:input=move |ev| to.set(event_target_value(&ev)) />
            </div>
            <button type="submit" class="primary" data-testid="apply-case-filters">{lang.t(AdminMsg::Apply)}</button>
        </form>
    }
}

use leptos::prelude::*;
use manyi_core::report::BucketUnit;

use crate::browser::nav::Location;
use crate::i18n::locale::UiLang;
use crate::i18n::{self, AdminMsg};
use crate::staff::dashboard::Filters;

/// The period, the trend's unit and the segment key, applied together by changing the address;
/// the filter to one segment, when set, with the way to clear it.
#[component]
pub fn FilterBar(filters: Filters, meta_keys: Vec<String>) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let location = Location::current();
    let from = RwSignal::new(filters.from.map(|d| d.to_string()).unwrap_or_default());
    let to = RwSignal::new(filters.to.map(|d| d.to_string()).unwrap_or_default());
    let bucket = RwSignal::new(filters.bucket_unit());
    let segment = RwSignal::new(filters.segment.clone().unwrap_or_default());
    let current = StoredValue::new(filters.clone());

    let show = move |next: Filters| {
        let path = location.path_untracked();
        location.replace(&format!(
            "{path}?{}",
            next.query(lang.0.get_untracked().tag())
        ));
    };
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut next = current.get_value();
        next.from = from.get_untracked().parse().ok();
        next.to = to.get_untracked().parse().ok();
        next.bucket = Some(bucket.get_untracked());
        next.segment = Some(segment.get_untracked()).filter(|s| !s.is_empty());
        show(next);
    };
    let clear_filter = move |_| {
        let mut next = current.get_value();
        next.filter = None;
        show(next);
    };

    let units = [
        (BucketUnit::Day, AdminMsg::Day),
        (BucketUnit::Week, AdminMsg::Week),
        (BucketUnit::Month, AdminMsg::Month),
    ];
    let unit_name = |unit: BucketUnit| match unit {
        BucketUnit::Day => "day",
        BucketUnit::Week => "week",
        BucketUnit::Month => "month",
    };
    let chip = filters.filter.clone().map(|f| {
        view! {
            <p class="filter-chip" data-testid="filter-chip">
                {move || i18n::filtered_by(lang.get(), &f.key, &f.value)}
                " "
                <button type="button" class="link-button" data-testid="clear-filter" on:click=clear_filter>
                    {lang.t(AdminMsg::ClearFilter)}
                </button>
            </p>
        }
    });

    view! {
        <form class="filter-bar" on:submit=apply aria-label=lang.t(AdminMsg::FiltersLabel)>
            <div class="field">
                <label for="period-from" class="field-label">{lang.t(AdminMsg::PeriodFrom)}</label>
                <input id="period-from" type="date" data-testid="period-from" prop:value=from
                    on:input=move |ev| from.set(event_target_value(&ev)) />
            </div>
            <div class="field">
                <label for="period-to" class="field-label">{lang.t(AdminMsg::PeriodTo)}</label>
                <input id="period-to" type="date" data-testid="period-to" prop:value=to
                    on:input=move |ev| to.set(event_target_value(&ev)) />
            </div>
            <div class="field">
                <label for="bucket-unit" class="field-label">{lang.t(AdminMsg::TrendBy)}</label>
                <select id="bucket-unit" data-testid="bucket-unit"
                    on:change=move |ev| {
                        if let Ok(unit) = event_target_value(&ev).parse() {
                            bucket.set(unit);
                        }
                    }>
                    {units
                        .into_iter()
                        .map(|(unit, label)| {
                            view! {
                                <option value=unit_name(unit) selected=move || bucket.get() == unit>
                                    {lang.t(label)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="segment-key" class="field-label">{lang.t(AdminMsg::SegmentBy)}</label>
                <select id="segment-key" data-testid="segment-key"
                    on:change=move |ev| segment.set(event_target_value(&ev))>
                    <option value="" selected=move || segment.get().is_empty()>{lang.t(AdminMsg::NoSegment)}</option>
                    {meta_keys
                        .into_iter()
                        .map(|key| {
                            let (value, shown, test) = (key.clone(), key.clone(), key.clone());
                            view! {
                                <option value=value selected=move || segment.get() == test>{shown}</option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <button type="submit" class="primary" data-testid="apply-filters">{lang.t(AdminMsg::Apply)}</button>
        </form>
        {chip}
    }
}

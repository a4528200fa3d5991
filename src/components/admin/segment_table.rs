use leptos::prelude::*;
use manyi_core::Report;
use manyi_core::report::MetaFilter;

use super::table_card::TableCard;
use crate::browser::nav::Location;
use crate::i18n::format::{fixed, fixed_or_dash};
use crate::i18n::locale::UiLang;
use crate::i18n::{self, AdminMsg, Msg};
use crate::staff::dashboard::Filters;

/// The headline figures per value of the chosen `meta` key (channel, branch, counter), to see
/// where it is worse; each value can become the filter of the whole overview.
#[component]
pub fn SegmentTable(report: StoredValue<Report>) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let location = Location::current();
    let Some(segments) = report.with_value(|r| r.segments.clone()) else {
        return view! {
            <section class="card" aria-labelledby="segments-heading">
                <h3 id="segments-heading">{lang.t(AdminMsg::Segments)}</h3>
                <p class="help" data-testid="segments-help">{lang.t(AdminMsg::SegmentsHelp)}</p>
            </section>
        }
        .into_any();
    };
    let key = segments.key.clone();
    let only = move |key: String, value: String| {
        let mut next = Filters::read(location);
        next.filter = Some(MetaFilter { key, value });
        let path = location.path_untracked();
        location.replace(&format!(
            "{path}?{}",
            next.query(lang.0.get_untracked().tag())
        ));
    };
    let rows = segments
        .groups
        .into_iter()
        .map(|group| {
            let s = &group.summary;
            let testid = group.value.as_deref().unwrap_or("").to_owned();
            let nps = s.nps.as_ref().map(|n| match (n.score, n.moe95) {
                (Some(score), Some(moe)) => format!("{} ± {}", fixed(score, 1), fixed(moe, 1)),
                (score, _) => fixed_or_dash(score, 1),
            });
            let csat = s.csat.as_ref().map(|c| c.top2_pct.map_or_else(|| "—".to_owned(), |p| format!("{} %", fixed(p, 1))));
            let ces = s.ces.as_ref().map(|c| fixed_or_dash(c.mean, 2));
            let button = group.value.clone().map(|value| {
                let key = key.clone();
                let label = value.clone();
                view! {
                    <button type="button" class="link-button" data-testid=format!("only-{value}")
                        on:click=move |_| only(key.clone(), value.clone())>
                        {move || i18n::only_this(lang.get(), &label)}
                    </button>
                }
            });
            let name = group.value.clone();
            view! {
                <tr data-testid=format!("segment-{testid}")>
                    <th scope="row">{move || name.clone().unwrap_or_else(|| lang.t(AdminMsg::NotSet)().to_owned())}</th>
                    <td data-testid=format!("segment-{testid}-n")>{s.n}</td>
                    <td data-testid=format!("segment-{testid}-nps")>{nps.unwrap_or_default()}</td>
                    <td data-testid=format!("segment-{testid}-csat")>{csat.unwrap_or_default()}</td>
                    <td data-testid=format!("segment-{testid}-ces")>{ces.unwrap_or_default()}</td>
                    <td data-testid=format!("segment-{testid}-composite")>{fixed_or_dash(s.composite.mean, 1)}</td>
                    <td>{button}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <TableCard
            heading_id="segments-heading"
            testid="segment-table"
            title=(move || i18n::segments_by(lang.get(), &segments.key)).into_any()
            headers=vec![
                key.clone().into_any(),
                lang.t(Msg::Responses).into_any(),
                lang.t(Msg::Nps).into_any(),
                lang.t(Msg::Csat).into_any(),
                lang.t(Msg::Ces).into_any(),
                lang.t(AdminMsg::CompositeIndex).into_any(),
                lang.t(AdminMsg::Filter).into_any(),
            ]
        >
            {rows}
        </TableCard>
    }
    .into_any()
}

use leptos::prelude::*;
use manyi_core::Report;

use crate::i18n::format::fixed_or_dash;
use crate::i18n::locale::UiLang;
use crate::i18n::{self, AdminMsg, Msg};

/// The chart's drawing box, in SVG units; CSS scales it to the width available.
const WIDTH: f64 = 440.0;
const HEIGHT: f64 = 200.0;
const AXIS: f64 = 24.0;

/// The category of an answer on the 0–10 scale: detractor (0–6), passive (7–8) or promoter.
fn category(value: i64) -> (&'static str, AdminMsg) {
    match value {
        9.. => ("promoter", AdminMsg::Promoters),
        7..=8 => ("passive", AdminMsg::Passives),
        _ => ("detractor", AdminMsg::Detractors),
    }
}

/// The 0–10 answers of the NPS question as bars coloured by category, with a title, a
/// description and the same figures as a table for screen readers.
#[component]
pub fn NpsChart(report: StoredValue<Report>) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let found = report.with_value(|r| {
        r.questions
            .iter()
            .find_map(|(_, q)| q.nps.clone().map(|nps| (nps, q.distribution.clone())))
    });
    let Some((nps, distribution)) = found else {
        return ().into_any();
    };
    let points: Vec<(i64, usize, Option<f64>)> = distribution
        .iter()
        .filter_map(|c| Some((c.value.as_i64()?, c.count, c.pct)))
        .collect();
    let most = points.iter().map(|p| p.1).max().unwrap_or(0).max(1) as f64;
    let slot = WIDTH / points.len().max(1) as f64;
    let bars = points
        .iter()
        .enumerate()
        .map(|(i, &(value, count, _))| {
            let height = (HEIGHT - AXIS - 8.0) * count as f64 / most;
            let x = i as f64 * slot + slot * 0.15;
            let y = HEIGHT - AXIS - height;
            let (class, _) = category(value);
            view! {
                <g data-testid=format!("nps-bar-{value}") data-count=count.to_string()>
                    <rect class=format!("bar {class}") x=x y=y width=slot * 0.7 height=height />
                    <text class="axis-label" x=x + slot * 0.35 y=HEIGHT - 6.0 text-anchor="middle">
                        {value.to_string()}
                    </text>
                </g>
            }
        })
        .collect_view();
    let rows = points
        .into_iter()
        .map(|(value, count, pct)| {
            let (_, label) = category(value);
            view! {
                <tr>
                    <th scope="row">{value.to_string()}</th>
                    <td>{lang.t(label)}</td>
                    <td>{count}</td>
                    <td>{fixed_or_dash(pct, 1)}</td>
                </tr>
            }
        })
        .collect_view();
    let description = move || {
        i18n::nps_description(
            lang.get(),
            nps.n,
            nps.promoters,
            nps.passives,
            nps.detractors,
        )
    };
    view! {
        <figure class="chart card" data-testid="nps-chart">
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img"
                aria-labelledby="nps-chart-title nps-chart-desc">
                <title id="nps-chart-title">{lang.t(AdminMsg::NpsDistribution)}</title>
                <desc id="nps-chart-desc">{description}</desc>
                {bars}
            </svg>
            <figcaption>
                <strong>{lang.t(AdminMsg::NpsDistribution)}</strong>
                <ul class="legend">
                    <li class="detractor">{lang.t(AdminMsg::Detractors)}</li>
                    <li class="passive">{lang.t(AdminMsg::Passives)}</li>
                    <li class="promoter">{lang.t(AdminMsg::Promoters)}</li>
                </ul>
            </figcaption>
            <details>
                <summary>{lang.t(AdminMsg::TableView)}</summary>
                <table>
                    <caption>{lang.t(AdminMsg::NpsDistribution)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{lang.t(AdminMsg::Answer)}</th>
                            <th scope="col">{lang.t(AdminMsg::Category)}</th>
                            <th scope="col">{lang.t(Msg::Count)}</th>
                            <th scope="col">"%"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </details>
        </figure>
    }
    .into_any()
}

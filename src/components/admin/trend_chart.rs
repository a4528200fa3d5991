use leptos::prelude::*;
use leptos::svg;
use manyi_core::Report;
use manyi_core::report::Summary;

use super::axis;
use crate::browser::size::watch_width;
use crate::i18n::format::{fixed, fixed_or_dash};
use crate::i18n::locale::UiLang;
use crate::i18n::{self, AdminMsg, AnyMsg, Lang, Msg, Translate};

/// The drawing box before the chart has been measured, in SVG units. Once measured, the chart
/// is drawn one SVG unit per CSS pixel of its width (so its labels keep their 11 px at any
/// width) and keeps these proportions, never shorter than `HEIGHT`.
const WIDTH: f64 = 440.0;
const HEIGHT: f64 = 200.0;
const PAD: f64 = 28.0;

/// A figure and its 95 % interval, when it has one.
type Point = (f64, Option<[f64; 2]>);

/// What the trend follows: NPS with its margin of error when the survey asks it, else the
/// composite index with its t interval, else the CSAT top-2 share (no interval).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Series {
    Nps,
    Composite,
    Csat,
}

impl Series {
    /// The value and its 95 % interval in one bucket.
    fn point(self, s: &Summary) -> Option<Point> {
        match self {
            Series::Nps => s.nps.as_ref().and_then(|n| Some((n.score?, n.ci95))),
            Series::Composite => Some((s.composite.mean?, s.composite.ci95)),
            Series::Csat => s.csat.as_ref().and_then(|c| Some((c.top2_pct?, None))),
        }
    }

    /// The axis range.
    fn range(self) -> (f64, f64) {
        match self {
            Series::Nps => (-100.0, 100.0),
            Series::Composite | Series::Csat => (0.0, 100.0),
        }
    }

    fn label(self) -> AnyMsg {
        match self {
            Series::Nps => Msg::Nps.into(),
            Series::Composite => AdminMsg::CompositeIndex.into(),
            Series::Csat => Msg::Csat.into(),
        }
    }
}

/// The headline figure per day, week or month as a line with its 95 % confidence band, with a
/// title, a description and a table for screen readers. The axis labels only as many periods
/// as fit side by side at the chart's width (always the first and the last); every period's
/// name, figure and count are in a tooltip over its column and in the table.
#[component]
pub fn TrendChart(report: StoredValue<Report>) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let report = report.get_value();
    let series = if report.nps.is_some() {
        Series::Nps
    } else if report.composite.n > 0 {
        Series::Composite
    } else if report.csat.is_some() {
        Series::Csat
    } else {
        return ().into_any();
    };
    let buckets = report.buckets.map(|b| b.buckets).unwrap_or_default();
    let points: Vec<(String, usize, Option<Point>)> = buckets
        .iter()
        .map(|b| (b.key.clone(), b.summary.n, series.point(&b.summary)))
        .collect();
    let rows = points
        .iter()
        .map(|(key, n, p)| {
            let value = p.map(|(v, _)| v);
            let ci = p.and_then(|(_, ci)| ci);
            view! {
                <tr>
                    <th scope="row">{key.clone()}</th>
                    <td>{*n}</td>
                    <td>{fixed_or_dash(value, 1)}</td>
                    <td>{ci.map_or_else(|| "—".to_owned(), |[lo, hi]| format!("{} – {}", fixed(lo, 1), fixed(hi, 1)))}</td>
                </tr>
            }
        })
        .collect_view();
    let count = points.len();
    let points = StoredValue::new(points);
    let svg = NodeRef::<svg::Svg>::new();
    let measured = watch_width(svg);
    let size = move || {
        let width = measured.get().unwrap_or(WIDTH);
        (width, (width * HEIGHT / WIDTH).max(HEIGHT))
    };
    let plot = move || {
        let (width, height) = size();
        points.with_value(|points| plot(points, series, width, height, lang.get()))
    };
    let description =
        move || i18n::trend_description(lang.get(), series.label().text(lang.get()), count);
    view! {
        <figure class="chart card" data-testid="trend-chart" data-points=count.to_string()
            data-width=move || measured.get().map(|w| w.to_string())>
            <svg node_ref=svg viewBox=move || { let (w, h) = size(); format!("0 0 {w} {h}") }
                role="img" aria-labelledby="trend-chart-title trend-chart-desc">
                <title id="trend-chart-title">{move || i18n::trend_title(lang.get(), series.label().text(lang.get()))}</title>
                <desc id="trend-chart-desc">{description}</desc>
                {plot}
            </svg>
            <figcaption>
                <strong>{move || i18n::trend_title(lang.get(), series.label().text(lang.get()))}</strong>
            </figcaption>
            <details>
                <summary>{lang.t(AdminMsg::TableView)}</summary>
                <table>
                    <thead>
                        <tr>
                            <th scope="col">{lang.t(AdminMsg::PeriodLabel)}</th>
                            <th scope="col">{lang.t(Msg::Count)}</th>
                            <th scope="col">{lang.t(series.label())}</th>
                            <th scope="col">{lang.t(AdminMsg::Interval)}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </details>
        </figure>
    }
    .into_any()
}

/// The chart's drawing in a box `width` × `height` SVG units: the band, the line, the dots,
/// one column per period with its tooltip, and the axis labels that fit.
fn plot(
    points: &[(String, usize, Option<Point>)],
    series: Series,
    width: f64,
    height: f64,
    lang: Lang,
) -> impl IntoView + use<> {
    let (low, high) = series.range();
    let (left, right) = (PAD, width - PAD);
    let step = (right - left) / (points.len().max(2) - 1) as f64;
    let x = move |i: usize| left + i as f64 * step;
    // The band may reach past the axis range (the NPS interval is not clamped); it is drawn
    // clipped to the box.
    let y = move |v: f64| {
        let v = v.clamp(low, high);
        height - PAD - (v - low) / (high - low) * (height - 2.0 * PAD)
    };
    let present: Vec<(usize, f64, Option<[f64; 2]>)> = points
        .iter()
        .enumerate()
        .filter_map(|(i, (_, _, p))| p.map(|(v, ci)| (i, v, ci)))
        .collect();
    let line: String = present
        .iter()
        .map(|&(i, v, _)| format!("{:.1},{:.1}", x(i), y(v)))
        .collect::<Vec<_>>()
        .join(" ");
    let band: Option<String> = {
        let bounded: Vec<(usize, [f64; 2])> = present
            .iter()
            .filter_map(|&(i, _, ci)| ci.map(|ci| (i, ci)))
            .collect();
        (bounded.len() >= 2).then(|| {
            let upper = bounded
                .iter()
                .map(|&(i, [_, hi])| format!("{:.1},{:.1}", x(i), y(hi)));
            let lower = bounded
                .iter()
                .rev()
                .map(|&(i, [lo, _])| format!("{:.1},{:.1}", x(i), y(lo)));
            upper.chain(lower).collect::<Vec<_>>().join(" ")
        })
    };
    let dots = present
        .iter()
        .map(|&(i, v, _)| view! { <circle class="dot" cx=x(i) cy=y(v) r="3" /> })
        .collect_view();
    // Each period's column, the width of the space between two points, carries its tooltip, so
    // a period is found by pointing anywhere above its place on the axis, labelled or not.
    let metric = series.label().text(lang);
    let columns = points
        .iter()
        .enumerate()
        .map(|(i, (key, n, p))| {
            let (start, end) = ((x(i) - step / 2.0).max(0.0), (x(i) + step / 2.0).min(width));
            let value = fixed_or_dash(p.map(|(v, _)| v), 1);
            view! {
                <rect class="column" data-testid="trend-point" x=start y=0 width=end - start height=height>
                    <title>{i18n::trend_point(lang, key, metric, &value, *n)}</title>
                </rect>
            }
        })
        .collect_view();
    let widest = points
        .iter()
        .map(|(key, _, _)| axis::text_width(key))
        .fold(0.0, f64::max);
    let labels = axis::labelled(points.len(), left, right, widest)
        .into_iter()
        .map(|(i, anchor)| {
            view! {
                <text class="axis-label" data-testid="trend-label" x=x(i) y=height - 8.0
                    text-anchor=anchor.as_str()>{points[i].0.clone()}</text>
            }
        })
        .collect_view();
    let zero = (low < 0.0).then(|| {
        view! { <line class="zero" x1=left x2=right y1=y(0.0) y2=y(0.0) /> }
    });
    view! {
        {zero}
        {band.map(|points| view! { <polygon class="band" points=points /> })}
        <polyline class="line" points=line />
        {dots}
        {columns}
        {labels}
    }
}

use leptos::prelude::*;
use manyi_core::{Report, Survey};

use crate::i18n::format::{fixed, fixed_or_dash};
use crate::i18n::locale::UiLang;
use crate::i18n::{self, AdminMsg, AnyMsg, Msg};

/// A change against the previous period: the difference in the metric's unit, shown with
/// `decimals`, and the two-sided p-value of its test when there is one.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Change {
    difference: f64,
    decimals: u32,
    p_value: Option<f64>,
}

/// The level below which a change is called significant.
const ALPHA: f64 = 0.05;

/// The headline figures with their uncertainty, each with its change against the previous
/// period of equal length and whether that change is statistically significant.
#[component]
pub fn HeadlineCards(report: StoredValue<Report>, survey: StoredValue<Survey>) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let report = report.get_value();
    let cmp = report.comparison.as_ref();
    let has_composite = survey.with_value(|s| !s.dimensions.is_empty());

    let mut cards = vec![(
        "n",
        AnyMsg::from(Msg::Responses),
        report.n.to_string(),
        cmp.map(|c| Change {
            difference: report.n as f64 - c.previous.n as f64,
            decimals: 0,
            p_value: None,
        }),
    )];
    if let Some(nps) = &report.nps {
        let value = match (nps.score, nps.moe95) {
            (Some(score), Some(moe)) => format!("{} ± {}", fixed(score, 1), fixed(moe, 1)),
            (score, _) => fixed_or_dash(score, 1),
        };
        let change = cmp.and_then(|c| c.nps.as_ref()).map(|n| Change {
            difference: n.difference,
            decimals: 1,
            p_value: n.p_value,
        });
        cards.push(("nps", Msg::Nps.into(), value, change));
    }
    if let Some(csat) = &report.csat {
        let value = csat
            .top2_pct
            .map_or_else(|| "—".to_owned(), |p| format!("{} %", fixed(p, 1)));
        let change = cmp.and_then(|c| c.csat.as_ref()).map(|c| Change {
            difference: c.difference,
            decimals: 1,
            p_value: c.p_value,
        });
        cards.push(("csat", Msg::Csat.into(), value, change));
    }
    if let Some(ces) = &report.ces {
        let change = cmp.and_then(|c| c.ces.as_ref()).map(|c| Change {
            difference: c.difference,
            decimals: 2,
            p_value: c.p_value,
        });
        cards.push(("ces", Msg::Ces.into(), fixed_or_dash(ces.mean, 2), change));
    }
    if has_composite {
        let value = match (report.composite.mean, report.composite.ci95) {
            (Some(mean), Some([low, high])) => {
                format!("{} ({}–{})", fixed(mean, 1), fixed(low, 1), fixed(high, 1))
            }
            (mean, _) => fixed_or_dash(mean, 1),
        };
        let change = cmp.and_then(|c| c.composite.as_ref()).map(|c| Change {
            difference: c.difference,
            decimals: 1,
            p_value: c.p_value,
        });
        cards.push(("composite", AdminMsg::CompositeIndex.into(), value, change));
    }
    let compared = cmp.is_some();

    let cards = cards
        .into_iter()
        .map(|(key, label, value, change)| {
            let change_view = change.map(|change| {
                let significant = change.p_value.is_some_and(|p| p < ALPHA);
                let sign = if change.difference > 0.0 { "+" } else { "" };
                let difference = format!("{sign}{}", fixed(change.difference, change.decimals));
                let verdict = move || {
                    change.p_value.map(|p| {
                        let msg = match significant {
                            true => AdminMsg::Significant,
                            false => AdminMsg::NotSignificant,
                        };
                        format!("{} (p = {})", msg.text(lang.get()), fixed(p, 3))
                    })
                };
                view! {
                    <p class="change" data-testid=format!("card-{key}-change")
                        data-significant=significant.to_string()>
                        {move || i18n::vs_previous(lang.get(), &difference)}
                        " "
                        <span class=if significant { "sig yes" } else { "sig" }>{verdict}</span>
                    </p>
                }
            });
            view! {
                <div class="stat-card" data-testid=format!("card-{key}")>
                    <dt>{lang.t(label)}</dt>
                    <dd class="stat-value" data-testid=format!("card-{key}-value")>{value}</dd>
                    <dd>{change_view}</dd>
                </div>
            }
        })
        .collect_view();
    view! {
        <dl class="cards" data-testid="cards">{cards}</dl>
        {(!compared).then(|| view! { <p class="help" data-testid="no-comparison">{lang.t(AdminMsg::NoComparison)}</p> })}
    }
}

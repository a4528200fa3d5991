use leptos::prelude::*;
use manyi_core::{Report, Survey};

use super::table_card::TableCard;
use crate::i18n::format::fixed_or_dash;
use crate::i18n::locale::{SurveyText, UiLang};
use crate::i18n::{AdminMsg, Msg};

/// Below this Cronbach's alpha a scale's items are too loosely related to be read as one
/// measure (Nunnally's usual threshold).
pub const ALPHA_FLOOR: f64 = 0.7;

/// Each dimension's 0–100 score with its reliability, and a warning where alpha is below 0.7.
#[component]
pub fn DimensionTable(report: StoredValue<Report>, survey: StoredValue<Survey>) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let report = report.get_value();
    if report.dimensions.is_empty() {
        return ().into_any();
    }
    let text = survey.with_value(|s| SurveyText::new(lang, s.default_locale.clone()));
    let rows = report
        .dimensions
        .iter()
        .map(|(id, dim)| {
            let title = survey.with_value(|s| {
                s.dimensions.iter().find(|d| d.id == id).map(|d| d.title.clone())
            });
            let id = id.to_owned();
            let shown = id.clone();
            let low = dim.alpha.raw.is_some_and(|a| a < ALPHA_FLOOR);
            let warning = low.then(|| {
                view! {
                    <span class="warn" data-testid=format!("alpha-warning-{id}")>
                        {lang.t(AdminMsg::AlphaLow)}
                    </span>
                }
            });
            view! {
                <tr data-testid=format!("dimension-{id}")>
                    <th scope="row">{move || title.as_ref().map_or_else(|| shown.clone(), |t| text.get(t))}</th>
                    <td>{fixed_or_dash(dim.score, 1)}</td>
                    <td>{dim.n}</td>
                    <td>{fixed_or_dash(dim.alpha.raw, 3)}</td>
                    <td>{fixed_or_dash(dim.alpha.std, 3)}</td>
                    <td>{warning}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <TableCard
            heading_id="dimensions-heading"
            testid="dimension-table"
            title=lang.t(Msg::Dimensions).into_any()
            help=lang.t(AdminMsg::AlphaHelp).into_any()
            headers=vec![
                lang.t(Msg::Dimension).into_any(),
                lang.t(Msg::Score).into_any(),
                lang.t(Msg::Count).into_any(),
                lang.t(Msg::Alpha).into_any(),
                lang.t(AdminMsg::AlphaStd).into_any(),
                lang.t(AdminMsg::Reliability).into_any(),
            ]
        >
            {rows}
        </TableCard>
    }
    .into_any()
}

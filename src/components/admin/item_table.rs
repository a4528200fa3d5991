use leptos::prelude::*;
use manyi_core::{Report, Survey};

use super::table_card::TableCard;
use crate::i18n::format::fixed_or_dash;
use crate::i18n::locale::{SurveyText, UiLang};
use crate::i18n::{AdminMsg, Msg};

/// Every item of every dimension: its mean (after reverse coding), its corrected item–total
/// correlation and the dimension's alpha without it.
#[component]
pub fn ItemTable(report: StoredValue<Report>, survey: StoredValue<Survey>) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let report = report.get_value();
    if report.dimensions.is_empty() {
        return ().into_any();
    }
    let text = survey.with_value(|s| SurveyText::new(lang, s.default_locale.clone()));
    // An item key is a question id, or `question.row` for a matrix row.
    let item_text = move |key: &str| {
        survey.with_value(|s| {
            let (question, row) = match key.split_once('.') {
                Some((q, r)) => (q, Some(r)),
                None => (key, None),
            };
            let q = s.question(question)?;
            Some(match row {
                None => text.get(&q.text),
                Some(row) => {
                    let row = q.rows.iter().find(|r| r.id == row)?;
                    format!("{} — {}", text.get(&q.text), text.get(&row.text))
                }
            })
        })
    };
    let rows = report
        .dimensions
        .iter()
        .flat_map(|(dim, d)| {
            d.items.iter().map(move |(key, item)| {
                let key = key.to_owned();
                let shown = key.clone();
                let reverse = item.reverse.then(|| view! { <span class="tag">{lang.t(AdminMsg::Reversed)}</span> });
                view! {
                    <tr data-testid=format!("item-{key}")>
                        <th scope="row">
                            {move || item_text(&shown).unwrap_or_else(|| shown.clone())}
                            " "
                            {reverse}
                        </th>
                        <td>{dim.to_owned()}</td>
                        <td>{item.n}</td>
                        <td data-testid=format!("item-{key}-mean")>{fixed_or_dash(item.mean, 2)}</td>
                        <td data-testid=format!("item-{key}-r")>{fixed_or_dash(item.r_drop, 3)}</td>
                        <td data-testid=format!("item-{key}-aid")>{fixed_or_dash(item.alpha_if_deleted, 3)}</td>
                    </tr>
                }
            })
        })
        .collect_view();
    view! {
        <TableCard
            heading_id="items-heading"
            testid="item-table"
            title=lang.t(AdminMsg::Items).into_any()
            headers=vec![
                lang.t(AdminMsg::Item).into_any(),
                lang.t(Msg::Dimension).into_any(),
                lang.t(Msg::Count).into_any(),
                lang.t(Msg::Mean).into_any(),
                lang.t(AdminMsg::ItemTotal).into_any(),
                lang.t(AdminMsg::AlphaIfDeleted).into_any(),
            ]
        >
            {rows}
        </TableCard>
    }
    .into_any()
}

use std::collections::BTreeMap;

use leptos::prelude::*;
use manyi_core::LocalizedText;
use manyi_core::model::MatrixRow;

use crate::i18n::format;
use crate::i18n::locale::SurveyText;

/// Rows sharing one scale. Wide screens lay it out as a table with the point labels as column
/// heads; narrow screens stack each row with its points labelled. Each row is a radio group of
/// native radios, so the arrow keys work within a row and Tab moves between rows.
#[component]
pub fn MatrixInput(
    qid: String,
    rows: Vec<MatrixRow>,
    /// The scale's points with their labels, if they have one.
    points: Vec<(f64, Option<LocalizedText>)>,
    #[prop(into)] value: Signal<BTreeMap<String, f64>>,
    on_change: Callback<BTreeMap<String, f64>>,
    labelledby: String,
    describedby: String,
    #[prop(into)] invalid: Signal<bool>,
) -> impl IntoView {
    let text = expect_context::<SurveyText>();
    let count = points.len();
    let head = points
        .iter()
        .map(|(x, label)| {
            let shown = format::point(*x);
            let label = label.clone();
            view! {
                <span class="matrix-head-cell">
                    {move || label.as_ref().map_or_else(|| shown.clone(), |l| text.get(l))}
                </span>
            }
        })
        .collect_view();
    let body =
        rows.into_iter()
            .map(|row| {
                let row_label_id = format!("q-{qid}-{}-label", row.id);
                let radios = points
                .iter()
                .map(|(x, label)| {
                    let x = *x;
                    let shown = format::point(x);
                    let label = label.clone();
                    let row_id = row.id.clone();
                    let checked = {
                        let row_id = row_id.clone();
                        move || value.get().get(&row_id).is_some_and(|v| (v - x).abs() < 1e-9)
                    };
                    let choose = move |_| {
                        let mut answer = value.get_untracked();
                        answer.insert(row_id.clone(), x);
                        on_change.run(answer);
                    };
                    view! {
                        <label class="matrix-cell">
                            <input
                                type="radio"
                                name=format!("{qid}-{}", row.id)
                                prop:checked=checked
                                aria-describedby=describedby.clone()
                                aria-invalid=move || if invalid.get() { "true" } else { "false" }
                                data-testid=format!("{qid}-{}-opt-{shown}", row.id)
                                on:change=choose
                            />
                            <span class="matrix-point">
                                {shown.clone()}
                                {move || label.as_ref().map(|l| format!(" {}", text.get(l)))}
                            </span>
                        </label>
                    }
                })
                .collect_view();
                view! {
                    <div
                        role="radiogroup"
                        class="matrix-row"
                        aria-labelledby=row_label_id.clone()
                        data-testid=format!("{qid}-row-{}", row.id)
                    >
                        <span id=row_label_id.clone() class="matrix-row-text">
                            {move || text.get(&row.text)}
                        </span>
                        {radios}
                    </div>
                }
            })
            .collect_view();
    view! {
        <div
            class="matrix"
            role="group"
            aria-labelledby=labelledby
            style=format!("--points: {count}")
        >
            <div class="matrix-head" aria-hidden="true">
                <span></span>
                {head}
            </div>
            {body}
        </div>
    }
}

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use manyi_core::LocalizedText;
use wasm_bindgen::JsCast;

use crate::format;
use crate::i18n::Msg;
use crate::locale::{SurveyText, UiLang};

/// How the points of a scale look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaleStyle {
    /// Eleven numbered buttons with the two end labels under them.
    Nps,
    /// Numbered buttons with end labels.
    Numbers,
    /// Stars filled up to the chosen point.
    Stars,
    /// Numbered buttons each showing its point label (agreement scales).
    Likert,
}

/// A scale as a WAI-ARIA radio group with a roving tab stop: Tab enters and leaves the group,
/// arrow keys move and select, Home and End jump to the ends. Buttons rather than native radios
/// allow large, evenly laid out targets that never collapse into a dropdown.
#[component]
pub fn ScaleGroup(
    qid: String,
    points: Vec<(f64, Option<LocalizedText>)>,
    style: ScaleStyle,
    #[prop(into)] value: Signal<Option<f64>>,
    on_select: Callback<f64>,
    labelledby: String,
    describedby: String,
    #[prop(into)] invalid: Signal<bool>,
    required: bool,
) -> impl IntoView {
    let text = expect_context::<SurveyText>();
    let lang = expect_context::<UiLang>();
    let count = points.len();
    let values: Vec<f64> = points.iter().map(|(x, _)| *x).collect();
    let is_selected = move |x: f64| value.get().is_some_and(|v| (v - x).abs() < 1e-9);
    let has_value = move || value.get().is_some();

    let end_label = |at: Option<&(f64, Option<LocalizedText>)>, fallback: Msg| {
        let label = at.and_then(|(_, l)| l.clone());
        move || match &label {
            Some(l) => text.get(l),
            None if style == ScaleStyle::Nps => fallback.text(lang.get()).to_owned(),
            None => String::new(),
        }
    };
    let low = end_label(points.first(), Msg::NpsLow);
    let high = end_label(points.last(), Msg::NpsHigh);
    let show_ends = style != ScaleStyle::Likert
        && (style == ScaleStyle::Nps
            || points.first().is_some_and(|p| p.1.is_some())
            || points.last().is_some_and(|p| p.1.is_some()));

    let buttons = points
        .into_iter()
        .enumerate()
        .map(|(index, (x, label))| {
            let values = values.clone();
            let on_key = move |ev: KeyboardEvent| {
                let target = match ev.key().as_str() {
                    "ArrowRight" | "ArrowDown" => (index + 1) % count,
                    "ArrowLeft" | "ArrowUp" => (index + count - 1) % count,
                    "Home" => 0,
                    "End" => count - 1,
                    _ => return,
                };
                ev.prevent_default();
                on_select.run(values[target]);
                focus_radio(&ev, target);
            };
            let shown = format::point(x);
            let label_text = {
                let label = label.clone();
                move || label.as_ref().map(|l| text.get(l))
            };
            let tab_index = move || {
                if is_selected(x) || (!has_value() && index == 0) {
                    "0"
                } else {
                    "-1"
                }
            };
            let filled = move || style == ScaleStyle::Stars && value.get().is_some_and(|v| x <= v);
            let content = match style {
                ScaleStyle::Stars => view! {
                    <span class="star" aria-hidden="true">
                        "★"
                    </span>
                    <span class="visually-hidden">
                        {shown.clone()}
                        {move || label_text().map(|l| format!(" {l}"))}
                    </span>
                }
                .into_any(),
                ScaleStyle::Likert => view! {
                    <span class="point-number">{shown.clone()}</span>
                    <span class="point-label">{label_text}</span>
                }
                .into_any(),
                ScaleStyle::Nps | ScaleStyle::Numbers => view! {
                    <span class="point-number">{shown.clone()}</span>
                    <span class="visually-hidden">
                        {move || label_text().map(|l| format!(" {l}"))}
                    </span>
                }
                .into_any(),
            };
            view! {
                <button
                    type="button"
                    role="radio"
                    class="scale-point"
                    class=("selected", move || is_selected(x))
                    class=("filled", filled)
                    aria-checked=move || if is_selected(x) { "true" } else { "false" }
                    tabindex=tab_index
                    data-testid=format!("{qid}-opt-{shown}")
                    on:click=move |_| on_select.run(x)
                    on:keydown=on_key
                >
                    {content}
                </button>
            }
        })
        .collect_view();

    let class = match style {
        ScaleStyle::Nps => "scale scale-nps",
        ScaleStyle::Numbers => "scale scale-numbers",
        ScaleStyle::Stars => "scale scale-stars",
        ScaleStyle::Likert => "scale scale-likert",
    };
    view! {
        <div
            role="radiogroup"
            class=class
            style=format!("--points: {count}")
            aria-labelledby=labelledby
            aria-describedby=describedby
            aria-invalid=move || if invalid.get() { "true" } else { "false" }
            aria-required=if required { "true" } else { "false" }
        >
            {buttons}
        </div>
        {show_ends
            .then(|| {
                view! {
                    <div class="scale-ends" aria-hidden="true">
                        <span>{low}</span>
                        <span>{high}</span>
                    </div>
                }
            })}
    }
}

/// Moves focus to the `index`-th radio of the group that contains the event's button.
fn focus_radio(ev: &KeyboardEvent, index: usize) {
    let radio = ev
        .current_target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|button| button.closest("[role=radiogroup]").ok().flatten())
        .and_then(|group| group.query_selector_all("[role=radio]").ok())
        .and_then(|radios| radios.item(index as u32))
        .and_then(|node| node.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(radio) = radio {
        let _ = radio.focus();
    }
}

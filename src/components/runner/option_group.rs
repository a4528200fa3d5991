use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use manyi_core::LocalizedText;
use wasm_bindgen::JsCast;

use crate::i18n::Msg;
use crate::i18n::locale::{SurveyText, UiLang};

/// How the options of an [`OptionGroup`] look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupStyle {
    /// Eleven numbered buttons with the two end labels under them.
    Nps,
    /// Numbered buttons with end labels.
    Numbers,
    /// Stars filled up to the chosen point.
    Stars,
    /// Numbered buttons each showing its point label (agreement scales).
    Likert,
    /// One button per choice, showing its label.
    Choice,
}

/// One option of an [`OptionGroup`].
#[derive(Debug, Clone, PartialEq)]
pub struct GroupOption {
    /// What names the option in its test id: a scale point's number as typed in the definition,
    /// or a choice's value. Scales show it too.
    pub key: String,
    /// A scale point's label, if it has one; a choice's label.
    pub label: Option<LocalizedText>,
}

/// A question with one answer among a few options, as a WAI-ARIA radio group with a roving tab
/// stop: Tab enters and leaves the group, arrow keys move and select, Home and End jump to the
/// ends. Buttons rather than native radios allow large, evenly laid out targets that never
/// collapse into a dropdown. NPS, rating, Likert and single-choice questions all use it, so the
/// bundle carries one such control rather than one per kind.
#[component]
pub fn OptionGroup(
    qid: String,
    options: Vec<GroupOption>,
    style: GroupStyle,
    /// The index of the chosen option.
    #[prop(into)]
    selected: Signal<Option<usize>>,
    on_select: Callback<usize>,
    labelledby: String,
    describedby: String,
    #[prop(into)] invalid: Signal<bool>,
    required: bool,
) -> impl IntoView {
    let text = expect_context::<SurveyText>();
    let lang = expect_context::<UiLang>();
    let count = options.len();
    let is_selected = move |index: usize| selected.get() == Some(index);

    let end_label = |at: Option<&GroupOption>, fallback: Msg| {
        let label = at.and_then(|option| option.label.clone());
        move || match &label {
            Some(l) => text.get(l),
            None if style == GroupStyle::Nps => fallback.text(lang.get()).to_owned(),
            None => String::new(),
        }
    };
    let low = end_label(options.first(), Msg::NpsLow);
    let high = end_label(options.last(), Msg::NpsHigh);
    let show_ends = match style {
        GroupStyle::Nps => true,
        GroupStyle::Numbers | GroupStyle::Stars => {
            options.first().is_some_and(|o| o.label.is_some())
                || options.last().is_some_and(|o| o.label.is_some())
        }
        GroupStyle::Likert | GroupStyle::Choice => false,
    };

    let buttons = options
        .into_iter()
        .enumerate()
        .map(|(index, GroupOption { key, label })| {
            let on_key = move |ev: KeyboardEvent| {
                let target = match ev.key().as_str() {
                    "ArrowRight" | "ArrowDown" => (index + 1) % count,
                    "ArrowLeft" | "ArrowUp" => (index + count - 1) % count,
                    "Home" => 0,
                    "End" => count - 1,
                    _ => return,
                };
                ev.prevent_default();
                on_select.run(target);
                focus_radio(&ev, target);
            };
            let label = StoredValue::new(label);
            let label_text = move || {
                label.with_value(|label| label.as_ref().map(|l| text.get(l)).unwrap_or_default())
            };
            // Every style fills the same two spans, so all options share one view: what shows
            // (a number, a star or a choice's label), then what reads out or shows beside it.
            let (shown_class, second_class) = match style {
                GroupStyle::Nps | GroupStyle::Numbers => ("point-number", "visually-hidden"),
                GroupStyle::Likert => ("point-number", "point-label"),
                GroupStyle::Stars => ("star", "visually-hidden"),
                GroupStyle::Choice => ("choice-label", "visually-hidden"),
            };
            let shown = {
                let key = key.clone();
                move || match style {
                    GroupStyle::Stars => "★".to_owned(),
                    GroupStyle::Choice => label_text(),
                    _ => key.clone(),
                }
            };
            let second = {
                let key = key.clone();
                move || {
                    let label = label_text();
                    match style {
                        GroupStyle::Likert => label,
                        GroupStyle::Choice => String::new(),
                        GroupStyle::Stars if label.is_empty() => key.clone(),
                        GroupStyle::Stars => format!("{key} {label}"),
                        _ if label.is_empty() => label,
                        _ => format!(" {label}"),
                    }
                }
            };
            let tab_index = move || {
                if is_selected(index) || (selected.get().is_none() && index == 0) {
                    "0"
                } else {
                    "-1"
                }
            };
            let filled = move || {
                style == GroupStyle::Stars && selected.get().is_some_and(|chosen| index <= chosen)
            };
            view! {
                <button
                    type="button"
                    role="radio"
                    class="scale-point"
                    class=("selected", move || is_selected(index))
                    class=("filled", filled)
                    aria-checked=move || if is_selected(index) { "true" } else { "false" }
                    tabindex=tab_index
                    data-testid=format!("{qid}-opt-{key}")
                    on:click=move |_| on_select.run(index)
                    on:keydown=on_key
                >
                    <span
                        class=shown_class
                        aria-hidden=(style == GroupStyle::Stars).then_some("true")
                    >
                        {shown}
                    </span>
                    <span class=second_class>{second}</span>
                </button>
            }
        })
        .collect_view();

    let class = match style {
        GroupStyle::Nps => "scale scale-nps",
        GroupStyle::Numbers => "scale scale-numbers",
        GroupStyle::Stars => "scale scale-stars",
        GroupStyle::Likert => "scale scale-likert",
        GroupStyle::Choice => "scale scale-choice",
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

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

use crate::i18n;
use crate::i18n::locale::UiLang;

/// A one-line input or a text area with a live character counter.
///
/// The field is uncontrolled after its first render: the answer follows the text, never the
/// other way round, so what the respondent types (spaces included) is never rewritten.
#[component]
pub fn TextInput(
    qid: String,
    input_id: String,
    initial: String,
    multiline: bool,
    max_length: u32,
    on_input: Callback<String>,
    describedby: String,
    #[prop(into)] invalid: Signal<bool>,
    required: bool,
) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let length = RwSignal::new(initial.chars().count());
    let counter_id = format!("{input_id}-counter");
    let describedby = format!("{describedby} {counter_id}");
    let handle_input = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        length.set(text.chars().count());
        on_input.run(text);
    };
    // Enter that confirms an IME composition (Chinese input) must not submit the page; the
    // composing flag and the legacy key code 229 both mark it.
    let guard_ime = move |ev: KeyboardEvent| {
        if ev.key() == "Enter" && (ev.is_composing() || ev.key_code() == 229) {
            ev.prevent_default();
        }
    };
    let aria_invalid = move || if invalid.get() { "true" } else { "false" };
    let aria_required = if required { "true" } else { "false" };
    let field = if multiline {
        view! {
            <textarea
                id=input_id.clone()
                rows="4"
                prop:value=initial
                aria-describedby=describedby
                aria-invalid=aria_invalid
                aria-required=aria_required
                data-testid=format!("{qid}-input")
                on:input=handle_input
                on:keydown=guard_ime
            ></textarea>
        }
        .into_any()
    } else {
        view! {
            <input
                id=input_id.clone()
                type="text"
                prop:value=initial
                aria-describedby=describedby
                aria-invalid=aria_invalid
                aria-required=aria_required
                data-testid=format!("{qid}-input")
                on:input=handle_input
                on:keydown=guard_ime
            />
        }
        .into_any()
    };
    view! {
        {field}
        <p
            id=counter_id
            class="counter"
            class=("over", move || length.get() > max_length as usize)
            data-testid=format!("{qid}-counter")
        >
            {move || i18n::char_count(lang.get(), length.get(), max_length)}
        </p>
    }
}

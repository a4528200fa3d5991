use leptos::prelude::*;
use manyi_core::model::ChoiceOption;

use crate::locale::SurveyText;

/// Native radio buttons, which bring arrow-key movement and form semantics for free.
#[component]
pub fn ChoiceInput(
    qid: String,
    options: Vec<ChoiceOption>,
    #[prop(into)] value: Signal<Option<String>>,
    on_select: Callback<String>,
    describedby: String,
    #[prop(into)] invalid: Signal<bool>,
) -> impl IntoView {
    let text = expect_context::<SurveyText>();
    options
        .into_iter()
        .map(|option| {
            let checked = {
                let v = option.value.clone();
                move || value.get().as_deref() == Some(v.as_str())
            };
            let chosen = option.value.clone();
            view! {
                <label class="choice">
                    <input
                        type="radio"
                        name=qid.clone()
                        value=option.value.clone()
                        prop:checked=checked
                        aria-describedby=describedby.clone()
                        aria-invalid=move || if invalid.get() { "true" } else { "false" }
                        data-testid=format!("{qid}-opt-{}", option.value)
                        on:change=move |_| on_select.run(chosen.clone())
                    />
                    <span>{move || text.get(&option.label)}</span>
                </label>
            }
        })
        .collect_view()
}

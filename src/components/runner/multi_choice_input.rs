use leptos::prelude::*;
use manyi_core::model::ChoiceOption;

use crate::i18n::locale::SurveyText;

/// Checkboxes; the answer lists the chosen values in the definition's option order.
#[component]
pub fn MultiChoiceInput(
    qid: String,
    options: Vec<ChoiceOption>,
    #[prop(into)] value: Signal<Vec<String>>,
    on_change: Callback<Vec<String>>,
    describedby: String,
    #[prop(into)] invalid: Signal<bool>,
) -> impl IntoView {
    let text = expect_context::<SurveyText>();
    let order: Vec<String> = options.iter().map(|o| o.value.clone()).collect();
    options
        .into_iter()
        .map(|option| {
            let order = order.clone();
            let checked = {
                let v = option.value.clone();
                move || value.get().contains(&v)
            };
            let toggled = option.value.clone();
            let on_toggle = move |ev: leptos::ev::Event| {
                let on = event_target_checked(&ev);
                let before = value.get_untracked();
                // Values no option has (none, unless the definition changed) stay first, then
                // the chosen options in their order; built in order rather than sorted.
                let chosen = before
                    .iter()
                    .filter(|v| !order.contains(v))
                    .chain(order.iter().filter(|o| match **o == toggled {
                        true => on,
                        false => before.contains(o),
                    }))
                    .cloned()
                    .collect();
                on_change.run(chosen);
            };
            view! {
                <label class="choice">
                    <input
                        type="checkbox"
                        name=qid.clone()
                        value=option.value.clone()
                        prop:checked=checked
                        aria-describedby=describedby.clone()
                        aria-invalid=move || if invalid.get() { "true" } else { "false" }
                        data-testid=format!("{qid}-opt-{}", option.value)
                        on:change=on_toggle
                    />
                    <span>{move || text.get(&option.label)}</span>
                </label>
            }
        })
        .collect_view()
}

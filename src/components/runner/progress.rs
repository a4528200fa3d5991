use leptos::prelude::*;

use crate::i18n;
use crate::i18n::locale::UiLang;

/// "Page 2 of 4" with a bar; the text labels the bar so both say the same thing.
#[component]
pub fn Progress(#[prop(into)] page: Signal<usize>, pages: usize) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    view! {
        <div class="progress">
            <p id="progress-label" class="progress-label" data-testid="progress">
                {move || i18n::page_of(lang.get(), page.get() + 1, pages)}
            </p>
            <progress
                max=pages.to_string()
                value=move || (page.get() + 1).to_string()
                aria-labelledby="progress-label"
            ></progress>
        </div>
    }
}

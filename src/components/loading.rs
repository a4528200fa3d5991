use leptos::prelude::*;

use crate::i18n::Msg;
use crate::i18n::locale::UiLang;

/// The line shown while a screen waits for its data, announced politely to screen readers.
#[component]
pub fn Loading(lang: UiLang) -> impl IntoView {
    view! {
        <p class="loading" role="status" data-testid="loading">
            {lang.t(Msg::Loading)}
        </p>
    }
}

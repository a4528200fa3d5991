use leptos::prelude::*;

use crate::i18n::locale::UiLang;
use crate::i18n::{Msg, Translate};

/// The buttons that end a kiosk form (its settings, the PIN prompt): cancel, when the screen
/// offers it, and the submit button with its label.
#[component]
pub fn FormButtons<L: Translate>(
    /// Without it there is no cancel button.
    on_cancel: Option<Callback<()>>,
    /// The submit button's label.
    submit: L,
    /// The submit button's `data-testid`.
    testid: &'static str,
) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    view! {
        <div class="nav-buttons">
            {on_cancel
                .map(|cancel| {
                    view! {
                        <button type="button" class="button" on:click=move |_| cancel.run(())>
                            {lang.t(Msg::KioskCancel)}
                        </button>
                    }
                })}
            <button type="submit" class="button primary" data-testid=testid>
                {lang.t(submit)}
            </button>
        </div>
    }
}

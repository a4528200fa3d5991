use leptos::prelude::*;

use super::form_buttons::FormButtons;
use crate::i18n::locale::UiLang;
use crate::i18n::{Msg, Translate};

/// Asks for the kiosk's staff PIN: before the kiosk's settings open, and before the staff's
/// screens of a kiosk's device do (`KioskLock`).
#[component]
pub fn PinPrompt<L: Translate>(
    pin: String,
    /// What the unlock button opens.
    unlock: L,
    on_unlock: Callback<()>,
    /// Without it there is no cancel button: the screen offers its own way back.
    #[prop(optional)]
    on_cancel: Option<Callback<()>>,
) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let typed = RwSignal::new(String::new());
    let wrong = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if typed.get_untracked() == pin {
            on_unlock.run(());
        } else {
            wrong.set(true);
            typed.set(String::new());
        }
    };
    view! {
        <form class="kiosk-pin" autocomplete="off" on:submit=submit data-testid="kiosk-pin">
            <label for="kiosk-pin-input" class="field-label">{lang.t(Msg::KioskPinLabel)}</label>
            <input
                id="kiosk-pin-input"
                type="password"
                inputmode="numeric"
                autocomplete="off"
                autofocus
                aria-describedby="kiosk-pin-error"
                aria-invalid=move || wrong.get().to_string()
                prop:value=typed
                on:input=move |ev| typed.set(event_target_value(&ev))
                data-testid="kiosk-pin-input"
            />
            <p id="kiosk-pin-error" class="field-error" data-testid="kiosk-pin-error">
                {move || wrong.get().then(|| lang.t(Msg::KioskPinWrong)())}
            </p>
            <FormButtons on_cancel=on_cancel submit=unlock testid="kiosk-unlock" />
        </form>
    }
}

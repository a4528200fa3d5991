use leptos::prelude::*;

use crate::i18n::locale::UiLang;
use crate::i18n::{self, Msg};

/// The "are you still there?" countdown. Any touch anywhere counts as activity and dismisses
/// it; the button is there so the way to stay is obvious.
#[component]
pub fn IdleOverlay(seconds_left: u32) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    view! {
        <div class="kiosk-overlay" role="alertdialog" aria-modal="true" aria-labelledby="idle-title" data-testid="kiosk-idle">
            <div class="kiosk-dialog">
                <h2 id="idle-title">{lang.t(Msg::KioskStillThere)}</h2>
                <p data-testid="kiosk-idle-left" data-seconds=seconds_left.to_string()>
                    {move || i18n::kiosk_idle_in(lang.get(), seconds_left)}
                </p>
                <button type="button" class="button primary" data-testid="kiosk-continue">
                    {lang.t(Msg::KioskContinue)}
                </button>
            </div>
        </div>
    }
}

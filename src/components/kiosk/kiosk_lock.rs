use leptos::prelude::*;

use super::pin_prompt::PinPrompt;
use crate::i18n::AdminMsg;
use crate::i18n::locale::UiLang;
use crate::kiosk::lock::{self, Lock};

/// What the staff's screens of a kiosk's device show until the kiosk's PIN is entered: the
/// kiosk's own PIN prompt and, where the device knows its kiosk, the way back to it.
#[component]
pub fn KioskLock(lock: Lock, on_unlock: Callback<()>) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let unlocked = Callback::new(move |()| {
        lock::unlock();
        on_unlock.run(());
    });
    view! {
        <section class="kiosk-lock" aria-labelledby="kiosk-lock-title" data-testid="kiosk-lock">
            <h1 id="kiosk-lock-title">{lang.t(AdminMsg::KioskLockTitle)}</h1>
            <p class="lead">{lang.t(AdminMsg::KioskLockIntro)}</p>
            <PinPrompt pin=lock.pin unlock=AdminMsg::KioskLockUnlock on_unlock=unlocked />
            {lock
                .kiosk_path
                .map(|href| {
                    view! {
                        <p class="footer-links">
                            <a href=href data-testid="kiosk-back">{lang.t(AdminMsg::BackToKiosk)}</a>
                        </p>
                    }
                })}
        </section>
    }
}

use std::time::Duration;

use leptos::prelude::*;

use crate::i18n::Msg;
use crate::i18n::locale::UiLang;
use crate::kiosk::settings::LONG_PRESS_MS;

/// A corner of the welcome screen that opens the staff settings after a long press, a gesture
/// no customer makes by accident. It has no hover state and no visible label; screen readers
/// still announce what it is.
#[component]
pub fn StaffCorner(on_long_press: Callback<()>) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    // Each press gets a number; the timer acts only if its press is still the one held down.
    // Comparing numbers rather than cancelling the timer keeps this right even where timer
    // ids do not fit the 32 bits `clearTimeout` gets from Rust (fake clocks in tests).
    let presses = StoredValue::new(0u32);
    let held = StoredValue::new(None::<u32>);
    let press = move |_| {
        let id = presses.get_value().wrapping_add(1);
        presses.set_value(id);
        held.set_value(Some(id));
        let _ = set_timeout_with_handle(
            move || {
                if held.try_get_value().flatten() == Some(id) {
                    held.set_value(None);
                    on_long_press.run(());
                }
            },
            Duration::from_millis(LONG_PRESS_MS),
        );
    };
    let release = move || held.set_value(None);
    view! {
        <button
            type="button"
            class="kiosk-staff"
            aria-label=lang.t(Msg::KioskStaff)
            data-testid="kiosk-staff"
            on:pointerdown=press
            on:pointerup=move |_| release()
            on:pointerleave=move |_| release()
            on:pointercancel=move |_| release()
            on:contextmenu=|ev| ev.prevent_default()
        ></button>
    }
}

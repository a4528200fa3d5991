use std::sync::Arc;
use std::time::Duration;

use leptos::ev;
use leptos::prelude::*;
use manyi_core::Survey;

use super::idle_overlay::IdleOverlay;
use super::kiosk_setup::KioskSetup;
use super::pin_prompt::PinPrompt;
use super::welcome::Welcome;
use crate::browser::nav::Location;
use crate::components::runner::{KioskRun, SurveyForm};
use crate::i18n::locale::{StorageProblem, UiLang};
use crate::i18n::{self, Msg};
use crate::kiosk::settings::{self, IDLE_COUNTDOWN_SECS, IdleAction, KioskSettings};
use crate::storage::Store;

/// Where the kiosk is in its cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Welcome,
    Answering,
    /// The thank-you screen, until the reset delay has passed.
    Done,
    Pin,
    Setup,
}

/// What is on screen; answering and the thank-you screen are one run of the survey form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Screen {
    Welcome,
    Session,
    Pin,
    Setup,
}

/// The kiosk's cycle: welcome → survey → thank-you → welcome after `reset_secs`, and back to
/// welcome after `idle_secs` without activity plus a short countdown, discarding or submitting
/// the unfinished answers as staff chose. Every session starts from a fresh form that keeps no
/// draft, so nothing of one customer reaches the next.
#[component]
pub fn KioskFlow(survey: Arc<Survey>, settings: RwSignal<KioskSettings>) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let problem = expect_context::<StorageProblem>();
    let location = Location::current();
    let phase = RwSignal::new(Phase::Welcome);
    let now = RwSignal::new(js_sys::Date::now());
    let last_activity = RwSignal::new(js_sys::Date::now());
    let done_at = StoredValue::new(0.0);
    let submit_partial = StoredValue::new(None::<Callback<()>>);

    // Each session starts in the kiosk's language, whatever the last customer chose, and with a
    // history entry of its own replaced rather than added, so Back leads nowhere.
    let to_welcome = move || {
        submit_partial.set_value(None);
        phase.set(Phase::Welcome);
        let path = location.path_untracked();
        match settings.with_untracked(|s| s.language.clone()) {
            Some(tag) => location.replace(&format!("{path}?lang={tag}")),
            None => location.replace(&path),
        }
    };
    to_welcome();

    // One clock drives both timeouts; it only reads the time, so a paused or throttled tab
    // catches up on the next tick.
    let tick = move || {
        let t = js_sys::Date::now();
        now.set(t);
        let (idle_secs, reset_secs, on_idle) =
            settings.with_untracked(|s| (s.idle_secs, s.reset_secs, s.on_idle));
        match phase.get_untracked() {
            Phase::Answering => {
                let limit = f64::from(idle_secs + IDLE_COUNTDOWN_SECS) * 1000.0;
                if t - last_activity.get_untracked() >= limit {
                    if on_idle == IdleAction::Submit
                        && let Some(submit) = submit_partial.get_value()
                    {
                        submit.run(());
                    }
                    to_welcome();
                }
            }
            Phase::Done if t - done_at.get_value() >= f64::from(reset_secs) * 1000.0 => {
                to_welcome();
            }
            _ => {}
        }
    };
    if let Ok(handle) = set_interval_with_handle(tick, Duration::from_millis(1000)) {
        on_cleanup(move || handle.clear());
    }
    // Any touch, click or key press counts as the customer still being there.
    for handle in [
        window_event_listener(ev::pointerdown, move |_| {
            last_activity.set(js_sys::Date::now())
        }),
        window_event_listener(ev::keydown, move |_| last_activity.set(js_sys::Date::now())),
    ] {
        on_cleanup(move || handle.remove());
    }

    let start = Callback::new(move |()| {
        last_activity.set(js_sys::Date::now());
        phase.set(Phase::Answering);
    });
    let on_complete = Callback::new(move |()| {
        let t = js_sys::Date::now();
        // The countdown starts from the full delay, not from the clock's last tick.
        now.set(t);
        done_at.set_value(t);
        phase.set(Phase::Done);
    });
    let unlocked = Callback::new(move |()| phase.set(Phase::Setup));
    let cancel = Callback::new(move |()| phase.set(Phase::Welcome));
    let saved = Callback::new(move |new: KioskSettings| {
        let endpoint_changed = settings.with_untracked(|s| s.endpoint != new.endpoint);
        match Store::open().and_then(|store| settings::save(&store, &new)) {
            // Sending is bound to the endpoint it started with; a new one needs a fresh start.
            Ok(()) if endpoint_changed => {
                let _ = window().location().reload();
            }
            Ok(()) => {
                settings.set(new);
                to_welcome();
            }
            Err(error) => problem.report(error),
        }
    });

    let screen = Memo::new(move |_| match phase.get() {
        Phase::Welcome => Screen::Welcome,
        Phase::Answering | Phase::Done => Screen::Session,
        Phase::Pin => Screen::Pin,
        Phase::Setup => Screen::Setup,
    });
    let idle_left = move || {
        let idle_secs = settings.with(|s| s.idle_secs);
        let idle_for = (now.get() - last_activity.get()) / 1000.0;
        let left = f64::from(idle_secs + IDLE_COUNTDOWN_SECS) - idle_for;
        (phase.get() == Phase::Answering && idle_for >= f64::from(idle_secs))
            .then(|| left.max(0.0).ceil() as u32)
    };
    let reset_left = move || {
        let reset_secs = settings.with(|s| s.reset_secs);
        let left = f64::from(reset_secs) - (now.get() - done_at.get_value()) / 1000.0;
        (phase.get() == Phase::Done).then(|| left.max(0.0).ceil() as u32)
    };

    view! {
        {move || match screen.get() {
            Screen::Welcome => view! {
                <Welcome survey=survey.clone() on_start=start on_staff=Callback::new(move |()| phase.set(Phase::Pin)) />
            }
            .into_any(),
            Screen::Session => {
                let run = KioskRun {
                    meta: settings.with_untracked(KioskSettings::meta),
                    on_complete,
                    submit_partial,
                };
                view! { <SurveyForm survey=survey.clone() kiosk=run /> }.into_any()
            }
            Screen::Pin => view! {
                <PinPrompt pin=settings.with_untracked(|s| s.pin.clone()) unlock=Msg::KioskUnlock on_unlock=unlocked on_cancel=cancel />
            }
            .into_any(),
            Screen::Setup => view! {
                <KioskSetup initial=settings.get_untracked() on_save=saved on_cancel=cancel />
            }
            .into_any(),
        }}
        {move || idle_left().map(|left| view! { <IdleOverlay seconds_left=left /> })}
        {move || {
            reset_left()
                .map(|left| {
                    view! {
                        <p class="kiosk-next" role="status" data-testid="kiosk-next">
                            {move || i18n::kiosk_next_in(lang.get(), left)}
                        </p>
                    }
                })
        }}
    }
}

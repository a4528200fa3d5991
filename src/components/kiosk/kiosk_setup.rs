use leptos::prelude::*;

use super::form_buttons::FormButtons;
use crate::i18n::locale::UiLang;
use crate::i18n::{self, Lang, Msg};
use crate::kiosk::settings::{IdleAction, KioskSettings, SettingsError, storage_level};
use crate::storage::quota;

/// The staff settings of a kiosk. On the first start there is nothing to cancel to, and a PIN
/// must be chosen; later an empty PIN field keeps the current PIN.
#[component]
pub fn KioskSetup(
    initial: KioskSettings,
    on_save: Callback<KioskSettings>,
    #[prop(optional)] on_cancel: Option<Callback<()>>,
) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let first_run = initial.pin.is_empty();
    let pin = RwSignal::new(String::new());
    let counter = RwSignal::new(initial.counter.clone());
    let location = RwSignal::new(initial.location.clone());
    let language = RwSignal::new(initial.language.clone().unwrap_or_default());
    let endpoint = RwSignal::new(initial.endpoint.clone().unwrap_or_default());
    let reset_secs = RwSignal::new(initial.reset_secs.to_string());
    let idle_secs = RwSignal::new(initial.idle_secs.to_string());
    let on_idle = RwSignal::new(initial.on_idle);
    let problems = RwSignal::new(Vec::<SettingsError>::new());
    // What staff need to judge how long the kiosk can stay offline.
    let storage = LocalResource::new(quota::estimate);
    let storage_line = move || {
        let used = storage.get().flatten()?;
        let (_, room, _) = storage_level(used.usage, used.quota);
        Some(view! {
            <p class="hint" data-testid="kiosk-storage">
                {i18n::kiosk_storage(lang.get(), used.usage, used.quota, room, used.persisted)}
            </p>
        })
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let optional = |s: String| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let typed_pin = pin.get_untracked();
        let settings = KioskSettings {
            pin: if typed_pin.is_empty() && !first_run {
                initial.pin.clone()
            } else {
                typed_pin
            },
            counter: counter.get_untracked().trim().to_owned(),
            location: location.get_untracked().trim().to_owned(),
            language: optional(language.get_untracked()),
            endpoint: optional(endpoint.get_untracked()),
            // Unreadable numbers become 0, which the checks below reject with a message.
            reset_secs: reset_secs.get_untracked().trim().parse().unwrap_or(0),
            idle_secs: idle_secs.get_untracked().trim().parse().unwrap_or(0),
            on_idle: on_idle.get_untracked(),
        };
        let found = settings.problems();
        if found.is_empty() {
            on_save.run(settings);
        }
        problems.set(found);
    };
    let error = move |kind: SettingsError, msg: Msg, id: &'static str| {
        view! {
            <p id=id class="field-error">
                {move || problems.with(|p| p.contains(&kind)).then(|| lang.t(msg)())}
            </p>
        }
    };
    let text_field = move |id: &'static str,
                           label: Msg,
                           value: RwSignal<String>,
                           describedby: Option<&'static str>| {
        view! {
            <label for=id class="field-label">{lang.t(label)}</label>
            <input
                id=id
                type="text"
                autocomplete="off"
                aria-describedby=describedby
                prop:value=value
                on:input=move |ev| value.set(event_target_value(&ev))
                data-testid=id
            />
        }
    };

    view! {
        <form class="kiosk-setup" autocomplete="off" novalidate on:submit=submit data-testid="kiosk-setup">
            <h1>{lang.t(Msg::KioskSetupTitle)}</h1>
            <label for="kiosk-new-pin" class="field-label">{lang.t(Msg::KioskNewPin)}</label>
            <input
                id="kiosk-new-pin"
                type="password"
                inputmode="numeric"
                autocomplete="new-password"
                aria-describedby="kiosk-pin-rule"
                prop:value=pin
                on:input=move |ev| pin.set(event_target_value(&ev))
                data-testid="kiosk-new-pin"
            />
            {error(SettingsError::Pin, Msg::KioskPinRule, "kiosk-pin-rule")}
            {text_field("kiosk-counter", Msg::KioskCounter, counter, Some("kiosk-counter-rule"))}
            {error(SettingsError::Counter, Msg::KioskRequired, "kiosk-counter-rule")}
            {text_field("kiosk-location", Msg::KioskLocation, location, None)}
            <label for="kiosk-language" class="field-label">{lang.t(Msg::KioskLanguage)}</label>
            <select
                id="kiosk-language"
                data-testid="kiosk-language"
                on:change=move |ev| language.set(event_target_value(&ev))
            >
                {Lang::ALL
                    .into_iter()
                    .map(|option| {
                        view! {
                            <option value=option.tag() selected=move || language.get() == option.tag()>
                                {option.native_name()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            {text_field("kiosk-endpoint", Msg::KioskEndpoint, endpoint, None)}
            {text_field("kiosk-reset", Msg::KioskResetSecs, reset_secs, Some("kiosk-reset-rule"))}
            {error(SettingsError::ResetOutOfRange, Msg::KioskResetRule, "kiosk-reset-rule")}
            {text_field("kiosk-idle", Msg::KioskIdleSecs, idle_secs, Some("kiosk-idle-rule"))}
            {error(SettingsError::IdleTooShort, Msg::KioskIdleRule, "kiosk-idle-rule")}
            <fieldset>
                <legend>{lang.t(Msg::KioskOnIdle)}</legend>
                {[(IdleAction::Discard, Msg::KioskIdleDiscard, "discard"), (IdleAction::Submit, Msg::KioskIdleSubmit, "submit")]
                    .into_iter()
                    .map(|(action, label, value)| {
                        view! {
                            <label class="choice">
                                <input
                                    type="radio"
                                    name="kiosk-on-idle"
                                    value=value
                                    prop:checked=move || on_idle.get() == action
                                    on:change=move |_| on_idle.set(action)
                                    data-testid=format!("kiosk-on-idle-{value}")
                                />
                                {lang.t(label)}
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            {storage_line}
            <FormButtons on_cancel=on_cancel submit=Msg::KioskSave testid="kiosk-save" />
        </form>
    }
}

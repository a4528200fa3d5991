use std::sync::Arc;

use leptos::prelude::*;
use manyi_core::Survey;

use super::staff_corner::StaffCorner;
use crate::browser::nav::Location;
use crate::i18n::locale::UiLang;
use crate::i18n::{self, Lang, Msg};
use crate::kiosk::settings::{StorageLevel, storage_level};
use crate::net::sync::Sync;
use crate::storage::quota;

/// The screen between customers: the survey's title, a large start button, the languages, the
/// staff corner, a discreet sending status for staff and, when storage is filling up, a warning
/// for them.
#[component]
pub fn Welcome(
    survey: Arc<Survey>,
    on_start: Callback<()>,
    on_staff: Callback<()>,
) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let location = Location::current();
    let sync = expect_context::<Sync>();
    let title = {
        let survey = survey.clone();
        move || {
            survey
                .title
                .get(lang.get().tag(), &survey.default_locale)
                .to_owned()
        }
    };
    let offered: Vec<Lang> = survey
        .locales_or_default()
        .iter()
        .filter_map(|tag| Lang::from_tag(tag))
        .collect();
    let start = move |_| {
        // Full screen needs a user gesture; this tap is the first one of every session. A
        // browser that refuses (or is already full screen in kiosk mode) changes nothing.
        if let Some(root) = document().document_element() {
            let _ = root.request_fullscreen();
        }
        on_start.run(());
    };
    let status = move || {
        let status = sync.status.get();
        let last = status
            .last_success
            .map(|at| i18n::sync_last_success(lang.get(), &at.format("%H:%M").to_string()));
        (status.pending, last)
    };

    // Read again whenever the number of waiting responses changes (and on every return to this
    // screen, which is made anew for each customer).
    let storage = LocalResource::new(move || {
        sync.status.with(|s| s.pending);
        quota::estimate()
    });
    let storage_warning = move || {
        let used = storage.get().flatten()?;
        let (level, room, percent) = storage_level(used.usage, used.quota);
        (level != StorageLevel::Fine).then(|| {
            view! {
                <p class="kiosk-storage-warning" role="status" data-testid="kiosk-storage-warning" data-level=level.name()>
                    {i18n::kiosk_storage_low(lang.get(), room, percent)}
                </p>
            }
        })
    };

    view! {
        <section class="kiosk-welcome" data-testid="kiosk-welcome">
            <StaffCorner on_long_press=on_staff />
            <h1 class="kiosk-title">{title}</h1>
            <p class="lead">{lang.t(Msg::KioskWelcome)}</p>
            <button type="button" class="button primary kiosk-start" on:click=start data-testid="kiosk-start">
                {lang.t(Msg::KioskStart)}
            </button>
            <ul class="kiosk-langs" aria-label=lang.t(Msg::LanguageLabel)>
                {offered
                    .into_iter()
                    .map(|option| {
                        let path = location.path_untracked();
                        view! {
                            <li>
                                <button
                                    type="button"
                                    class="button"
                                    lang=option.tag()
                                    aria-pressed=move || (lang.get() == option).to_string()
                                    data-testid=format!("kiosk-lang-{}", option.tag())
                                    on:click=move |_| location.replace(&format!("{path}?lang={}", option.tag()))
                                >
                                    {option.native_name()}
                                </button>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <p class="kiosk-status" data-testid="kiosk-status" data-pending=move || status().0.to_string()>
                {move || {
                    let (pending, last) = status();
                    let mut text = i18n::sync_pending(lang.get(), pending);
                    if let Some(last) = last {
                        text.push(' ');
                        text.push_str(&last);
                    }
                    text
                }}
            </p>
            {storage_warning}
        </section>
    }
}

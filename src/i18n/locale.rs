//! Which language the interface shows, and the app-wide storage problem, as contexts.

use leptos::prelude::*;

use crate::browser::nav::Location;
use crate::i18n::{self, Lang, Translate};
use crate::storage::StorageError;

/// The language of the current screen.
#[derive(Debug, Clone, Copy)]
pub struct UiLang(pub Memo<Lang>);

impl UiLang {
    /// A reactive translation of `msg`, for use directly in views.
    pub fn t(
        self,
        msg: impl Translate,
    ) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
        move || msg.text(self.0.get())
    }

    pub fn get(self) -> Lang {
        self.0.get()
    }
}

/// The latest storage problem, shown on every screen until another replaces it.
#[derive(Debug, Clone, Copy)]
pub struct StorageProblem(pub RwSignal<Option<StorageError>>);

impl StorageProblem {
    pub fn report(self, error: StorageError) {
        self.0.set(Some(error));
    }
}

/// The browser's preferred languages that the app supports, best first.
fn browser_langs() -> Vec<Lang> {
    web_sys::window()
        .map(|w| w.navigator().languages())
        .map(|list| {
            list.iter()
                .filter_map(|v| v.as_string())
                .filter_map(|tag| Lang::from_tag(&tag))
                .collect()
        })
        .unwrap_or_default()
}

/// Decides the screen's language: the `?lang` query parameter, then the browser's languages,
/// then `fallback`, each only if it is one of `offered`.
pub fn ui_lang(offered: Vec<Lang>, fallback: Lang) -> UiLang {
    let location = Location::current();
    let browser = browser_langs();
    UiLang(Memo::new(move |_| {
        let requested = location.query("lang").as_deref().and_then(Lang::from_tag);
        i18n::choose(requested, &browser, &offered, fallback)
    }))
}

/// Keeps the document's `lang` attribute on `ui`'s language, which tells screen readers and
/// font selection which language is showing.
pub fn follow_document_lang(ui: UiLang) {
    Effect::new(move |_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", ui.get().tag());
        }
    });
}

/// Decides the screen's language as [`ui_lang`] does, makes the document follow it and
/// provides it as [`UiLang`] in the current owner.
pub fn provide_ui_lang(offered: Vec<Lang>, fallback: Lang) -> UiLang {
    let ui = ui_lang(offered, fallback);
    follow_document_lang(ui);
    provide_context(ui);
    ui
}

/// Survey text in the screen's language, falling back as `LocalizedText::get` documents.
#[derive(Debug, Clone, Copy)]
pub struct SurveyText {
    lang: UiLang,
    default_locale: StoredValue<String>,
}

impl SurveyText {
    pub fn new(lang: UiLang, default_locale: String) -> SurveyText {
        SurveyText {
            lang,
            default_locale: StoredValue::new(default_locale),
        }
    }

    /// The text for the current language; reading it in a view makes the view follow changes.
    pub fn get(self, text: &manyi_core::LocalizedText) -> String {
        let lang = self.lang.get();
        self.default_locale
            .with_value(|default| text.get(lang.tag(), default).to_owned())
    }
}

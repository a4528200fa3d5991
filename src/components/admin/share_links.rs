use leptos::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::i18n::AdminMsg;
use crate::i18n::locale::UiLang;

/// The embed snippet and the kiosk link of a survey, each with a copy button.
#[component]
pub fn ShareLinks(id: String) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    let origin = window().location().origin().unwrap_or_default();
    let encoded = String::from(js_sys::encode_uri_component(&id));
    let snippet = format!(
        "<div id=\"survey\"></div>\n<script src=\"{origin}/embed.js\" async\n        data-survey=\"{id}\" data-target=\"#survey\"></script>"
    );
    let kiosk = format!("{origin}/kiosk/{encoded}");
    let copied = RwSignal::new(None::<&'static str>);
    let copy = move |what: &'static str, text: String| {
        let clipboard = window().navigator().clipboard();
        leptos::task::spawn_local(async move {
            // Copying needs a secure context and the page's focus; where it is refused the
            // text stays selectable in its field.
            if JsFuture::from(clipboard.write_text(&text)).await.is_ok() {
                copied.set(Some(what));
            }
        });
    };
    let (snippet_text, kiosk_text) = (snippet.clone(), kiosk.clone());
    view! {
        <section class="card" aria-labelledby="share-heading">
            <h3 id="share-heading">{lang.t(AdminMsg::Share)}</h3>
            <label for="embed-snippet" class="field-label">{lang.t(AdminMsg::EmbedSnippet)}</label>
            <textarea id="embed-snippet" readonly rows="3" class="code" data-testid="embed-snippet">{snippet}</textarea>
            <button type="button" data-testid="copy-snippet" on:click=move |_| copy("snippet", snippet_text.clone())>
                {lang.t(AdminMsg::Copy)}
            </button>
            <label for="kiosk-link" class="field-label">{lang.t(AdminMsg::KioskLink)}</label>
            <input id="kiosk-link" readonly class="code" data-testid="kiosk-link" prop:value=kiosk.clone() />
            <button type="button" data-testid="copy-kiosk" on:click=move |_| copy("kiosk", kiosk_text.clone())>
                {lang.t(AdminMsg::Copy)}
            </button>
            <p role="status" data-testid="copied">{move || copied.get().map(|_| lang.t(AdminMsg::Copied)())}</p>
            <p><a href=kiosk target="_blank" rel="noopener">{lang.t(AdminMsg::OpenKiosk)}</a></p>
        </section>
    }
}

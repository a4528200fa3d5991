use leptos::prelude::*;

use crate::i18n::locale::UiLang;
use crate::i18n::{Lang, Msg};

/// Links to this screen in each language. Links rather than a select keep the choice in the
/// URL, so it survives reloads and can be shared.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let lang = expect_context::<UiLang>();
    view! {
        <nav class="lang-switch" aria-label=lang.t(Msg::LanguageLabel)>
            <ul>
                {Lang::ALL
                    .into_iter()
                    .map(|option| {
                        view! {
                            <li>
                                <a
                                    href=format!("?lang={}", option.tag())
                                    lang=option.tag()
                                    hreflang=option.tag()
                                    data-testid=format!("lang-{}", option.tag())
                                    aria-current=move || (lang.get() == option).then_some("true")
                                >
                                    {option.native_name()}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}

use leptos::prelude::*;

use crate::components::StorageAlert;
use crate::i18n::locale::provide_ui_lang;
use crate::i18n::{Lang, Msg};

/// What a link to a survey this device cannot find shows.
#[component]
pub fn SurveyNotFound() -> impl IntoView {
    let lang = provide_ui_lang(Lang::ALL.to_vec(), Lang::ZhCn);
    view! {
        <h1 data-testid="survey-not-found">{lang.t(Msg::SurveyNotFound)}</h1>
        <StorageAlert />
        <p>
            <a href=move || format!("/?lang={}", lang.get().tag())>{lang.t(Msg::HomeLink)}</a>
        </p>
    }
}

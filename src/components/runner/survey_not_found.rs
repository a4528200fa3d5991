use leptos::prelude::*;

use crate::components::StorageAlert;
use crate::i18n::locale::provide_ui_lang;
use crate::i18n::{Lang, Msg};

/// What a link to a survey this device cannot find shows. It links nowhere: respondents, a
/// host site's visitors and a kiosk's customers have no business on the staff's home page.
#[component]
pub fn SurveyNotFound() -> impl IntoView {
    let lang = provide_ui_lang(Lang::ALL.to_vec(), Lang::ZhCn);
    view! {
        <h1 data-testid="survey-not-found">{lang.t(Msg::SurveyNotFound)}</h1>
        <StorageAlert />
    }
}

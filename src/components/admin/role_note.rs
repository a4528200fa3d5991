use leptos::prelude::*;

use crate::i18n::AdminMsg;
use crate::i18n::locale::UiLang;

/// The line that stands where the dashboard leaves out what the token's role does not include,
/// so staff know it is the role, not a fault.
#[component]
pub fn RoleNote(msg: AdminMsg, testid: &'static str) -> impl IntoView {
    let lang = expect_context::<UiLang>();
    view! { <p class="notice" data-testid=testid>{lang.t(msg)}</p> }
}

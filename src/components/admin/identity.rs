use leptos::prelude::*;

use crate::i18n::{self, locale::UiLang};
use crate::staff::rights::Rights;

/// Who is signed in: the token's name, its role and the surveys it is limited to, if any.
/// Nothing in local-only mode, whose badge says what it is.
#[component]
pub fn Identity(rights: Rights, lang: UiLang) -> impl IntoView {
    rights.me().cloned().map(|me| {
        let role = me.role.as_str().to_owned();
        let scope = me.surveys.clone().map(|surveys| {
            view! {
                <span class="muted" data-testid="staff-scope">
                    " · "{move || i18n::limited_to(lang.get(), &surveys)}
                </span>
            }
        });
        view! {
            <p class="identity" data-testid="staff-identity" data-role=role>
                {move || i18n::signed_in_as(lang.get(), &me.name, &i18n::role(lang.get(), &me.role))}
                {scope}
            </p>
        }
    })
}
